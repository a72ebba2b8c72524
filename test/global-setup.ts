/**
 * One Postgres for the whole test run: DATABASE_URL if given, else an embedded server in a fresh temporary
 * directory. Each test file creates its own database on it and drops it afterwards (test/helpers/db.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, withDatabase } from '../runtime/postgres';

export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_PG_ADMIN_URL = withDatabase(process.env.DATABASE_URL, 'postgres');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballotflow-test-pg-'));
  fs.chmodSync(dir, 0o755);
  const port = 55000 + Math.floor(Math.random() * 5000);
  const pg = await startEmbeddedPostgres({ dataDir: dir, port });
  process.env.TEST_PG_ADMIN_URL = withDatabase(pg.url, 'postgres');
  (globalThis as Record<string, unknown>).__BALLOTFLOW_PG__ = { pg, dir };
}

/** A database of its own for each test file, migrated, and dropped afterwards. */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createPool, migrate } from '../../db/pool';
import { dropDatabase, ensureDatabase, withDatabase } from '../../runtime/postgres';

export interface TestDb { url: string; pool: Pool; drop(): Promise<void> }

export async function createTestDb(): Promise<TestDb> {
  const admin = process.env.TEST_PG_ADMIN_URL;
  if (!admin) throw new Error('TEST_PG_ADMIN_URL is not set: run the tests through jest (test/global-setup.ts)');
  const name = `bf_test_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(admin, name);
  const url = withDatabase(admin, name);
  await migrate(url);
  const pool = createPool(url, 5);
  return { url, pool, drop: async () => { await pool.end(); await dropDatabase(admin, name); } };
}

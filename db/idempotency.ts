/**
 * Idempotency-Key: the first request with a key reserves it; a retry with the same key and body gets the
 * stored response back; the same key with another body is a conflict.
 */
import type { Pool } from 'pg';

export type Reservation =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; response: unknown }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

export async function reserveKey(pool: Pool, key: string, fingerprint: string): Promise<Reservation> {
  const ins = await pool.query('INSERT INTO idempotency_keys (key, fingerprint) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, fingerprint]);
  if (ins.rowCount === 1) return { kind: 'new' };
  const r = await pool.query<{ fingerprint: string; status: number | null; response: unknown }>(
    'SELECT fingerprint, status, response FROM idempotency_keys WHERE key = $1', [key]);
  const row = r.rows[0]!;
  if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (row.status === null) return { kind: 'in-progress' };
  return { kind: 'replay', status: row.status, response: row.response };
}

export async function completeKey(pool: Pool, key: string, status: number, response: unknown): Promise<void> {
  await pool.query('UPDATE idempotency_keys SET status = $2, response = $3 WHERE key = $1', [key, status, JSON.stringify(response ?? null)]);
}

/** A request that failed before doing anything gives its key back, so the client may retry. */
export async function releaseKey(pool: Pool, key: string): Promise<void> {
  await pool.query('DELETE FROM idempotency_keys WHERE key = $1 AND status IS NULL', [key]);
}

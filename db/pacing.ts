/**
 * Per-number pacing of texts: at most one message per interval reaches Twilio from each sending number, across
 * every worker process. A sender leases its number (a row in Postgres, no connection held while waiting), sends,
 * and releases it with the next allowed start one interval after its own send was accepted. So the gap between
 * two texts arriving at the provider is at least the interval, however late the first one left.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

/** How long a lease lasts if its holder never gives it back (a killed worker). */
const LEASE_MS = 15_000;
const POLL_MS = 20;

/** Takes the number's lease, or says how long until it may be free (its next allowed start, or a short poll while another sender holds it). */
async function tryLease(pool: Pool, number: string, holder: string): Promise<{ leased: true } | { leased: false; waitMs: number }> {
  const r = await pool.query(
    `INSERT INTO sms_number_pacing AS p (number, busy_until, holder) VALUES ($1, clock_timestamp() + make_interval(secs => $3 / 1000.0), $2)
     ON CONFLICT (number) DO UPDATE SET busy_until = EXCLUDED.busy_until, holder = EXCLUDED.holder
       WHERE p.busy_until < clock_timestamp() AND p.next_at <= clock_timestamp()`,
    [number, holder, LEASE_MS],
  );
  if (r.rowCount === 1) return { leased: true };
  const w = await pool.query<{ busy: boolean; wait_ms: number }>(
    `SELECT busy_until >= clock_timestamp() AS busy, CASE WHEN next_at <= clock_timestamp() THEN 0 ELSE EXTRACT(EPOCH FROM (next_at - clock_timestamp())) * 1000 END::float8 AS wait_ms
     FROM sms_number_pacing WHERE number = $1`,
    [number],
  );
  const row = w.rows[0];
  // Held by a sender now: its send takes tens of milliseconds, so look again soon. Otherwise sleep until the
  // number's next allowed start, spread a little so waiting senders do not all ask at the same instant.
  return { leased: false, waitMs: !row || row.busy ? POLL_MS : Math.max(POLL_MS, row.wait_ms + Math.random() * POLL_MS) };
}

async function release(pool: Pool, number: string, holder: string, intervalMs: number): Promise<void> {
  await pool.query(
    `UPDATE sms_number_pacing SET busy_until = '-infinity', holder = NULL, next_at = clock_timestamp() + make_interval(secs => $3 / 1000.0)
     WHERE number = $1 AND holder = $2`,
    [number, holder, intervalMs],
  );
}

/**
 * Runs `send` when `number` may send again, and holds the number until it returns. `maxWaitMs` bounds the wait;
 * past it the call throws, and the activity's retry tries again later.
 */
export async function withSendSlot<T>(pool: Pool, number: string, intervalMs: number, send: () => Promise<T>, maxWaitMs = 10_000): Promise<T> {
  const holder = randomUUID();
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const l = await tryLease(pool, number, holder);
    if (l.leased) break;
    if (Date.now() > deadline) throw new Error(`sending number ${number} stayed busy for ${maxWaitMs} ms`);
    await new Promise((r) => setTimeout(r, Math.min(l.waitMs, Math.max(0, deadline - Date.now()) + 1)));
  }
  try {
    return await send();
  } finally {
    await release(pool, number, holder, intervalMs);
  }
}

/**
 * Per-number pacing of texts (db/pacing.ts) on a real Postgres: however many senders try at once, one number's
 * sends are one at a time and each starts at least one interval after the previous one was accepted; other numbers
 * are not held up; a lease its holder never gives back expires.
 */
import { withSendSlot } from '../db/pacing';
import { createTestDb, type TestDb } from './helpers/db';

let db: TestDb;
beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => { await db?.drop(); });

test('ten senders at once on one number send one at a time, an interval apart; another number is not held up', async () => {
  const interval = 150;
  const spans: { start: number; end: number }[] = [];
  const send = async () => {
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 30)); // the provider's answer takes a while
    spans.push({ start, end: Date.now() });
  };
  const t0 = Date.now();
  let otherAt = 0;
  await Promise.all([
    ...Array.from({ length: 10 }, () => withSendSlot(db.pool, '+15595550100', interval, send)),
    withSendSlot(db.pool, '+15595550101', interval, async () => { otherAt = Date.now() - t0; }),
  ]);
  spans.sort((a, b) => a.start - b.start);
  expect(spans).toHaveLength(10);
  // Each starts at least an interval after the one before it finished (so after it reached the provider).
  for (let i = 1; i < spans.length; i++) expect(spans[i]!.start - spans[i - 1]!.end).toBeGreaterThanOrEqual(interval - 5);
  expect(otherAt).toBeLessThan(500);
});

test('a failed send gives the number back; a lease never given back expires', async () => {
  await expect(withSendSlot(db.pool, '+15595550102', 50, async () => { throw new Error('provider down'); })).rejects.toThrow('provider down');
  const after = Date.now();
  await withSendSlot(db.pool, '+15595550102', 50, async () => undefined);
  expect(Date.now() - after).toBeLessThan(1000);
  // A worker killed while holding the number: its lease (15 s) runs out, and a waiter bounded at 1 s gives up first.
  await db.pool.query(`UPDATE sms_number_pacing SET busy_until = clock_timestamp() + interval '15 seconds', holder = 'dead' WHERE number = '+15595550102'`);
  await expect(withSendSlot(db.pool, '+15595550102', 50, async () => undefined, 1000)).rejects.toThrow('stayed busy');
  await db.pool.query(`UPDATE sms_number_pacing SET busy_until = clock_timestamp() - interval '1 second' WHERE number = '+15595550102'`);
  await withSendSlot(db.pool, '+15595550102', 50, async () => undefined, 1000);
});

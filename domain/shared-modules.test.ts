/**
 * The modules the ballot worker shares between workflows (workers/worker.ts SHARED_WORKFLOW_MODULES) must work
 * after the SDK deep-freezes their exports, and must give every workflow the same answers whatever other workflows
 * asked before it.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import * as dates from './dates';
import * as facts from './ballot-facts';
import * as rules from './ballot-rules';
import { BallotSettingsSchema } from './ballot';
import { SHARED_WORKFLOW_MODULES } from '../workers/worker';

/** What @temporalio/worker does to a shared module's exports (reusable-vm.js deepFreeze). */
function deepFreeze(object: unknown, visited = new WeakSet<object>()): unknown {
  if (object == null || (typeof object !== 'object' && typeof object !== 'function')) return object;
  if (visited.has(object)) return object;
  visited.add(object);
  if (Object.isFrozen(object)) return object;
  if (typeof object === 'object') {
    for (const name of [...Object.getOwnPropertyNames(object), ...Object.getOwnPropertySymbols(object)]) {
      const value = (object as Record<string | symbol, unknown>)[name];
      if (value && (typeof value === 'object' || typeof value === 'function')) {
        try { deepFreeze(value, visited); } catch { /* as the SDK: some objects cannot be frozen */ }
      }
    }
  }
  return Object.freeze(object);
}

const ELECTION = '2026-11-03';
const calendar = rules.ballotCalendar(ELECTION);
const settings = BallotSettingsSchema.parse({});

beforeAll(() => {
  for (const m of [dates, facts, rules]) deepFreeze(m);
});

test('the shared modules are the ones this test freezes', () => {
  expect(SHARED_WORKFLOW_MODULES).toEqual(['workflows/preload', 'domain/dates', 'domain/ballot-rules', 'domain/ballot-facts']);
});

test('no shared module exports a zod schema (a frozen schema cannot parse)', () => {
  for (const m of [dates, facts, rules]) {
    for (const [name, value] of Object.entries(m)) expect([name, value instanceof z.ZodType]).toEqual([name, false]);
  }
  // What happens to one that is frozen: the reason for the rule above.
  const frozen = deepFreeze(z.string().regex(/^\d+$/)) as z.ZodString;
  expect(() => frozen.safeParse('12')).toThrow(TypeError);
});

describe('after the freeze', () => {
  test('facts are still checked: good ones pass with defaults, bad ones are refused with the field', () => {
    const ok = facts.parseBallotFact({ type: 'issued', key: 'extract:1', at: 1, issueDate: '2026-10-05', ballotType: 'VBM' });
    expect(ok.success && ok.data).toEqual({ type: 'issued', key: 'extract:1', at: 1, issueDate: '2026-10-05', ballotType: 'VBM', uocava: false });
    const badDate = facts.parseBallotFact({ type: 'mailed', key: 'm', at: 1, mailedDate: '2026-02-30', outboundImb: 'a', returnImb: 'b' });
    expect(badDate.success ? [] : badDate.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['mailedDate', 'is not a real calendar date']]);
    const badMilestone = facts.parseBallotFact({ type: 'outbound-scan', key: 's', at: 1, milestone: 'lost', scannedAt: 2 });
    expect(badMilestone.success ? [] : badMilestone.error.issues.map((i) => i.path.join('.'))).toEqual(['milestone']);
    expect(facts.parseBallotFact({ type: 'teleported' }).success).toBe(false);
    expect(facts.parseBallotFact(null).success).toBe(false);
  });

  test('a ballot still goes from issued to received, with its alerts', () => {
    const s = rules.initialBallot('ballot:e:1:1', calendar, settings);
    const issued = Date.parse('2026-10-05T17:00:00Z');
    rules.applyFact(s, { type: 'issued', key: 'x', at: issued, issueDate: '2026-10-05', ballotType: 'VBM', uocava: false });
    rules.applyFact(s, { type: 'mailed', key: 'm', at: issued, mailedDate: '2026-10-05', outboundImb: 'o', returnImb: 'r' });
    // No scan 3 days after mailing: due at the end of 2026-10-08, Pacific time.
    expect(rules.nextAlertAt(s, issued)).toBe(DateTime.fromISO('2026-10-08', { zone: 'America/Los_Angeles' }).endOf('day').toMillis());
    expect(rules.reconcileBallot(s, Date.parse('2026-10-09T12:00:00Z')).map((a) => a.type)).toEqual(['no-scan']);
    rules.applyFact(s, { type: 'inbound-scan', key: 'i', at: issued, scannedAt: Date.parse('2026-10-12T16:00:00Z') });
    rules.applyFact(s, { type: 'county-status', key: 'c', at: issued, status: 'received', statusDate: '2026-10-14', receiptDate: '2026-10-14', reasonCodes: [] });
    expect(s.outbox.map((e) => `${e.type} ${e.status}`)).toEqual([
      'status-changed issued', 'status-changed mailed', 'alert:no-scan mailed', 'status-changed returned', 'status-changed received',
    ]);
    expect(s.status).toBe('received');
  });
});

describe('remembered dates give luxon\'s answers', () => {
  const luxonEnd = (d: string) => DateTime.fromISO(d, { zone: 'America/Los_Angeles' }).endOf('day').toMillis();

  test('on every day of 2028, asked twice, including both daylight-saving changes', () => {
    for (let d = '2028-01-01'; d < '2029-01-01'; d = dates.addDays(d, 1)) {
      for (let round = 0; round < 2; round++) {
        expect([d, dates.endOfPacificDay(d)]).toEqual([d, luxonEnd(d)]);
        expect([d, dates.pacificTime(d, 17)]).toEqual([d, DateTime.fromISO(d, { zone: 'America/Los_Angeles' }).set({ hour: 17 }).startOf('hour').toMillis()]);
      }
    }
    // 2028-03-12 has 23 hours, 2028-11-05 has 25.
    expect(dates.endOfPacificDay('2028-03-12') - dates.endOfPacificDay('2028-03-11')).toBe(23 * 3_600_000);
    expect(dates.endOfPacificDay('2028-11-05') - dates.endOfPacificDay('2028-11-04')).toBe(25 * 3_600_000);
  });

  test('the arguments are all part of what is remembered', () => {
    expect(dates.addDays('2026-11-03', 7)).toBe('2026-11-10');
    expect(dates.addDays('2026-11-03', -7)).toBe('2026-10-27');
    expect(dates.pacificTime('2026-11-03', 9)).not.toBe(dates.pacificTime('2026-11-03', 9, 30));
    expect(dates.pacificTime('2026-11-03', 9, 30) - dates.pacificTime('2026-11-03', 9)).toBe(30 * 60_000);
    const ms = Date.parse('2026-11-03T07:59:59.999Z');
    expect([dates.pacificDate(ms), dates.pacificDate(ms + 1)]).toEqual(['2026-11-02', '2026-11-03']);
    expect(dates.toPacificIso(ms)).toBe('2026-11-02T23:59:59.999-08:00');
  });

  test('past the memo limit the answers stay right', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i <= dates.MEMO_LIMIT + 10; i++) dates.pacificDate(start + i * 60_000);
    for (const i of [0, 5, dates.MEMO_LIMIT, dates.MEMO_LIMIT + 10]) {
      const ms = start + i * 60_000;
      expect(dates.pacificDate(ms)).toBe(DateTime.fromMillis(ms, { zone: 'America/Los_Angeles' }).toISODate());
    }
  });
});

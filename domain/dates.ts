/**
 * Calendar arithmetic in the county's time zone. Pure and deterministic: safe inside workflows.
 *
 * All county deadlines are Pacific time (America/Los_Angeles). A deadline "on day D" is the end of D in
 * Pacific time, so it moves with daylight saving (UTC-7 in summer, UTC-8 in winter).
 *
 * Only functions and constants are exported, never a zod schema: the ballot worker shares this module between
 * every workflow of a thread (workers/worker.ts, preloadModules), and the SDK deep-freezes what a shared module
 * exports, which a schema does not survive (zod resets its regular expressions' lastIndex as it parses).
 * The answers of the time-zone functions are remembered (luxon works each one out through Intl, tens of
 * microseconds a call, and a ballot asks the same few dates on every wake): a pure function's memo cannot
 * make a workflow non-deterministic, and each memo is bounded.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';

export const COUNTY_ZONE = 'America/Los_Angeles';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True for a YYYY-MM-DD date that exists (no 2025-02-29), as luxon judges one (luxon also takes date-times; this does not). Plain arithmetic: every row
 * of every file carries several dates, and a luxon DateTime per date was the largest cost of validating a row.
 */
export function isCalendarDate(s: string): boolean {
  if (s.length !== 10 || !DATE_RE.test(s)) return false;
  const digit = (i: number) => s.charCodeAt(i) - 48;
  const y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const m = digit(5) * 10 + digit(6);
  const d = digit(8) * 10 + digit(9);
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}

/**
 * The schema of a calendar date, YYYY-MM-DD, that really exists (no 2025-02-29): a new one per call, so a shared
 * module can keep its own out of its exports (domain/time.ts has the one everybody else uses).
 */
export function isoDateSchema() {
  return z
    .string()
    .regex(DATE_RE, 'must be a date as YYYY-MM-DD')
    .refine(isCalendarDate, 'is not a real calendar date');
}

/** Entries each memo keeps before it starts again: dates of a few elections, a few MB at most. */
export const MEMO_LIMIT = 20_000;

/** `fn` with its answers remembered by key, forgetting them all when MEMO_LIMIT is reached. */
function memo<A extends unknown[], K, R>(key: (...args: A) => K, fn: (...args: A) => R): (...args: A) => R {
  const known = new Map<K, R>();
  return (...args: A): R => {
    const k = key(...args);
    const hit = known.get(k);
    if (hit !== undefined || known.has(k)) return hit as R;
    const value = fn(...args);
    if (known.size >= MEMO_LIMIT) known.clear();
    known.set(k, value);
    return value;
  };
}

export type IsoDate = string;

/** D + n calendar days. Pure date arithmetic: no time zone can make it skip or repeat a day. */
export const addDays: (date: IsoDate, days: number) => IsoDate = memo(
  (date: IsoDate, days: number) => `${date}|${days}`,
  (date: IsoDate, days: number) => DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate()!,
);

/** Whole calendar days from a to b (b - a). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round(DateTime.fromISO(b, { zone: 'utc' }).diff(DateTime.fromISO(a, { zone: 'utc' }), 'days').days);
}

/** The last millisecond of a Pacific calendar day: the instant a "due on D" deadline passes. */
export const endOfPacificDay: (date: IsoDate) => number = memo(
  (date: IsoDate) => date,
  (date: IsoDate) => DateTime.fromISO(date, { zone: COUNTY_ZONE }).endOf('day').toMillis(),
);

/** A wall-clock time on a Pacific calendar day, e.g. 5 p.m. for the cure statement deadline. */
export const pacificTime: (date: IsoDate, hour: number, minute?: number) => number = memo(
  (date: IsoDate, hour: number, minute = 0) => `${date}|${hour}|${minute}`,
  (date: IsoDate, hour: number, minute = 0) => DateTime.fromISO(date, { zone: COUNTY_ZONE }).set({ hour, minute, second: 0, millisecond: 0 }).toMillis(),
);

/** The Pacific calendar date an instant falls on. */
export const pacificDate: (ms: number) => IsoDate = memo(
  (ms: number) => ms,
  (ms: number) => DateTime.fromMillis(ms, { zone: COUNTY_ZONE }).toISODate()!,
);

/** ISO string with the Pacific offset, for people and reports (e.g. 2026-04-07T23:59:59.999-07:00). */
export const toPacificIso: (ms: number) => string = memo(
  (ms: number) => ms,
  (ms: number) => DateTime.fromMillis(ms, { zone: COUNTY_ZONE }).toISO()!,
);

export function parseInstant(iso: string): number {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new Error(`invalid instant: ${iso}`);
  return dt.toMillis();
}

/**
 * When late day n (1-based) begins for a deadline at `dueMs`.
 * Contract §12: damages run "for each calendar day after the delivery deadline". Late day 1 starts the moment
 * the deadline passes; each next late day starts one Pacific calendar day later at the same wall-clock time,
 * so a 23- or 25-hour day at a daylight-saving change is still one day.
 */
export function lateDayStart(dueMs: number, n: number): number {
  return DateTime.fromMillis(dueMs + 1, { zone: COUNTY_ZONE }).plus({ days: n - 1 }).toMillis();
}

/** How many late days have begun by `atMs` (0 when on time). */
export function lateDaysAt(dueMs: number, atMs: number): number {
  if (atMs <= dueMs) return 0;
  // Estimate by 24-hour days, then correct for the hour gained or lost at a daylight-saving change.
  let n = Math.floor((atMs - (dueMs + 1)) / 86_400_000) + 1;
  while (n > 1 && lateDayStart(dueMs, n) > atMs) n--;
  while (lateDayStart(dueMs, n + 1) <= atMs) n++;
  return n;
}

/** The Pacific dates of the late days begun by `atMs`: the keys damages are accrued under. */
export function lateDatesAt(dueMs: number, atMs: number): IsoDate[] {
  const n = lateDaysAt(dueMs, atMs);
  const dates: IsoDate[] = [];
  for (let i = 1; i <= n; i++) dates.push(pacificDate(lateDayStart(dueMs, i)));
  return dates;
}

/**
 * The late days that begin within [sinceMs, untilMs]: after an election date change, only days that begin
 * after the change count against the new calendar (the days before it were judged by the old one).
 */
export function lateDatesBetween(dueMs: number, sinceMs: number, untilMs: number): IsoDate[] {
  const n = lateDaysAt(dueMs, untilMs);
  const dates: IsoDate[] = [];
  for (let i = 1; i <= n; i++) {
    const start = lateDayStart(dueMs, i);
    if (start >= sinceMs) dates.push(pacificDate(start));
  }
  return dates;
}

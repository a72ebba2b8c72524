/**
 * When a notice may go out: inside the hours the voter chose, on the voter's own clock (domain.md §10: 8 a.m. to
 * 9 p.m. recipient local time is the default for texts and calls). The workflow sleeps on a durable timer until
 * `nextSendAt`; pure, so it can be computed inside the workflow.
 *
 * A window is read on the wall clock of its zone: [start, end), so a notice due at 21:00 with the default window
 * waits for 08:00. Daylight saving moves the wall clock, not the window: on the spring-forward day 08:00 is seven
 * hours after midnight, and on the fall-back day nine. A window may wrap past midnight (20:00–02:00 is 20:00 to
 * midnight and midnight to 02:00).
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { COUNTY_ZONE } from '../time';
import type { Channel } from './channels';

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const ContactWindowSchema = z
  .object({
    start: z.string().regex(HHMM, 'must be a time as HH:MM, 00:00 to 23:59'),
    /** 24:00 is accepted as an end: "until midnight". */
    end: z.string().regex(/^(([01]\d|2[0-3]):([0-5]\d)|24:00)$/, 'must be a time as HH:MM, 00:01 to 24:00'),
    /**
     * An IANA zone by name ("America/Los_Angeles") or UTC. Abbreviations are refused even where the runtime knows
     * them: "EST" is a fixed UTC-5 with no daylight saving, an hour off for a New York voter all summer.
     */
    zone: z
      .string()
      .refine((zone) => (zone === 'UTC' || /^[A-Za-z]+(\/[A-Za-z0-9_+-]+)+$/.test(zone)) && IANAZone.isValidZone(zone), 'must be an IANA time zone such as America/Los_Angeles'),
  })
  .refine((w) => minutesOf(w.start) !== minutesOf(w.end), {
    path: ['end'],
    message: 'must differ from start: a window from a time to the same time is empty (for any hour use 00:00 to 24:00)',
  });
export type ContactWindow = z.infer<typeof ContactWindowSchema>;

/** The default window per channel (issue 4): SMS and voice 08:00–21:00 on the voter's clock; email at any hour. */
export function defaultContactWindow(channel: Channel, zone: string = COUNTY_ZONE): ContactWindow {
  return channel === 'email' ? { start: '00:00', end: '24:00', zone } : { start: '08:00', end: '21:00', zone };
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** Is the wall-clock time of `ms` in the window's zone inside [start, end)? */
export function isInsideWindow(ms: number, window: ContactWindow): boolean {
  const t = DateTime.fromMillis(ms, { zone: window.zone });
  const m = t.hour * 60 + t.minute + (t.second * 1000 + t.millisecond) / 60_000;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/**
 * The earliest instant at or after `nowMs` when a notice on `channel` may go. Email goes at once: an email at 3 a.m.
 * wakes nobody (the voter's hours apply to texts and calls). For SMS and voice, the earliest instant inside the
 * window in the window's zone.
 *
 * The wall clock enters the window only at a moment it reads `start`, or at a jump of the clock (a daylight-saving
 * change, which may skip `start` or bring the clock back into the window), so those moments over the next three
 * days are the only candidates; the earliest one inside the window is the answer. Over three days a window that
 * is not empty always opens (a window lying wholly in the skipped hour opens the next day).
 * An invalid window throws: windows are parsed with ContactWindowSchema when the voter saves them.
 */
export function nextSendAt(nowMs: number, window: ContactWindow, channel: Channel): number {
  if (channel === 'email') return nowMs;
  const w = ContactWindowSchema.parse(window);
  if (isInsideWindow(nowMs, w)) return nowMs;
  const zone = IANAZone.create(w.zone);
  const today = DateTime.fromMillis(nowMs, { zone: w.zone }).startOf('day');
  const horizon = nowMs + 3 * 86_400_000;
  const candidates: number[] = [...transitions(zone, nowMs, horizon)];
  const [h, m] = w.start.split(':').map(Number);
  for (let d = 0; d <= 3; d++) {
    const day = today.plus({ days: d });
    candidates.push(...instantsAtWallTime(zone, day.year, day.month, day.day, h!, m!));
  }
  const next = candidates.filter((t) => t >= nowMs && isInsideWindow(t, w)).sort((a, b) => a - b)[0];
  if (next === undefined) throw new Error(`contact window ${w.start}-${w.end} ${w.zone} never opens after ${nowMs}`);
  return next;
}

/**
 * The instants at which the wall clock of `zone` reads the given time: one on most days, two when it is repeated
 * (fall back), none when it is skipped (spring forward).
 */
function instantsAtWallTime(zone: IANAZone, year: number, month: number, day: number, hour: number, minute: number): number[] {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // Every offset the zone could have around then; daylight saving moves it by at most a few hours.
  const offsets = new Set([zone.offset(asUtc - 86_400_000), zone.offset(asUtc), zone.offset(asUtc + 86_400_000)]);
  const out: number[] = [];
  for (const offset of offsets) {
    const t = asUtc - offset * 60_000;
    if (zone.offset(t) === offset) out.push(t);
  }
  return out;
}

/** The instants in [fromMs, toMs] at which the zone's offset changes (its clock jumps). */
function transitions(zone: IANAZone, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  const step = 6 * 3_600_000; // offset changes are months apart; a 6-hour scan cannot step over two
  for (let a = fromMs; a < toMs; a += step) {
    let lo = a;
    let hi = Math.min(a + step, toMs);
    if (zone.offset(lo) === zone.offset(hi)) continue;
    // Binary search for the first millisecond with the new offset.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (zone.offset(mid) === zone.offset(lo)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

/**
 * A ballot's notices waiting to go out, and the rules that decide which go and when. Pure: the notices workflow
 * keeps this queue in its state and asks it what to send now, what is stale, and when to wake.
 *
 * - Contact hours: a notice waits until the voter's window opens on its channel (contact-hours.ts).
 * - Stale notices collapse: while a notice waits, a newer one on the same track for the same subscriber and
 *   channel supersedes it (a "mailed" text held overnight is dropped when "in the mail" arrives before 8 a.m.).
 *   Ballot news is one track; election updates are another, so news about the election never hides the ballot's.
 * - Order: notices for one subscriber and channel go out in the order the ballot's events happened.
 */
import type { Channel, Language } from './channels';
import { nextSendAt, type ContactWindow } from './contact-hours';
import type { NoticeReason } from './reasons';
import type { NoticeKind } from './triggers';

export interface PlannedNotice {
  /** The business key: event, kind, channel and subscription. Sending is idempotent on it. */
  key: string;
  ballotId: string;
  eventId: string;
  /** The event's place in the ballot's history (its event sequence): the order notices go out in. */
  seq: number;
  subscriptionId: string;
  channel: Channel;
  kind: NoticeKind;
  reason?: NoticeReason;
  window: ContactWindow;
  /** The rate-limited task queue that sends it (one per channel, one per SMS sending number). */
  taskQueue: string;
  expectedWindow?: { from: string; to: string };
  /** An election update's news in the languages the county wrote it in (English always): election-update only. */
  updateText?: Partial<Record<Language, string>> & { en: string };
}

const track = (n: PlannedNotice) => `${n.subscriptionId}|${n.channel}|${n.kind === 'election-update' ? 'election' : 'ballot'}`;

/** Splits waiting notices into those still worth sending and those a newer notice on their track superseded. */
export function collapse(pending: readonly PlannedNotice[]): { keep: PlannedNotice[]; superseded: PlannedNotice[] } {
  const newest = new Map<string, PlannedNotice>();
  for (const n of pending) {
    const t = track(n);
    const best = newest.get(t);
    if (!best || n.seq > best.seq) newest.set(t, n);
  }
  const keep = pending.filter((n) => newest.get(track(n)) === n).sort((a, b) => a.seq - b.seq);
  return { keep, superseded: pending.filter((n) => newest.get(track(n)) !== n) };
}

/** The notices whose window is open now, in event order. */
export function dueNow(pending: readonly PlannedNotice[], nowMs: number): PlannedNotice[] {
  return pending.filter((n) => nextSendAt(nowMs, n.window, n.channel) <= nowMs).sort((a, b) => a.seq - b.seq);
}

/** When the next waiting notice's window opens, or undefined when nothing waits. */
export function nextWake(pending: readonly PlannedNotice[], nowMs: number): number | undefined {
  const times = pending.map((n) => nextSendAt(nowMs, n.window, n.channel));
  return times.length ? Math.min(...times) : undefined;
}

/** The notice key: one message per ballot event, notice kind, channel and subscription. */
export function noticeKey(o: { eventId: string; kind: NoticeKind; channel: Channel; subscriptionId: string }): string {
  return `${o.eventId}|${o.kind}|${o.channel}|${o.subscriptionId}`;
}

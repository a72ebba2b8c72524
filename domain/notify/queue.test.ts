import { collapse, dueNow, nextWake, noticeKey, type PlannedNotice } from './queue';

const PT = 'America/Los_Angeles';
const at = (iso: string) => Date.parse(iso);
const n = (seq: number, kind: PlannedNotice['kind'], o: Partial<PlannedNotice> = {}): PlannedNotice => ({
  key: `ballot:x#${seq}|${kind}|sms|sub-1`, ballotId: 'ballot:x', eventId: `ballot:x#${seq}`, seq, subscriptionId: 'sub-1', channel: 'sms', kind,
  window: { start: '08:00', end: '21:00', zone: PT }, taskQueue: 'q-sms-0', ...o,
});

test('a text held overnight is superseded by a newer status for the same voter and channel', () => {
  const { keep, superseded } = collapse([n(2, 'mailed'), n(3, 'expected-delivery')]);
  expect(keep.map((x) => x.kind)).toEqual(['expected-delivery']);
  expect(superseded.map((x) => x.kind)).toEqual(['mailed']);
});

test('different channels, subscribers and election news are separate tracks and never hide each other', () => {
  const pending = [n(2, 'mailed'), n(2, 'mailed', { channel: 'email', key: 'e' }), n(2, 'mailed', { subscriptionId: 'sub-2', key: 's2' }), n(4, 'election-update', { key: 'u' }), n(3, 'received', { key: 'r' })];
  const { keep, superseded } = collapse(pending);
  expect(superseded.map((x) => x.key)).toEqual([pending[0]!.key]);
  expect(keep.map((x) => x.key).sort()).toEqual(['e', 'r', 's2', 'u']);
});

test('a notice planned at 11:30 p.m. Pacific waits for 8 a.m.; email goes at once', () => {
  const late = at('2026-10-20T23:30:00-07:00');
  const pending = [n(1, 'mailed'), n(1, 'mailed', { channel: 'email', key: 'e' })];
  expect(dueNow(pending, late).map((x) => x.channel)).toEqual(['email']);
  expect(nextWake([pending[0]!], late)).toBe(at('2026-10-21T08:00:00-07:00'));
  expect(dueNow([pending[0]!], at('2026-10-21T08:00:00-07:00'))).toHaveLength(1);
});

test('due notices go out in the order their events happened', () => {
  const noon = at('2026-10-21T12:00:00-07:00');
  expect(dueNow([n(5, 'received', { key: 'b' }), n(3, 'mailed', { channel: 'email', key: 'a' })], noon).map((x) => x.key)).toEqual(['a', 'b']);
  expect(nextWake([], noon)).toBeUndefined();
});

test('the notice key names the event, kind, channel and subscription', () => {
  expect(noticeKey({ eventId: 'ballot:x#3', kind: 'received', channel: 'voice', subscriptionId: 's' })).toBe('ballot:x#3|received|voice|s');
});

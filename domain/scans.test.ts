import { outboundMilestone, scanInstant } from './scans';

test('IV-MTR mail phases collapse to ballot milestones; the delivery phase is the delivery evidence', () => {
  expect(outboundMilestone({ mailPhase: 'Phase 1 - Origin Processing' })).toBe('accepted');
  expect(outboundMilestone({ mailPhase: 'Phase 2 - Destination Processing' })).toBe('in-transit');
  expect(outboundMilestone({ mailPhase: 'Phase 4c - Delivery Unit Processing' })).toBe('delivered');
  expect(outboundMilestone({ mailPhase: 'Return to Sender' })).toBe('return-to-sender');
  expect(outboundMilestone({})).toBe('in-transit');
});

test('scan times without an offset are read as Pacific: 19:42 on 2026-05-04 is 02:42 UTC the next day', () => {
  expect(new Date(scanInstant('2026-05-04T19:42:10')).toISOString()).toBe('2026-05-05T02:42:10.000Z');
  expect(new Date(scanInstant('2026-12-01T08:00:00')).toISOString()).toBe('2026-12-01T16:00:00.000Z');
});

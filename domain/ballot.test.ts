/**
 * The ballot lifecycle without Temporal. Election day 2028-11-07: E+7 = 2028-11-14; county certification E+30
 * = 2028-12-07, so the cure deadline is 5 p.m. on 2028-12-05. Daylight saving ends 2028-11-05.
 */
import {
  applyFact, ballotCalendar, ballotIdOf, BallotSettingsSchema, expectedWindow, initialBallot, LATE_REASON, nextAlertAt,
  NOT_CURED_REASON, pendingAlerts, reconcileBallot, type BallotFact, type BallotState,
} from './ballot';
import { endOfPacificDay, pacificTime } from './time';

const E = '2028-11-07';
const id = ballotIdOf('election:fresno:2028-11-07', 'CA-000482913', 1);
const fresh = (): BallotState => initialBallot(id, ballotCalendar(E), BallotSettingsSchema.parse({}));
const t = (date: string, h = 12) => pacificTime(date, h);

let n = 0;
const fact = <T extends BallotFact['type']>(type: T, at: number, rest: Omit<Extract<BallotFact, { type: T }>, 'type' | 'key' | 'at'>): BallotFact =>
  ({ type, key: `${type}#${++n}`, at, ...rest }) as unknown as BallotFact;

const issued = () => fact('issued', t('2028-09-20'), { issueDate: '2028-09-20', ballotType: 'VBM', uocava: false });
const mailed = () => fact('mailed', t('2028-10-09', 18), { mailedDate: '2028-10-09', outboundImb: '00700900012345000001', returnImb: '00702900012345000001' });

test('the ballot id names the election, the voter and the issue', () => {
  expect(id).toBe('ballot:election:fresno:2028-11-07:CA-000482913:1');
});

test('a ballot travels issued, mailed, in the mail, delivered, returned, received, accepted, with one event per change', () => {
  const s = fresh();
  applyFact(s, issued());
  applyFact(s, mailed());
  expect(s.status).toBe('mailed');
  expect(expectedWindow(s)).toEqual({ from: '2028-10-10', to: '2028-10-14', source: 'service-standard' });
  applyFact(s, fact('outbound-scan', t('2028-10-10'), { milestone: 'accepted', scannedAt: t('2028-10-10', 2) }));
  applyFact(s, fact('outbound-scan', t('2028-10-11'), { milestone: 'delivered', scannedAt: t('2028-10-11', 6), predictedDeliveryDate: '2028-10-11' }));
  applyFact(s, fact('inbound-scan', t('2028-10-20'), { scannedAt: t('2028-10-20', 3) }));
  applyFact(s, fact('county-status', t('2028-10-22'), { status: 'received', receiptDate: '2028-10-22', postmarkDate: '2028-10-19', statusDate: '2028-10-22', reasonCodes: [] }));
  applyFact(s, fact('county-status', t('2028-11-08'), { status: 'accepted', statusDate: '2028-11-08', reasonCodes: [] }));
  expect(s.outbox.map((e) => e.status)).toEqual(['issued', 'mailed', 'in-mail-stream', 'delivered', 'returned', 'received', 'accepted']);
  expect(s.status).toBe('accepted');
  expect(pendingAlerts(s)).toEqual([]);
});

test('facts out of order land where they would in order: a county receipt before the manifest and the scans', () => {
  const s = fresh();
  applyFact(s, fact('county-status', t('2028-10-22'), { status: 'received', receiptDate: '2028-10-22', postmarkDate: '2028-10-19', statusDate: '2028-10-22', reasonCodes: [] }));
  applyFact(s, mailed());
  applyFact(s, fact('inbound-scan', t('2028-10-23'), { scannedAt: t('2028-10-20', 3) }));
  applyFact(s, fact('outbound-scan', t('2028-10-23'), { milestone: 'delivered', scannedAt: t('2028-10-11', 6) }));
  expect(s.status).toBe('received');
  expect(s.outbox.map((e) => e.status)).toEqual(['received']);
});

test('a re-sent fact changes nothing; an older county status does not roll a newer one back', () => {
  const s = fresh();
  const m = mailed();
  expect(applyFact(s, m)).toBe(true);
  expect(applyFact(s, m)).toBe(false);
  applyFact(s, fact('county-status', t('2028-11-09'), { status: 'accepted', statusDate: '2028-11-09', receiptDate: '2028-11-01', reasonCodes: [] }));
  applyFact(s, fact('county-status', t('2028-11-10'), { status: 'in-review', statusDate: '2028-11-02', reasonCodes: [] }));
  expect(s.status).toBe('accepted');
});

test('postmarked after election day, or received after E+7, the ballot is not counted as late', () => {
  const a = fresh();
  applyFact(a, fact('county-status', t('2028-11-10'), { status: 'received', receiptDate: '2028-11-10', postmarkDate: '2028-11-08', statusDate: '2028-11-10', reasonCodes: [] }));
  expect([a.status, a.reasonCodes]).toEqual(['not-accepted', [LATE_REASON]]);
  const b = fresh();
  applyFact(b, fact('county-status', t('2028-11-15'), { status: 'received', receiptDate: '2028-11-15', postmarkDate: '2028-11-07', statusDate: '2028-11-15', reasonCodes: [] }));
  expect(b.status).toBe('not-accepted');
  const onTime = fresh();
  applyFact(onTime, fact('county-status', t('2028-11-14'), { status: 'received', receiptDate: '2028-11-14', postmarkDate: '2028-11-07', statusDate: '2028-11-14', reasonCodes: [] }));
  expect(onTime.status).toBe('received');
});

test('a reissue or an in-person vote supersedes the mail ballot', () => {
  const s = fresh();
  applyFact(s, mailed());
  applyFact(s, fact('superseded', t('2028-10-25'), { by: 'reissue', detail: 'issue 2' }));
  expect(s.status).toBe('superseded');
  expect(pendingAlerts(s)).toEqual([]);
});

test('a return-to-sender scan or a county code makes the ballot undeliverable', () => {
  const s = fresh();
  applyFact(s, mailed());
  applyFact(s, fact('outbound-scan', t('2028-10-15'), { milestone: 'return-to-sender', scannedAt: t('2028-10-15', 8) }));
  expect([s.status, s.reasonCodes]).toEqual(['undeliverable', ['undeliverable']]);
});

describe('silence turned into action', () => {
  test('no USPS scan 3 days after mailing alerts the county once, at the end of the third day', () => {
    const s = fresh();
    applyFact(s, mailed());
    expect(nextAlertAt(s, t('2028-10-09', 19))).toBe(endOfPacificDay('2028-10-12'));
    expect(reconcileBallot(s, endOfPacificDay('2028-10-12') - 1)).toEqual([]);
    expect(reconcileBallot(s, endOfPacificDay('2028-10-12')).map((a) => a.type)).toEqual(['no-scan']);
    expect(reconcileBallot(s, t('2028-10-13')).map((a) => a.type)).toEqual([]);
  });

  test('no delivery evidence 2 days after the expected window: delayed (the USPS prediction moves the window)', () => {
    const s = fresh();
    applyFact(s, mailed());
    applyFact(s, fact('outbound-scan', t('2028-10-10'), { milestone: 'in-transit', scannedAt: t('2028-10-10', 2), predictedDeliveryDate: '2028-10-12' }));
    const delayed = pendingAlerts(s).find((a) => a.type === 'delayed')!;
    expect(delayed.atMs).toBe(endOfPacificDay('2028-10-14'));
    expect(delayed.detail).toEqual({ expectedWindow: { from: '2028-10-12', to: '2028-10-12', source: 'usps-prediction' } });
  });

  test('not returned by E-5: a reminder at 9 a.m. on 2028-11-02', () => {
    const s = fresh();
    applyFact(s, mailed());
    applyFact(s, fact('outbound-scan', t('2028-10-11'), { milestone: 'delivered', scannedAt: t('2028-10-11', 6) }));
    expect(pendingAlerts(s).map((a) => [a.type, a.atMs])).toEqual([['return-reminder', t('2028-11-02', 9)]]);
  });

  test('inbound scans but no county receipt within 5 days: escalate', () => {
    const s = fresh();
    applyFact(s, mailed());
    applyFact(s, fact('inbound-scan', t('2028-10-20'), { scannedAt: t('2028-10-20', 3) }));
    expect(pendingAlerts(s).map((a) => [a.type, a.atMs])).toEqual([['receipt-escalation', endOfPacificDay('2028-10-25')]]);
  });

  test('a signature cure gets reminders 7 and 2 days before the deadline; uncured at 5 p.m. on 2028-12-05 it is not counted', () => {
    const s = fresh();
    applyFact(s, fact('county-status', t('2028-11-12'), { status: 'cure-pending', receiptDate: '2028-11-06', postmarkDate: '2028-11-05', statusDate: '2028-11-12', reasonCodes: ['signature-mismatch'] }));
    expect(pendingAlerts(s).map((a) => [a.type, a.atMs])).toEqual([['cure-reminder', t('2028-11-28', 9)], ['cure-reminder', t('2028-12-03', 9)]]);
    reconcileBallot(s, t('2028-12-05', 16));
    expect(s.status).toBe('cure-pending');
    expect(nextAlertAt(s, t('2028-12-05', 16))).toBe(t('2028-12-05', 17) + 1);
    reconcileBallot(s, t('2028-12-05', 18));
    expect([s.status, s.reasonCodes]).toEqual(['not-accepted', ['signature-mismatch', NOT_CURED_REASON]]);
  });

  test('a cured signature is counted', () => {
    const s = fresh();
    applyFact(s, fact('county-status', t('2028-11-12'), { status: 'cure-pending', receiptDate: '2028-11-06', statusDate: '2028-11-12', reasonCodes: ['no-signature'] }));
    applyFact(s, fact('county-status', t('2028-11-20'), { status: 'cured', statusDate: '2028-11-20', reasonCodes: [] }));
    expect(s.status).toBe('accepted');
  });
});

/**
 * Which ballot events notify the voter. The events come from the real ballot state machine (domain/ballot.ts), so a
 * change to what it emits shows here. Election day 2028-11-07; the cure deadline is 5 p.m. on 2028-12-05.
 */
import {
  applyFact, ballotCalendar, ballotIdOf, BallotSettingsSchema, initialBallot, reconcileBallot,
  type BallotEvent, type BallotFact, type BallotState,
} from '../ballot';
import { pacificTime } from '../time';
import {
  channelsFor, CountyOverrideSchema, DEFAULT_TRIGGER_CONFIG, noticesForEvent, notCountedReason, parseCountyOverride,
  parseTriggerConfig, TriggerConfigSchema, type TriggerConfig,
} from './triggers';

const E = '2028-11-07';
const calendar = ballotCalendar(E);
const t = (date: string, h = 12) => pacificTime(date, h);
const fresh = (): BallotState => initialBallot(ballotIdOf('election:fresno:2028-11-07', 'CA-000482913', 1), calendar, BallotSettingsSchema.parse({}));

let n = 0;
const fact = <T extends BallotFact['type']>(type: T, at: number, rest: Omit<Extract<BallotFact, { type: T }>, 'type' | 'key' | 'at'>): BallotFact =>
  ({ type, key: `${type}#${++n}`, at, ...rest }) as unknown as BallotFact;
const issued = () => fact('issued', t('2028-09-20'), { issueDate: '2028-09-20', ballotType: 'VBM', uocava: false });
const mailed = () => fact('mailed', t('2028-10-09', 18), { mailedDate: '2028-10-09', outboundImb: '00700900012345000001', returnImb: '00702900012345000001' });
const county = (status: 'received' | 'in-review' | 'accepted' | 'not-accepted' | 'cure-pending' | 'cured', date: string, reasonCodes: string[] = [], extra: object = {}) =>
  fact('county-status', t(date), { status, statusDate: date, reasonCodes, ...extra } as never);

/** The events the facts produce, drained from the outbox. */
function events(s: BallotState, ...facts: BallotFact[]): BallotEvent[] {
  for (const f of facts) applyFact(s, f);
  const out = s.outbox;
  s.outbox = [];
  return out;
}
const notices = (evs: BallotEvent[]) => evs.flatMap((e) => noticesForEvent(e, { cureDeadlineAtMs: calendar.cureDeadlineAtMs }));

describe('noticesForEvent: ballot events that tell the voter something (EC §3019.7)', () => {
  test('a mailed ballot notifies "mailed", and its event carries the expected window the texts give', () => {
    const evs = events(fresh(), issued(), mailed());
    expect(notices(evs)).toEqual([{ kind: 'mailed' }]);
    expect(evs.at(-1)!.detail.expectedWindow).toEqual({ from: '2028-10-10', to: '2028-10-14', source: 'service-standard' });
  });

  test('the first USPS scan notifies "expected-delivery" (USPS now has the ballot and may predict its day)', () => {
    const s = fresh();
    events(s, issued(), mailed());
    expect(notices(events(s, fact('outbound-scan', t('2028-10-10'), { milestone: 'accepted', scannedAt: t('2028-10-10', 2), predictedDeliveryDate: '2028-10-12' }))))
      .toEqual([{ kind: 'expected-delivery' }]);
  });

  test('a return-to-sender scan notifies "undeliverable"', () => {
    const s = fresh();
    events(s, issued(), mailed());
    expect(notices(events(s, fact('outbound-scan', t('2028-10-12'), { milestone: 'return-to-sender', scannedAt: t('2028-10-12', 4) }))))
      .toEqual([{ kind: 'undeliverable' }]);
  });

  test('the county receiving the ballot notifies "received"; accepting it notifies "counted"', () => {
    const s = fresh();
    events(s, issued(), mailed());
    expect(notices(events(s, county('received', '2028-10-22', [], { receiptDate: '2028-10-22', postmarkDate: '2028-10-19' })))).toEqual([{ kind: 'received' }]);
    expect(notices(events(s, county('accepted', '2028-11-08')))).toEqual([{ kind: 'counted' }]);
  });

  test('a signature problem notifies "cure-needed" with its reason, and once cured, "counted"', () => {
    const s = fresh();
    events(s, issued(), mailed(), county('received', '2028-10-22', [], { receiptDate: '2028-10-22' }));
    expect(notices(events(s, county('cure-pending', '2028-10-25', ['signature-mismatch'])))).toEqual([{ kind: 'cure-needed', reason: 'signature-mismatch' }]);
    expect(notices(events(s, county('cured', '2028-11-20')))).toEqual([{ kind: 'counted' }]);
  });

  test('a ballot postmarked after election day notifies "not-counted" with the reason not-received-on-time', () => {
    const s = fresh();
    events(s, issued(), mailed());
    expect(notices(events(s, county('received', '2028-11-10', [], { receiptDate: '2028-11-10', postmarkDate: '2028-11-08' }))))
      .toEqual([{ kind: 'not-counted', reason: 'not-received-on-time' }]);
  });

  test('a cure left pending past the cure deadline notifies "not-counted" with not-cured, not the signature reason', () => {
    const s = fresh();
    events(s, issued(), mailed(), county('received', '2028-10-22', [], { receiptDate: '2028-10-22' }), county('cure-pending', '2028-10-25', ['no-signature']));
    reconcileBallot(s, calendar.cureDeadlineAtMs + 60_000);
    expect(notices(events(s))).toEqual([{ kind: 'not-counted', reason: 'not-cured' }]);
  });

  test('"not accepted, no signature" from the county is told with the cure form before the cure deadline, as not-cured after it', () => {
    const before: BallotEvent = { type: 'status-changed', atMs: calendar.cureDeadlineAtMs - 1, status: 'not-accepted', reasonCodes: ['no-signature'], detail: {} };
    const after = { ...before, atMs: calendar.cureDeadlineAtMs + 1 };
    expect(noticesForEvent(before, { cureDeadlineAtMs: calendar.cureDeadlineAtMs })).toEqual([{ kind: 'not-counted', reason: 'no-signature' }]);
    expect(noticesForEvent(after, { cureDeadlineAtMs: calendar.cureDeadlineAtMs })).toEqual([{ kind: 'not-counted', reason: 'not-cured' }]);
  });

  test('with several reasons, a final one is told: fixing the signature of a late ballot would not make it count', () => {
    expect(notCountedReason(['signature-mismatch', 'not-received-on-time'], 0)).toBe('not-received-on-time');
    expect(notCountedReason(['envelope-not-sealed', 'not-received-on-time'], 0)).toBe('envelope-not-sealed');
  });

  test('a not-accepted record without a reason code the system knows is still told, as "unspecified"', () => {
    expect(notCountedReason([], 0)).toBe('unspecified');
    expect(notCountedReason(['county-code-77'], 0)).toBe('unspecified');
  });

  test('the delayed, return-reminder and cure-reminder alerts notify the voter', () => {
    const s = fresh();
    events(s, issued(), mailed());
    reconcileBallot(s, t('2028-10-20')); // window ended 2028-10-14; delayed two days later
    expect(notices(events(s))).toEqual([{ kind: 'delayed' }]);
    reconcileBallot(s, t('2028-11-02', 10)); // E-5 at 9 a.m.
    expect(notices(events(s))).toEqual([{ kind: 'return-deadline-reminder' }]);

    const c = fresh();
    events(c, issued(), mailed(), county('received', '2028-10-22', [], { receiptDate: '2028-10-22' }), county('cure-pending', '2028-10-25', ['signature-mismatch']));
    reconcileBallot(c, t('2028-11-28', 10)); // 7 days before the cure deadline
    expect(notices(events(c))).toEqual([{ kind: 'cure-reminder' }]);
  });

  test('the county-only alerts (no USPS scan, return envelope scanned but not received) notify no voter', () => {
    const s = fresh();
    events(s, issued(), mailed());
    reconcileBallot(s, t('2028-10-13')); // 3 days without a scan
    const noScan = events(s);
    expect(noScan.map((e) => e.type)).toEqual(['alert:no-scan']);
    expect(notices(noScan)).toEqual([]);

    const r = fresh();
    events(r, issued(), mailed(), fact('inbound-scan', t('2028-10-20'), { scannedAt: t('2028-10-20', 3) }));
    reconcileBallot(r, t('2028-10-27'));
    const escalation = events(r);
    expect(escalation.map((e) => e.type)).toContain('alert:receipt-escalation');
    expect(notices(escalation.filter((e) => e.type === 'alert:receipt-escalation'))).toEqual([]);
  });

  test('issued, delivered, returned, in-review and superseded notify nobody', () => {
    const s = fresh();
    const evs = events(s, issued(), mailed(),
      fact('outbound-scan', t('2028-10-11'), { milestone: 'delivered', scannedAt: t('2028-10-11', 6) }),
      fact('inbound-scan', t('2028-10-20'), { scannedAt: t('2028-10-20', 3) }));
    expect(evs.map((e) => e.status)).toEqual(['issued', 'mailed', 'delivered', 'returned']);
    expect(notices(evs)).toEqual([{ kind: 'mailed' }]);
    const statuses = ['issued', 'delivered', 'returned', 'in-review', 'superseded'] as const;
    for (const status of statuses) {
      expect([status, noticesForEvent({ type: 'status-changed', atMs: 0, status, reasonCodes: [], detail: {} })]).toEqual([status, []]);
    }
  });

  test('an election update notifies "election-update"', () => {
    expect(noticesForEvent({ type: 'election-update', atMs: 0, detail: {} })).toEqual([{ kind: 'election-update' }]);
  });

  test('an event nobody mapped is a broken invariant: it throws instead of silently notifying nobody', () => {
    expect(() => noticesForEvent({ type: 'alert:something-new', atMs: 0, detail: {} })).toThrow('alert:something-new');
    expect(() => noticesForEvent({ type: 'weird', atMs: 0, detail: {} })).toThrow('weird');
  });
});

describe('channelsFor: the state decides which notices go out on which channels', () => {
  test('by default the notices the law requires go out on email, SMS and voice; expected delivery skips voice', () => {
    expect(channelsFor(DEFAULT_TRIGGER_CONFIG, 'mailed')).toEqual(['email', 'sms', 'voice']);
    expect(channelsFor(DEFAULT_TRIGGER_CONFIG, 'not-counted', 'signature-mismatch')).toEqual(['email', 'sms', 'voice']);
    expect(channelsFor(DEFAULT_TRIGGER_CONFIG, 'expected-delivery')).toEqual(['email', 'sms']);
  });

  test('by default "not counted: voter deceased" goes out on no channel', () => {
    expect(channelsFor(DEFAULT_TRIGGER_CONFIG, 'not-counted', 'voter-deceased')).toEqual([]);
  });

  test('a per-reason override replaces the not-counted channels for that reason only', () => {
    const config: TriggerConfig = { ...DEFAULT_TRIGGER_CONFIG, notCountedByReason: { 'not-received-on-time': ['email'] } };
    expect(channelsFor(config, 'not-counted', 'not-received-on-time')).toEqual(['email']);
    expect(channelsFor(config, 'not-counted', 'voter-deceased')).toEqual(['email', 'sms', 'voice']);
    expect(channelsFor(config, 'cure-needed', 'not-received-on-time')).toEqual(['email', 'sms', 'voice']);
  });

  test('channels come back in one order whatever order the state listed them in', () => {
    const config = TriggerConfigSchema.parse({ ...DEFAULT_TRIGGER_CONFIG, notices: { ...DEFAULT_TRIGGER_CONFIG.notices, received: ['voice', 'email'] } });
    expect(channelsFor(config, 'received')).toEqual(['email', 'voice']);
  });

  test('the default configuration is a valid configuration', () => {
    expect(parseTriggerConfig(DEFAULT_TRIGGER_CONFIG)).toEqual({ ok: true, value: DEFAULT_TRIGGER_CONFIG });
  });

  test('a configuration that leaves out a notice kind is refused, naming it', () => {
    const { counted: _counted, ...rest } = DEFAULT_TRIGGER_CONFIG.notices;
    const r = parseTriggerConfig({ notices: rest });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toEqual(['notices.counted']);
  });

  test('a channel listed twice, or one that does not exist, is refused, naming the field', () => {
    const r = parseTriggerConfig({ notices: { ...DEFAULT_TRIGGER_CONFIG.notices, mailed: ['sms', 'sms'] }, notCountedByReason: { 'no-postmark': ['fax'] } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual(['notCountedByReason.no-postmark.0', 'notices.mailed']);
  });
});

describe('CountyOverride: messages come from the county, under its name, numbers and links', () => {
  const fresno = {
    county: 'fresno',
    displayName: 'Fresno County Elections',
    displayNameByLanguage: { es: 'Elecciones del Condado de Fresno' },
    phone: '+15596008683',
    websiteUrl: 'https://www.fresnocountyca.gov/elections',
    lookupUrl: 'https://wheresmyballot.sos.ca.gov',
    cureFormUrl: 'https://www.fresnovotes.gov/cure',
    sender: {
      email: { fromName: 'Fresno County Elections', fromAddress: 'elections@fresnocountyca.gov' },
      sms: { numbers: ['+15595550101', '+15595550102'] },
      voice: { callerId: '+15596008683' },
    },
  };
  const problems = (input: unknown) => {
    const r = parseCountyOverride(input);
    return r.ok ? [] : r.errors;
  };

  test('a complete county configuration is accepted', () => {
    expect(parseCountyOverride(fresno)).toEqual({ ok: true, value: CountyOverrideSchema.parse(fresno) });
  });

  test('a phone number not in E.164 is refused and the field is named', () => {
    expect(problems({ ...fresno, phone: '(559) 600-8683' })).toEqual([{ field: 'phone', message: expect.stringContaining('E.164') }]);
    expect(problems({ ...fresno, sender: { ...fresno.sender, voice: { callerId: '15596008683' } } }).map((p) => p.field)).toEqual(['sender.voice.callerId']);
  });

  test('a wrong SMS sending number is named by its position in the pool; a number listed twice is refused', () => {
    expect(problems({ ...fresno, sender: { ...fresno.sender, sms: { numbers: ['+15595550101', '+0123'] } } }).map((p) => p.field)).toEqual(['sender.sms.numbers.1']);
    expect(problems({ ...fresno, sender: { ...fresno.sender, sms: { numbers: ['+15595550101', '+15595550101'] } } }).map((p) => p.field)).toEqual(['sender.sms.numbers']);
    expect(problems({ ...fresno, sender: { ...fresno.sender, sms: { numbers: [] } } }).map((p) => p.field)).toEqual(['sender.sms.numbers']);
  });

  test('a cure-form link over plain http is refused, naming cureFormUrl', () => {
    expect(problems({ ...fresno, cureFormUrl: 'http://www.fresnovotes.gov/cure' })).toEqual([{ field: 'cureFormUrl', message: expect.stringContaining('https://') }]);
  });

  test('a link longer than 60 characters is refused: it goes into text messages', () => {
    const long = `https://www.fresnocountyca.gov/${'elections/'.repeat(4)}`;
    expect(problems({ ...fresno, lookupUrl: long })).toEqual([{ field: 'lookupUrl', message: expect.stringContaining('60') }]);
  });

  test('a county name with a letter outside GSM-7 is refused: it would make every text message UCS-2', () => {
    expect(problems({ ...fresno, displayName: 'Condado de San Joaquín' })).toEqual([{ field: 'displayName', message: expect.stringContaining('GSM-7') }]);
    expect(problems({ ...fresno, displayNameByLanguage: { es: 'Elecciones de San Joaquín' } }).map((p) => p.field)).toEqual(['displayNameByLanguage.es']);
  });

  test('a county name over 32 characters is refused', () => {
    expect(problems({ ...fresno, displayName: 'Registrar of Voters of Fresno County' }).map((p) => p.field)).toEqual(['displayName']);
  });

  test('a sender email address or a From name that could break the header is refused, naming the field', () => {
    expect(problems({ ...fresno, sender: { ...fresno.sender, email: { fromName: 'Fresno\r\nBcc: x@y.z', fromAddress: 'elections' } } }).map((p) => p.field).sort())
      .toEqual(['sender.email.fromAddress', 'sender.email.fromName']);
  });
});

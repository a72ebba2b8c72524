/**
 * The county election calendar (Agreement 15-584 Exhibit A page 3; EC §§3000.5, 3019, 3020, 15372, 15501).
 * Every due date is written out by hand: counting back from election day month by month, not with addDays.
 */
import {
  computeCalendar, COUNTY_CERTIFICATION_OFFSET, ELECTION_TYPE_LABELS, ElectionTypeSchema, isStatewide,
  MILESTONE_KEYS, MILESTONE_RULES, offsetLabel, resolveCountywide, ruleFor, type CalendarEntry, type ElectionType,
} from './calendar';

const utc = (iso: string) => Date.parse(iso);
const byKey = (cal: CalendarEntry[]) => Object.fromEntries(cal.map((e) => [e.key, e]));
const dueDates = (cal: CalendarEntry[]) => Object.fromEntries(cal.map((e) => [e.key, e.dueDate]));

describe('election types', () => {
  test('there are exactly seven election types, each with a label', () => {
    expect(ElectionTypeSchema.options).toEqual([
      'statewide-presidential-primary', 'statewide-primary', 'statewide-general', 'statewide-special',
      'special', 'udel', 'municipal',
    ]);
    expect(ELECTION_TYPE_LABELS.udel).toBe('Uniform District Election Law (UDEL) election');
    expect(Object.keys(ELECTION_TYPE_LABELS).sort()).toEqual([...ElectionTypeSchema.options].sort());
  });

  test('only the four statewide types are statewide', () => {
    expect(isStatewide('statewide-presidential-primary')).toBe(true);
    expect(isStatewide('statewide-primary')).toBe(true);
    expect(isStatewide('statewide-general')).toBe(true);
    expect(isStatewide('statewide-special')).toBe(true);
    expect(isStatewide('special')).toBe(false);
    expect(isStatewide('udel')).toBe(false);
    expect(isStatewide('municipal')).toBe(false);
  });

  test('an unknown election type is rejected', () => {
    expect(ElectionTypeSchema.safeParse('recall').success).toBe(false);
  });
});

describe('resolveCountywide: E-90 for county-wide elections, E-85 for others (Exh. A §II)', () => {
  test.each([
    'statewide-presidential-primary', 'statewide-primary', 'statewide-general', 'statewide-special',
  ] as ElectionType[])('a %s election is county-wide whether or not the county says so', (type) => {
    expect(resolveCountywide(type, undefined)).toEqual({ ok: true, value: true });
    expect(resolveCountywide(type, true)).toEqual({ ok: true, value: true });
  });

  test.each([
    'statewide-presidential-primary', 'statewide-primary', 'statewide-general', 'statewide-special',
  ] as ElectionType[])('a %s election declared not county-wide is refused with a message', (type) => {
    expect(resolveCountywide(type, false)).toEqual({ ok: false, error: `a ${type} election is county-wide in every county` });
  });

  test.each(['special', 'udel', 'municipal'] as ElectionType[])('a %s election defaults to not county-wide', (type) => {
    expect(resolveCountywide(type, undefined)).toEqual({ ok: true, value: false });
    expect(resolveCountywide(type, false)).toEqual({ ok: true, value: false });
  });

  test.each(['special', 'udel', 'municipal'] as ElectionType[])('a %s election the county declares county-wide is county-wide', (type) => {
    expect(resolveCountywide(type, true)).toEqual({ ok: true, value: true });
  });
});

describe('the envelope order date for every election type', () => {
  const envelopeOrder = (type: ElectionType, date: string, countywide?: boolean) => {
    const cw = resolveCountywide(type, countywide);
    if (!cw.ok) throw new Error(cw.error);
    const e = computeCalendar(date, cw.value).find((x) => x.key === 'envelope-order')!;
    return [e.offsetLabel, e.dueDate];
  };

  test('statewide presidential primary 2028-03-07: E-90 is 2027-12-08', () => {
    expect(envelopeOrder('statewide-presidential-primary', '2028-03-07')).toEqual(['E-90', '2027-12-08']);
  });

  test('statewide primary 2026-06-02: E-90 is 2026-03-04', () => {
    expect(envelopeOrder('statewide-primary', '2026-06-02')).toEqual(['E-90', '2026-03-04']);
  });

  test('statewide general 2028-11-07: E-90 is 2028-08-09', () => {
    expect(envelopeOrder('statewide-general', '2028-11-07')).toEqual(['E-90', '2028-08-09']);
  });

  test('statewide special 2025-11-04: E-90 is 2025-08-06', () => {
    expect(envelopeOrder('statewide-special', '2025-11-04')).toEqual(['E-90', '2025-08-06']);
  });

  test('special election 2027-04-06, not county-wide: E-85 is 2027-01-11', () => {
    expect(envelopeOrder('special', '2027-04-06')).toEqual(['E-85', '2027-01-11']);
  });

  test('special election 2027-04-06 declared county-wide: E-90 is 2027-01-06', () => {
    expect(envelopeOrder('special', '2027-04-06', true)).toEqual(['E-90', '2027-01-06']);
  });

  test('UDEL election 2027-11-02: E-85 is 2027-08-09', () => {
    expect(envelopeOrder('udel', '2027-11-02')).toEqual(['E-85', '2027-08-09']);
  });

  test('municipal election 2027-04-13: E-85 is 2027-01-18', () => {
    expect(envelopeOrder('municipal', '2027-04-13')).toEqual(['E-85', '2027-01-18']);
  });

  test('municipal election 2027-04-13 declared county-wide: E-90 is 2027-01-13', () => {
    expect(envelopeOrder('municipal', '2027-04-13', true)).toEqual(['E-90', '2027-01-13']);
  });
});

describe('the full calendar of the 2028-11-07 statewide general election (county-wide)', () => {
  const cal = computeCalendar('2028-11-07', true);
  const e = byKey(cal);

  test('every milestone, in due order, with its label, due date and owner', () => {
    expect(cal.map((x) => [x.key, x.offsetLabel, x.dueDate, x.owner])).toEqual([
      ['envelope-order', 'E-90', '2028-08-09', 'county'],
      ['ballot-order', 'E-60', '2028-09-08', 'county'],
      ['ballot-order-proof', 'E-58', '2028-09-10', 'vendor'],
      ['ballot-artwork', 'E-56', '2028-09-12', 'county'],
      ['first-extract', 'E-56', '2028-09-12', 'county'],
      ['envelopes-delivered', 'E-55', '2028-09-13', 'vendor'],
      ['ballot-proofs', 'E-50', '2028-09-18', 'vendor'],
      ['uocava-mailing', 'E-50..E-45', '2028-09-23', 'vendor'],
      ['vbm-printing', 'E-45..E-34', '2028-10-04', 'vendor'],
      ['office-test-ballots', 'E-34', '2028-10-04', 'vendor'],
      ['first-mailing', 'E-29', '2028-10-09', 'vendor'],
      ['polling-ballots', 'E-15', '2028-10-23', 'vendor'],
      ['subsequent-mailings', 'E-28..E-6', '2028-11-01', 'vendor'],
      ['election-day-ballots', 'E', '2028-11-07', 'vendor'],
      ['ballot-receipt-deadline', 'E+7', '2028-11-14', 'county'],
      ['cure-notice-deadline', 'E+22', '2028-11-29', 'county'],
      ['cure-statement-deadline', 'E+28', '2028-12-05', 'county'],
      ['county-certification', 'E+30', '2028-12-07', 'county'],
      ['sos-certification', 'E+38', '2028-12-15', 'state'],
    ]);
  });

  test('deadlines before 2028-11-05 end at 23:59:59.999 PDT, later ones PST', () => {
    expect(Object.fromEntries(cal.map((x) => [x.key, x.dueAt]))).toEqual({
      'envelope-order': '2028-08-09T23:59:59.999-07:00',
      'ballot-order': '2028-09-08T23:59:59.999-07:00',
      'ballot-order-proof': '2028-09-10T23:59:59.999-07:00',
      'ballot-artwork': '2028-09-12T23:59:59.999-07:00',
      'first-extract': '2028-09-12T23:59:59.999-07:00',
      'envelopes-delivered': '2028-09-13T23:59:59.999-07:00',
      'ballot-proofs': '2028-09-18T23:59:59.999-07:00',
      'uocava-mailing': '2028-09-23T23:59:59.999-07:00',
      'vbm-printing': '2028-10-04T23:59:59.999-07:00',
      'office-test-ballots': '2028-10-04T23:59:59.999-07:00',
      'first-mailing': '2028-10-09T23:59:59.999-07:00',
      'polling-ballots': '2028-10-23T23:59:59.999-07:00',
      'subsequent-mailings': '2028-11-01T23:59:59.999-07:00',
      'election-day-ballots': '2028-11-07T23:59:59.999-08:00',
      'ballot-receipt-deadline': '2028-11-14T23:59:59.999-08:00',
      'cure-notice-deadline': '2028-11-29T23:59:59.999-08:00',
      'cure-statement-deadline': '2028-12-05T17:00:00.000-08:00',
      'county-certification': '2028-12-07T23:59:59.999-08:00',
      'sos-certification': '2028-12-15T23:59:59.999-08:00',
    });
  });

  test('dueAtMs is the same instant as dueAt', () => {
    expect(e['envelope-order']!.dueAtMs).toBe(utc('2028-08-10T06:59:59.999Z'));
    expect(e['first-mailing']!.dueAtMs).toBe(utc('2028-10-10T06:59:59.999Z'));
    expect(e['election-day-ballots']!.dueAtMs).toBe(utc('2028-11-08T07:59:59.999Z'));
    expect(e['sos-certification']!.dueAtMs).toBe(utc('2028-12-16T07:59:59.999Z'));
  });

  test('EC §3000.5: vote-by-mail packets for the first extract are mailed no later than E-29, 2028-10-09', () => {
    expect(e['first-mailing']).toMatchObject({ dueDate: '2028-10-09', owner: 'vendor', liquidatedDamages: true, countyInput: 'first-extract' });
  });

  test('EC §3019(d): the cure statement deadline is 5 p.m. Pacific two days before certification, E+28', () => {
    expect(e['cure-statement-deadline']).toMatchObject({ dueDate: '2028-12-05', kind: 'cutoff', offsetLabel: 'E+28' });
    expect(e['cure-statement-deadline']!.dueAtMs).toBe(utc('2028-12-06T01:00:00.000Z'));
  });

  test('EC §3019(d): cure notices go out no later than 8 days before certification, E+22', () => {
    expect(e['cure-notice-deadline']).toMatchObject({ dueDate: '2028-11-29', kind: 'task', owner: 'county' });
  });

  test('EC §15372: the county certifies E+30, 2028-12-07; EC §15501: the SOS certifies E+38, 2028-12-15', () => {
    expect(COUNTY_CERTIFICATION_OFFSET).toBe(30);
    expect(e['county-certification']).toMatchObject({ dueDate: '2028-12-07', owner: 'county' });
    expect(e['sos-certification']).toMatchObject({ dueDate: '2028-12-15', owner: 'state' });
  });

  test('EC §3020(b): a ballot postmarked by election day must arrive by E+7, 2028-11-14', () => {
    expect(e['ballot-receipt-deadline']).toMatchObject({ dueDate: '2028-11-14', kind: 'cutoff' });
  });

  test('the window milestones start on E-50, E-45, E-28 and election day', () => {
    expect(e['uocava-mailing']).toMatchObject({ windowStart: '2028-09-18', dueDate: '2028-09-23' });
    expect(e['vbm-printing']).toMatchObject({ windowStart: '2028-09-23', dueDate: '2028-10-04' });
    expect(e['subsequent-mailings']).toMatchObject({ windowStart: '2028-10-10', dueDate: '2028-11-01', perRequest: 'subsequent-extract' });
    expect(e['election-day-ballots']).toMatchObject({ windowStart: '2028-11-07', dueDate: '2028-11-07', perRequest: 'election-day-order' });
  });

  test('milestones without a window have no windowStart', () => {
    const withWindow = cal.filter((x) => x.windowStart !== undefined).map((x) => x.key).sort();
    expect(withWindow).toEqual(['election-day-ballots', 'subsequent-mailings', 'uocava-mailing', 'vbm-printing']);
  });

  test('§12: only the eight vendor delivery deadlines of the County Deadlines table accrue liquidated damages', () => {
    expect(cal.filter((x) => x.liquidatedDamages).map((x) => x.key)).toEqual([
      'ballot-order-proof', 'envelopes-delivered', 'ballot-proofs', 'uocava-mailing', 'vbm-printing',
      'office-test-ballots', 'first-mailing', 'polling-ballots',
    ]);
  });

  test('vendor deadlines that wait on a county input name that input', () => {
    const inputs = Object.fromEntries(cal.filter((x) => x.countyInput).map((x) => [x.key, x.countyInput]));
    expect(inputs).toEqual({
      'ballot-order-proof': 'ballot-order',
      'envelopes-delivered': 'envelope-order',
      'ballot-proofs': 'ballot-artwork',
      'first-mailing': 'first-extract',
    });
  });

  test('deadlines that fall on the same day keep the rule order (artwork before extract)', () => {
    const keys = cal.map((x) => x.key);
    expect(keys.indexOf('ballot-artwork')).toBe(keys.indexOf('first-extract') - 1);
    expect(keys.indexOf('vbm-printing')).toBe(keys.indexOf('office-test-ballots') - 1);
  });
});

describe('the same election not county-wide', () => {
  test('only the envelope order moves: E-85 is 2028-08-14', () => {
    const cw = dueDates(computeCalendar('2028-11-07', true));
    const other = dueDates(computeCalendar('2028-11-07', false));
    expect(other['envelope-order']).toBe('2028-08-14');
    expect({ ...other, 'envelope-order': 'x' }).toEqual({ ...cw, 'envelope-order': 'x' });
    expect(computeCalendar('2028-11-07', false)[0]).toMatchObject({ key: 'envelope-order', offsetLabel: 'E-85' });
  });
});

describe('leap years: a 7 March election in 2028 (after 2028-02-29) vs 2027', () => {
  const y2028 = dueDates(computeCalendar('2028-03-07', true));
  const y2027 = dueDates(computeCalendar('2027-03-07', true));

  test('2028-03-07: every due date, counted back through 29 days of February', () => {
    expect(y2028).toEqual({
      'envelope-order': '2027-12-08',
      'ballot-order': '2028-01-07',
      'ballot-order-proof': '2028-01-09',
      'ballot-artwork': '2028-01-11',
      'first-extract': '2028-01-11',
      'envelopes-delivered': '2028-01-12',
      'ballot-proofs': '2028-01-17',
      'uocava-mailing': '2028-01-22',
      'vbm-printing': '2028-02-02',
      'office-test-ballots': '2028-02-02',
      'first-mailing': '2028-02-07',
      'polling-ballots': '2028-02-21',
      'subsequent-mailings': '2028-03-01',
      'election-day-ballots': '2028-03-07',
      'ballot-receipt-deadline': '2028-03-14',
      'cure-notice-deadline': '2028-03-29',
      'cure-statement-deadline': '2028-04-04',
      'county-certification': '2028-04-06',
      'sos-certification': '2028-04-14',
    });
  });

  test('2027-03-07: every due date before March is one calendar day earlier than in 2028', () => {
    expect(y2027).toEqual({
      'envelope-order': '2026-12-07',
      'ballot-order': '2027-01-06',
      'ballot-order-proof': '2027-01-08',
      'ballot-artwork': '2027-01-10',
      'first-extract': '2027-01-10',
      'envelopes-delivered': '2027-01-11',
      'ballot-proofs': '2027-01-16',
      'uocava-mailing': '2027-01-21',
      'vbm-printing': '2027-02-01',
      'office-test-ballots': '2027-02-01',
      'first-mailing': '2027-02-06',
      'polling-ballots': '2027-02-20',
      'subsequent-mailings': '2027-03-01',
      'election-day-ballots': '2027-03-07',
      'ballot-receipt-deadline': '2027-03-14',
      'cure-notice-deadline': '2027-03-29',
      'cure-statement-deadline': '2027-04-04',
      'county-certification': '2027-04-06',
      'sos-certification': '2027-04-14',
    });
  });

  test('window starts count back through February too', () => {
    const e = byKey(computeCalendar('2028-03-07', true));
    expect(e['uocava-mailing']!.windowStart).toBe('2028-01-17');
    expect(e['vbm-printing']!.windowStart).toBe('2028-01-22');
    expect(e['subsequent-mailings']!.windowStart).toBe('2028-02-08');
  });

  test('DST starts 2028-03-12 between election day (PST) and E+7 (PDT)', () => {
    const e = byKey(computeCalendar('2028-03-07', true));
    expect(e['election-day-ballots']!.dueAt).toBe('2028-03-07T23:59:59.999-08:00');
    expect(e['ballot-receipt-deadline']!.dueAt).toBe('2028-03-14T23:59:59.999-07:00');
    expect(e['cure-statement-deadline']!.dueAt).toBe('2028-04-04T17:00:00.000-07:00');
  });
});

describe('MILESTONE_RULES', () => {
  test('keys are unique', () => {
    expect(new Set(MILESTONE_KEYS).size).toBe(MILESTONE_RULES.length);
    expect(MILESTONE_RULES).toHaveLength(19);
  });

  test('only the envelope order depends on whether the election is county-wide', () => {
    const differ = MILESTONE_RULES.filter((r) => r.dueOffset({ countywide: true }) !== r.dueOffset({ countywide: false }));
    expect(differ.map((r) => r.key)).toEqual(['envelope-order']);
    expect(ruleFor('envelope-order')!.dueOffset({ countywide: true })).toBe(-90);
    expect(ruleFor('envelope-order')!.dueOffset({ countywide: false })).toBe(-85);
  });

  test('every rule cites its source', () => {
    for (const r of MILESTONE_RULES) expect(r.source.length).toBeGreaterThan(0);
  });

  test('ruleFor finds a rule by key and returns undefined for an unknown key', () => {
    expect(ruleFor('first-mailing')!.dueOffset({ countywide: true })).toBe(-29);
    expect(ruleFor('ballot-printing')).toBeUndefined();
  });

  test('offsetLabel writes E-29, E and E+7', () => {
    expect(offsetLabel(-29)).toBe('E-29');
    expect(offsetLabel(0)).toBe('E');
    expect(offsetLabel(7)).toBe('E+7');
  });
});

/**
 * Liquidated damages (Agreement 15-584 §12: $10,000 per calendar day late, never more than $100,000 in all),
 * invoices priced from Exhibit B, and spend against the fiscal-period maximums of §4.
 *
 * Fixtures are the 2018 Fresno elections under the agreement: the 2018-06-05 statewide primary (E-55 envelopes
 * 2018-04-11, E-34 office/test ballots and VBM printing 2018-05-02, E-29 first mailing 2018-05-07) and the
 * 2018-11-06 statewide general (E-29 first mailing 2018-10-08, E-15 polling ballots 2018-10-22).
 */
import { ContractTermsSchema, FRESNO_15_584, type ContractTerms } from './contract';
import { computeLedger, lineKey, mergeLine, priceInvoice, spendByPeriod, SlaLineSchema, type Invoice, type SlaLine } from './damages';

const terms: ContractTerms = ContractTermsSchema.parse(FRESNO_15_584);

const PRIMARY = 'election:fresno:2018-06-05';
const GENERAL = 'election:fresno:2018-11-06';

/** E-55 of the primary: envelopes due 2018-04-11, delivered 2018-04-14 at 11:20 — 3 days late. */
const primaryEnvelopes: SlaLine = {
  electionId: PRIMARY, electionDate: '2018-06-05', deliverableKey: 'envelopes-delivered',
  name: 'Vendor delivers vote-by-mail envelopes',
  baseDueAt: '2018-04-11T23:59:59.999-07:00', dueAt: '2018-04-11T23:59:59.999-07:00',
  deliveredAt: '2018-04-14T11:20:00.000-07:00',
  lateDates: ['2018-04-12', '2018-04-13', '2018-04-14'], waivedDates: [], seq: 4,
};

/** E-29 of the primary: packets due 2018-05-07, mailed 2018-05-14 — 7 days late. */
const primaryMailing: SlaLine = {
  electionId: PRIMARY, electionDate: '2018-06-05', deliverableKey: 'first-mailing',
  name: 'Vendor mails vote-by-mail packets for the first extract',
  baseDueAt: '2018-05-07T23:59:59.999-07:00', dueAt: '2018-05-07T23:59:59.999-07:00',
  deliveredAt: '2018-05-14T10:15:00.000-07:00',
  lateDates: ['2018-05-08', '2018-05-09', '2018-05-10', '2018-05-11', '2018-05-12', '2018-05-13', '2018-05-14'],
  waivedDates: [], seq: 9,
};

/** E-29 of the general: packets due 2018-10-08, mailed 2018-10-13 — 5 days late. */
const generalMailing: SlaLine = {
  electionId: GENERAL, electionDate: '2018-11-06', deliverableKey: 'first-mailing',
  name: 'Vendor mails vote-by-mail packets for the first extract',
  baseDueAt: '2018-10-08T23:59:59.999-07:00', dueAt: '2018-10-08T23:59:59.999-07:00',
  deliveredAt: '2018-10-13T16:40:00.000-07:00',
  lateDates: ['2018-10-09', '2018-10-10', '2018-10-11', '2018-10-12', '2018-10-13'], waivedDates: [], seq: 7,
};

/** E-15 of the general: polling place ballots due 2018-10-22, delivered on time. */
const generalPolling: SlaLine = {
  electionId: GENERAL, electionDate: '2018-11-06', deliverableKey: 'polling-ballots',
  name: 'Vendor delivers polling place and duplicate ballots',
  baseDueAt: '2018-10-22T23:59:59.999-07:00', dueAt: '2018-10-22T23:59:59.999-07:00',
  deliveredAt: '2018-10-19T09:05:00.000-07:00', lateDates: [], waivedDates: [], seq: 3,
};

const MAY_3_TO_8 = ['2018-05-03', '2018-05-04', '2018-05-05', '2018-05-06', '2018-05-07', '2018-05-08'];

function ledgerLine(l: ReturnType<typeof computeLedger>, electionId: string, key: string) {
  const found = l.lines.find((x) => x.electionId === electionId && x.deliverableKey === key);
  if (!found) throw new Error(`no ledger line ${electionId}/${key}`);
  return found;
}

describe('computeLedger: $10,000 per calendar day late (§12)', () => {
  test('a deliverable 3 days late accrues and is charged $30,000', () => {
    const l = computeLedger(terms, [primaryEnvelopes], []);
    expect(l.ratePerDay).toBe(10_000);
    expect(l.cap).toBe(100_000);
    expect(ledgerLine(l, PRIMARY, 'envelopes-delivered')).toMatchObject({
      daysLate: 3, damagesAccrued: 30_000, damagesCharged: 30_000, damagesCapped: 0, damagesWaived: 0, damagesExcused: 0, why: [],
    });
    expect(l.totals).toEqual({
      daysLate: 3, damagesAccrued: 30_000, damagesCharged: 30_000, damagesCapped: 0, damagesWaived: 0, damagesExcused: 0, capRemaining: 70_000,
    });
  });

  test('a deliverable delivered on time accrues nothing', () => {
    const l = computeLedger(terms, [generalPolling], []);
    expect(ledgerLine(l, GENERAL, 'polling-ballots')).toMatchObject({ daysLate: 0, damagesAccrued: 0, damagesCharged: 0, why: [] });
    expect(l.totals.capRemaining).toBe(100_000);
  });

  test('the ledger line keeps the SLA line it came from', () => {
    const l = computeLedger(terms, [primaryMailing], []);
    expect(ledgerLine(l, PRIMARY, 'first-mailing')).toMatchObject(primaryMailing);
  });

  test('an empty contract owes nothing and has the whole $100,000 cap left', () => {
    const l = computeLedger(terms, [], []);
    expect(l.lines).toEqual([]);
    expect(l.totals).toEqual({
      daysLate: 0, damagesAccrued: 0, damagesCharged: 0, damagesCapped: 0, damagesWaived: 0, damagesExcused: 0, capRemaining: 100_000,
    });
    expect(l.netPayable).toBe(0);
  });
});

describe('computeLedger: the $100,000 cap holds across every election of the agreement', () => {
  test('7 days late in June and 5 in November: $70,000 + $30,000 charged, the last 2 November days capped', () => {
    // The later election is listed first: the earliest late days are charged first whatever the order of lines.
    const l = computeLedger(terms, [generalMailing, primaryMailing], []);
    expect(ledgerLine(l, PRIMARY, 'first-mailing')).toMatchObject({
      daysLate: 7, damagesAccrued: 70_000, damagesCharged: 70_000, damagesCapped: 0, why: [],
    });
    expect(ledgerLine(l, GENERAL, 'first-mailing')).toMatchObject({
      daysLate: 5, damagesAccrued: 50_000, damagesCharged: 30_000, damagesCapped: 20_000,
      why: ["capped: the agreement's $100,000 limit on liquidated damages was reached"],
    });
    expect(l.totals).toEqual({
      daysLate: 12, damagesAccrued: 120_000, damagesCharged: 100_000, damagesCapped: 20_000, damagesWaived: 0, damagesExcused: 0, capRemaining: 0,
    });
  });

  test('within one election the earlier deadline is charged first: envelopes 6 days late, then the mailing 7', () => {
    const envelopes6: SlaLine = {
      ...primaryEnvelopes, deliveredAt: '2018-04-17T08:00:00.000-07:00',
      lateDates: ['2018-04-12', '2018-04-13', '2018-04-14', '2018-04-15', '2018-04-16', '2018-04-17'],
    };
    const l = computeLedger(terms, [primaryMailing, envelopes6], []);
    expect(ledgerLine(l, PRIMARY, 'envelopes-delivered')).toMatchObject({ damagesCharged: 60_000, damagesCapped: 0 });
    expect(ledgerLine(l, PRIMARY, 'first-mailing')).toMatchObject({ damagesAccrued: 70_000, damagesCharged: 40_000, damagesCapped: 30_000 });
    expect(l.totals.damagesCharged).toBe(100_000);
  });

  test('two deliverables late on the same 6 days each accrue $60,000; the cap falls on the 6th day of both', () => {
    // E-34 office/test ballots and VBM printing share the 2018-05-02 deadline; both were 6 days late (05-03..05-08).
    const office: SlaLine = {
      electionId: PRIMARY, electionDate: '2018-06-05', deliverableKey: 'office-test-ballots',
      name: 'Vendor delivers office ballots and test ballots',
      baseDueAt: '2018-05-02T23:59:59.999-07:00', dueAt: '2018-05-02T23:59:59.999-07:00',
      deliveredAt: '2018-05-08T13:00:00.000-07:00', lateDates: MAY_3_TO_8, waivedDates: [], seq: 5,
    };
    const printing: SlaLine = { ...office, deliverableKey: 'vbm-printing', name: 'Vendor prints vote-by-mail and test ballots', seq: 6 };
    const l = computeLedger(terms, [printing, office], []);
    // 05-03..05-07 on both lines is 10 days = $100,000; both 05-08 days are capped.
    expect(ledgerLine(l, PRIMARY, 'office-test-ballots')).toMatchObject({ damagesAccrued: 60_000, damagesCharged: 50_000, damagesCapped: 10_000 });
    expect(ledgerLine(l, PRIMARY, 'vbm-printing')).toMatchObject({ damagesAccrued: 60_000, damagesCharged: 50_000, damagesCapped: 10_000 });
    expect(l.totals).toMatchObject({ daysLate: 12, damagesCharged: 100_000, damagesCapped: 20_000, capRemaining: 0 });
  });

  test('a cap that is not a whole number of days charges the remainder of the last day', () => {
    const small = ContractTermsSchema.parse({ ...FRESNO_15_584, liquidatedDamages: { perDay: 5_000, cap: 12_500 } });
    const l = computeLedger(small, [primaryEnvelopes], []);
    expect(ledgerLine(l, PRIMARY, 'envelopes-delivered')).toMatchObject({ damagesAccrued: 15_000, damagesCharged: 12_500, damagesCapped: 2_500 });
    expect(l.totals.capRemaining).toBe(0);
  });

  test('once the cap is reached later late days are wholly capped', () => {
    const l = computeLedger(terms, [primaryMailing, generalMailing, { ...primaryEnvelopes }], []);
    // 04-12..04-14 (3) + 05-08..05-14 (7) = 10 days reach $100,000; all 5 November days are capped.
    expect(ledgerLine(l, GENERAL, 'first-mailing')).toMatchObject({ damagesCharged: 0, damagesCapped: 50_000 });
    expect(l.totals).toMatchObject({ damagesAccrued: 150_000, damagesCharged: 100_000, damagesCapped: 50_000 });
  });
});

describe('computeLedger: waivers (§12(a), (b)) and exemptions (§12(c))', () => {
  const waivedPrimary: SlaLine = {
    ...primaryMailing,
    waivedDates: ['2018-05-08', '2018-05-09'],
    waiverReason: 'Force majeure: PG&E outage closed the Fresno P&DC; vendor notified the County Clerk 2018-05-08',
  };

  test('waived days are not charged and do not use up the cap', () => {
    const l = computeLedger(terms, [generalMailing, waivedPrimary], []);
    expect(ledgerLine(l, PRIMARY, 'first-mailing')).toMatchObject({
      daysLate: 7, damagesAccrued: 70_000, damagesCharged: 50_000, damagesWaived: 20_000, damagesCapped: 0,
      why: ['waived 2 day(s): Force majeure: PG&E outage closed the Fresno P&DC; vendor notified the County Clerk 2018-05-08'],
    });
    // Without the waiver the November line would be capped by $20,000; with it all 5 days fit under the cap.
    expect(ledgerLine(l, GENERAL, 'first-mailing')).toMatchObject({ damagesCharged: 50_000, damagesCapped: 0, why: [] });
    expect(l.totals).toEqual({
      daysLate: 12, damagesAccrued: 120_000, damagesCharged: 100_000, damagesCapped: 0, damagesWaived: 20_000, damagesExcused: 0, capRemaining: 0,
    });
  });

  test('a waiver without a reason is shown as a contract manager waiver', () => {
    const l = computeLedger(terms, [{ ...primaryEnvelopes, waivedDates: ['2018-04-14'] }], []);
    expect(ledgerLine(l, PRIMARY, 'envelopes-delivered')).toMatchObject({
      damagesCharged: 20_000, damagesWaived: 10_000, why: ['waived 1 day(s): contract manager waiver'],
    });
  });

  test('a waived date that is not a late date of the line waives nothing', () => {
    const l = computeLedger(terms, [{ ...primaryEnvelopes, waivedDates: ['2018-04-20'] }], []);
    expect(ledgerLine(l, PRIMARY, 'envelopes-delivered')).toMatchObject({ damagesCharged: 30_000, damagesWaived: 0, why: [] });
  });

  test('an excused deliverable is charged nothing, even on waived days, and leaves the cap untouched', () => {
    // A December special whose E-55 envelope deadline (2015-10-14) precedes the agreement's execution on 2015-11-18.
    const excused: SlaLine = {
      electionId: 'election:fresno:2015-12-08:clovis-unified', electionDate: '2015-12-08', deliverableKey: 'envelopes-delivered',
      name: 'Vendor delivers vote-by-mail envelopes',
      baseDueAt: '2015-10-14T23:59:59.999-07:00', dueAt: '2015-10-14T23:59:59.999-07:00',
      deliveredAt: '2015-10-17T15:00:00.000-07:00',
      lateDates: ['2015-10-15', '2015-10-16', '2015-10-17'], waivedDates: ['2015-10-15'],
      excusedReason: 'county deadline precedes execution of the contract on 2015-11-18 (§12(c))', seq: 2,
    };
    const tenDays: SlaLine = {
      ...primaryMailing,
      lateDates: ['2018-05-08', '2018-05-09', '2018-05-10', '2018-05-11', '2018-05-12', '2018-05-13', '2018-05-14', '2018-05-15', '2018-05-16', '2018-05-17'],
      deliveredAt: '2018-05-17T09:00:00.000-07:00',
    };
    const l = computeLedger(terms, [tenDays, excused], []);
    expect(ledgerLine(l, 'election:fresno:2015-12-08:clovis-unified', 'envelopes-delivered')).toMatchObject({
      daysLate: 3, damagesAccrued: 30_000, damagesCharged: 0, damagesExcused: 30_000, damagesWaived: 0, damagesCapped: 0,
      why: ['excused: county deadline precedes execution of the contract on 2015-11-18 (§12(c))'],
    });
    expect(ledgerLine(l, PRIMARY, 'first-mailing')).toMatchObject({ damagesCharged: 100_000, damagesCapped: 0 });
    expect(l.totals).toMatchObject({ damagesAccrued: 130_000, damagesCharged: 100_000, damagesExcused: 30_000, damagesCapped: 0, capRemaining: 0 });
  });

  test('a deadline moved by a late county input gives its reason; a shift of 0 days gives none', () => {
    const shifted: SlaLine = {
      ...primaryMailing, dueAt: '2018-05-09T23:59:59.999-07:00',
      shift: { days: 2, reason: 'first voter extract received 2 days late (E-56 2018-04-10, received 2018-04-12)' },
      lateDates: ['2018-05-10', '2018-05-11', '2018-05-12', '2018-05-13', '2018-05-14'],
    };
    const l = computeLedger(terms, [shifted, { ...primaryEnvelopes, shift: { days: 0, reason: 'no shift' } }], []);
    expect(ledgerLine(l, PRIMARY, 'first-mailing')).toMatchObject({
      daysLate: 5, damagesCharged: 50_000, why: ['first voter extract received 2 days late (E-56 2018-04-10, received 2018-04-12)'],
    });
    expect(ledgerLine(l, PRIMARY, 'envelopes-delivered').why).toEqual([]);
  });
});

describe('computeLedger: lines are listed by election, then due date, then deliverable', () => {
  test('primary lines before general lines, each in deadline order', () => {
    const l = computeLedger(terms, [generalPolling, primaryMailing, generalMailing, primaryEnvelopes], []);
    expect(l.lines.map((x) => lineKey(x))).toEqual([
      'election:fresno:2018-06-05/envelopes-delivered',
      'election:fresno:2018-06-05/first-mailing',
      'election:fresno:2018-11-06/first-mailing',
      'election:fresno:2018-11-06/polling-ballots',
    ]);
  });
});

describe('mergeLine: the newest report of each deliverable wins; replays change nothing', () => {
  test('lineKey is election/deliverable', () => {
    expect(lineKey(primaryMailing)).toBe('election:fresno:2018-06-05/first-mailing');
  });

  test('a first report is stored, a newer seq replaces it', () => {
    const lines: Record<string, SlaLine> = {};
    expect(mergeLine(lines, { ...primaryMailing, seq: 3, lateDates: ['2018-05-08'] })).toBe(true);
    expect(mergeLine(lines, primaryMailing)).toBe(true);
    expect(lines['election:fresno:2018-06-05/first-mailing']!.seq).toBe(9);
    expect(lines['election:fresno:2018-06-05/first-mailing']!.lateDates).toHaveLength(7);
  });

  test('the same report applied twice is ignored the second time', () => {
    const lines: Record<string, SlaLine> = {};
    mergeLine(lines, primaryMailing);
    expect(mergeLine(lines, { ...primaryMailing, lateDates: [] })).toBe(false);
    expect(lines['election:fresno:2018-06-05/first-mailing']!.lateDates).toHaveLength(7);
  });

  test('an older report arriving late is ignored', () => {
    const lines: Record<string, SlaLine> = {};
    mergeLine(lines, primaryMailing);
    expect(mergeLine(lines, { ...primaryMailing, seq: 8, lateDates: ['2018-05-08'] })).toBe(false);
    expect(lines['election:fresno:2018-06-05/first-mailing']).toBe(primaryMailing);
  });

  test('the same deliverable of two elections, and two deliverables of one election, are separate lines', () => {
    const lines: Record<string, SlaLine> = {};
    expect(mergeLine(lines, primaryMailing)).toBe(true);
    expect(mergeLine(lines, generalMailing)).toBe(true);
    expect(mergeLine(lines, primaryEnvelopes)).toBe(true);
    expect(Object.keys(lines).sort()).toEqual([
      'election:fresno:2018-06-05/envelopes-delivered',
      'election:fresno:2018-06-05/first-mailing',
      'election:fresno:2018-11-06/first-mailing',
    ]);
  });

  test('SlaLineSchema accepts the fixtures and rejects a negative seq', () => {
    expect(SlaLineSchema.safeParse(primaryMailing).success).toBe(true);
    expect(SlaLineSchema.safeParse({ ...primaryMailing, seq: -1 }).success).toBe(false);
  });
});

describe('priceInvoice: Exhibit B prices, rounded to the cent', () => {
  test('100,000 envelopes at $0.065 are $6,500.00', () => {
    expect(priceInvoice(terms, [{ code: 'envelope-under-100k', quantity: 100_000 }])).toEqual({
      ok: true, items: [{ code: 'envelope-under-100k', quantity: 100_000, unitPrice: 0.065, amount: 6_500 }], amount: 6_500,
    });
  });

  test('the 2018 primary print run: 412,350 ballots, assembly and tracking, plus setups, is $229,404.25', () => {
    const r = priceInvoice(terms, [
      { code: 'ballot-14in', quantity: 412_350 },
      { code: 'vbm-assembly', quantity: 412_350 },
      { code: 'usps-tracking', quantity: 412_350 },
      { code: 'database-setup', quantity: 1 },
      { code: 'usps-tracking-setup', quantity: 1 },
    ]);
    expect(r).toEqual({
      ok: true,
      items: [
        { code: 'ballot-14in', quantity: 412_350, unitPrice: 0.27, amount: 111_334.5 },
        { code: 'vbm-assembly', quantity: 412_350, unitPrice: 0.26, amount: 107_211 },
        { code: 'usps-tracking', quantity: 412_350, unitPrice: 0.025, amount: 10_308.75 },
        { code: 'database-setup', quantity: 1, unitPrice: 350, amount: 350 },
        { code: 'usps-tracking-setup', quantity: 1, unitPrice: 200, amount: 200 },
      ],
      amount: 229_404.25,
    });
  });

  test('each line is rounded half up to the cent: 7 x $0.025 = $0.18, 101 x $0.055 = $5.56, 3 x $0.35 = $1.05', () => {
    const r = priceInvoice(terms, [
      { code: 'usps-tracking', quantity: 7 },
      { code: 'envelope-over-100k', quantity: 101 },
      { code: 'test-deck-ballot', quantity: 3 },
    ]);
    if (!r.ok) throw new Error(r.error);
    expect(r.items.map((i) => i.amount)).toEqual([0.18, 5.56, 1.05]);
    expect(r.amount).toBe(6.79);
  });

  test('an unknown price code is an error naming the item index', () => {
    expect(priceInvoice(terms, [
      { code: 'ballot-14in', quantity: 1_000 },
      { code: 'ballot-22in', quantity: 40 },
    ])).toEqual({ ok: false, error: 'items[1].code: "ballot-22in" is not on the contract\'s price list' });
  });

  test('a quantity of 0 prices to $0.00', () => {
    expect(priceInvoice(terms, [{ code: 'custom-box', quantity: 0 }])).toMatchObject({ ok: true, amount: 0 });
  });
});

const inv = (invoiceId: string, invoiceDate: string, amount: number, electionId?: string): Invoice => ({
  invoiceId, invoiceDate, ...(electionId ? { electionId } : {}), items: [], amount,
});

describe('spendByPeriod: spend against each fiscal-period maximum and the $2,580,000 total', () => {
  test('invoices count against the period of their date; renewal 1 over its $455,000 maximum is flagged', () => {
    const s = spendByPeriod(terms, [
      inv('IVS-2016-0612', '2016-06-12', 229_404.25, 'election:fresno:2016-06-07'),
      inv('IVS-2018-1015', '2018-10-15', 300_000, GENERAL),
      inv('IVS-2019-0110', '2019-01-10', 200_000, GENERAL),
    ]);
    expect(s.periods).toEqual([
      { label: 'Initial term', start: '2015-11-18', end: '2018-06-30', cap: 1_565_000, spent: 229_404.25, remaining: 1_335_595.75, overCap: false },
      { label: 'Renewal 1', start: '2018-07-01', end: '2019-06-30', cap: 455_000, spent: 500_000, remaining: -45_000, overCap: true },
      { label: 'Renewal 2', start: '2019-07-01', end: '2020-06-30', cap: 560_000, spent: 0, remaining: 560_000, overCap: false },
    ]);
    expect(s).toMatchObject({ outsidePeriods: 0, total: 729_404.25, totalCap: 2_580_000, totalRemaining: 1_850_595.75, overCap: false });
  });

  test('an invoice on the last day of a period counts there, the next day in the next period', () => {
    const s = spendByPeriod(terms, [inv('IVS-A', '2018-06-30', 1_000), inv('IVS-B', '2018-07-01', 2_000)]);
    expect(s.periods.map((p) => p.spent)).toEqual([1_000, 2_000, 0]);
  });

  test('an invoice dated after the last period is outside the periods but still in the total', () => {
    const s = spendByPeriod(terms, [inv('IVS-2020-0715', '2020-07-15', 1_250.5), inv('IVS-2019-0801', '2019-08-01', 10_000)]);
    expect(s.outsidePeriods).toBe(1_250.5);
    expect(s.periods[2]!.spent).toBe(10_000);
    expect(s.total).toBe(11_250.5);
    expect(s.totalRemaining).toBe(2_568_749.5);
  });

  test('spend exactly at a period maximum is not over it; the total over $2,580,000 is', () => {
    const s = spendByPeriod(terms, [
      inv('IVS-1', '2017-03-01', 1_600_000),
      inv('IVS-2', '2019-02-01', 455_000),
      inv('IVS-3', '2020-02-01', 560_000),
    ]);
    expect(s.periods.map((p) => [p.remaining, p.overCap])).toEqual([[-35_000, true], [0, false], [0, false]]);
    expect(s).toMatchObject({ total: 2_615_000, totalRemaining: -35_000, overCap: true });
  });

  test('sums are kept in cents: $0.10 + $0.20 is $0.30', () => {
    const s = spendByPeriod(terms, [inv('IVS-1', '2017-03-01', 0.1), inv('IVS-2', '2017-03-02', 0.2)]);
    expect(s.periods[0]!.spent).toBe(0.3);
    expect(s.total).toBe(0.3);
  });

  test('a period without a label is labelled by its dates', () => {
    const unlabelled = ContractTermsSchema.parse({
      ...FRESNO_15_584,
      fiscalPeriods: [{ start: '2015-11-18', end: '2018-06-30', cap: 1_565_000 }],
    });
    expect(spendByPeriod(unlabelled, []).periods[0]!.label).toBe('2015-11-18..2018-06-30');
  });
});

describe('computeLedger: the county deducts charged damages from what it owes (§12)', () => {
  test('invoices of $729,404.25 less $100,000 of damages leave $629,404.25 payable', () => {
    const l = computeLedger(terms, [primaryMailing, generalMailing], [
      inv('IVS-2016-0612', '2016-06-12', 229_404.25),
      inv('IVS-2018-1015', '2018-10-15', 300_000),
      inv('IVS-2019-0110', '2019-01-10', 200_000),
    ]);
    expect(l.spend.total).toBe(729_404.25);
    expect(l.totals.damagesCharged).toBe(100_000);
    expect(l.netPayable).toBe(629_404.25);
  });

  test('waived and capped damages are not deducted', () => {
    const l = computeLedger(terms, [
      { ...primaryEnvelopes, waivedDates: ['2018-04-12'] },
    ], [inv('IVS-2018-0420', '2018-04-20', 6_500)]);
    expect(l.netPayable).toBe(-13_500);
    expect(l.totals).toMatchObject({ damagesCharged: 20_000, damagesWaived: 10_000 });
  });
});

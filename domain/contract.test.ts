/**
 * Contract terms: Fresno County agreement No. 15-584 (§2 term and renewals, §4 compensation, §12 damages,
 * Exhibit B prices), and the validation that keeps a mistyped contract out.
 */
import {
  ContractTermsSchema, EXHIBIT_B_PRICE_LIST, fiscalPeriodOf, FRESNO_15_584, InvoiceCommandSchema, termEndWith,
  type ContractTermsInput,
} from './contract';

const fresno = () => ContractTermsSchema.parse(FRESNO_15_584);

/** A second, smaller contract in the shape a county clerk would type in. */
const tulare: ContractTermsInput = {
  county: 'tulare',
  number: 'AGR-2026-117',
  vendor: 'Peña & Nguyễn Election Printing, LLC',
  effectiveDate: '2026-01-13',
  termEnd: '2028-06-30',
  fiscalPeriods: [
    { label: 'FY 2025-26', start: '2026-01-13', end: '2026-06-30', cap: 180_000 },
    { label: 'FY 2026-27', start: '2026-07-01', end: '2027-06-30', cap: 240_000 },
    { label: 'FY 2027-28', start: '2027-07-01', end: '2028-06-30', cap: 410_000 },
  ],
  totalCap: 830_000,
  priceList: [
    { code: 'ballot-11in', description: 'Ballot 11" with stub', unit: 'ballot', unitPrice: 0.29 },
    { code: 'vbm-assembly', description: 'VBM assembly, inserting and mailing prep', unit: 'piece', unitPrice: 0.27 },
  ],
};

function issuesOf(input: unknown) {
  const r = ContractTermsSchema.safeParse(input);
  if (r.success) throw new Error('expected the contract to be rejected');
  return r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('FRESNO_15_584: agreement 15-584 as a ready-made contract', () => {
  test('parses, with the term 2015-11-18..2018-06-30 and two one-year renewals', () => {
    const t = fresno();
    expect(t.county).toBe('fresno');
    expect(t.number).toBe('15-584');
    expect(t.effectiveDate).toBe('2015-11-18');
    expect(t.termEnd).toBe('2018-06-30');
    expect(t.renewals).toEqual([
      { start: '2018-07-01', end: '2019-06-30', noticeBy: '2018-05-01' },
      { start: '2019-07-01', end: '2020-06-30', noticeBy: '2019-05-01' },
    ]);
  });

  test('Exhibit B maximums: $1,565,000 + $455,000 + $560,000 = $2,580,000', () => {
    const t = fresno();
    expect(t.fiscalPeriods.map((p) => [p.start, p.end, p.cap])).toEqual([
      ['2015-11-18', '2018-06-30', 1_565_000],
      ['2018-07-01', '2019-06-30', 455_000],
      ['2019-07-01', '2020-06-30', 560_000],
    ]);
    expect(t.totalCap).toBe(2_580_000);
  });

  test('§12: $10,000 per day late, capped at $100,000, with every exemption on and one day to notify', () => {
    expect(fresno().liquidatedDamages).toEqual({
      perDay: 10_000,
      cap: 100_000,
      exemptions: { countyPriority: true, forceMajeure: true, forceMajeureNoticeHours: 24, precedesContract: true, countyInputShift: true },
    });
  });

  test('payment within 45 days of invoice', () => {
    expect(fresno().paymentTermsDays).toBe(45);
  });

  test('Exhibit B price list: 15 items, envelopes $0.065 under 100,000 and $0.055 over', () => {
    const t = fresno();
    expect(t.priceList).toHaveLength(15);
    const price = Object.fromEntries(t.priceList.map((p) => [p.code, p.unitPrice]));
    expect(price['envelope-under-100k']).toBe(0.065);
    expect(price['envelope-over-100k']).toBe(0.055);
    expect(price['ballot-18in']).toBe(0.28);
    expect(price['vbm-assembly']).toBe(0.26);
    expect(price['usps-tracking-setup']).toBe(200);
    expect(price['usps-tracking']).toBe(0.025);
    expect(EXHIBIT_B_PRICE_LIST).toHaveLength(15);
  });
});

describe('ContractTermsSchema defaults', () => {
  test('a contract without damages terms gets §12 defaults: $10,000 a day, $100,000 cap', () => {
    const t = ContractTermsSchema.parse(tulare);
    expect(t.liquidatedDamages.perDay).toBe(10_000);
    expect(t.liquidatedDamages.cap).toBe(100_000);
    expect(t.liquidatedDamages.exemptions.forceMajeureNoticeHours).toBe(24);
    expect(t.renewals).toEqual([]);
    expect(t.paymentTermsDays).toBe(45);
    expect(t.vendor).toBe('Peña & Nguyễn Election Printing, LLC');
  });

  test('fiscal periods listed out of order are accepted when they do not overlap', () => {
    const reordered = { ...tulare, fiscalPeriods: [...tulare.fiscalPeriods].reverse() };
    expect(ContractTermsSchema.safeParse(reordered).success).toBe(true);
  });
});

describe('ContractTermsSchema rejects a contract that cannot be right, naming the field', () => {
  test('termEnd before effectiveDate', () => {
    expect(issuesOf({ ...FRESNO_15_584, termEnd: '2015-06-30' })).toEqual([
      { path: 'termEnd', message: 'must not be before effectiveDate' },
    ]);
  });

  test('termEnd on the effective date is allowed (a one-day contract)', () => {
    expect(ContractTermsSchema.safeParse({ ...tulare, termEnd: '2026-01-13' }).success).toBe(true);
  });

  test('fiscal periods that share a day overlap', () => {
    const periods = [
      { label: 'Initial term', start: '2015-11-18', end: '2018-06-30', cap: 1_565_000 },
      { label: 'Renewal 1', start: '2018-06-30', end: '2019-06-30', cap: 455_000 },
    ];
    expect(issuesOf({ ...FRESNO_15_584, fiscalPeriods: periods })).toEqual([
      { path: 'fiscalPeriods', message: 'periods 2015-11-18..2018-06-30 and 2018-06-30..2019-06-30 overlap' },
    ]);
  });

  test('a fiscal period inside another overlaps, whatever the order they are listed in', () => {
    const periods = [
      { label: 'FY 2026-27', start: '2026-07-01', end: '2027-06-30', cap: 240_000 },
      { label: 'Whole term', start: '2026-01-13', end: '2028-06-30', cap: 830_000 },
    ];
    expect(issuesOf({ ...tulare, fiscalPeriods: periods })).toEqual([
      { path: 'fiscalPeriods', message: 'periods 2026-01-13..2028-06-30 and 2026-07-01..2027-06-30 overlap' },
    ]);
  });

  test('a fiscal period that ends before it starts', () => {
    const periods = [{ label: 'FY 2026-27', start: '2027-06-30', end: '2026-07-01', cap: 240_000 }];
    expect(issuesOf({ ...tulare, fiscalPeriods: periods })).toEqual([
      { path: 'fiscalPeriods.0.end', message: 'start must not be after end' },
    ]);
  });

  test('a contract with no fiscal period', () => {
    expect(issuesOf({ ...tulare, fiscalPeriods: [] }).map((i) => i.path)).toEqual(['fiscalPeriods']);
  });

  test('a duplicate price code names the second occurrence', () => {
    const priceList = [
      ...EXHIBIT_B_PRICE_LIST.slice(0, 2),
      { code: 'ballot-11in', description: 'Ballot 11" (second quote)', unit: 'ballot' as const, unitPrice: 0.25 },
    ];
    expect(issuesOf({ ...FRESNO_15_584, priceList })).toEqual([
      { path: 'priceList.2.code', message: 'duplicate price code "ballot-11in"' },
    ]);
  });

  test('a price code that is not a lowercase slug', () => {
    const priceList = [{ code: 'Ballot 11in', description: 'Ballot 11"', unit: 'ballot' as const, unitPrice: 0.27 }];
    expect(issuesOf({ ...tulare, priceList })).toEqual([
      { path: 'priceList.0.code', message: 'must be a lowercase code such as "vbm-assembly"' },
    ]);
  });

  test('a negative price', () => {
    const priceList = [{ code: 'ballot-11in', description: 'Ballot 11"', unit: 'ballot' as const, unitPrice: -0.27 }];
    expect(issuesOf({ ...tulare, priceList }).map((i) => i.path)).toEqual(['priceList.0.unitPrice']);
  });

  test('a date that does not exist (2018-02-29)', () => {
    expect(issuesOf({ ...FRESNO_15_584, termEnd: '2018-02-29' })).toEqual([
      { path: 'termEnd', message: 'is not a real calendar date' },
    ]);
  });

  test('a county that is not a lowercase slug', () => {
    expect(issuesOf({ ...FRESNO_15_584, county: 'San Luis Obispo' }).map((i) => i.path)).toEqual(['county']);
    expect(ContractTermsSchema.safeParse({ ...FRESNO_15_584, county: 'san-luis-obispo' }).success).toBe(true);
  });
});

describe('termEndWith: the last day of service, counting exercised renewals (§2)', () => {
  test('no renewal exercised: 2018-06-30', () => {
    expect(termEndWith(fresno(), [])).toBe('2018-06-30');
  });

  test('the first renewal exercised: 2019-06-30', () => {
    expect(termEndWith(fresno(), ['2018-07-01'])).toBe('2019-06-30');
  });

  test('both renewals exercised, in either order: 2020-06-30', () => {
    expect(termEndWith(fresno(), ['2018-07-01', '2019-07-01'])).toBe('2020-06-30');
    expect(termEndWith(fresno(), ['2019-07-01', '2018-07-01'])).toBe('2020-06-30');
  });

  test('a start date that is no renewal of the contract changes nothing', () => {
    expect(termEndWith(fresno(), ['2018-07-02'])).toBe('2018-06-30');
  });

  test('a contract without renewals ends on its termEnd', () => {
    expect(termEndWith(ContractTermsSchema.parse(tulare), ['2028-07-01'])).toBe('2028-06-30');
  });
});

describe('fiscalPeriodOf: which cap an invoice date counts against', () => {
  test('the last day of the initial term and the first day of renewal 1', () => {
    expect(fiscalPeriodOf(fresno(), '2018-06-30')?.label).toBe('Initial term');
    expect(fiscalPeriodOf(fresno(), '2018-07-01')?.label).toBe('Renewal 1');
    expect(fiscalPeriodOf(fresno(), '2015-11-18')?.label).toBe('Initial term');
    expect(fiscalPeriodOf(fresno(), '2020-06-30')?.label).toBe('Renewal 2');
  });

  test('a date before the contract or after its last period is in no period', () => {
    expect(fiscalPeriodOf(fresno(), '2015-11-17')).toBeUndefined();
    expect(fiscalPeriodOf(fresno(), '2020-07-01')).toBeUndefined();
  });
});

describe('InvoiceCommandSchema', () => {
  test('an invoice with items parses', () => {
    const r = InvoiceCommandSchema.safeParse({
      invoiceId: 'IVS-2018-0611', invoiceDate: '2018-06-11', electionId: 'election:fresno:2018-06-05',
      items: [{ code: 'ballot-14in', quantity: 412_350 }], by: 'Integrated Voting Solutions',
    });
    expect(r.success).toBe(true);
  });

  test('an invoice with no items, or a negative quantity, is rejected', () => {
    const base = { invoiceId: 'IVS-2018-0611', invoiceDate: '2018-06-11', by: 'Integrated Voting Solutions' };
    expect(InvoiceCommandSchema.safeParse({ ...base, items: [] }).success).toBe(false);
    const neg = InvoiceCommandSchema.safeParse({ ...base, items: [{ code: 'ballot-14in', quantity: -5 }] });
    expect(neg.success).toBe(false);
    expect(neg.error?.issues[0]?.path).toEqual(['items', 0, 'quantity']);
  });
});

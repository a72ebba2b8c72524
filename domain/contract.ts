/**
 * A vendor contract: term, renewals, fiscal-period caps, price list, liquidated damages and exemptions.
 * Defaults follow the Fresno County agreement No. 15-584 (§2 term, §4 compensation, §12 damages, Exhibit B).
 */
import { z } from 'zod';
import { ContractIdSchema, ContractNumberSchema, CountySchema } from './ids';
import { IsoDateSchema } from './time';

const Money = z.number().nonnegative().finite();

export const FiscalPeriodSchema = z
  .object({
    label: z.string().min(1).max(80).optional(),
    start: IsoDateSchema,
    end: IsoDateSchema,
    cap: Money.describe('maximum compensation for services in the period, dollars'),
  })
  .refine((p) => p.start <= p.end, { message: 'start must not be after end', path: ['end'] });

export const RenewalSchema = z
  .object({
    start: IsoDateSchema,
    end: IsoDateSchema,
    noticeBy: IsoDateSchema.describe('the county must give written notice of renewal by this date'),
  })
  .refine((r) => r.start <= r.end, { message: 'start must not be after end', path: ['end'] });

export const PriceItemSchema = z.object({
  code: z.string().regex(/^[a-z0-9-]{1,60}$/, 'must be a lowercase code such as "vbm-assembly"'),
  description: z.string().min(1).max(200),
  unit: z.enum(['piece', 'ballot', 'envelope', 'box', 'election', 'order', 'envelope-type']),
  unitPrice: Money,
});

export const ExemptionsSchema = z.object({
  /** §12(a): a preference or priority of allocation issued by the county, once waived by the contract manager. */
  countyPriority: z.boolean().default(true),
  /** §12(b): unforeseen causes beyond the vendor's control, if the vendor notified within one day. */
  forceMajeure: z.boolean().default(true),
  forceMajeureNoticeHours: z.number().int().positive().max(24 * 30).default(24),
  /** §12(c): county deadlines which precede the execution of the contract. */
  precedesContract: z.boolean().default(true),
  /** A vendor deadline that waits for a county input moves by the county's days late. */
  countyInputShift: z.boolean().default(true),
});

export const LiquidatedDamagesSchema = z.object({
  perDay: Money.default(10_000),
  cap: Money.default(100_000).describe('for the whole agreement, across all elections'),
  exemptions: ExemptionsSchema.default(ExemptionsSchema.parse({})),
});

export const ContractTermsSchema = z
  .object({
    county: CountySchema,
    number: ContractNumberSchema,
    vendor: z.string().min(1).max(200),
    title: z.string().max(300).optional(),
    effectiveDate: IsoDateSchema,
    termEnd: IsoDateSchema,
    renewals: z.array(RenewalSchema).max(10).default([]),
    fiscalPeriods: z.array(FiscalPeriodSchema).min(1).max(20),
    totalCap: Money,
    priceList: z.array(PriceItemSchema).max(200).default([]),
    liquidatedDamages: LiquidatedDamagesSchema.default(LiquidatedDamagesSchema.parse({})),
    paymentTermsDays: z.number().int().positive().max(365).default(45),
  })
  .superRefine((c, ctx) => {
    if (c.effectiveDate > c.termEnd) ctx.addIssue({ code: 'custom', path: ['termEnd'], message: 'must not be before effectiveDate' });
    const codes = new Set<string>();
    c.priceList.forEach((p, i) => {
      if (codes.has(p.code)) ctx.addIssue({ code: 'custom', path: ['priceList', i, 'code'], message: `duplicate price code "${p.code}"` });
      codes.add(p.code);
    });
    const periods = [...c.fiscalPeriods].sort((a, b) => a.start.localeCompare(b.start));
    for (let i = 1; i < periods.length; i++) {
      if (periods[i]!.start <= periods[i - 1]!.end) {
        ctx.addIssue({ code: 'custom', path: ['fiscalPeriods'], message: `periods ${periods[i - 1]!.start}..${periods[i - 1]!.end} and ${periods[i]!.start}..${periods[i]!.end} overlap` });
      }
    }
  });
export type ContractTerms = z.infer<typeof ContractTermsSchema>;
export type ContractTermsInput = z.input<typeof ContractTermsSchema>;

export type Contract = ContractTerms & { id: z.infer<typeof ContractIdSchema> };

/** The last day services may be performed, counting renewals the county has exercised. */
export function termEndWith(terms: ContractTerms, renewalsExercised: readonly string[]): string {
  let end = terms.termEnd;
  for (const r of [...terms.renewals].sort((a, b) => a.start.localeCompare(b.start))) {
    if (renewalsExercised.includes(r.start)) end = r.end > end ? r.end : end;
  }
  return end;
}

export function fiscalPeriodOf(terms: ContractTerms, date: string) {
  return terms.fiscalPeriods.find((p) => p.start <= date && date <= p.end);
}

/** Exhibit B of agreement 15-584, the price list every example and test uses. */
export const EXHIBIT_B_PRICE_LIST: z.input<typeof PriceItemSchema>[] = [
  { code: 'ballot-11in', description: 'VBM/poll/duplicate ballot 11" with stub (2 sided)', unit: 'ballot', unitPrice: 0.27 },
  { code: 'ballot-14in', description: 'VBM/poll/duplicate ballot 14" with stub (2 sided)', unit: 'ballot', unitPrice: 0.27 },
  { code: 'ballot-18in', description: 'VBM/poll/duplicate ballot 18" with stub (2 sided)', unit: 'ballot', unitPrice: 0.28 },
  { code: 'test-deck-ballot', description: 'Test deck ballot, prefilled, no stub', unit: 'ballot', unitPrice: 0.35 },
  { code: 'custom-box', description: 'Custom ballot box', unit: 'box', unitPrice: 1.0 },
  { code: 'database-setup', description: 'Database setup (ballots or mail ballot file)', unit: 'election', unitPrice: 350 },
  { code: 'supplemental-order-setup', description: 'Supplemental order setup', unit: 'order', unitPrice: 50 },
  { code: 'vbm-assembly', description: 'VBM assembly, inserting and mailing prep', unit: 'piece', unitPrice: 0.26 },
  { code: 'postage-estimate', description: 'Estimated postage', unit: 'piece', unitPrice: 0.1 },
  { code: 'envelope-under-100k', description: 'Envelopes incl. USPS approval, under 100,000', unit: 'envelope', unitPrice: 0.065 },
  { code: 'envelope-over-100k', description: 'Envelopes incl. USPS approval, over 100,000', unit: 'envelope', unitPrice: 0.055 },
  { code: 'envelope-setup', description: 'Envelope setup incl. USPS approval', unit: 'envelope-type', unitPrice: 125 },
  { code: 'sample-ballot-inserting', description: 'Sample ballot inserting into packets', unit: 'piece', unitPrice: 0.08 },
  { code: 'usps-tracking-setup', description: 'USPS mail ballot voter tracking setup', unit: 'election', unitPrice: 200 },
  { code: 'usps-tracking', description: 'USPS mail ballot voter tracking', unit: 'piece', unitPrice: 0.025 },
];

/** Agreement 15-584 itself (2015-11-18 .. 2018-06-30, two one-year renewals), as a ready-made contract. */
export const FRESNO_15_584: ContractTermsInput = {
  county: 'fresno',
  number: '15-584',
  vendor: 'Integrated Voting Solutions, Inc.',
  title: 'Ballot printing, vote by mail processing and vote by mail envelopes',
  effectiveDate: '2015-11-18',
  termEnd: '2018-06-30',
  renewals: [
    { start: '2018-07-01', end: '2019-06-30', noticeBy: '2018-05-01' },
    { start: '2019-07-01', end: '2020-06-30', noticeBy: '2019-05-01' },
  ],
  fiscalPeriods: [
    { label: 'Initial term', start: '2015-11-18', end: '2018-06-30', cap: 1_565_000 },
    { label: 'Renewal 1', start: '2018-07-01', end: '2019-06-30', cap: 455_000 },
    { label: 'Renewal 2', start: '2019-07-01', end: '2020-06-30', cap: 560_000 },
  ],
  totalCap: 2_580_000,
  priceList: EXHIBIT_B_PRICE_LIST,
  liquidatedDamages: { perDay: 10_000, cap: 100_000 },
};

export const InvoiceCommandSchema = z.object({
  invoiceId: z.string().regex(/^[A-Za-z0-9._-]{1,60}$/, 'letters, digits, dot, dash, underscore'),
  invoiceDate: IsoDateSchema,
  electionId: z.string().max(120).optional(),
  items: z.array(z.object({ code: z.string().min(1).max(60), quantity: z.number().nonnegative().finite() })).min(1).max(200),
  by: z.string().min(1).max(200),
});

export const RenewalCommandSchema = z.object({
  renewalStart: IsoDateSchema,
  noticeDate: IsoDateSchema.describe('the date of the County Clerk-Registrar of Voters\' written notice of renewal'),
  by: z.string().min(1).max(200),
});

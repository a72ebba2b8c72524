/**
 * Liquidated damages, Agreement §12: "For each calendar day after the delivery deadline ... the sum of $10,000
 * per day ... Liquidated damages shall under no circumstances exceed $100,000."
 *
 * Each election reports one SLA line per vendor deliverable to its contract; the contract folds every line of
 * every election into one ledger, so the cap holds across all of them. Pure and deterministic.
 */
import { z } from 'zod';
import type { ContractTerms } from './contract';
import { fiscalPeriodOf } from './contract';

export const DelayKindSchema = z.enum(['county-priority', 'force-majeure', 'other']);
export type DelayKind = z.infer<typeof DelayKindSchema>;

/** What one election says about one of its vendor deliverables. Later `seq` replaces earlier. */
export const SlaLineSchema = z.object({
  electionId: z.string(),
  electionDate: z.string(),
  deliverableKey: z.string(),
  name: z.string(),
  baseDueAt: z.string(),
  dueAt: z.string(),
  shift: z.object({ days: z.number().int(), reason: z.string() }).optional(),
  deliveredAt: z.string().optional(),
  /** Pacific dates of the late days accrued. Append-only: a later date change never removes one. */
  lateDates: z.array(z.string()),
  /** Late days a contract manager waived (§12(a)/(b)), with the reason. */
  waivedDates: z.array(z.string()),
  waiverReason: z.string().optional(),
  /** §12(c) and similar: no damages at all for this deliverable, with the reason. */
  excusedReason: z.string().optional(),
  seq: z.number().int().nonnegative(),
});
export type SlaLine = z.infer<typeof SlaLineSchema>;

export type EntryStatus = 'charged' | 'capped' | 'waived' | 'excused';

/** The same figures per line and in total. */
export interface DamageFigures {
  daysLate: number;
  /** Late days × rate before waivers, exemptions and the cap. */
  damagesAccrued: number;
  damagesCharged: number;
  damagesCapped: number;
  damagesWaived: number;
  damagesExcused: number;
}

export interface LedgerLine extends SlaLine, DamageFigures {
  why: string[];
}

export interface PeriodSpend {
  label: string;
  start: string;
  end: string;
  cap: number;
  spent: number;
  remaining: number;
  overCap: boolean;
}

export interface Invoice {
  invoiceId: string;
  invoiceDate: string;
  electionId?: string;
  items: { code: string; quantity: number; unitPrice: number; amount: number }[];
  amount: number;
}

export interface Ledger {
  ratePerDay: number;
  cap: number;
  lines: LedgerLine[];
  totals: DamageFigures & { capRemaining: number };
  spend: { periods: PeriodSpend[]; outsidePeriods: number; total: number; totalCap: number; totalRemaining: number; overCap: boolean };
  /** What the county pays: invoices less the damages it deducts (§12: "deduct ... from any amount owing"). */
  netPayable: number;
}

const cents = (x: number) => Math.round(x * 100) / 100;

export function lineKey(l: Pick<SlaLine, 'electionId' | 'deliverableKey'>): string {
  return `${l.electionId}/${l.deliverableKey}`;
}

/** Keep the newest snapshot of each line (by seq): applying the same report twice changes nothing. */
export function mergeLine(lines: Record<string, SlaLine>, line: SlaLine): boolean {
  const k = lineKey(line);
  const old = lines[k];
  if (old && old.seq >= line.seq) return false;
  lines[k] = line;
  return true;
}

export function computeLedger(terms: ContractTerms, lines: SlaLine[], invoices: Invoice[]): Ledger {
  const { perDay, cap } = terms.liquidatedDamages;
  // Every late day of every election in date order; the cap is consumed by the earliest days first.
  const entries = lines.flatMap((l) =>
    l.lateDates.map((date) => ({
      line: l,
      date,
      status: (l.excusedReason ? 'excused' : l.waivedDates.includes(date) ? 'waived' : 'charged') as EntryStatus,
    })),
  );
  entries.sort((a, b) => a.date.localeCompare(b.date) || lineKey(a.line).localeCompare(lineKey(b.line)));
  const perLine = new Map<string, { charged: number; capped: number; waived: number; excused: number }>();
  let running = 0;
  for (const e of entries) {
    const acc = perLine.get(lineKey(e.line)) ?? { charged: 0, capped: 0, waived: 0, excused: 0 };
    if (e.status === 'waived') acc.waived += perDay;
    else if (e.status === 'excused') acc.excused += perDay;
    else {
      const charge = Math.max(0, Math.min(perDay, cap - running));
      running += charge;
      acc.charged += charge;
      acc.capped += perDay - charge;
    }
    perLine.set(lineKey(e.line), acc);
  }
  const ledgerLines: LedgerLine[] = [...lines]
    .sort((a, b) => a.electionDate.localeCompare(b.electionDate) || a.baseDueAt.localeCompare(b.baseDueAt) || a.deliverableKey.localeCompare(b.deliverableKey))
    .map((l) => {
      const acc = perLine.get(lineKey(l)) ?? { charged: 0, capped: 0, waived: 0, excused: 0 };
      const why: string[] = [];
      if (l.shift && l.shift.days !== 0) why.push(l.shift.reason);
      if (l.excusedReason) why.push(`excused: ${l.excusedReason}`);
      if (acc.waived > 0) why.push(`waived ${acc.waived / perDay} day(s): ${l.waiverReason ?? 'contract manager waiver'}`);
      if (acc.capped > 0) why.push(`capped: the agreement's $${cap.toLocaleString('en-US')} limit on liquidated damages was reached`);
      return {
        ...l,
        daysLate: l.lateDates.length,
        damagesAccrued: l.lateDates.length * perDay,
        damagesCharged: acc.charged,
        damagesCapped: acc.capped,
        damagesWaived: acc.waived,
        damagesExcused: acc.excused,
        why,
      };
    });
  const sum = (f: (l: LedgerLine) => number) => ledgerLines.reduce((s, l) => s + f(l), 0);
  const spend = spendByPeriod(terms, invoices);
  const charged = sum((l) => l.damagesCharged);
  return {
    ratePerDay: perDay,
    cap,
    lines: ledgerLines,
    totals: {
      daysLate: sum((l) => l.daysLate),
      damagesAccrued: sum((l) => l.damagesAccrued),
      damagesCharged: charged,
      damagesCapped: sum((l) => l.damagesCapped),
      damagesWaived: sum((l) => l.damagesWaived),
      damagesExcused: sum((l) => l.damagesExcused),
      capRemaining: cap - charged,
    },
    spend,
    netPayable: cents(spend.total - charged),
  };
}

export function spendByPeriod(terms: ContractTerms, invoices: Invoice[]): Ledger['spend'] {
  const periods: PeriodSpend[] = terms.fiscalPeriods.map((p) => ({
    label: p.label ?? `${p.start}..${p.end}`, start: p.start, end: p.end, cap: p.cap, spent: 0, remaining: p.cap, overCap: false,
  }));
  let outside = 0;
  for (const inv of invoices) {
    const p = fiscalPeriodOf(terms, inv.invoiceDate);
    const target = p ? periods.find((x) => x.start === p.start) : undefined;
    if (target) target.spent = cents(target.spent + inv.amount);
    else outside = cents(outside + inv.amount);
  }
  for (const p of periods) {
    p.remaining = cents(p.cap - p.spent);
    p.overCap = p.spent > p.cap;
  }
  const total = cents(invoices.reduce((s, i) => s + i.amount, 0));
  return { periods, outsidePeriods: outside, total, totalCap: terms.totalCap, totalRemaining: cents(terms.totalCap - total), overCap: total > terms.totalCap };
}

/** Prices invoice lines against the contract's price list; unknown codes are an error naming the line. */
export function priceInvoice(
  terms: ContractTerms,
  items: { code: string; quantity: number }[],
): { ok: true; items: Invoice['items']; amount: number } | { ok: false; error: string } {
  const priced: Invoice['items'] = [];
  for (const [i, it] of items.entries()) {
    const p = terms.priceList.find((x) => x.code === it.code);
    if (!p) return { ok: false, error: `items[${i}].code: "${it.code}" is not on the contract's price list` };
    priced.push({ code: it.code, quantity: it.quantity, unitPrice: p.unitPrice, amount: cents(it.quantity * p.unitPrice) });
  }
  return { ok: true, items: priced, amount: cents(priced.reduce((s, x) => s + x.amount, 0)) };
}

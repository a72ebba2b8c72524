/**
 * ContractWorkflow: one vendor contract for its whole term. It folds the SLA lines of every election under the
 * contract into one liquidated-damages ledger, so the §12 cap ($100,000 "under no circumstances") holds across
 * all of them, and keeps invoices against the fiscal-period caps of §4 / Exhibit B.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  InvoiceCommandSchema, RenewalCommandSchema, termEndWith, type Contract,
} from '../../domain/contract';
import { computeLedger, mergeLine, priceInvoice, spendByPeriod, type Invoice, type SlaLine } from '../../domain/damages';
import { endOfPacificDay, toPacificIso } from '../../domain/time';
import { activities, parseArg, reject } from '../common';
import * as m from './messages';

export interface ContractState {
  renewalsExercised: string[];
  lines: Record<string, SlaLine>;
  invoices: Invoice[];
  elections: Record<string, { electionDate: string; type: string; status: string }>;
  continuedAsNew: number;
}

export interface ContractWorkflowArgs {
  contract: Contract;
  state?: ContractState;
  /** Continue as new past this many history events (the server also suggests it). */
  maxHistoryEvents?: number;
}

export function contractSnapshot(contract: Contract, s: ContractState, nowMs: number): m.ContractSnapshot {
  return {
    id: contract.id,
    terms: contract,
    renewalsExercised: s.renewalsExercised,
    termEnd: termEndWith(contract, s.renewalsExercised),
    elections: Object.entries(s.elections).map(([electionId, e]) => ({ electionId, ...e })),
    invoices: s.invoices,
    ledger: computeLedger(contract, Object.values(s.lines), s.invoices),
    continuedAsNew: s.continuedAsNew,
    asOf: toPacificIso(nowMs),
  };
}

function invoiceFor(contract: Contract, s: ContractState, arg: unknown) {
  const cmd = parseArg(InvoiceCommandSchema, arg);
  const priced = priceInvoice(contract, cmd.items);
  if (!priced.ok) reject({ type: 'invalid', field: 'items', message: priced.error });
  const invoice: Invoice = { invoiceId: cmd.invoiceId, invoiceDate: cmd.invoiceDate, items: priced.items, amount: priced.amount, ...(cmd.electionId ? { electionId: cmd.electionId } : {}) };
  const existing = s.invoices.find((i) => i.invoiceId === cmd.invoiceId);
  if (existing && JSON.stringify(existing) !== JSON.stringify(invoice)) reject({ type: 'conflict', message: `invoice "${cmd.invoiceId}" was already recorded with other lines` });
  return { invoice, existing };
}

export async function contractWorkflow(args: ContractWorkflowArgs): Promise<m.ContractSnapshot> {
  const { contract } = args;
  const state: ContractState = args.state ?? { renewalsExercised: [], lines: {}, invoices: [], elections: {}, continuedAsNew: 0 };
  let dirty = true;
  let changed = !args.state;

  setHandler(m.electionAttached, (e) => {
    if (!state.elections[e.electionId]) { state.elections[e.electionId] = { electionDate: e.electionDate, type: e.type, status: 'active' }; changed = true; }
    dirty = true;
  });
  setHandler(m.electionClosed, (e) => {
    const el = state.elections[e.electionId];
    if (el && el.status !== e.status) { el.status = e.status; changed = true; }
    dirty = true;
  });
  setHandler(m.slaLinesReported, ({ lines }) => {
    for (const l of lines) {
      if (mergeLine(state.lines, l)) changed = true;
      const el = state.elections[l.electionId];
      if (el) el.electionDate = l.electionDate;
    }
    dirty = true;
  });
  setHandler(m.recordInvoice, (arg) => {
    const { invoice, existing } = invoiceFor(contract, state, arg);
    if (!existing) { state.invoices.push(invoice); changed = true; dirty = true; }
    const spend = spendByPeriod(contract, state.invoices);
    const period = spend.periods.find((p) => p.start <= invoice.invoiceDate && invoice.invoiceDate <= p.end);
    return { invoice, alreadyRecorded: !!existing, overCap: (period?.overCap ?? true) || spend.overCap };
  }, { validator: (arg) => { invoiceFor(contract, state, arg); } });

  const renewal = (arg: unknown) => {
    const cmd = parseArg(RenewalCommandSchema, arg);
    const sorted = [...contract.renewals].sort((a, b) => a.start.localeCompare(b.start));
    const idx = sorted.findIndex((r) => r.start === cmd.renewalStart);
    if (idx < 0) reject({ type: 'not-found', field: 'renewalStart', message: `the contract has no renewal period starting ${cmd.renewalStart}` });
    const r = sorted[idx]!;
    if (cmd.noticeDate > r.noticeBy) reject({ type: 'deadline-passed', message: `notice of renewal was due by ${r.noticeBy} (Agreement §2); ${cmd.noticeDate} is too late` });
    const missing = sorted.slice(0, idx).find((p) => !state.renewalsExercised.includes(p.start));
    if (missing) reject({ type: 'conflict', message: `the renewal starting ${missing.start} must be exercised first` });
    return cmd;
  };
  setHandler(m.exerciseRenewal, (arg) => {
    const cmd = renewal(arg);
    if (!state.renewalsExercised.includes(cmd.renewalStart)) { state.renewalsExercised.push(cmd.renewalStart); changed = true; dirty = true; }
    return { termEnd: termEndWith(contract, state.renewalsExercised) };
  }, { validator: (arg) => { renewal(arg); } });
  setHandler(m.getContract, () => contractSnapshot(contract, state, Date.now()));

  for (;;) {
    dirty = false;
    if (changed) {
      changed = false;
      await activities.saveContractLedger(contractSnapshot(contract, state, Date.now()));
    }
    // Lives for the term (with the renewals exercised) and until every election under it has closed.
    const endMs = endOfPacificDay(termEndWith(contract, state.renewalsExercised));
    const open = Object.values(state.elections).some((e) => e.status === 'active');
    if (Date.now() > endMs && !open) break;
    if (Date.now() < endMs) await condition(() => dirty, endMs - Date.now() + 1);
    else await condition(() => dirty);
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (args.maxHistoryEvents ?? 8000)) {
      await condition(allHandlersFinished);
      if (changed) await activities.saveContractLedger(contractSnapshot(contract, state, Date.now()));
      await continueAsNew<typeof contractWorkflow>({ ...args, state: { ...state, continuedAsNew: state.continuedAsNew + 1 } });
    }
  }
  await condition(allHandlersFinished);
  const final = contractSnapshot(contract, state, Date.now());
  await activities.saveContractLedger(final);
  return final;
}

/** Messages of ContractWorkflow: SLA lines arrive as signals (facts), invoices and renewals as updates. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ContractTerms } from '../../domain/contract';
import type { Invoice, Ledger, SlaLine } from '../../domain/damages';

/** An election reports the current state of its vendor deliverables; newest seq per line wins. */
export const slaLinesReported = defineSignal<[{ electionId: string; lines: SlaLine[] }]>('slaLinesReported');
export const electionAttached = defineSignal<[{ electionId: string; electionDate: string; type: string }]>('electionAttached');
export const electionClosed = defineSignal<[{ electionId: string; status: string }]>('electionClosed');

export interface InvoiceCommand { invoiceId: string; invoiceDate: string; electionId?: string; items: { code: string; quantity: number }[]; by: string }
export const recordInvoice = defineUpdate<{ invoice: Invoice; alreadyRecorded: boolean; overCap: boolean }, [InvoiceCommand]>('recordInvoice');
export const exerciseRenewal = defineUpdate<{ termEnd: string }, [{ renewalStart: string; noticeDate: string; by: string }]>('exerciseRenewal');

export interface ContractSnapshot {
  id: string;
  terms: ContractTerms;
  renewalsExercised: string[];
  termEnd: string;
  elections: { electionId: string; electionDate: string; type: string; status: string }[];
  invoices: Invoice[];
  ledger: Ledger;
  continuedAsNew: number;
  asOf: string;
}
export const getContract = defineQuery<ContractSnapshot>('getContract');

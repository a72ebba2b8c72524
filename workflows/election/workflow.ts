/**
 * ElectionWorkflow: one county election, from E-90 to state certification.
 *
 * It decides and waits; domain/election decides what the calendar, late days and reminders are. The loop:
 * bring the state up to now (reconcile), write what happened (events, reminders, SLA lines to the contract),
 * then sleep until the next instant anything can change or until a command arrives.
 */
import {
  allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, setHandler, workflowInfo,
} from '@temporalio/workflow';
import {
  calendarView, cancel, CancelSchema, changeDate, ChangeDateSchema, completeMilestone, CompleteMilestoneSchema,
  decideWaiver, DelayNoticeSchema, ElectionDayOrderSchema, fileDelayNotice, finish, initialState, nextWakeAt,
  orderElectionDayBallots, reconcile, sendExtract, SendExtractSchema, slaSummary, WaiverDecisionSchema,
  type ElectionInput, type ElectionState, type Result,
} from '../../domain/election';
import type { UpdateDefinition } from '@temporalio/common';
import type { z, ZodType } from 'zod';
import type { Owner } from '../../domain/calendar';
import { toPacificIso } from '../../domain/time';
import { activities, parseArg, unwrap } from '../common';
import { electionAttached, electionClosed, slaLinesReported } from '../contract/messages';
import * as m from './messages';

export interface ElectionWorkflowArgs {
  input: ElectionInput;
  /** Carried across continue-as-new. */
  state?: ElectionState;
  /** Continue as new past this many history events (the server also suggests it). */
  maxHistoryEvents?: number;
}

export interface ElectionReport extends m.ElectionSnapshot {
  finalStatus: 'finished' | 'cancelled';
}

export function snapshot(s: ElectionState, nowMs: number): m.ElectionSnapshot {
  return {
    id: s.input.id, county: s.input.county, type: s.input.type, electionDate: s.electionDate,
    originalElectionDate: s.input.electionDate, countywide: s.input.countywide, contractId: s.input.contract.id,
    status: s.status,
    ...(s.cancelled ? { cancelled: { at: toPacificIso(s.cancelled.atMs), reason: s.cancelled.reason, by: s.cancelled.by } } : {}),
    dateChanges: s.dateChanges.map((d) => ({ from: d.from, to: d.to, at: toPacificIso(d.atMs), reason: d.reason, by: d.by })),
    delayNotices: s.delayNotices.map((n) => ({
      noticeId: n.noticeId, deliverableKey: n.deliverableKey, kind: n.kind, delayStartedAt: toPacificIso(n.delayStartedAtMs),
      noticeAt: toPacificIso(n.noticeAtMs), timely: n.timely, description: n.description, filedBy: n.filedBy,
    })),
    calendar: calendarView(s, nowMs),
    sla: slaSummary(s, nowMs),
    asOf: toPacificIso(nowMs),
  };
}

export async function electionWorkflow(args: ElectionWorkflowArgs): Promise<ElectionReport> {
  const { input } = args;
  const state = args.state ?? initialState(input, Date.now());
  const contract = getExternalWorkflowHandle(input.contract.id);
  let dirty = true;

  // Each command: the validator runs the domain function without applying it and refuses with its error
  // (nothing recorded); the handler runs it again and applies it.
  const command = <A, R>(def: UpdateDefinition<R, [A]>, schema: ZodType<A>, run: (arg: A, nowMs: number, apply: boolean) => Result<R>) =>
    setHandler(def, (a) => { dirty = true; return unwrap(run(schema.parse(a), Date.now(), true)); },
      { validator: (a) => { unwrap(run(parseArg(schema, a), Date.now(), false)); } });
  const complete = (role: Owner) => (arg: z.infer<typeof CompleteMilestoneSchema>, nowMs: number, apply: boolean) => completeMilestone(state, arg, role, nowMs, apply);
  command(m.completeCountyMilestone, CompleteMilestoneSchema, complete('county'));
  command(m.completeDeliverable, CompleteMilestoneSchema, complete('vendor'));
  command(m.completeStateMilestone, CompleteMilestoneSchema, complete('state'));
  command(m.sendSubsequentExtract, SendExtractSchema, (a, now, apply) => sendExtract(state, a, now, apply));
  command(m.orderElectionDayBallots, ElectionDayOrderSchema, (a, now, apply) => orderElectionDayBallots(state, a, now, apply));
  command(m.fileDelayNotice, DelayNoticeSchema, (a, now, apply) => fileDelayNotice(state, a, now, apply));
  command(m.decideWaiver, WaiverDecisionSchema, (a, now, apply) => decideWaiver(state, a, now, apply));
  command(m.changeElectionDate, ChangeDateSchema, (a, now, apply) => changeDate(state, a, now, apply));
  command(m.cancelElection, CancelSchema, (a, now, apply) => cancel(state, a, now, apply));
  setHandler(m.getElection, () => snapshot(state, Date.now()));

  if (!args.state) await contract.signal(electionAttached, { electionId: input.id, electionDate: input.electionDate, type: input.type });

  const flush = async () => {
    if (state.outbox.length > 0) {
      const batch = state.outbox.slice();
      await activities.recordElectionEvents(input.id, batch);
      state.outbox.splice(0, batch.length);
    }
  };

  for (;;) {
    dirty = false;
    const now = Date.now();
    const r = reconcile(state, now);
    await flush();
    if (r.reminders.length > 0) await activities.sendDeadlineReminders(r.reminders);
    if (r.lines.length > 0) await contract.signal(slaLinesReported, { electionId: input.id, lines: r.lines });
    if (r.finished) break;
    const wake = nextWakeAt(state, now);
    if (Number.isFinite(wake)) await condition(() => dirty, wake - now);
    else await condition(() => dirty);
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (args.maxHistoryEvents ?? 8000)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof electionWorkflow>({ ...args, state });
    }
  }

  await condition(allHandlersFinished);
  const finalStatus = finish(state, Date.now());
  const report: ElectionReport = { ...snapshot(state, Date.now()), finalStatus };
  await flush();
  await activities.saveElectionReport(report);
  await contract.signal(electionClosed, { electionId: input.id, status: finalStatus });
  return report;
}

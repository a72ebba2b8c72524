/**
 * BallotWorkflow: one vote-by-mail ballot from issuance to counted or not counted (issue 3).
 * domain/ballot decides; this loop applies facts as they arrive, raises alerts when silence lasts, writes
 * each transition as a ballot event, and ends once the ballot is final.
 *
 * History stays small: facts come in batches (one signal per file batch), and the workflow wakes only for a
 * fact or an alert. A full lifecycle is a few dozen events, far below Temporal's 10,240 warning.
 */
import { allHandlersFinished, CancellationScope, condition, continueAsNew, isCancellation, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
// The rules and the fact check come from the modules the ballot worker shares between workflows (preloaded, see
// workers/worker.ts), not from domain/ballot, whose schemas every ballot would otherwise build again.
import type { BallotSettings } from '../../domain/ballot';
import { parseBallotFact, type BallotFact } from '../../domain/ballot-facts';
import {
  applyFact, expectedWindow, initialBallot, isFinal, nextAlertAt, pendingAlerts, reconcileBallot, type BallotCalendar, type BallotState,
} from '../../domain/ballot-rules';
import { localActivities } from '../common';
import * as m from './messages';

export interface BallotWorkflowArgs {
  ballotId: string;
  electionId: string;
  calendar: BallotCalendar;
  settings: BallotSettings;
  state?: BallotState;
  /** Facts that arrived before a continue-as-new and were not applied yet. */
  pending?: BallotFact[];
}

export async function ballotWorkflow(args: BallotWorkflowArgs): Promise<m.BallotSnapshot> {
  const state = args.state ?? initialBallot(args.ballotId, args.calendar, args.settings);
  const inbox: BallotFact[] = [...(args.pending ?? [])];
  setHandler(m.factsReported, ({ facts }) => {
    // A malformed fact is a broken invariant of ingestion (it validates rows): drop it, loudly, not the batch.
    for (const f of facts) {
      const parsed = parseBallotFact(f);
      if (parsed.success) inbox.push(parsed.data);
      else state.outbox.push({ type: 'fact-rejected', atMs: Date.now(), detail: { issue: parsed.error.issues[0]?.message ?? 'invalid' } });
    }
  });
  const snapshot = (): m.BallotSnapshot => {
    const { outbox: _o, seen: _s, ...rest } = state;
    const w = expectedWindow(state);
    return { ballotId: state.ballotId, status: state.status, reasonCodes: state.reasonCodes, ...(w ? { expectedWindow: w } : {}), pendingAlerts: pendingAlerts(state), state: rest };
  };
  setHandler(m.getBallot, snapshot);

  // One timer for the next alert, kept while facts come and go without moving it (most facts do not): a fact
  // then costs its signal and a marker, not a cancelled and a new timer as well.
  let timer: { at: number; scope: CancellationScope } | undefined;
  let timerFired = false;
  const armTimer = (at: number | undefined, now: number) => {
    if (timer?.at === at) return;
    timer?.scope.cancel();
    timer = undefined;
    if (at === undefined) return;
    const scope = new CancellationScope();
    timer = { at, scope };
    scope.run(() => sleep(Math.max(at - now, 1))).then(
      () => { if (timer?.scope === scope) { timerFired = true; timer = undefined; } },
      (e) => { if (!isCancellation(e)) throw e; },
    );
  };

  for (;;) {
    for (const f of inbox.splice(0)) applyFact(state, f);
    const now = Date.now();
    reconcileBallot(state, now);
    if (state.outbox.length > 0) {
      // Numbered from the state, so a retry or a replay gives each event the same id.
      const batch = state.outbox.slice().map((e, i) => ({ ...e, eventId: `${state.ballotId}#${state.eventCount + i + 1}` }));
      await localActivities.recordBallotEvents(args.electionId, state.ballotId, batch, args.calendar.electionDate);
      state.outbox.splice(0, batch.length);
      state.eventCount += batch.length;
    }
    if (isFinal(state) && inbox.length === 0) break;
    armTimer(nextAlertAt(state, now), now);
    timerFired = false;
    await condition(() => inbox.length > 0 || timerFired);
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof ballotWorkflow>({ ...args, state, pending: inbox.splice(0) });
    }
  }
  return snapshot();
}

/** Messages of BallotWorkflow. Ingestion sends facts in batches with signalWithStart, so the ballot exists whichever file arrives first. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BallotAlert, BallotFact, BallotState } from '../../domain/ballot';

export const factsReported = defineSignal<[{ facts: BallotFact[] }]>('factsReported');

export interface BallotSnapshot {
  ballotId: string;
  status: BallotState['status'];
  reasonCodes: string[];
  expectedWindow?: { from: string; to: string; source: string };
  pendingAlerts: BallotAlert[];
  state: Omit<BallotState, 'outbox' | 'seen'>;
}
export const getBallot = defineQuery<BallotSnapshot>('getBallot');

/**
 * Ballot workflows run on a task queue of their own, beside the main one, served by a worker with a bundle of only
 * BallotWorkflow (workers/worker.ts createBallotWorker says why).
 */
export const ballotTaskQueue = (taskQueue: string): string => `${taskQueue}-ballots`;

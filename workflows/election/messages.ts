/**
 * Messages of ElectionWorkflow. Updates are commands with validators (the API turns a refusal into 409/422);
 * queries are `get...`. Defined once here and shared by the workflow, the API, the CLI and tests.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { z } from 'zod';
import type {
  CancelSchema, ChangeDateSchema, CompleteMilestoneSchema, DelayNoticeSchema, ElectionDayOrderSchema, ElectionState,
  MilestoneView, SendExtractSchema, SlaSummary, WaiverDecisionSchema,
} from '../../domain/election';

export const completeCountyMilestone = defineUpdate<{ alreadyDone: boolean }, [z.infer<typeof CompleteMilestoneSchema>]>('completeCountyMilestone');
export const completeStateMilestone = defineUpdate<{ alreadyDone: boolean }, [z.infer<typeof CompleteMilestoneSchema>]>('completeStateMilestone');
export const completeDeliverable = defineUpdate<{ alreadyDone: boolean }, [z.infer<typeof CompleteMilestoneSchema>]>('completeDeliverable');
export const sendSubsequentExtract = defineUpdate<{ deliverableKey: string; alreadyRecorded: boolean }, [z.infer<typeof SendExtractSchema>]>('sendSubsequentExtract');
export const orderElectionDayBallots = defineUpdate<{ deliverableKey: string; alreadyRecorded: boolean }, [z.infer<typeof ElectionDayOrderSchema>]>('orderElectionDayBallots');
export const fileDelayNotice = defineUpdate<{ timely: boolean; alreadyFiled: boolean }, [z.infer<typeof DelayNoticeSchema>]>('fileDelayNotice');
export const decideWaiver = defineUpdate<{ waivedDays: number }, [z.infer<typeof WaiverDecisionSchema>]>('decideWaiver');
export const changeElectionDate = defineUpdate<{ from: string; to: string }, [z.infer<typeof ChangeDateSchema>]>('changeElectionDate');
export const cancelElection = defineUpdate<void, [z.infer<typeof CancelSchema>]>('cancelElection');

export interface ElectionSnapshot {
  id: string;
  county: string;
  type: string;
  electionDate: string;
  originalElectionDate: string;
  countywide: boolean;
  contractId: string;
  status: ElectionState['status'];
  cancelled?: { at: string; reason: string; by: string };
  dateChanges: { from: string; to: string; at: string; reason: string; by: string }[];
  delayNotices: { noticeId: string; deliverableKey: string; kind: string; delayStartedAt: string; noticeAt: string; timely: boolean; description: string; filedBy: string }[];
  calendar: MilestoneView[];
  sla: SlaSummary;
  asOf: string;
}
export const getElection = defineQuery<ElectionSnapshot>('getElection');

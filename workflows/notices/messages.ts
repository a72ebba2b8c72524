/** Messages of the notification workflows. */
import { defineSignal } from '@temporalio/workflow';
import type { PlannedNotice } from '../../domain/notify/queue';

/** New notices for a ballot, planned from its events (or a new subscriber's current status). Repeats are ignored by key. */
export const noticesPlanned = defineSignal<[{ notices: PlannedNotice[] }]>('noticesPlanned');

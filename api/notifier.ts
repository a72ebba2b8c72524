/**
 * What the API asks of the notification workflows: send a confirmation code (double opt-in), and give a
 * newly confirmed subscriber their ballot's current status once (not the backlog). Both run as Temporal
 * workflows on the channel's rate-limited task queue, so a code obeys the same per-number limits as a notice.
 * The code itself never enters workflow history: the send activity draws it and stores only its hash.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Channel } from '../domain/notify/channels';

export interface Notifier {
  /** Draw, store (hashed) and send a fresh code to one channel of a subscription. requestId makes a retried request send once. */
  requestCode(o: { subscriptionId: string; channel: Channel; requestId: string }): Promise<void>;
  /** A channel was confirmed: send the voter's ballot status as it is now, once. */
  channelConfirmed(o: { subscriptionId: string; channel: Channel }): Promise<void>;
}

export function temporalNotifier(client: Client, taskQueue: string): Notifier {
  return {
    async requestCode({ subscriptionId, channel, requestId }) {
      await client.workflow.start('confirmationCodeWorkflow', {
        workflowId: `confirm:${subscriptionId}:${channel}:${requestId}`, taskQueue,
        workflowIdConflictPolicy: 'USE_EXISTING', args: [{ subscriptionId, channel, requestId }],
      });
    },
    async channelConfirmed({ subscriptionId, channel }) {
      try {
        // Once per subscription and channel, ever: a retried request after the first run finished sends nothing.
        await client.workflow.start('currentStatusWorkflow', {
          workflowId: `current-status:${subscriptionId}:${channel}`, taskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE', args: [{ subscriptionId, channel }],
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
    },
  };
}

/**
 * The notification workflows (issue 4).
 *
 * noticesWorkflow (`notices:<ballot id>`): a ballot's voter notices. The ballot's event writer plans them
 * (who is subscribed, on which channels the state's triggers allow) and signals them here with
 * signalWithStart. Each waits on a durable timer until the voter's contact window opens, stale ones collapse
 * into the newest, and each is sent by an activity on its channel's rate-limited task queue, one after the
 * other in event order. The workflow ends when nothing waits; the next notice starts a new run.
 *
 * confirmationCodeWorkflow and currentStatusWorkflow: one activity each, so a sign-up code obeys the same
 * per-number rate limits as notices, and a new subscriber hears the ballot's current status once.
 */
import { allHandlersFinished, condition, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { Channel } from '../../domain/notify/channels';
import { collapse, dueNow, nextWake, type PlannedNotice } from '../../domain/notify/queue';
import type { ElectionUpdate, NotifyActivities } from '../../activities/notify';
import * as m from './messages';

// A provider that is down (5xx, 429) is retried until it recovers: the notice is late, never lost or doubled.
// Final refusals (an invalid number, a bounced address) are recorded by the activity and not retried.
// A send that hears nothing for 20 s is retried: the provider calls time out sooner (15 s), so an attempt that
// died with its worker is found quickly, and the retry checks the ledger and the provider before sending.
const SEND_OPTIONS = { startToCloseTimeout: '20 seconds', retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' } } as const;
const senders = new Map<string, NotifyActivities>();
function senderOn(taskQueue: string): NotifyActivities {
  let s = senders.get(taskQueue);
  if (!s) senders.set(taskQueue, (s = proxyActivities<NotifyActivities>({ ...SEND_OPTIONS, taskQueue })));
  return s;
}
const local = proxyLocalActivities<NotifyActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
const main = proxyActivities<NotifyActivities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });

export interface NoticesWorkflowArgs { ballotId: string; pending?: PlannedNotice[] }

export async function noticesWorkflow(args: NoticesWorkflowArgs): Promise<{ sent: number; superseded: number }> {
  let pending: PlannedNotice[] = [];
  const known: Record<string, true> = {};
  let arrived = false;
  const accept = (notices: PlannedNotice[]) => {
    for (const n of notices) {
      if (known[n.key]) continue;
      known[n.key] = true;
      pending.push(n);
      arrived = true;
    }
  };
  accept(args.pending ?? []);
  setHandler(m.noticesPlanned, ({ notices }) => accept(notices));
  let sent = 0, superseded = 0;
  for (;;) {
    arrived = false;
    const c = collapse(pending);
    if (c.superseded.length) {
      await local.markSuperseded(c.superseded.map((n) => ({ key: n.key, subscriptionId: n.subscriptionId, channel: n.channel, kind: n.kind, ballotId: n.ballotId })));
      superseded += c.superseded.length;
    }
    pending = c.keep;
    // Order matters within one subscriber's channel, not across channels: an email never waits behind a text
    // held by its number's rate limit.
    const lanes = new Map<string, PlannedNotice[]>();
    for (const n of dueNow(pending, Date.now())) {
      const lane = `${n.subscriptionId}|${n.channel}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), n]);
    }
    await Promise.all([...lanes.values()].map(async (lane) => {
      for (const n of lane) {
        await senderOn(n.taskQueue).sendNotice(n);
        pending = pending.filter((p) => p.key !== n.key);
        sent++;
        if (arrived) break; // a newer notice may make the rest stale: collapse again first
      }
    }));
    if (arrived) continue;
    const wake = nextWake(pending, Date.now());
    if (wake === undefined) {
      // Nothing waits. Signals that raced the end are handled first; a later notice starts a new run.
      await condition(allHandlersFinished);
      if (!arrived) return { sent, superseded };
      continue;
    }
    await condition(() => arrived, Math.max(wake - Date.now(), 1));
  }
}

export async function confirmationCodeWorkflow(args: { subscriptionId: string; channel: Channel; requestId: string }): Promise<void> {
  const { taskQueue } = await local.routeChannel(args.subscriptionId, args.channel);
  await senderOn(taskQueue).sendConfirmationCode(args);
}

export async function currentStatusWorkflow(args: { subscriptionId: string; channel: Channel }): Promise<void> {
  await main.planCurrentStatus(args);
}

// Fanning an update out to a county's subscribers pages through them; a page heartbeats where it got to, so a
// worker that dies mid-way resumes there.
const fanOut = proxyActivities<NotifyActivities>({ startToCloseTimeout: '1 hour', heartbeatTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });

/**
 * electionUpdateWorkflow (`election-update:<election id>:<update id>`): news about an election, e.g. vote centers
 * open or a changed date, to every subscribed voter of the election, through each ballot's notices workflow. The
 * workflow id makes an update go out once, however often it is sent.
 */
export async function electionUpdateWorkflow(u: ElectionUpdate): Promise<{ subscribers: number; notices: number }> {
  return fanOut.fanOutElectionUpdate(u);
}

/**
 * The Ballotflow worker: election and contract workflows and their activities on one task queue.
 * Used by the worker process (workers/main.ts), the tests and `ballotflow simulate`.
 */
import path from 'node:path';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityStore } from '../activities';
import { smsIntervalMs, type NotifyActivities, type NotifySettings } from '../activities/notify';
import { ballotTaskQueue } from '../workflows/ballot/messages';

export function workflowsPath(): string {
  return require.resolve(path.join(__dirname, '..', 'workflows'));
}

/** Bundle once and reuse: bundling takes seconds, so tests and simulate share one bundle per process. */
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    // zod and luxon evaluated once per worker thread, not once per workflow: their module setup was a third of
    // a new ballot workflow's first task. workflows/preload.ts says what may be shared and why.
    preloadModules: [require.resolve(path.join(__dirname, '..', 'workflows', 'preload'))],
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => console.error(m) } });
  return bundle;
}

/**
 * Ballot workflows have a bundle of their own, holding only BallotWorkflow and what it imports. The SDK evaluates
 * a bundle's modules once per workflow and keeps them while the workflow is cached, so a ballot built from the full
 * bundle carried every election, contract and notice schema too: at thousands of cached ballots that was most of the
 * worker's heap and of its garbage collection.
 */
let ballotBundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function ballotWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  ballotBundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve(path.join(__dirname, '..', 'workflows', 'ballot', 'workflow')),
    preloadModules: [require.resolve(path.join(__dirname, '..', 'workflows', 'preload'))],
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => console.error(m) } });
  return ballotBundle;
}

/**
 * The worker of ballot workflows, on `<taskQueue>-ballots` (ingestion starts them there). It runs their one local
 * activity, recordBallotEvents, which plans voter notices, so it takes the notify activities when there are any.
 */
export async function createBallotWorker(o: { connection: NativeConnection; namespace: string; taskQueue: string; store: ActivityStore; logger: Logger; notify?: NotifyActivities; maxCachedWorkflows?: number }): Promise<Worker> {
  const { recordBallotEvents } = createActivities({ store: o.store, logger: o.logger, ...(o.notify ? { notices: o.notify } : {}) });
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: ballotTaskQueue(o.taskQueue),
    workflowBundle: await ballotWorkflowBundle(),
    activities: { recordBallotEvents },
    ...(o.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: o.maxCachedWorkflows } : {}),
  });
}

export async function createWorker(o: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  store: ActivityStore;
  logger: Logger;
  /** More activities on the same queue, e.g. file ingestion (it needs a Temporal client and the pool). */
  extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
  /** Voter notifications: planned from ballot events on this queue, sent on the channel queues (createNotifyWorkers). */
  notify?: NotifyActivities;
}): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...createActivities({ store: o.store, logger: o.logger, ...(o.notify ? { notices: o.notify } : {}) }), ...o.notify, ...o.extraActivities },
  });
}

export interface NotifyRates {
  /** Messages per second per SMS sending number (carrier limits: 1 for a long code). */
  smsPerNumberPerSecond: number;
  callsPerSecond: number;
  emailsPerSecond: number;
}

/**
 * The senders: activity-only workers on one task queue per channel, and per SMS sending number, each held to
 * its rate by the server (maxTaskQueueActivitiesPerSecond is enforced by Temporal across every worker polling
 * that queue, so adding worker processes never breaks a carrier limit).
 */
export async function createNotifyWorkers(o: { connection: NativeConnection; namespace: string; settings: NotifySettings; activities: NotifyActivities; rates: NotifyRates }): Promise<Worker[]> {
  const queues: [string, number][] = [
    [`${o.settings.taskQueue}-email`, o.rates.emailsPerSecond],
    [`${o.settings.taskQueue}-voice`, o.rates.callsPerSecond],
    // A little under the per-number pacing (db/pacing.ts: the interval counts from the previous text's acceptance,
    // so a number sends somewhat slower than 1/interval), so sends never pile up waiting for their number.
    ...o.settings.defaultSender.smsNumbers.map((_, i): [string, number] => [`${o.settings.taskQueue}-sms-${i}`, (0.9 * 1000) / smsIntervalMs({ smsPerNumberPerSecond: o.rates.smsPerNumberPerSecond })]),
  ];
  return Promise.all(queues.map(([taskQueue, rate]) => Worker.create({
    connection: o.connection, namespace: o.namespace, taskQueue,
    activities: { sendNotice: o.activities.sendNotice, sendConfirmationCode: o.activities.sendConfirmationCode },
    // The server's limit holds across workers but lets short bursts through (measured: 3 texts in one second
    // from one number, bench:notify); the worker's own limit smooths what this process starts, and each text
    // then waits for its number's slot in Postgres before it goes to Twilio.
    maxTaskQueueActivitiesPerSecond: rate,
    maxActivitiesPerSecond: rate,
  })));
}

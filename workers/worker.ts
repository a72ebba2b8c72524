/**
 * The Ballotflow worker: election and contract workflows and their activities on one task queue.
 * Used by the worker process (workers/main.ts), the tests and `ballotflow simulate`.
 */
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityStore } from '../activities';
import { smsIntervalMs, type NotifyActivities, type NotifySettings } from '../activities/notify';
import { ballotTaskQueue } from '../workflows/ballot/messages';
import { assertStackTraceSwitch, withoutStackTraces } from './stack-trace-hook';

export function workflowsPath(): string {
  return require.resolve(path.join(__dirname, '..', 'workflows'));
}

/** The bundler's log: errors only (bundling logs every module at info). */
export const quietBundlerLogger = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };

/**
 * Modules the worker evaluates once per workflow thread and shares between its workflows, instead of evaluating
 * them for every workflow (bundler preloadModules), in this order:
 * - zod and luxon (workflows/preload.ts): their module setup was a third of a new ballot workflow's first task;
 * - the date functions, the ballot rules and the ballot fact check: building the fact schema for each ballot was 6%
 *   of the ballot thread's time, and the dates remembered across ballots save the time-zone arithmetic that was
 *   another 9% (a CPU profile of bench:ingest, 1,000 voters, cache 200).
 * The SDK deep-freezes what a shared module exports, so these export only functions and constants;
 * workflows/preload.ts says what may be shared and why.
 */
export const SHARED_WORKFLOW_MODULES = ['workflows/preload', 'domain/dates', 'domain/ballot-rules', 'domain/ballot-facts'];

/**
 * The rest of the ballot bundle's module graph, shared too: the SDK's public module (@temporalio/workflow's index
 * and the modules only it loads), the activity proxies and BallotWorkflow itself. None keeps state of its own: the
 * SDK's functions find the running workflow through the context's globals, which the SDK swaps per workflow. Left
 * per workflow they were evaluated again for every ballot loaded, and kept while it was cached: bench:ballots
 * (2,000 ballots each told six facts) measured 66.7 KiB of heap a cached ballot with them shared, 81.4 KiB
 * without. The resident memory (274 against 279 KiB) and the CPU per fact, cached or replayed, did not change
 * beyond the run-to-run spread: most of both is the SDK's (docs/performance.md).
 */
export const BALLOT_SHARED_MODULES = ['@temporalio/workflow', 'workflows/common', 'workflows/ballot/messages', 'workflows/ballot/workflow'];

const resolveModule = (m: string): string => (m.startsWith('@') ? require.resolve(m) : require.resolve(path.join(__dirname, '..', m)));

/** A bundle of the workflows `entry` exports, sharing SHARED_WORKFLOW_MODULES and then `alsoShared` (bench:ballots compares). */
export function bundleOf(entry: string, alsoShared: string[] = []): Promise<WorkflowBundleWithSourceMap> {
  const preloadModules = [...SHARED_WORKFLOW_MODULES, ...alsoShared].map(resolveModule);
  return bundleWorkflowCode({ workflowsPath: entry, preloadModules, logger: quietBundlerLogger });
}

/** Bundle once and reuse: bundling takes seconds, so tests and simulate share one bundle per process. */
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleOf(workflowsPath());
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
  ballotBundle ??= bundleOf(require.resolve(path.join(__dirname, '..', 'workflows', 'ballot', 'workflow')), BALLOT_SHARED_MODULES);
  return ballotBundle;
}

/** The bundle as given, or marked to run without the stack-trace hook, once the switch that reads the mark is sure to be there. */
function bundleFor(bundle: WorkflowBundleWithSourceMap, stackTraces: boolean, what: string): WorkflowBundleWithSourceMap {
  if (stackTraces) return bundle;
  assertStackTraceSwitch(what);
  return withoutStackTraces(bundle);
}

/**
 * The worker of ballot workflows, on `<taskQueue>-ballots` (ingestion starts them there). It runs their one local
 * activity, recordBallotEvents, which plans voter notices, so it takes the notify activities when there are any.
 */
export async function createBallotWorker(o: {
  connection: NativeConnection; namespace: string; taskQueue: string; store: ActivityStore; logger: Logger; notify?: NotifyActivities;
  /** Ballots kept in memory between their tasks (default: defaultBallotCache). */
  maxCachedWorkflows?: number;
  /** Threads running ballot workflow code (default BALLOT_WORKFLOW_THREADS). */
  workflowThreads?: number;
  /**
   * The SDK's stack-trace hook for ballots (BALLOT_STACK_TRACES, off in the product; here on unless told, so that a
   * process without workers/stack-traces.js can run ballots). Off needs workers/stack-traces.js.
   */
  stackTraces?: boolean;
}): Promise<Worker> {
  const { recordBallotEvents } = createActivities({ store: o.store, logger: o.logger, ...(o.notify ? { notices: o.notify } : {}) });
  const threads = o.workflowThreads ?? BALLOT_WORKFLOW_THREADS;
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: ballotTaskQueue(o.taskQueue),
    workflowBundle: bundleFor(await ballotWorkflowBundle(), o.stackTraces ?? true, 'A ballot worker without workflow stack traces'),
    activities: { recordBallotEvents },
    maxCachedWorkflows: o.maxCachedWorkflows ?? defaultBallotCache(threads),
    // The SDK runs every workflow of a worker on one thread by default (it shares one V8 context per thread). A
    // file's ballots kept that thread 87-95% busy while the process had a core to spare: a second thread uses it.
    workflowThreadPoolSize: threads,
    // A file reaches thousands of ballots faster than one worker runs them, so their tasks queue. Left on the
    // worker's sticky queue they would time out after the default 10 s and go to the shared queue, which the
    // worker polled a fifth as often: measured, those waited a minute and ran at 1.4/s. Now a task waits on the
    // sticky queue up to a minute (a dead worker's tasks move on after that), and both queues are polled alike.
    stickyQueueScheduleToStartTimeout: '1 minute',
    nonStickyToStickyPollRatio: 1,
  });
}

/** Threads of ballot workflow code per worker process when not configured (BALLOT_WORKFLOW_THREADS; docs/performance.md). */
export const BALLOT_WORKFLOW_THREADS = 2;

/**
 * Resident memory one cached ballot takes, rounded up from a measurement: the worker's resident memory grew by
 * about 1,340 MiB while it cached 5,000 ballots through their whole lifecycle (bench:ingest, 2026-11-24), 275 KiB
 * each; bench:ballots, with BALLOT_SHARED_MODULES shared, 274 KiB. The SDK's default cache assumes
 * 1.7 MiB a workflow (600 per GiB of heap), which held 2,310 ballots here.
 */
export const CACHED_BALLOT_BYTES = 320 * 1024;

/**
 * JavaScript heap one cached ballot takes in its workflow thread, rounded up from bench:ballots: 66.7 KiB (2,000
 * ballots through their lifecycle, measured after a full collection; docs/performance.md). Most of a ballot's resident
 * memory is outside this heap, in the SDK's core, so a thread's heap limit is rarely the bound: the machine is.
 */
export const CACHED_BALLOT_HEAP_BYTES = 96 * 1024;

/**
 * Memory this process may use: its control group's limit (a container's) when it has one, else the machine's.
 * Node reports "no limit" as a number larger than the machine.
 */
export function availableMemory(): number {
  const total = os.totalmem();
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 && constrained < total ? constrained : total;
}

/**
 * Ballots a worker keeps cached unless told (BALLOT_WORKFLOW_CACHE), the lower of two bounds:
 * - memory: half of availableMemory() at CACHED_BALLOT_BYTES a ballot (the other half is for the process itself,
 *   and for the Temporal server and Postgres when they share the machine);
 * - heap: half of each workflow thread's heap limit at CACHED_BALLOT_HEAP_BYTES a ballot.
 * A ballot that is not cached is replayed from its whole history on its next fact, which cost the worker two to
 * four times a cached fact's CPU (docs/performance.md). 38,568 on a machine of 23.5 GiB with two threads of 4 GiB.
 */
export function defaultBallotCache(threads: number, memoryBytes = availableMemory()): number {
  const byMemory = (memoryBytes * 0.5) / CACHED_BALLOT_BYTES;
  const byHeap = (v8.getHeapStatistics().heap_size_limit * 0.5 * threads) / CACHED_BALLOT_HEAP_BYTES;
  return Math.max(100, Math.floor(Math.min(byMemory, byHeap)));
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
  /** The SDK's stack-trace hook for these workflows (WORKFLOW_STACK_TRACES; default on). Off needs workers/stack-traces.js. */
  stackTraces?: boolean;
}): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    workflowBundle: bundleFor(await workflowBundle(), o.stackTraces ?? true, 'A worker without workflow stack traces'),
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
 * Temporal's limit on each sending number's queue, as a multiple of the number's carrier rate: a ceiling, not the
 * pacer. Measured with bench:notify (2 subscribers/s, 10 numbers): a limit at the carrier rate itself held texts
 * back for seconds (p99 4.1 s at 0.9/s, 6.1 s at 1/s, 2.1 s at 2/s); at 5 times the rate the p99 was 0.81 s, the
 * same as with no limit at all. Postgres pacing (db/pacing.ts) spaces the texts exactly.
 */
export const SMS_QUEUE_CEILING = 5;

/**
 * The senders: activity-only workers on one task queue per channel, and per SMS sending number, each limited by
 * the server (maxTaskQueueActivitiesPerSecond is enforced by Temporal across every worker polling that queue, so
 * adding worker processes never breaks a limit).
 * - Email and voice: the server's limit is the channel's rate, and the worker's own limit smooths the short
 *   bursts the server's lets through.
 * - Texts: each waits for its number's slot in Postgres (at most one text per interval reaches Twilio from a
 *   number, across processes), and the server's limit on the number's queue is a ceiling of SMS_QUEUE_CEILING
 *   times that rate, so a fault in pacing could never flood a carrier.
 */
export async function createNotifyWorkers(o: { connection: NativeConnection; namespace: string; settings: NotifySettings; activities: NotifyActivities; rates: NotifyRates }): Promise<Worker[]> {
  const smsRate = 1000 / smsIntervalMs({ smsPerNumberPerSecond: o.rates.smsPerNumberPerSecond });
  const queues: [string, { maxTaskQueueActivitiesPerSecond: number; maxActivitiesPerSecond?: number }][] = [
    [`${o.settings.taskQueue}-email`, { maxTaskQueueActivitiesPerSecond: o.rates.emailsPerSecond, maxActivitiesPerSecond: o.rates.emailsPerSecond }],
    [`${o.settings.taskQueue}-voice`, { maxTaskQueueActivitiesPerSecond: o.rates.callsPerSecond, maxActivitiesPerSecond: o.rates.callsPerSecond }],
    ...o.settings.defaultSender.smsNumbers.map((_, i): [string, { maxTaskQueueActivitiesPerSecond: number }] => [`${o.settings.taskQueue}-sms-${i}`, { maxTaskQueueActivitiesPerSecond: SMS_QUEUE_CEILING * smsRate }]),
  ];
  return Promise.all(queues.map(([taskQueue, limits]) => Worker.create({
    connection: o.connection, namespace: o.namespace, taskQueue,
    activities: { sendNotice: o.activities.sendNotice, sendConfirmationCode: o.activities.sendConfirmationCode },
    ...limits,
  })));
}

/**
 * The Ballotflow worker: election and contract workflows and their activities on one task queue.
 * Used by the worker process (workers/main.ts), the tests and `ballotflow simulate`.
 */
import path from 'node:path';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityStore } from '../activities';

export function workflowsPath(): string {
  return require.resolve(path.join(__dirname, '..', 'workflows'));
}

/** Bundle once and reuse: bundling takes seconds, so tests and simulate share one bundle per process. */
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => console.error(m) } });
  return bundle;
}

export async function createWorker(o: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  store: ActivityStore;
  logger: Logger;
  /** More activities on the same queue, e.g. file ingestion (it needs a Temporal client and the pool). */
  extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
}): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...createActivities({ store: o.store, logger: o.logger }), ...o.extraActivities },
  });
}

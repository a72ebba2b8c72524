/** How routes reach workflows: the start options every start uses, and an update with an optional stable id. */
import type { UpdateDefinition } from '@temporalio/common';
import type { StartOptions } from '../runtime/temporal';
import type { Deps } from './route';

export function startOptionsOf(deps: Deps): StartOptions {
  return { taskQueue: deps.cfg.TASK_QUEUE, searchAttributes: deps.cfg.searchAttributes, ...(deps.cfg.maxHistoryEvents ? { maxHistoryEvents: deps.cfg.maxHistoryEvents } : {}) };
}

/** `updateId` comes from the request's Idempotency-Key: Temporal then applies a retried update once. */
export function sendUpdate<R, A>(deps: Deps, workflowId: string, def: UpdateDefinition<R, [A]>, arg: A, updateId?: string): Promise<R> {
  return deps.client.workflow.getHandle(workflowId).executeUpdate(def, { args: [arg], ...(updateId ? { updateId } : {}) });
}

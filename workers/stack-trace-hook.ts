/**
 * The SDK's stack-trace promise hook, and how WORKFLOW_STACK_TRACES=off stops it. No side effects: the module that
 * applies the setting is workers/stack-traces.ts, loaded with --require (it says why).
 */
import { GlobalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';

/** What the SDK's method is replaced with: nothing is recorded, and the query answers that traces are not enabled. */
function noPromiseHook(): void { /* stack traces off */ }

/** The SDK method this module replaces, checked by the tests. */
export const PATCHED_METHOD = 'setPromiseHook';

type Patchable = Record<string, unknown>;

/** Stop the promise hook of workflow contexts created in this thread from now on. False if the SDK has no such hook. */
export function disableWorkflowStackTraces(): boolean {
  const proto = GlobalHandlers.prototype as unknown as Patchable;
  if (typeof proto[PATCHED_METHOD] !== 'function') return false;
  proto[PATCHED_METHOD] = noPromiseHook;
  return true;
}

/** Whether this thread's workflow contexts run without the promise hook. */
export function workflowStackTracesDisabled(): boolean {
  return (GlobalHandlers.prototype as unknown as Patchable)[PATCHED_METHOD] === noPromiseHook;
}

/** The setting, as the worker reads it (runtime/config.ts describes it). */
export function stackTracesWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.WORKFLOW_STACK_TRACES ?? 'on') !== 'off';
}

/**
 * The SDK's stack-trace promise hook, and the switch that stops it for the workflows of one worker
 * (WORKFLOW_STACK_TRACES, BALLOT_STACK_TRACES). No side effects: the module that installs the switch is
 * workers/stack-traces.ts, loaded with --require (it says why).
 *
 * How it decides: a worker whose workflows run without the hook is given its bundle with STACK_TRACES_OFF_MARK, a
 * comment line after the code (`withoutStackTraces`). The SDK gives each worker threads of its own, and each thread
 * builds its workflow contexts from that one bundle, through `ReusableVMWorkflowCreator.create` (or
 * `VMWorkflowCreator.create` without reuseV8Context). The switch wraps those two: for a marked bundle, the thread's
 * hook is stopped before the SDK installs it. In debug mode every worker of the process shares the main thread, so
 * there the first marked bundle stops the hook for all of them.
 */
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { VMWorkflowCreator } from '@temporalio/worker/lib/workflow/vm';
import { GlobalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** What the SDK's method is replaced with: nothing is recorded, and the query answers that traces are not enabled. */
function noPromiseHook(): void { /* stack traces off */ }

/** The SDK method the switch replaces, checked by the tests. */
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

/** The line that marks a bundle whose workflows run without the hook. After the code, so no source position moves. */
export const STACK_TRACES_OFF_MARK = '//# ballotflow: workflow stack traces off';

/** The same bundle, marked: the worker given it runs its workflows without the stack-trace hook. */
export function withoutStackTraces(bundle: WorkflowBundleWithSourceMap): WorkflowBundleWithSourceMap {
  // The SDK reads the source map from the last sourceMappingURL comment, to the end of the code: the mark goes before it.
  const at = bundle.code.lastIndexOf('//# sourceMappingURL=');
  const code = at < 0
    ? `${bundle.code}\n${STACK_TRACES_OFF_MARK}\n`
    : `${bundle.code.slice(0, at)}${STACK_TRACES_OFF_MARK}\n${bundle.code.slice(at)}`;
  return { ...bundle, code };
}

/** Whether a bundle's code carries the mark. */
export function marksStackTracesOff(code: string): boolean {
  return code.includes(`\n${STACK_TRACES_OFF_MARK}\n`);
}

const SWITCH = Symbol.for('ballotflow.stackTraceSwitch');
type Creator = { create: ((bundle: { code: string }, ...rest: unknown[]) => Promise<unknown>) & { [SWITCH]?: true } };
const CREATORS = [ReusableVMWorkflowCreator, VMWorkflowCreator] as unknown as Creator[];

/**
 * Install the switch in this thread: a marked bundle's workflow contexts get no stack-trace hook. Idempotent. False
 * if this SDK has no hook to stop, or creates workflow contexts some other way (the tests check both).
 */
export function installStackTraceSwitch(): boolean {
  if (typeof (GlobalHandlers.prototype as unknown as Patchable)[PATCHED_METHOD] !== 'function') return false;
  for (const creator of CREATORS) {
    if (typeof creator.create !== 'function') return false;
    if (creator.create[SWITCH]) continue;
    const create = creator.create;
    const wrapped = function (this: unknown, bundle: { code: string }, ...rest: unknown[]) {
      if (marksStackTracesOff(bundle.code)) disableWorkflowStackTraces();
      return create.call(this, bundle, ...rest);
    };
    creator.create = Object.assign(wrapped, { [SWITCH]: true as const });
  }
  return true;
}

/** Whether the switch is installed in this thread (workers/stack-traces.ts, loaded with --require, installs it in every thread). */
export function stackTraceSwitchInstalled(): boolean {
  return CREATORS.every((c) => c.create[SWITCH] === true);
}

/** How to start a worker process whose workflows may run without stack traces. */
export const STACK_TRACE_SWITCH_HOW = 'node --require ./dist/workers/stack-traces.js dist/workers/main.js (workers/stack-traces.ts)';

/** Throws unless the switch is installed; a worker told to stop the hook without it would quietly keep it. */
export function assertStackTraceSwitch(what: string): void {
  if (!stackTraceSwitchInstalled()) {
    throw new Error(`${what} needs the switch that stops the stack-trace hook in each workflow thread, loaded before the SDK starts them: ${STACK_TRACE_SWITCH_HOW}`);
  }
}

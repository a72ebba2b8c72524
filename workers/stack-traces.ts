/**
 * WORKFLOW_STACK_TRACES=off: stop the Temporal SDK's promise hook in every workflow thread of this process.
 *
 * For every promise a workflow makes, the SDK's hook builds an Error with a stack trace and runs regular expressions
 * on it, so that the stack-trace query (the Web UI's "Stack Trace" tab, `temporal workflow stack`) can say where a
 * workflow waits. bench:ballots measured it at 30% of a cached ballot fact's CPU and 42% of a replayed one's
 * (docs/performance.md). The SDK has no option for it (temporalio/sdk-typescript#1587); it already runs without the
 * hook where Node lacks promise hooks, and then refuses the query: "Workflow stack traces are not enabled on this worker".
 *
 * The SDK runs workflow code in worker threads it starts itself, so this module must be loaded in each of them
 * before the SDK installs its hook: node loads `--require` modules in every thread. Hence:
 *
 *   node --require ./dist/workers/stack-traces.js dist/workers/main.js
 *
 * which `npm start` and docker-compose.yml do. Loaded without WORKFLOW_STACK_TRACES=off it changes nothing.
 * The functions are in workers/stack-trace-hook.ts. test/stack-traces.test.ts holds the SDK to the one method this
 * relies on, so an SDK upgrade that moves it fails the tests rather than quietly keeping the hook.
 */
import { disableWorkflowStackTraces, stackTracesWanted } from './stack-trace-hook';

if (!stackTracesWanted() && !disableWorkflowStackTraces()) {
  // Loud, not fatal: the workers still run, with the SDK's hook.
  console.error('WORKFLOW_STACK_TRACES=off: this version of @temporalio/worker has no GlobalHandlers.setPromiseHook; stack traces stay on');
}

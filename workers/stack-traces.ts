/**
 * The switch behind WORKFLOW_STACK_TRACES and BALLOT_STACK_TRACES, installed in every thread of the worker process.
 *
 * For every promise a workflow makes, the SDK's hook builds an Error with a stack trace and runs regular expressions
 * on it, so that the stack-trace query (the Web UI's "Stack Trace" tab, `temporal workflow stack`) can say where a
 * workflow waits. bench:ballots measured it at 30% of a cached ballot fact's CPU and 42% of a replayed one's
 * (docs/performance.md). The SDK has no option for it (temporalio/sdk-typescript#1587); it already runs without the
 * hook where Node lacks promise hooks, and then refuses the query: "Workflow stack traces are not enabled on this worker".
 *
 * The SDK runs workflow code in worker threads it starts itself, and installs the hook in each of them, so the switch
 * must be there first: node loads `--require` modules in every thread. Hence:
 *
 *   node --require ./dist/workers/stack-traces.js dist/workers/main.js
 *
 * which `npm start` and docker-compose.yml do. Loaded, it changes nothing by itself: it stops the hook only in the
 * threads of a worker whose bundle is marked (workers/stack-trace-hook.ts says how). The worker refuses a setting of
 * `off` when the switch is not loaded. test/stack-traces.test.ts holds the SDK to the methods this relies on, so an
 * SDK upgrade that moves them fails the tests rather than quietly keeping the hook.
 */
import { installStackTraceSwitch } from './stack-trace-hook';

if (!installStackTraceSwitch()) {
  // Loud, not fatal here: a worker told to stop the hook refuses to start (assertStackTraceSwitch).
  console.error('workers/stack-traces.js: this version of @temporalio/worker has no GlobalHandlers.setPromiseHook or workflow creators to wrap; stack traces stay on');
}

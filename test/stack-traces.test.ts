/**
 * WORKFLOW_STACK_TRACES=off (workers/stack-traces.ts): loaded with --require, it stops the SDK's promise hook in the
 * worker threads the SDK starts for workflow code, and nowhere else changes what a workflow does. Each case runs a
 * real worker process (compiled code, real threads) against the Temporal test server, and asks a waiting ballot for
 * its stack trace, the query the Web UI's Stack Trace tab makes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { GlobalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';
import { PATCHED_METHOD } from '../workers/stack-trace-hook';
import { timeSkippingEnv } from './helpers/temporal';

const dist = path.resolve(__dirname, '..', 'dist');
let env: TestWorkflowEnvironment;
let address: string;

beforeAll(async () => {
  env = await timeSkippingEnv();
  address = env.address;
}, 120_000);
afterAll(async () => { await env?.teardown(); });

/**
 * In a worker process of its own: one ballot worker with a workflow thread (not debug mode), one ballot told it was
 * issued, then the stack-trace query. Prints what the process saw.
 */
const PROBE = `
const { NativeConnection, Runtime, DefaultLogger } = require('@temporalio/worker');
const { Client } = require('@temporalio/client');
const pino = require('pino');
const { MemoryStore } = require('${dist}/activities/memory-store');
const { createBallotWorker } = require('${dist}/workers/worker');
const { ballotTaskQueue } = require('${dist}/workflows/ballot/messages');
const { ballotCalendar, BallotSettingsSchema } = require('${dist}/domain/ballot');
const { workflowStackTracesDisabled } = require('${dist}/workers/stack-trace-hook');
(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: process.env.ADDRESS });
  const client = new Client({ connection });
  const taskQueue = 'stack-' + process.pid;
  const worker = await createBallotWorker({ connection, namespace: 'default', taskQueue, store: new MemoryStore(), logger: pino({ level: 'silent' }), workflowThreads: 1, maxCachedWorkflows: 10 });
  const ballotId = 'ballot:e:V' + process.pid + ':1';
  const trace = await worker.runUntil(async () => {
    const h = await client.workflow.signalWithStart('ballotWorkflow', {
      workflowId: ballotId, taskQueue: ballotTaskQueue(taskQueue),
      args: [{ ballotId, electionId: 'e', calendar: ballotCalendar('2030-11-05'), settings: BallotSettingsSchema.parse({}) }],
      signal: 'factsReported', signalArgs: [{ facts: [{ type: 'issued', key: 'x', at: Date.now(), issueDate: '2030-10-07', ballotType: 'VBM' }] }],
    });
    for (let i = 0; i < 100 && (await h.query('getBallot')).status !== 'issued'; i++) await new Promise((r) => setTimeout(r, 100));
    const t = await h.query('__stack_trace').then((trace) => ({ trace }), (e) => ({ refused: e.name + ': ' + e.message }));
    await h.terminate('probe done');
    return t;
  });
  process.stdout.write('\\nPROBE ' + JSON.stringify({ mainThreadDisabled: workflowStackTracesDisabled(), ...trace }) + '\\n');
})().catch((e) => { console.error(e); process.exit(1); });
`;

function probe(extraEnv: Record<string, string>, requires: string[]): Promise<{ mainThreadDisabled: boolean; trace?: string; refused?: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...requires.flatMap((r) => ['--require', r]), '-e', PROBE], {
      cwd: path.resolve(__dirname, '..'), env: { ...process.env, ADDRESS: address, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    p.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    p.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('PROBE '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('PROBE '.length)));
      else reject(new Error(`probe exited ${code}: ${err}${out}`));
    });
  });
}

const preload = path.join(dist, 'workers', 'stack-traces.js');

test('the SDK still has the method the setting replaces, and calls it when it installs its hooks', () => {
  const proto = GlobalHandlers.prototype as unknown as Record<string, unknown>;
  expect(typeof proto[PATCHED_METHOD]).toBe('function');
  expect(String(proto.install)).toContain(`this.${PATCHED_METHOD}()`);
});

test('by default a waiting ballot answers the stack-trace query with where it waits', async () => {
  const r = await probe({}, [preload]);
  expect(r.mainThreadDisabled).toBe(false);
  expect(r.trace).toContain('ballotWorkflow');
}, 120_000);

test('WORKFLOW_STACK_TRACES=off stops the hook in the workflow threads: the ballot runs, and the query says traces are off', async () => {
  const r = await probe({ WORKFLOW_STACK_TRACES: 'off' }, [preload]);
  expect(r.mainThreadDisabled).toBe(true);
  expect(r).toMatchObject({ refused: 'QueryNotRegisteredError: Workflow stack traces are not enabled on this worker' });
  expect(r.trace).toBeUndefined();
}, 120_000);

test('the worker refuses WORKFLOW_STACK_TRACES=off without the --require that applies it, and says how to start it', async () => {
  const p = spawn(process.execPath, [path.join(dist, 'workers', 'main.js')], {
    env: { ...process.env, WORKFLOW_STACK_TRACES: 'off', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  p.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
  expect(code).toBe(1);
  expect(err).toContain('node --require ./dist/workers/stack-traces.js dist/workers/main.js');
}, 60_000);

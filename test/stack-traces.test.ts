/**
 * WORKFLOW_STACK_TRACES and BALLOT_STACK_TRACES (workers/stack-trace-hook.ts, workers/stack-traces.ts): loaded with
 * --require, the switch stops the SDK's promise hook in the worker threads of a worker whose bundle is marked, and
 * nowhere else changes what a workflow does. The probes run a real worker process (compiled code, real threads)
 * against the Temporal test server, and ask a waiting contract and a waiting ballot for their stack traces, the query
 * the Web UI's Stack Trace tab makes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { VMWorkflowCreator } from '@temporalio/worker/lib/workflow/vm';
import { GlobalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';
import { marksStackTracesOff, PATCHED_METHOD, STACK_TRACES_OFF_MARK, withoutStackTraces } from '../workers/stack-trace-hook';
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
 * In a worker process of its own, set up as workers/main.ts sets it up from the same two settings: the main worker
 * (elections, contracts, notices) and the ballot worker, each with one workflow thread (not debug mode). A contract
 * and a ballot are started, then each is asked for its stack trace. Prints what the process saw.
 */
const PROBE = `
const { NativeConnection, Runtime, DefaultLogger } = require('@temporalio/worker');
const { Client } = require('@temporalio/client');
const pino = require('pino');
const { MemoryStore } = require('${dist}/activities/memory-store');
const { createBallotWorker, createWorker } = require('${dist}/workers/worker');
const { ballotTaskQueue } = require('${dist}/workflows/ballot/messages');
const { ballotCalendar, BallotSettingsSchema } = require('${dist}/domain/ballot');
const { ContractTermsSchema } = require('${dist}/domain/contract');
const { stackTraceSettings } = require('${dist}/runtime/config');
(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const traces = stackTraceSettings();
  const connection = await NativeConnection.connect({ address: process.env.ADDRESS });
  const client = new Client({ connection });
  const taskQueue = 'stack-' + process.pid;
  const store = new MemoryStore(), logger = pino({ level: 'silent' });
  const main = await createWorker({ connection, namespace: 'default', taskQueue, store, logger, stackTraces: traces.WORKFLOW_STACK_TRACES === 'on' });
  const ballots = await createBallotWorker({ connection, namespace: 'default', taskQueue, store, logger, workflowThreads: 1, maxCachedWorkflows: 10, stackTraces: traces.BALLOT_STACK_TRACES === 'on' });
  const ballotId = 'ballot:e:V' + process.pid + ':1';
  const trace = (h) => h.query('__stack_trace').then((trace) => ({ trace }), (e) => ({ refused: e.name + ': ' + e.message }));
  const seen = await main.runUntil(() => ballots.runUntil(async () => {
    const contract = { ...ContractTermsSchema.parse({ county: 'fresno', number: 'B-' + process.pid, vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2028-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2028-06-30', cap: 1000000 }], totalCap: 1000000 }), id: 'contract:fresno:B-' + process.pid };
    const c = await client.workflow.start('contractWorkflow', { workflowId: contract.id, taskQueue, args: [{ contract }] });
    const b = await client.workflow.signalWithStart('ballotWorkflow', {
      workflowId: ballotId, taskQueue: ballotTaskQueue(taskQueue),
      args: [{ ballotId, electionId: 'e', calendar: ballotCalendar('2030-11-05'), settings: BallotSettingsSchema.parse({}) }],
      signal: 'factsReported', signalArgs: [{ facts: [{ type: 'issued', key: 'x', at: Date.now(), issueDate: '2030-10-07', ballotType: 'VBM' }] }],
    });
    for (let i = 0; i < 100 && (await b.query('getBallot')).status !== 'issued'; i++) await new Promise((r) => setTimeout(r, 100));
    const seen = { contract: await trace(c), ballot: await trace(b) };
    await Promise.all([c.terminate('probe done'), b.terminate('probe done')]);
    return seen;
  }));
  process.stdout.write('\\nPROBE ' + JSON.stringify(seen) + '\\n');
})().catch((e) => { console.error(e); process.exit(1); });
`;

type Seen = { trace?: string; refused?: string };

function run(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, {
      cwd: path.resolve(__dirname, '..'), env: { ...process.env, ADDRESS: address, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    p.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    p.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

async function probe(extraEnv: Record<string, string>, requires: string[]): Promise<{ contract: Seen; ballot: Seen }> {
  const r = await run([...requires.flatMap((m) => ['--require', m]), '-e', PROBE], extraEnv);
  const line = r.out.split('\n').find((l) => l.startsWith('PROBE '));
  if (r.code !== 0 || !line) throw new Error(`probe exited ${r.code}: ${r.err}${r.out}`);
  return JSON.parse(line.slice('PROBE '.length));
}

const preload = path.join(dist, 'workers', 'stack-traces.js');
const NOT_ENABLED = 'QueryNotRegisteredError: Workflow stack traces are not enabled on this worker';
/** Neither setting is inherited from the shell that runs the tests. */
const DEFAULTS = { WORKFLOW_STACK_TRACES: '', BALLOT_STACK_TRACES: '' };

test('the SDK still has the methods the switch wraps and replaces, and calls them as the switch expects', () => {
  const proto = GlobalHandlers.prototype as unknown as Record<string, unknown>;
  expect(typeof proto[PATCHED_METHOD]).toBe('function');
  expect(String(proto.install)).toContain(`this.${PATCHED_METHOD}()`);
  // Each creator installs the hooks while it is created from the bundle, which is where the switch reads the mark.
  for (const creator of [ReusableVMWorkflowCreator, VMWorkflowCreator]) {
    expect(String(creator.create)).toContain('globalHandlers.install()');
  }
});

test('a marked bundle keeps its code and source map as the SDK reads them', () => {
  const map = { version: 3, file: 'bundle.js', sources: ['workflow.ts'], names: [], mappings: 'AAAA' };
  const code = `globalThis.x = 1;\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
  const marked = withoutStackTraces({ code, sourceMap: '' });
  expect(marksStackTracesOff(code)).toBe(false);
  expect(marksStackTracesOff(marked.code)).toBe(true);
  expect(marked.code.startsWith('globalThis.x = 1;\n')).toBe(true);
  expect(marked.code).toContain(`${STACK_TRACES_OFF_MARK}\n//# sourceMappingURL=`);
  const parsed = parseWorkflowCode(marked.code), plain = parseWorkflowCode(code);
  expect(parsed.sourceMap).toEqual(plain.sourceMap);
  expect(parsed.sourceMap.mappings).toBe('AAAA');
});

test('by default ballots run without the hook, and contracts (like elections and notices) keep it', async () => {
  const r = await probe(DEFAULTS, [preload]);
  expect(r.ballot).toEqual({ refused: NOT_ENABLED });
  expect(r.contract.trace).toContain('contractWorkflow');
}, 120_000);

test('each worker follows its own setting: WORKFLOW_STACK_TRACES=off with BALLOT_STACK_TRACES=on', async () => {
  const r = await probe({ WORKFLOW_STACK_TRACES: 'off', BALLOT_STACK_TRACES: 'on' }, [preload]);
  expect(r.contract).toEqual({ refused: NOT_ENABLED });
  expect(r.ballot.trace).toContain('ballotWorkflow');
}, 120_000);

test('without the switch, a worker told to run without stack traces refuses, rather than quietly keeping them', async () => {
  const r = await run(['-e', PROBE], DEFAULTS);
  expect(r.code).toBe(1);
  expect(r.err).toContain('A ballot worker without workflow stack traces needs the switch');
  expect(r.err).toContain('node --require ./dist/workers/stack-traces.js dist/workers/main.js');
  // BALLOT_STACK_TRACES=on needs no switch.
  const on = await probe({ ...DEFAULTS, BALLOT_STACK_TRACES: 'on' }, []);
  expect(on.ballot.trace).toContain('ballotWorkflow');
  expect(on.contract.trace).toContain('contractWorkflow');
}, 120_000);

test('the worker process refuses the default BALLOT_STACK_TRACES=off without the --require, and says how to start it', async () => {
  const r = await run([path.join(dist, 'workers', 'main.js')], { ...DEFAULTS, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' });
  expect(r.code).toBe(1);
  expect(r.err).toContain('BALLOT_STACK_TRACES=off needs the worker started as node --require ./dist/workers/stack-traces.js dist/workers/main.js');
  expect(r.err).toContain('BALLOT_STACK_TRACES=on runs without the switch');
}, 60_000);

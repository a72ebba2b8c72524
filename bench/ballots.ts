/**
 * Ballot workflow cost benchmark (issue 3): what one BallotWorkflow costs the worker, in memory while it is cached
 * and in CPU per fact, cached and replayed. It isolates the ballot worker from ingestion, Postgres and the server's
 * limits, so a change to the workflow, its bundle or the SDK shows its effect here first.
 *
 *   npm run build && npm run bench:ballots -- --ballots 2000
 *
 * Starts the Temporal dev server in a temporary directory and one ballot worker in this process, its workflows on
 * the main thread (the SDK's debugMode) so that their heap is this process's heap. Ballot events go to the
 * in-memory store. Each ballot is told the six facts of a lifecycle, one round at a time, every round one status
 * change: issued, mailed, in the mail stream, delivered, returned, received. Two phases:
 *  1. cached: the cache holds every ballot. Prints heap and resident memory per cached ballot (after a full
 *     garbage collection, against the same worker with its first WARM ballots loaded) and CPU per fact;
 *  2. replayed: the cache holds a seventh of the ballots, and the facts go round-robin, so each fact finds its
 *     ballot evicted and the worker replays its history first: CPU per fact beyond the cache.
 * CPU is this process's (workflow code, the SDK's Rust core, the client). The figures depend on the machine:
 * compare runs on the same one. Variants for comparison, both off in production:
 *   --share domain       shares only SHARED_WORKFLOW_MODULES, not the SDK and workflow modules (the bundle before
 *                        BALLOT_SHARED_MODULES)
 *   --no-stack-trace-hook  stops the SDK's promise hook, which records where each promise was made for the
 *                        workflow's stack-trace query (the Web UI's Stack Trace tab), by the switch behind
 *                        BALLOT_STACK_TRACES=off, the product's default (workers/stack-trace-hook.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Command, Option } from 'commander';
import pino from 'pino';
import { createActivities } from '../activities';
import { mapConcurrent } from '../activities/concurrency';
import { MemoryStore } from '../activities/memory-store';
import { BallotSettingsSchema, ballotCalendar, ballotIdOf, type BallotFact } from '../domain/ballot';
import { addDays, pacificDate, pacificTime } from '../domain/dates';
import { startDevServer } from '../runtime/temporal';
import type { BallotWorkflowArgs } from '../workflows/ballot/workflow';
import { installStackTraceSwitch, withoutStackTraces } from '../workers/stack-trace-hook';
import { ballotWorkflowBundle, bundleOf } from '../workers/worker';
import { positiveInt } from './args';

/** Ballots loaded before the baseline is taken: the worker's own start-up memory is not a ballot's. */
const WARM = 50;
/** Signals in flight from the client, as ingestion sends them (bench:ingest CONCURRENCY). */
const CONCURRENCY = 32;

interface Options { ballots: number; share: 'all' | 'domain'; stackTraceHook: boolean; progress: boolean }

/** The six facts, one round each; `i` numbers the ballot (its IMbs). Dates as bench:ingest: mailed at E-29. */
function lifecycle(electionDate: string): { status: string; fact: (i: number) => BallotFact }[] {
  const at = (d: number, hour = 9) => pacificTime(addDays(electionDate, d), hour);
  const imb = (stid: string, i: number) => `00${stid}314159${String(i).padStart(9, '0')}93721`;
  return [
    { status: 'issued', fact: (i) => ({ type: 'issued', key: `extract:${i}`, at: at(-30), issueDate: addDays(electionDate, -30), ballotType: 'VBM', uocava: false }) },
    { status: 'mailed', fact: (i) => ({ type: 'mailed', key: `manifest:${i}`, at: at(-29), mailedDate: addDays(electionDate, -29), outboundImb: imb('700', i), returnImb: imb('702', i) }) },
    { status: 'in-mail-stream', fact: (i) => ({ type: 'outbound-scan', key: `scan:${i}:1`, at: at(-28), milestone: 'in-transit', scannedAt: at(-28, 7) }) },
    { status: 'delivered', fact: (i) => ({ type: 'outbound-scan', key: `scan:${i}:2`, at: at(-26), milestone: 'delivered', scannedAt: at(-26, 7) }) },
    { status: 'returned', fact: (i) => ({ type: 'inbound-scan', key: `scan:${i}:3`, at: at(-24), scannedAt: at(-24, 4) }) },
    { status: 'received', fact: (i) => ({ type: 'county-status', key: `returns:${i}`, at: at(-23), status: 'received', receiptDate: addDays(electionDate, -23), postmarkDate: addDays(electionDate, -24), statusDate: addDays(electionDate, -23), reasonCodes: [] }) },
  ] as { status: string; fact: (i: number) => BallotFact }[];
}

async function main(o: Options) {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const say = (m: string) => process.stderr.write(`${m}\n`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:ballots does): memory per ballot is measured after a full collection');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-bench-ballots-'));
  const port = 30000 + Math.floor(Math.random() * 10000);
  say(`starting the Temporal dev server in ${dir}`);
  const temporal = await startDevServer({ dataDir: dir, port, uiPort: port + 1, namespace: 'default' });
  try {
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    const connection = await NativeConnection.connect({ address: temporal.address });
    const bundle: WorkflowBundleWithSourceMap = o.share === 'all'
      ? await ballotWorkflowBundle()
      : await bundleOf(require.resolve('../workflows/ballot/workflow'));

    // Every status change the ballots record, counted by status: a round is over when each ballot has recorded its.
    const store = new MemoryStore();
    const changed = new Map<string, number>();
    const record = store.recordBallotEvents.bind(store);
    store.recordBallotEvents = async (electionId, ballotId, events) => {
      for (const e of events) if (e.type === 'status-changed' && e.status) changed.set(e.status, (changed.get(e.status) ?? 0) + 1);
      return record(electionId, ballotId, events);
    };
    const { recordBallotEvents } = createActivities({ store, logger: pino({ level: 'warn' }) });

    const electionDate = addDays(pacificDate(Date.now()), 23);
    const calendar = ballotCalendar(electionDate);
    const settings = BallotSettingsSchema.parse({});
    const rounds = lifecycle(electionDate);
    const cpuMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
    const memory = () => { gc(); gc(); const m = process.memoryUsage(); return { heap: m.heapUsed, rss: m.rss }; };
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

    // The product's switch (BALLOT_STACK_TRACES=off): a marked bundle, and the wrapper that reads the mark, here on
    // this thread (debug mode) before the first worker installs the hook.
    if (!o.stackTraceHook && !installStackTraceSwitch()) throw new Error('--no-stack-trace-hook: this SDK has no hook to stop');
    const workerBundle = o.stackTraceHook ? bundle : withoutStackTraces(bundle);
    /** A worker of `cache` ballots, its workflows on this thread. */
    const startWorker = async (taskQueue: string, cache: number) => {
      const worker = await Worker.create({ connection, namespace: 'default', taskQueue, workflowBundle: workerBundle, activities: { recordBallotEvents }, maxCachedWorkflows: cache, debugMode: true });
      return { worker, running: worker.run() };
    };

    /** Tell `ids` the facts of `rows`, one signal each, and wait until each has recorded the round's status change. */
    const tell = async (phase: string, taskQueue: string, ids: string[], offset: number, rows: typeof rounds) => {
      for (const [r, round] of rows.entries()) {
        const target = (changed.get(round.status) ?? 0) + ids.length;
        await mapConcurrent(ids, CONCURRENCY, (ballotId, i) => {
          const args: BallotWorkflowArgs = { ballotId, electionId: 'bench', calendar, settings };
          return client.workflow.signalWithStart('ballotWorkflow', {
            workflowId: ballotId, taskQueue, workflowIdConflictPolicy: 'USE_EXISTING', args: [args],
            signal: 'factsReported', signalArgs: [{ facts: [round.fact(offset + i)] }],
          });
        });
        const deadline = Date.now() + 30 * 60_000;
        let last = 0;
        while ((changed.get(round.status) ?? 0) < target) {
          if (Date.now() > deadline) throw new Error(`${phase}: ${round.status}: ${target - (changed.get(round.status) ?? 0)} ballots had not recorded it after 30 minutes`);
          if (o.progress && Date.now() - last > 5000) { last = Date.now(); say(`${phase}: round ${r + 1}/${rows.length} (${round.status}): ${ids.length - (target - (changed.get(round.status) ?? 0))}/${ids.length} ballots`); }
          await new Promise((res) => setTimeout(res, 50));
        }
        if (o.progress) say(`${phase}: round ${r + 1}/${rows.length} (${round.status}): done`);
      }
    };
    const ballots = (prefix: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => ballotIdOf('bench', `${prefix}${from + i}`, 1));

    // ---------- 1. cached ----------
    {
      const { worker, running } = await startWorker('cached', o.ballots + WARM);
      say(`cached: ${WARM} ballots to warm up, then ${o.ballots} ballots x ${rounds.length} facts`);
      await tell('warm-up', 'cached', ballots('W', WARM), 0, rounds);
      const m0 = memory();
      const c0 = cpuMs(), t0 = performance.now();
      await tell('cached', 'cached', ballots('C', o.ballots), WARM, rounds);
      const ms = performance.now() - t0, cpu = cpuMs() - c0;
      const m1 = memory();
      const cached = worker.getStatus().numCachedWorkflows;
      const facts = o.ballots * rounds.length;
      console.log(`cached    ${o.ballots.toLocaleString('en-US')} ballots, ${cached.toLocaleString('en-US')} in the worker's cache`);
      console.log(`          memory per cached ballot: heap ${((m1.heap - m0.heap) / o.ballots / 1024).toFixed(1)} KiB, resident ${((m1.rss - m0.rss) / o.ballots / 1024).toFixed(1)} KiB (heap ${mib(m0.heap)} -> ${mib(m1.heap)}, resident ${mib(m0.rss)} -> ${mib(m1.rss)})`);
      console.log(`          CPU per fact ${(cpu / facts).toFixed(2)} ms; ${Math.round(facts / (ms / 1000)).toLocaleString('en-US')} facts/s over ${(ms / 1000).toFixed(1)} s`);
      worker.shutdown();
      await running;
    }

    // ---------- 2. replayed ----------
    {
      const cache = Math.max(10, Math.floor(o.ballots / 7));
      const { worker, running } = await startWorker('replayed', cache);
      say(`replayed: ${o.ballots} ballots x ${rounds.length} facts through a cache of ${cache}`);
      const c0 = cpuMs(), t0 = performance.now();
      await tell('replayed', 'replayed', ballots('R', o.ballots), WARM + o.ballots, rounds);
      const ms = performance.now() - t0, cpu = cpuMs() - c0;
      const facts = o.ballots * rounds.length;
      console.log(`replayed  ${o.ballots.toLocaleString('en-US')} ballots through a cache of ${cache.toLocaleString('en-US')}: every fact after the first replays its ballot`);
      console.log(`          CPU per fact ${(cpu / facts).toFixed(2)} ms; ${Math.round(facts / (ms / 1000)).toLocaleString('en-US')} facts/s over ${(ms / 1000).toFixed(1)} s`);
      worker.shutdown();
      await running;
    }
    console.log(`bundle: ${o.share === 'all' ? 'production (SDK and workflow modules shared)' : 'domain modules shared only'}; SDK stack-trace promise hook ${o.stackTraceHook ? 'on' : 'off'}; ${os.cpus().length} CPUs, Node ${process.version}`);
  } finally {
    await temporal.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const program = new Command('bench:ballots')
  .description('memory per cached ballot workflow and CPU per fact, cached and replayed')
  .option('--ballots <n>', 'ballots in each phase', positiveInt, 2000)
  .addOption(new Option('--share <modules>', 'modules shared between workflows').choices(['all', 'domain']).default('all'))
  .option('--no-stack-trace-hook', "stop the SDK's promise hook, as the product's ballot worker does (BALLOT_STACK_TRACES=off)")
  .option('--no-progress', 'no progress lines on stderr');
program.parse();
main(program.opts<Options>()).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });

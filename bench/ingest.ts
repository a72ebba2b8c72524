/**
 * Ingestion benchmark (issue 3): a synthetic county through the real stack, next to the bare Temporal limits
 * measured in the same run on the same server.
 *
 *   npm run build && npm run bench:ingest -- --voters 5000
 *
 * Starts embedded Postgres and the Temporal dev server in a temporary directory, runs the real worker in this
 * process, then:
 *  1. bare limits: starts of an empty workflow per second, and signals per second to running empty workflows,
 *     with the same client concurrency the ingestion activity uses, measured before the files and again after
 *     them; the ratios are to the higher of the two;
 *  2. our pipeline: extract (starts every ballot workflow) -> manifest -> USPS scans (5 per ballot: 4 outbound,
 *     1 return) -> county returns, each file through fileIngestionWorkflow, timed until every ballot it told
 *     has applied the news (the bare phases likewise until every workflow has completed).
 * It prints rows/s, ballot workflows started per second, milestone signals per second, and each as a ratio of
 * the bare limit. The figures depend on the machine: compare runs on the same one.
 *
 * The workers have the product's stack-trace settings (WORKFLOW_STACK_TRACES, BALLOT_STACK_TRACES: ballots off
 * unless set), so the npm script loads workers/stack-traces.js as the product's worker does. The bare workflows run
 * with the ballots' setting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createHash, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { Command } from 'commander';
import { positiveInt } from './args';
import { stringify } from 'csv-stringify';
import pino from 'pino';
import { mapConcurrent } from '../activities/concurrency';
import { createIngestActivities } from '../activities/ingest';
import { stackTraceSettings } from '../runtime/config';
import { pgStore } from '../activities/pg-store';
import { insertContract } from '../db/contracts';
import { insertElection } from '../db/elections';
import { registerFile } from '../db/files';
import { createPool, migrate } from '../db/pool';
import { ContractTermsSchema } from '../domain/contract';
import { ElectionRequestSchema } from '../domain/election';
import { contractIdOf } from '../domain/ids';
import { addDays, pacificDate } from '../domain/time';
import { FORMATS } from '../ingest/schemas';
import { startEmbeddedPostgres } from '../runtime/postgres';
import { startDevServer } from '../runtime/temporal';
import { benchEmptyWorkflow, benchPing, benchPinged, benchSignalWorkflow } from '../workflows/bench';
import { withoutStackTraces } from '../workers/stack-trace-hook';
import { BALLOT_WORKFLOW_THREADS, createBallotWorker, defaultBallotCache, createWorker, quietBundlerLogger } from '../workers/worker';
import { cpuDelta, cpuSample, type CpuSample } from './cpu';
import { generate, voterRows, type SyntheticOptions } from './synthetic';

const CONCURRENCY = 32;

async function writeCsv(file: string, columns: string[], rows: Iterable<string[]>): Promise<number> {
  const out = fs.createWriteStream(file);
  const csv = stringify({ header: true, columns });
  csv.pipe(out);
  let n = 0;
  for (const r of rows) { if (!csv.write(r)) await once(csv, 'drain'); n++; }
  csv.end();
  await finished(out);
  return n;
}

/** The ballots of the extract: voter id and issue (the latest issue is the one mailed). */
function ballotsOf(voters: number, seed: number, opts: SyntheticOptions): { voterId: string; issue: string }[] {
  const cols = FORMATS['state-extract'].columns as string[];
  const vi = cols.indexOf('voter_id'), ii = cols.indexOf('issue_number');
  return [...voterRows(voters, seed, opts)].map((r) => ({ voterId: r[vi]!, issue: r[ii]! }));
}

const imb = (stid: string, n: number, zip = '93721') => `00${stid}314159${String(n).padStart(9, '0')}${zip}`;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

async function inBatches<T>(items: T[], n: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  await mapConcurrent(items, n, fn);
}

async function main(o: { voters: number; bare: number; seed: number; ballotCache?: number; ballotThreads?: number }) {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const logger = pino({ level: 'warn' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-bench-ingest-'));
  fs.chmodSync(dir, 0o755);
  const base = 30000 + Math.floor(Math.random() * 10000);
  const say = (m: string) => process.stderr.write(`${m}\n`);
  say(`starting embedded Postgres and the Temporal dev server in ${dir}`);
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: base });
  const temporal = await startDevServer({ dataDir: dir, port: base + 1, uiPort: base + 2, namespace: 'default' });
  const pool = createPool(pg.url, 20);
  // Mid-campaign, as a county lives it: ballots went out at E-29 (six days ago), USPS scanned them since, and
  // the first ones come back today. Dates in the past would fire every silence alert at once instead.
  const today = pacificDate(Date.now());
  const electionDate = addDays(today, 23);
  const ELECTION = `election:fresno:${electionDate}`;
  const synthetic: SyntheticOptions = { electionDate, atIssuance: true };
  const mailed = addDays(electionDate, -29);
  try {
    await migrate(pg.url);
    const terms = ContractTermsSchema.parse({ county: 'fresno', number: 'B-1', vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2028-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2028-06-30', cap: 1_000_000 }], totalCap: 1_000_000 });
    await insertContract(pool, { ...terms, id: contractIdOf('fresno', 'B-1') });
    await insertElection(pool, { id: ELECTION, countywide: true, request: ElectionRequestSchema.parse({ county: 'fresno', electionDate, type: 'statewide-primary', contractId: 'contract:fresno:B-1' }) });
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    const connection = await NativeConnection.connect({ address: temporal.address });
    const taskQueue = 'bench';
    // The stack-trace hook as the product's worker has it (WORKFLOW_STACK_TRACES, BALLOT_STACK_TRACES, ballots off
    // unless set): `npm run bench:ingest` loads the switch the product's worker loads.
    const traces = stackTraceSettings();
    const worker = await createWorker({ connection, namespace: 'default', taskQueue, store: pgStore(pool), logger, stackTraces: traces.WORKFLOW_STACK_TRACES === 'on', extraActivities: createIngestActivities({ pool, client, taskQueue, logger, concurrency: CONCURRENCY }) });
    const ballotWorker = await createBallotWorker({ connection, namespace: 'default', taskQueue, store: pgStore(pool), logger, stackTraces: traces.BALLOT_STACK_TRACES === 'on', ...(o.ballotCache !== undefined ? { maxCachedWorkflows: o.ballotCache } : {}), ...(o.ballotThreads !== undefined ? { workflowThreads: o.ballotThreads } : {}) });
    // The bare workflows on a queue and bundle of their own: the lightest a workflow can be on this server. They run
    // with the ballots' stack-trace setting, so that the ratios compare like with like.
    const bareQueue = 'bench-bare';
    const bareBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/bench'), logger: quietBundlerLogger });
    const bareWorker = await Worker.create({ connection, namespace: 'default', taskQueue: bareQueue, workflowBundle: traces.BALLOT_STACK_TRACES === 'on' ? bareBundle : withoutStackTraces(bareBundle) });
    const running = Promise.all([worker.run(), ballotWorker.run(), bareWorker.run()]);

    const sample = () => cpuSample({ temporalMarker: path.join(dir, 'temporal.db'), postgresMarker: path.join(dir, 'postgres') });
    const cpu: { phase: string; ms: number; used: CpuSample; peakRss: number }[] = [];
    // The worker process's resident memory (ballot threads included), sampled: how much the cached ballots take.
    let peakRss = 0;
    const rssSampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 200);
    const measured = async <T>(phase: string, fn: () => Promise<T>) => {
      const before = sample();
      peakRss = process.memoryUsage.rss();
      const r = await timed(fn);
      cpu.push({ phase, ms: r.ms, used: cpuDelta(before, sample()), peakRss });
      return r;
    };
    const f0 = (x: number) => Math.round(x).toLocaleString('en-US');

    // ---------- bare limits ----------
    // Calls go out through the same sliding window as ingestion's, and a phase ends when every workflow has run
    // (the server's visibility count), not when the server accepted the calls: it takes calls faster than a worker
    // runs their tasks, and a backlog left behind would be worked off during the next phase.
    const completed = async (prefix: string, n: number) => {
      const deadline = Date.now() + 30 * 60_000;
      while ((await client.workflow.count(`WorkflowId STARTS_WITH '${prefix}' AND ExecutionStatus = 'Completed'`)).count < n) {
        if (Date.now() > deadline) throw new Error(`${prefix}: not all ${n} workflows completed after 30 minutes`);
        await new Promise((res) => setTimeout(res, 100));
      }
    };
    // Measured before the files and again after them, and the ratios are taken against the higher of the two: on
    // this machine one measurement of 500-1,000 workflows moved by up to 70% from run to run.
    type Bare = { starts: number; signalWithStart: number; signals: number; firstSignalWithStart: string };
    const measureBare = async (when: 'before' | 'after'): Promise<Bare> => {
      say(`bare limits ${when} the files: ${o.bare} empty workflows`);
      const tag = when === 'before' ? 'b' : 'a';
      const ids = Array.from({ length: o.bare }, () => randomUUID());
      const starts = await measured(`bare starts, ${when}`, async () => {
        await inBatches(ids, CONCURRENCY, (id) => client.workflow.start(benchEmptyWorkflow, { workflowId: `empty-${tag}-${id}`, taskQueue: bareQueue }));
        await completed(`empty-${tag}-`, o.bare);
      });
      const sigIds = Array.from({ length: o.bare }, () => randomUUID());
      const sws = await measured(`bare sWS, ${when}`, async () => {
        await inBatches(sigIds, CONCURRENCY, (id) => client.workflow.signalWithStart(benchSignalWorkflow, { workflowId: `sig-${tag}-${id}`, taskQueue: bareQueue, signal: benchPing, signalArgs: [] }));
        await completed(`sig-${tag}-`, o.bare);
      });
      const waitIds = Array.from({ length: o.bare }, () => randomUUID());
      // Started, and each has run its first task (a query waits for it), before the signals are timed.
      await inBatches(waitIds, CONCURRENCY, async (id) => (await client.workflow.start(benchSignalWorkflow, { workflowId: `wait-${tag}-${id}`, taskQueue: bareQueue })).query(benchPinged));
      const signals = await measured(`bare signals, ${when}`, async () => {
        await inBatches(waitIds, CONCURRENCY, (id) => client.workflow.getHandle(`wait-${tag}-${id}`).signal(benchPing));
        await completed(`wait-${tag}-`, o.bare);
      });
      return { starts: (o.bare / starts.ms) * 1000, signalWithStart: (o.bare / sws.ms) * 1000, signals: (o.bare / signals.ms) * 1000, firstSignalWithStart: `sig-${tag}-${sigIds[0]}` };
    };
    const bareBefore = await measureBare('before');

    // ---------- our pipeline ----------
    say(`generating a county of ${o.voters} voters`);
    const extract = path.join(dir, 'extract.csv');
    await generate(extract, o.voters, o.seed, false, synthetic);
    const ballots = ballotsOf(o.voters, o.seed, synthetic);
    const manifest = path.join(dir, 'manifest.csv');
    await writeCsv(manifest, ['voter_id', 'issue_number', 'outbound_imb', 'return_imb', 'mailed_date'], ballots.map((b, i) => [b.voterId, b.issue, imb('700', i + 1, '93722'), imb('708', i + 1), mailed]));
    const phases = ['Phase 1 - Origin Processing', 'Phase 2 - Origin Secondary', 'Phase 3 - Destination Processing', 'Phase 4c - Delivery Unit Processing'];
    const scanHead = ['imb', 'scan_datetime', 'operation_code', 'handling_event_type', 'mail_phase', 'facility_name', 'facility_city', 'facility_state', 'facility_zip', 'machine_name', 'predicted_delivery_date'];
    const scans = path.join(dir, 'scans.csv');
    const scanRows = await writeCsv(scans, scanHead, (function* () {
      for (let i = 0; i < ballots.length; i++) {
        for (const [k, ph] of phases.entries()) yield [imb('700', i + 1, '93722'), `${addDays(mailed, k + 1)}T0${k + 1}:10:00`, '919', 'L', ph, 'FRESNO CA P&DC', 'FRESNO', 'CA', '93706', 'DBCS-1', addDays(mailed, 4)];
        yield [imb('708', i + 1), `${addDays(today, -1)}T21:05:00`, '919', 'L', 'Phase 1 - Origin Processing', 'FRESNO CA P&DC', 'FRESNO', 'CA', '93706', 'DIOSS-1', ''];
      }
    })());
    const returns = path.join(dir, 'returns.csv');
    await writeCsv(returns, ['voter_id', 'issue_number', 'receipt_date', 'postmark_date', 'status', 'reason_codes', 'cure_status', 'status_date'], ballots.map((b) => [b.voterId, b.issue, today, addDays(today, -1), 'received', '', '', today]));

    // A file's phase ends when every ballot it told has applied the news (its status event is in Postgres), so
    // the ballots' own workflow tasks are inside the time, as the bare workflows' are.
    const reached = async (status: string) => (await pool.query<{ n: number }>(
      `SELECT count(DISTINCT ballot_id)::int AS n FROM ballot_events WHERE election_id = $1 AND type = 'status-changed' AND status = $2`, [ELECTION, status])).rows[0]!.n;
    const runFile = async (file: string, type: string, status: string) => {
      const bytes = fs.readFileSync(file);
      const checksum = createHash('sha256').update(bytes).digest('hex');
      const { file: f } = await registerFile(pool, { electionId: ELECTION, type, fileName: path.basename(file), path: file, checksum, bytes: bytes.length });
      say(`ingesting ${type} (${(bytes.length / 1e6).toFixed(1)} MB)`);
      const before = await reached(status);
      let fileMs = 0;
      const r = await measured(type, async () => {
        const t = performance.now();
        const summary = await client.workflow.execute('fileIngestionWorkflow', { workflowId: f.id, taskQueue, args: [{ fileId: f.id }] }) as { linesDone: number; accepted: number; rejected: number; signalled: number };
        fileMs = performance.now() - t;
        const deadline = Date.now() + 30 * 60_000;
        let n = before;
        while ((n = await reached(status)) - before < summary.signalled) {
          if (Date.now() > deadline) throw new Error(`${type}: ${n - before} of ${summary.signalled} ballots reached "${status}" after 30 minutes`);
          await new Promise((res) => setTimeout(res, 100));
        }
        return summary;
      });
      say(`  ${type}: file read and ballots told in ${(fileMs / 1000).toFixed(1)} s, every ballot "${status}" after ${(r.ms / 1000).toFixed(1)} s`);
      return { ms: r.ms, fileMs, ...r.value };
    };
    const ex = await runFile(extract, 'state-extract', 'issued');
    const mf = await runFile(manifest, 'vendor-manifest', 'mailed');
    const sc = await runFile(scans, 'usps-scans', 'returned');
    const rt = await runFile(returns, 'county-returns', 'received');
    const bareAfter = await measureBare('after');
    const bare = {
      starts: Math.max(bareBefore.starts, bareAfter.starts),
      signalWithStart: Math.max(bareBefore.signalWithStart, bareAfter.signalWithStart),
      signals: Math.max(bareBefore.signals, bareAfter.signals),
    };
    // What one ballot and one bare workflow cost the server: their histories, event by event.
    const historyOf = async (workflowId: string) => {
      const h = await client.workflow.getHandle(workflowId).fetchHistory();
      const events = h.events ?? [];
      const bytes = events.reduce((t, e) => t + JSON.stringify(e).length, 0);
      const t0 = Number(events[0]?.eventTime?.seconds ?? 0) * 1000 + (events[0]?.eventTime?.nanos ?? 0) / 1e6;
      const types = events.map((e) => `${String(e.eventType ?? '')}@${Math.round(Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6 - t0)}`);
      return `${events.length} events, ~${f0(bytes)} bytes: ${types.join(' ')}`;
    };
    const histories = [
      ...(await Promise.all([0, Math.floor(ballots.length / 2), ballots.length - 1].map(async (i) => `  ballot ${i + 1}   ${await historyOf(`ballot:${ELECTION}:${ballots[i]!.voterId}:${ballots[i]!.issue}`)}`))),
      `  bare signalWithStart ${await historyOf(bareBefore.firstSignalWithStart)}`,
    ];
    clearInterval(rssSampler);
    worker.shutdown();
    ballotWorker.shutdown();
    bareWorker.shutdown();
    await running;
    await connection.close();
    await client.connection.close();

    const rate = (n: number, ms: number) => (n / ms) * 1000;
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    const cpus = os.cpus();
    const lines = [
      `ingestion benchmark: ${o.voters.toLocaleString('en-US')} voters, ${scanRows.toLocaleString('en-US')} scans; client concurrency ${CONCURRENCY}`,
      '',
      `bare Temporal limits (${o.bare} workflows each, same server, same run): before the files / after them; the ratios below are to the higher`,
      `  empty workflow starts        ${f0(bareBefore.starts)} / ${f0(bareAfter.starts)} per s`,
      `  signalWithStart (new)        ${f0(bareBefore.signalWithStart)} / ${f0(bareAfter.signalWithStart)} per s`,
      `  signals to running workflows ${f0(bareBefore.signals)} / ${f0(bareAfter.signals)} per s`,
      '',
      'ballot pipeline                      rows/s     ballots signalled/s   vs bare',
      `  extract (starts ballot workflows)  ${f0(rate(ex.accepted, ex.ms)).padStart(7)}    ${f0(rate(ex.signalled, ex.ms)).padStart(7)} started/s     ${pct(rate(ex.signalled, ex.ms) / bare.signalWithStart)} of signalWithStart`,
      `  manifest (mailed)                  ${f0(rate(mf.accepted, mf.ms)).padStart(7)}    ${f0(rate(mf.signalled, mf.ms)).padStart(7)} signals/s     ${pct(rate(mf.signalled, mf.ms) / bare.signals)} of signals`,
      `  USPS scans (milestones)            ${f0(rate(sc.accepted, sc.ms)).padStart(7)}    ${f0(rate(sc.signalled, sc.ms)).padStart(7)} signals/s     ${pct(rate(sc.signalled, sc.ms) / bare.signals)} of signals`,
      `  county returns (received)          ${f0(rate(rt.accepted, rt.ms)).padStart(7)}    ${f0(rate(rt.signalled, rt.ms)).padStart(7)} signals/s     ${pct(rate(rt.signalled, rt.ms) / bare.signals)} of signals`,
      '',
      `  rejected rows: ${ex.rejected + mf.rejected + sc.rejected + rt.rejected}; files took ${[ex, mf, sc, rt].map((x) => `${(x.ms / 1000).toFixed(1)} s`).join(', ')}`,
      `  goal: starts and signals at 80% or more of the bare limits`,
      '',
      'CPU seconds per phase (temporal server / postgres / worker+ingestion), per second of wall time, and the worker process\'s peak resident memory',
      ...cpu.map((c) => `  ${c.phase.padEnd(22)} ${(c.ms / 1000).toFixed(1).padStart(6)} s wall   ${[c.used.temporal, c.used.postgres, c.used.self].map((x) => x.toFixed(1).padStart(5)).join(' / ')} s   ${[c.used.temporal, c.used.postgres, c.used.self].map((x) => (x / (c.ms / 1000)).toFixed(2)).join(' / ')} cores   ${f0(c.peakRss / 2 ** 20)} MiB`),
      '',
      'histories (what the server stored)',
      ...histories,
      `ballot worker: ${o.ballotThreads ?? BALLOT_WORKFLOW_THREADS} workflow threads, cache ${f0(o.ballotCache ?? defaultBallotCache(o.ballotThreads ?? BALLOT_WORKFLOW_THREADS))}; workflow stack traces: ballots and bare ${traces.BALLOT_STACK_TRACES}, others ${traces.WORKFLOW_STACK_TRACES}`,
      `machine ${cpus[0]?.model.trim() ?? 'unknown cpu'}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.version}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await pool.end();
    await temporal.stop();
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}


const program = new Command('bench:ingest')
  .option('--voters <n>', 'voters in the synthetic county', positiveInt, 100_000)
  .option('--bare <n>', 'empty workflows for each bare-limit measurement', positiveInt, 2000)
  .option('--seed <n>', 'seed of the synthetic county', positiveInt, 1)
  .option('--ballot-threads <n>', 'threads of ballot workflow code (default: BALLOT_WORKFLOW_THREADS)', positiveInt)
  // Not 0: without a cache the ballots' local activities fail ("Tried to complete untracked local activity").
  .option('--ballot-cache <n>', 'ballot workflows the ballot worker keeps cached (default: defaultBallotCache)', positiveInt)
  .action((o: { voters: number; bare: number; seed: number; ballotCache?: number; ballotThreads?: number }) => main(o).catch((e) => { console.error(e); process.exit(1); }));
program.parse();

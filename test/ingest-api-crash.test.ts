/**
 * Reliability: the API process is killed with SIGKILL while a file is being sent to it, while the file it accepted
 * is being ingested, and between registering a file and starting its ingestion. After a restart nothing is lost
 * and nothing is doubled: one file row, every line accepted or rejected once, one ballot workflow per ballot.
 * Real parts throughout: the compiled API as its own process, the Temporal dev server, Postgres, and a worker
 * (here in the test process; test/ingest-crash.test.ts kills that one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createIngestActivities } from '../activities/ingest';
import { pgStore } from '../activities/pg-store';
import { generate } from '../bench/synthetic';
import { insertContract } from '../db/contracts';
import { insertElection } from '../db/elections';
import { fileIdOf, getFile, registerFile, type FileRow } from '../db/files';
import { ContractTermsSchema } from '../domain/contract';
import { ElectionRequestSchema } from '../domain/election';
import { contractIdOf } from '../domain/ids';
import { createBallotWorker, createWorker } from '../workers/worker';
import { keyFor } from './helpers/auth';
import { createTestDb, type TestDb } from './helpers/db';
import { devServerEnv, silentLogger } from './helpers/temporal';

const taskQueue = 'api-crash-test';
const ROWS = 120;
const elections = {
  midUpload: 'election:fresno:2026-06-02',
  midIngestion: 'election:fresno:2026-11-03',
  beforeStart: 'election:fresno:2027-03-02',
} as const;

let env: TestWorkflowEnvironment;
let db: TestDb;
let worker: Worker;
let ballotWorker: Worker | undefined;
let running: Promise<unknown>;
let dir: string;
let dataDir: string;
let uploadDir: string;
let port: number;
let api: ChildProcess | undefined;
let apiLog = '';
/** Fresno's elections office sends the files: `Authorization: Bearer <key>` on every request. */
let auth: { Authorization: string };

beforeAll(async () => {
  [env, db] = await Promise.all([devServerEnv(), createTestDb()]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-api-crash-'));
  dataDir = path.join(dir, 'data');
  uploadDir = path.join(dataDir, 'uploads');
  port = await freePort();
  const terms = ContractTermsSchema.parse({ county: 'fresno', number: 'A-1', vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2028-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2028-06-30', cap: 1_000_000 }], totalCap: 1_000_000 });
  await insertContract(db.pool, { ...terms, id: contractIdOf('fresno', 'A-1') });
  for (const [id, type] of [[elections.midUpload, 'statewide-primary'], [elections.midIngestion, 'statewide-general'], [elections.beforeStart, 'special']] as const) {
    await insertElection(db.pool, { id, countywide: true, request: ElectionRequestSchema.parse({ county: 'fresno', electionDate: id.slice(-10), type, contractId: 'contract:fresno:A-1' }) });
  }
  worker = await createWorker({
    connection: env.nativeConnection, namespace: 'default', taskQueue, store: pgStore(db.pool), logger: silentLogger,
    extraActivities: createIngestActivities({ pool: db.pool, client: env.client, taskQueue, logger: silentLogger, batchSize: 30 }),
  });
  ballotWorker = await createBallotWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, store: pgStore(db.pool), logger: silentLogger });
  running = Promise.all([worker.run(), ballotWorker.run()]);
  auth = { Authorization: `Bearer ${await keyFor(db.pool, 'county-manager', { county: 'fresno' })}` };
});
afterEach(async () => {
  await stopApi('SIGKILL');
});
afterAll(async () => {
  worker?.shutdown();
  ballotWorker?.shutdown();
  await running;
  await env?.teardown();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as net.AddressInfo;
      s.close(() => resolve(p));
    }).on('error', reject);
  });
}

const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const base = () => `http://127.0.0.1:${port}`;

/** Polls until `probe` returns a value, failing with `what` (and the API's last output) after `ms`. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}\nAPI output:\n${apiLog.slice(-4000)}`);
    await delay(100);
  }
}

/** The compiled API, as `npm start` runs it, ready when /healthz answers. */
async function startApi(): Promise<ChildProcess> {
  apiLog = '';
  const p = spawn(process.execPath, [path.resolve(__dirname, '..', 'dist', 'api', 'server.js')], {
    env: { ...process.env, DATABASE_URL: db.url, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, PORT: String(port), BALLOTFLOW_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => { apiLog = (apiLog + b.toString()).slice(-20_000); };
  p.stdout!.on('data', keep);
  p.stderr!.on('data', keep);
  api = p;
  await waitFor('the API to answer /healthz', async () => {
    if (p.exitCode !== null || p.signalCode !== null) return 'exited';
    return (await fetch(`${base()}/healthz`)).ok ? 'ready' : undefined;
  }).then((state) => { if (state === 'exited') throw new Error(`the API exited (${p.exitCode ?? p.signalCode}):\n${apiLog}`); });
  return p;
}

async function stopApi(signal: NodeJS.Signals): Promise<void> {
  const p = api;
  api = undefined;
  if (!p) return;
  p.kill(signal);
  await exited(p);
}

async function extract(name: string, electionId: string, rows: number, seed: number) {
  const file = path.join(dir, name);
  await generate(file, rows, seed, false, { electionDate: electionId.slice(-10) });
  const bytes = fs.readFileSync(file);
  const checksum = createHash('sha256').update(bytes).digest('hex');
  return { file, bytes, checksum, fileId: fileIdOf(electionId, 'state-extract', checksum) };
}

async function post(electionId: string, bytes: Buffer): Promise<{ status: number; body: FileRow }> {
  const res = await fetch(`${base()}/api/elections/${encodeURIComponent(electionId)}/files?type=state-extract`, { method: 'POST', body: bytes, headers: { 'Content-Type': 'text/csv', ...auth } });
  return { status: res.status, body: (await res.json()) as FileRow };
}

/** GET /api/files/:id until the ingestion has finished, as the CLI does. */
function ingested(fileId: string, ms = 60_000): Promise<FileRow> {
  return waitFor(`${fileId} to finish ingesting`, async () => {
    const res = await fetch(`${base()}/api/files/${encodeURIComponent(fileId)}`, { headers: auth });
    if (!res.ok) return undefined;
    const f = (await res.json()) as FileRow;
    return f.status === 'done' || f.status === 'failed' ? f : undefined;
  }, ms);
}

const uploads = () => (fs.existsSync(uploadDir) ? fs.readdirSync(uploadDir).sort() : []);
const partials = () => uploads().filter((n) => n.startsWith('.upload-'));
const count = async (sql: string, args: unknown[]) => (await db.pool.query<{ n: number }>(sql, args)).rows[0]!.n;

/**
 * Every line of the file ended accepted or rejected exactly once, every ballot it issued has exactly one
 * workflow, and each of those recorded its issuance once.
 */
async function expectIngestedOnce(electionId: string, fileId: string, rows: number): Promise<void> {
  const files = await db.pool.query<{ id: string }>(`SELECT id FROM ingest_files WHERE election_id = $1`, [electionId]);
  expect(files.rows.map((r) => r.id)).toEqual([fileId]);
  const f = (await getFile(db.pool, fileId))!;
  expect(f).toMatchObject({ status: 'done', linesDone: rows + 1, accepted: rows, rejected: 0 });
  expect(f.accepted + f.rejected).toBe(f.linesDone - 1); // the header is line 1
  // One issued ballot for each data line, lines 2..rows+1, none missing.
  const lines = await db.pool.query(`SELECT count(*)::int AS n, count(DISTINCT line)::int AS d, min(line) AS lo, max(line) AS hi FROM extract_ballots WHERE election_id = $1 AND file_id = $2`, [electionId, fileId]);
  expect(lines.rows[0]).toEqual({ n: rows, d: rows, lo: 2, hi: rows + 1 });
  // One workflow execution per ballot: a ballot started twice would list twice (ids are reused only after a close).
  const prefix = `ballot:${electionId}:`;
  const executions = await waitFor(`${rows} ballot workflows to be visible`, async () => {
    const { count: n } = await env.client.workflow.count(`WorkflowType = 'ballotWorkflow' AND WorkflowId STARTS_WITH '${prefix}'`);
    return n >= rows ? n : undefined;
  });
  expect(executions).toBe(rows);
  // Every ballot workflow ran and recorded its issuance once (events follow the signals by a moment).
  await waitFor('every ballot to record its issuance', async () => ((await count(`SELECT count(DISTINCT ballot_id)::int AS n FROM ballot_events WHERE election_id = $1`, [electionId])) >= rows ? true : undefined));
  expect(await count(`SELECT count(DISTINCT ballot_id)::int AS n FROM ballot_events WHERE election_id = $1`, [electionId])).toBe(rows);
  expect(await count(`SELECT count(*)::int AS n FROM (SELECT ballot_id FROM ballot_events WHERE election_id = $1 AND detail->>'fact' = 'issued' GROUP BY ballot_id HAVING count(*) > 1) x`, [electionId])).toBe(0);
}

test('an API killed mid-upload registers nothing; its partial file is swept once stale, and the re-sent file is ingested once', async () => {
  const { bytes, checksum, fileId } = await extract('mid-upload.csv', elections.midUpload, ROWS, 11);
  await startApi();

  // Send half the body, then hold the rest back: the kill lands while the API is still receiving.
  const req = http.request(`${base()}/api/elections/${encodeURIComponent(elections.midUpload)}/files?type=state-extract`, {
    method: 'POST', headers: { 'Content-Type': 'text/csv', 'Content-Length': bytes.length, ...auth },
  });
  const outcome = new Promise<string>((resolve) => {
    req.on('response', (res) => resolve(`answered ${res.statusCode}`));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`failed ${e.code ?? e.message}`));
  });
  req.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
  const partial = await waitFor('the API to write part of the body', async () => {
    const [name] = partials();
    return name && fs.statSync(path.join(uploadDir, name)).size > 0 ? name : undefined;
  });
  await stopApi('SIGKILL');
  expect(await outcome).toMatch(/^failed /); // the sender never got a reply, so it knows to send again

  // Nothing was registered and nothing is named as a received file: only the partial body, never ingested.
  expect(await count(`SELECT count(*)::int AS n FROM ingest_files WHERE election_id = $1`, [elections.midUpload])).toBe(0);
  expect(uploads()).toEqual([partial]);
  expect(fs.statSync(path.join(uploadDir, partial)).size).toBeLessThan(bytes.length);

  // The process that was writing it is gone; once the partial file has sat untouched for over an hour, the next
  // API start removes it. A fresh partial file may be another replica's live upload: it stays.
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  fs.utimesSync(path.join(uploadDir, partial), twoHoursAgo, twoHoursAgo);
  const live = `.upload-${randomUUID()}`;
  fs.writeFileSync(path.join(uploadDir, live), 'voter_id');
  await startApi();
  expect(partials()).toEqual([live]);
  fs.rmSync(path.join(uploadDir, live));

  const sent = await post(elections.midUpload, bytes);
  expect(sent.status).toBe(202);
  expect(sent.body.id).toBe(fileId);
  expect(await ingested(fileId)).toMatchObject({ status: 'done', accepted: ROWS, rejected: 0 });
  await expectIngestedOnce(elections.midUpload, fileId, ROWS);
  expect(uploads()).toEqual([`${checksum}.state-extract`]);
}, 90_000);

test('an API killed right after accepting a file loses nothing: ingestion finishes once, and the re-sent file is the same file', async () => {
  const { bytes, checksum, fileId } = await extract('mid-ingestion.csv', elections.midIngestion, ROWS, 23);
  await startApi();
  const sent = await post(elections.midIngestion, bytes);
  expect(sent.status).toBe(202);
  expect(sent.body.id).toBe(fileId);
  await stopApi('SIGKILL');
  const atKill = (await getFile(db.pool, fileId))!;
  expect(atKill.linesDone).toBeLessThan(ROWS + 1); // the ingestion was still running when the API died

  await startApi();
  expect(await ingested(fileId)).toMatchObject({ status: 'done', linesDone: ROWS + 1, accepted: ROWS, rejected: 0 });
  await expectIngestedOnce(elections.midIngestion, fileId, ROWS);

  // The same bytes again: answered as the file already received, and not ingested a second time.
  const again = await post(elections.midIngestion, bytes);
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ id: fileId, status: 'done', accepted: ROWS });
  const runs = await env.client.workflow.count(`WorkflowId = '${fileId}'`);
  expect(runs.count).toBe(1);
  await expectIngestedOnce(elections.midIngestion, fileId, ROWS);
  expect(uploads()).toEqual(expect.arrayContaining([`${checksum}.state-extract`]));
  expect(partials()).toEqual([]);
}, 90_000);

test('a file registered by an API killed before it started the ingestion is ingested when the API starts again', async () => {
  const rows = 40;
  const { file, bytes, checksum, fileId } = await extract('before-start.csv', elections.beforeStart, rows, 37);
  // The state such a kill leaves: the body stored under its checksum and registered, no ingestion workflow.
  fs.mkdirSync(uploadDir, { recursive: true });
  const stored = path.join(uploadDir, `${checksum}.state-extract`);
  fs.copyFileSync(file, stored);
  await registerFile(db.pool, { electionId: elections.beforeStart, type: 'state-extract', fileName: 'before-start.csv', path: stored, checksum, bytes: bytes.length });
  expect((await env.client.workflow.count(`WorkflowId = '${fileId}'`)).count).toBe(0);

  await startApi();
  expect(await ingested(fileId)).toMatchObject({ status: 'done', linesDone: rows + 1, accepted: rows, rejected: 0 });
  await expectIngestedOnce(elections.beforeStart, fileId, rows);
  expect((await post(elections.beforeStart, bytes)).status).toBe(200);
  expect((await env.client.workflow.count(`WorkflowId = '${fileId}'`)).count).toBe(1);
}, 90_000);

/**
 * Files into ballots, through the real parts: Postgres, the Temporal dev server, a worker running the
 * ingestion activity, and ballot workflows started by signalWithStart.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pgStore } from '../activities/pg-store';
import { createIngestActivities } from '../activities/ingest';
import { insertContract } from '../db/contracts';
import { insertElection } from '../db/elections';
import { listRejects, registerFile } from '../db/files';
import { reconcile } from '../db/reconciliation';
import { ContractTermsSchema } from '../domain/contract';
import { ballotIdOf } from '../domain/ballot';
import { contractIdOf } from '../domain/ids';
import { ElectionRequestSchema } from '../domain/election';
import { ballotTaskQueue, getBallot } from '../workflows/ballot/messages';
import type { fileIngestionWorkflow } from '../workflows/ingest/workflow';
import { as, keyFor } from './helpers/auth';
import { createTestDb, type TestDb } from './helpers/db';
import { devServerEnv, silentLogger } from './helpers/temporal';
import { createBallotWorker, createWorker } from '../workers/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import os from 'node:os';
import request from 'supertest';
import { createApp } from '../api/app';
import { ingest as ingestCli } from '../cli/ingest';

const fixtures = path.join(__dirname, 'fixtures', 'ingest');
const electionId = 'election:fresno:2026-06-02';
let env: TestWorkflowEnvironment;
let db: TestDb;
let worker: Worker;
let ballotWorker: Worker | undefined;
let running: Promise<unknown>;
const taskQueue = 'ingest-test';

beforeAll(async () => {
  // Real time on the dev server: ingestion waits on nothing, and a time-skipping server would fast-forward
  // idle ballot workflows to their end while the test awaits a file.
  [env, db] = await Promise.all([devServerEnv(), createTestDb()]);
  const terms = ContractTermsSchema.parse({ county: 'fresno', number: 'I-1', vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2028-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2028-06-30', cap: 1_000_000 }], totalCap: 1_000_000 });
  await insertContract(db.pool, { ...terms, id: contractIdOf('fresno', 'I-1') });
  await insertElection(db.pool, { id: electionId, countywide: true, request: ElectionRequestSchema.parse({ county: 'fresno', electionDate: '2026-06-02', type: 'statewide-primary', contractId: 'contract:fresno:I-1' }) });
  worker = await createWorker({
    connection: env.nativeConnection, namespace: 'default', taskQueue, store: pgStore(db.pool), logger: silentLogger,
    extraActivities: createIngestActivities({ pool: db.pool, client: env.client, taskQueue, logger: silentLogger, batchSize: 2 }),
  });
  ballotWorker = await createBallotWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, store: pgStore(db.pool), logger: silentLogger });
  running = Promise.all([worker.run(), ballotWorker.run()]);
});
afterAll(async () => {
  worker?.shutdown();
  ballotWorker?.shutdown();
  await running;
  await env?.teardown();
  await db?.drop();
});

async function ingest(fixture: string, type: string, election = electionId) {
  const p = path.isAbsolute(fixture) ? fixture : path.join(fixtures, fixture);
  const bytes = fs.readFileSync(p);
  const checksum = createHash('sha256').update(bytes).digest('hex');
  const { file, created } = await registerFile(db.pool, { electionId: election, type, fileName: fixture, path: p, checksum, bytes: bytes.length });
  const summary = await env.client.workflow.execute<typeof fileIngestionWorkflow>('fileIngestionWorkflow', {
    workflowId: file.id, taskQueue, args: [{ fileId: file.id }], workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return { file, created, summary };
}

test('a state extract starts one ballot workflow per issued ballot; the reissue supersedes issue 1', async () => {
  const { summary } = await ingest('state-extract.csv', 'state-extract');
  expect(summary).toMatchObject({ status: 'done', linesDone: 8, accepted: 7, rejected: 0 });
  const issue2 = await env.client.workflow.getHandle(ballotIdOf(electionId, 'OOF123456', 2)).query(getBallot);
  expect(issue2.status).toBe('issued');
  // Ballots run on their own queue, served by the worker with the ballot-only bundle.
  expect((await env.client.workflow.getHandle(ballotIdOf(electionId, 'OOF123456', 2)).describe()).taskQueue).toBe(ballotTaskQueue(taskQueue));
  const issue1 = env.client.workflow.getHandle(ballotIdOf(electionId, 'OOF123456', 1));
  expect((await issue1.result()).status).toBe('superseded');
});

test("the county's fixed-field file issues ballots as an extract does: reissue, UOCAVA, rejects by the contract's field names, reconciliation", async () => {
  // Its own election, so the counts the API tests below expect for the June primary stay as they are.
  const general = 'election:fresno:2026-11-03';
  await insertElection(db.pool, { id: general, countywide: true, request: ElectionRequestSchema.parse({ county: 'fresno', electionDate: '2026-11-03', type: 'statewide-general', contractId: 'contract:fresno:I-1' }) });
  const { file, summary } = await ingest('county-fixed-field.txt', 'county-fixed-field', general);
  expect(summary).toMatchObject({ status: 'done', linesDone: 6, accepted: 6, rejected: 0 });
  const issue2 = await env.client.workflow.getHandle(ballotIdOf(general, 'FRE0447120', 2)).query(getBallot);
  expect(issue2).toMatchObject({ status: 'issued', state: { issueDate: '2026-10-13', uocava: false } });
  expect((await env.client.workflow.getHandle(ballotIdOf(general, 'FRE0447120', 1)).result()).status).toBe('superseded');
  expect((await env.client.workflow.getHandle(ballotIdOf(general, 'FRE0912244', 1)).query(getBallot)).state).toMatchObject({ uocava: true, issueDate: '2026-09-18' });

  // The manifest names two of the five latest issues: the other three are reported with the file and line.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-fixed-'));
  const manifest = path.join(dir, 'manifest-general.csv');
  fs.writeFileSync(manifest, 'voter_id,issue_number,outbound_imb,return_imb,mailed_date\n' +
    'FRE0447120,2,0070031415900000020193727,00708314159000000201,2026-10-14\n' +
    'FRE0912244,1,0070031415900000020296278,00708314159000000202,2026-09-19\n');
  expect((await ingest(manifest, 'vendor-manifest', general)).summary).toMatchObject({ status: 'done', accepted: 2, rejected: 0 });
  const rec = await reconcile(db.pool, general);
  expect(rec).toMatchObject({ extractBallots: 5, manifestBallots: 2, matched: 2, notInExtract: [], perfect: false });
  expect(rec.notMailed.map((b) => [b.file, b.line])).toEqual([[file.id, 4], [file.id, 5], [file.id, 6]]);
  fs.rmSync(dir, { recursive: true, force: true });

  const bad = await ingest('county-fixed-field-bad.txt', 'county-fixed-field', general);
  expect(bad.summary).toMatchObject({ status: 'done', linesDone: 8, accepted: 1, rejected: 7 });
  expect((await listRejects(db.pool, bad.file.id)).map((r) => [r.line, r.field])).toEqual([
    [2, '(row)'], [3, '(row)'], [4, 'File Date'], [5, 'File type'], [6, 'Mailing City'], [7, 'Affidavit number'], [8, '(row)'],
  ]);
});

test('the vendor manifest marks those ballots mailed, with the expected delivery window', async () => {
  const { summary } = await ingest('vendor-manifest.csv', 'vendor-manifest');
  expect(summary).toMatchObject({ status: 'done', accepted: 5, rejected: 0 });
  const b = await env.client.workflow.getHandle(ballotIdOf(electionId, 'OOF123457', 1)).query(getBallot);
  expect(b.status).toBe('mailed');
  expect(b.expectedWindow?.source).toBe('service-standard');
});

test('a re-sent file (same checksum) is the same file and changes nothing', async () => {
  const again = await ingest('vendor-manifest.csv', 'vendor-manifest');
  expect(again.created).toBe(false);
  expect(again.summary).toMatchObject({ accepted: 5, rejected: 0 });
});

test('bad rows are kept in the rejects report with file, line and field, and good rows still go through', async () => {
  const { file, summary } = await ingest('vendor-manifest-bad-imb.csv', 'vendor-manifest');
  // Line 2 is valid; 3 (barcode id 05), 4 (24 digits), 5 (outbound IMb of line 2 again), 6 (letters) are not.
  expect(summary).toMatchObject({ status: 'done', accepted: 1, rejected: 4 });
  const rejects = await listRejects(db.pool, file.id);
  expect([...new Set(rejects.map((r) => r.line))]).toEqual([3, 4, 5, 6]);
  expect(rejects.every((r) => /imb/.test(r.field) && r.reason.length > 0)).toBe(true);
});

test('a file that is not its type fails at once with the reason, and is not retried', async () => {
  await expect(ingest('state-extract-missing-columns.csv', 'state-extract')).rejects.toMatchObject({ cause: { cause: { type: 'file-format' } } });
  const row = await db.pool.query(`SELECT status, error FROM ingest_files WHERE file_name = 'state-extract-missing-columns.csv'`);
  expect(row.rows[0].status).toBe('failed');
  expect(row.rows[0].error).toMatch(/column/i);
});

test('scans for a piece no manifest names yet wait, collapse to milestones, and apply when the manifest arrives', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-scans-'));
  const head = 'imb,scan_datetime,operation_code,handling_event_type,mail_phase,facility_name,facility_city,facility_state,facility_zip,machine_name,predicted_delivery_date';
  const out = '0070031415900000017093722', ret = '0070831415900000017093721';
  const write = (name: string, text: string) => { fs.writeFileSync(path.join(dir, name), text); return path.join(dir, name); };
  const scans1 = await ingest(write('scans-1.csv', [head,
    `${out},2026-05-04T19:42:10,919,L,Phase 1 - Origin Processing,FRESNO CA P&DC,FRESNO,CA,93706,DIOSS-012,2026-05-06`,
    `${out},2026-05-04T19:42:10,919,L,Phase 1 - Origin Processing,FRESNO CA P&DC,FRESNO,CA,93706,DIOSS-012,2026-05-06`,
    `${out},2026-05-06T06:10:00,919,L,Phase 4c - Delivery Unit Processing,KERMAN CA,KERMAN,CA,93630,DBCS-3,2026-05-06`,
  ].join('\n') + '\n'), 'usps-scans');
  expect(scans1.summary).toMatchObject({ status: 'done', accepted: 3, rejected: 0 });
  expect((await db.pool.query(`SELECT count(*)::int AS n FROM unmatched_scans WHERE applied_at IS NULL`)).rows[0].n).toBe(3);

  const manifest = await ingest(write('manifest-late.csv', `voter_id,issue_number,outbound_imb,return_imb,mailed_date\nOOF123470,1,${out},${ret},2026-05-04\n`), 'vendor-manifest');
  expect(manifest.summary).toMatchObject({ status: 'done', accepted: 1 });
  expect((await db.pool.query(`SELECT count(*)::int AS n FROM unmatched_scans WHERE applied_at IS NULL`)).rows[0].n).toBe(0);
  // Three scans, two milestones: the repeated origin scan collapsed.
  expect((await db.pool.query(`SELECT milestone FROM scan_milestones WHERE tracking_code = $1 ORDER BY scanned_at`, ['00700314159000000170'])).rows.map((r) => r.milestone)).toEqual(['accepted', 'delivered']);
  const ballot = env.client.workflow.getHandle(ballotIdOf(electionId, 'OOF123470', 1));
  for (let i = 0; i < 50 && (await ballot.query(getBallot)).status !== 'delivered'; i++) await new Promise((r) => setTimeout(r, 100));
  expect((await ballot.query(getBallot)).status).toBe('delivered');

  await ingest(write('scans-2.csv', [head, `${ret},2026-05-12T21:05:00,919,L,Phase 1 - Origin Processing,FRESNO CA P&DC,FRESNO,CA,93706,DIOSS-012,`].join('\n') + '\n'), 'usps-scans');
  for (let i = 0; i < 50 && (await ballot.query(getBallot)).status !== 'returned'; i++) await new Promise((r) => setTimeout(r, 100));
  expect((await ballot.query(getBallot)).status).toBe('returned');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('through the API', () => {
  const json = (r: request.Response) => r.body as Record<string, any>;
  async function settled(county: ReturnType<typeof as>, url: string) {
    for (let i = 0; i < 100; i++) {
      const f = json(await county.get(url));
      if (f.status === 'done' || f.status === 'failed') return f;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${url} did not finish`);
  }

  test('a county uploads returns; progress, rejects, the ballot timeline and counts by status answer', async () => {
    const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-uploads-'));
    const app = createApp({ pool: db.pool, client: env.client, logger: silentLogger, cfg: { TASK_QUEUE: taskQueue, searchAttributes: false, uploadDir } });
    // Fresno's elections office: a county manager's key, for Fresno only.
    const county = as(app, await keyFor(db.pool, 'county-manager', { county: 'fresno' }));
    const body = fs.readFileSync(path.join(fixtures, 'county-returns.csv'));
    const up = await county.post(`/api/elections/${electionId}/files?type=county-returns&name=returns-0602.csv`).set('Content-Type', 'text/csv').send(body);
    expect(up.status).toBe(202);
    const url = up.headers.location as string;
    const done = await settled(county, url);
    expect(done).toMatchObject({ status: 'done', fileName: 'returns-0602.csv', rejected: 0 });
    expect(done.path).toBeUndefined();
    const again = await county.post(`/api/elections/${electionId}/files?type=county-returns`).set('Content-Type', 'text/csv').send(body);
    expect(again.status).toBe(200);
    // By hand, from the fixtures: 456 issue 1 was superseded by issue 2 (mailed); 457 received; 458 accepted;
    // 459 mailed; 460 only issued (its manifest row was rejected); 461 had a cure notice sent, but this
    // election's cure deadline (5 p.m. 2026-06-30) has passed, so it is not counted, not cured; 462 in review
    // and 463 undeliverable (known only from the county file); 470 returned (the scan test before).
    // A file is done when every ballot has its signal; the ballots apply it and write their events just after.
    let stats: Record<string, any> = {};
    for (let i = 0; i < 100; i++) {
      stats = json(await county.get(`/api/elections/${electionId}/stats`));
      if (stats.byStatus?.['not-accepted'] && stats.byStatus?.accepted && stats.byStatus?.received && stats.byStatus?.['in-review'] && stats.byStatus?.undeliverable) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stats).toMatchObject({
      total: 10,
      byStatus: { issued: 1, mailed: 2, superseded: 1, received: 1, accepted: 1, 'not-accepted': 1, 'in-review': 1, undeliverable: 1, returned: 1 },
      byReason: { 'signature-mismatch': 2, 'no-postmark': 1, 'not-cured': 1, undeliverable: 1, 'registration-cancelled': 1 },
    });
    // Extract: latest issues 456:2, 457, 458, 459, 460, 461. Manifests: 456:1, 456:2, 457, 458, 459, and 470
    // (from the scan test, issued by no extract). 456:1 was superseded, so it is not expected.
    const rec = json(await county.get(`/api/elections/${electionId}/reconciliation`));
    expect(rec).toMatchObject({ extractBallots: 6, manifestBallots: 6, matched: 4, perfect: false, multiplePieces: [] });
    expect(rec.notMailed.map((b: { ballotId: string }) => b.ballotId)).toEqual([ballotIdOf(electionId, 'OOF123460', 1), ballotIdOf(electionId, 'OOF123461', 1)]);
    expect(rec.notMailed[0]).toMatchObject({ line: 7 });
    expect(rec.notInExtract).toEqual([{ ballotId: ballotIdOf(electionId, 'OOF123470', 1) }]);
    const page = json(await county.get(`/api/elections/${electionId}/ballots?limit=2`));
    expect(page.ballots).toHaveLength(2);
    const next = json(await county.get(`/api/elections/${electionId}/ballots?limit=2&after=${encodeURIComponent(page.next)}`));
    expect(next.ballots[0].ballotId > page.ballots[1].ballotId).toBe(true);
    // One voter's ballots, every issue: OOF123456 was reissued.
    const jose = json(await county.get(`/api/elections/${electionId}/ballots?voterId=OOF123456`));
    expect(jose.ballots.map((b: { ballotId: string; status: string }) => [b.ballotId, b.status])).toEqual([
      [ballotIdOf(electionId, 'OOF123456', 1), 'superseded'], [ballotIdOf(electionId, 'OOF123456', 2), expect.any(String)],
    ]);
    expect(json(await county.get(`/api/elections/${electionId}/ballots?voterId=OOF1234`)).ballots).toEqual([]);
    const ballot = json(await county.get(`/api/ballots/${encodeURIComponent(ballotIdOf(electionId, 'OOF123457', 1))}`));
    expect(ballot.timeline.map((e: { type: string }) => e.type)).toContain('status-changed');
    const empty = await county.post(`/api/elections/${electionId}/files?type=county-returns`).set('Content-Type', 'text/csv').send('');
    expect(empty.status).toBe(422);
    const badType = await county.post(`/api/elections/${electionId}/files?type=ballots`).set('Content-Type', 'text/csv').send(body);
    expect(json(badType).errors[0].field).toBe('query.type');
    fs.rmSync(uploadDir, { recursive: true, force: true });
  });

  test('ballotflow ingest sends a file, follows it to the end and prints the rejects with line and field', async () => {
    const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-uploads-'));
    const app = createApp({ pool: db.pool, client: env.client, logger: silentLogger, cfg: { TASK_QUEUE: taskQueue, searchAttributes: false, uploadDir } });
    const server = app.listen(0);
    const port = (server.address() as { port: number }).port;
    let printed = '';
    const out = { write: (s: string) => { printed += s; return true; } } as unknown as NodeJS.WritableStream;
    try {
      // The county's key, as `ballotflow ingest --key` (or BALLOTFLOW_API_KEY) passes it.
      const key = await keyFor(db.pool, 'county-manager', { county: 'fresno' });
      const f = await ingestCli({ api: `http://127.0.0.1:${port}`, election: electionId, type: 'county-returns', file: path.join(fixtures, 'county-returns-bad.csv'), key, out, progress: false });
      expect(f.status).toBe('done');
      expect(f.rejected).toBeGreaterThan(0);
      expect(printed).toMatch(/: done\. \d+ lines \(\d+ bytes\): \d+ rows accepted, [1-9]\d* rejected/);
      expect(printed).toMatch(/reject line \d+, [a-z_]+: /);
    } finally {
      server.close();
      fs.rmSync(uploadDir, { recursive: true, force: true });
    }
  });
});

/**
 * Files into ballots, through the real parts: Postgres, the time-skipping server, a worker running the
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
import { ContractTermsSchema } from '../domain/contract';
import { ballotIdOf } from '../domain/ballot';
import { contractIdOf } from '../domain/ids';
import { ElectionRequestSchema } from '../domain/election';
import { getBallot } from '../workflows/ballot/messages';
import type { fileIngestionWorkflow } from '../workflows/ingest/workflow';
import { createTestDb, type TestDb } from './helpers/db';
import { silentLogger, timeSkippingEnv } from './helpers/temporal';
import { createWorker } from '../workers/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';

const fixtures = path.join(__dirname, 'fixtures', 'ingest');
const electionId = 'election:fresno:2026-06-02';
let env: TestWorkflowEnvironment;
let db: TestDb;
let worker: Worker;
let running: Promise<void>;
const taskQueue = 'ingest-test';

beforeAll(async () => {
  [env, db] = await Promise.all([timeSkippingEnv(), createTestDb()]);
  const terms = ContractTermsSchema.parse({ county: 'fresno', number: 'I-1', vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2028-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2028-06-30', cap: 1_000_000 }], totalCap: 1_000_000 });
  await insertContract(db.pool, { ...terms, id: contractIdOf('fresno', 'I-1') });
  await insertElection(db.pool, { id: electionId, countywide: true, request: ElectionRequestSchema.parse({ county: 'fresno', electionDate: '2026-06-02', type: 'statewide-primary', contractId: 'contract:fresno:I-1' }) });
  worker = await createWorker({
    connection: env.nativeConnection, namespace: 'default', taskQueue, store: pgStore(db.pool), logger: silentLogger,
    extraActivities: createIngestActivities({ pool: db.pool, client: env.client, taskQueue, logger: silentLogger, batchSize: 2 }),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await db?.drop();
});

async function ingest(fixture: string, type: string) {
  const p = path.join(fixtures, fixture);
  const bytes = fs.readFileSync(p);
  const checksum = createHash('sha256').update(bytes).digest('hex');
  const { file, created } = await registerFile(db.pool, { electionId, type, fileName: fixture, path: p, checksum, bytes: bytes.length });
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
  const issue1 = env.client.workflow.getHandle(ballotIdOf(electionId, 'OOF123456', 1));
  expect((await issue1.result()).status).toBe('superseded');
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
  expect(summary.status).toBe('done');
  expect(summary.rejected).toBeGreaterThan(0);
  const rejects = await listRejects(db.pool, file.id);
  expect(rejects.length).toBeGreaterThanOrEqual(summary.rejected);
  expect(rejects.every((r) => r.line >= 2 && r.field.length > 0 && r.reason.length > 0)).toBe(true);
  expect(rejects.some((r) => /imb/.test(r.field))).toBe(true);
});

test('a file that is not its type fails at once with the reason, and is not retried', async () => {
  await expect(ingest('state-extract-missing-columns.csv', 'state-extract')).rejects.toMatchObject({ cause: { cause: { type: 'file-format' } } });
  const row = await db.pool.query(`SELECT status, error FROM ingest_files WHERE file_name = 'state-extract-missing-columns.csv'`);
  expect(row.rows[0].status).toBe('failed');
  expect(row.rows[0].error).toMatch(/column/i);
});

/**
 * Reliability: the worker process is killed with SIGKILL in the middle of an ingestion and started again.
 * Every row ends accepted exactly once, every ballot workflow exists once, and the counters are exact.
 * Real parts throughout: the compiled worker as its own process, the Temporal dev server, Postgres.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { generate } from '../bench/synthetic';
import { insertContract } from '../db/contracts';
import { insertElection } from '../db/elections';
import { getFile, registerFile } from '../db/files';
import { ContractTermsSchema } from '../domain/contract';
import { ElectionRequestSchema } from '../domain/election';
import { contractIdOf } from '../domain/ids';
import { createTestDb, type TestDb } from './helpers/db';
import { devServerEnv } from './helpers/temporal';
import { spawnWorker } from './helpers/worker-process';

const ROWS = 1000;
const electionId = 'election:fresno:2026-06-02';
const taskQueue = 'crash-test';
let env: TestWorkflowEnvironment;
let db: TestDb;
let dir: string;

beforeAll(async () => {
  [env, db] = await Promise.all([devServerEnv(), createTestDb()]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-crash-'));
  const terms = ContractTermsSchema.parse({ county: 'fresno', number: 'K-1', vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2028-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2028-06-30', cap: 1_000_000 }], totalCap: 1_000_000 });
  await insertContract(db.pool, { ...terms, id: contractIdOf('fresno', 'K-1') });
  await insertElection(db.pool, { id: electionId, countywide: true, request: ElectionRequestSchema.parse({ county: 'fresno', electionDate: '2026-06-02', type: 'statewide-primary', contractId: 'contract:fresno:K-1' }) });
});
afterAll(async () => {
  await env?.teardown();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function startWorker(): ChildProcess {
  return spawnWorker({ DATABASE_URL: db.url, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn', INGEST_BATCH_SIZE: '100' });
}

const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

test('a worker killed mid-file resumes from its checkpoint: every row counted once, every ballot started once', async () => {
  const file = path.join(dir, 'extract.csv');
  await generate(file, ROWS, 7, false);
  const bytes = fs.readFileSync(file);
  const checksum = createHash('sha256').update(bytes).digest('hex');
  const { file: f } = await registerFile(db.pool, { electionId, type: 'state-extract', fileName: 'extract.csv', path: file, checksum, bytes: bytes.length });

  let worker = startWorker();
  const handle = await env.client.workflow.start('fileIngestionWorkflow', { workflowId: f.id, taskQueue, args: [{ fileId: f.id, heartbeatTimeoutSeconds: 3 }] });
  // Kill it once some rows are in but well before the end.
  for (let i = 0; i < 600; i++) {
    const now = await getFile(db.pool, f.id);
    if (now!.linesDone > 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  worker.kill('SIGKILL');
  await exited(worker);
  const atKill = (await getFile(db.pool, f.id))!;
  expect(atKill.linesDone).toBeGreaterThan(200);
  expect(atKill.linesDone).toBeLessThan(ROWS + 1);

  worker = startWorker();
  try {
    const summary = (await handle.result()) as { status: string; accepted: number; rejected: number; linesDone: number };
    expect(summary).toMatchObject({ status: 'done', linesDone: ROWS + 1, accepted: ROWS, rejected: 0 });
    // Every ballot of the file exists exactly once, issued by its line (no row lost, none twice).
    const issued = await db.pool.query(`SELECT count(*)::int AS n, count(DISTINCT ballot_id)::int AS d FROM extract_ballots WHERE election_id = $1`, [electionId]);
    expect(issued.rows[0]).toEqual({ n: ROWS, d: ROWS });
    // Every ballot workflow ran and wrote its events (they follow the signals by a moment).
    for (let i = 0; i < 100 && (await db.pool.query(`SELECT count(DISTINCT ballot_id)::int AS n FROM ballot_events WHERE election_id = $1`, [electionId])).rows[0].n < ROWS; i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const ballots = await db.pool.query(`SELECT count(DISTINCT ballot_id)::int AS n FROM ballot_events WHERE election_id = $1`, [electionId]);
    expect(ballots.rows[0].n).toBe(ROWS);
    // No ballot recorded its issuance twice, though the rows of the interrupted batch were signalled twice.
    const twice = await db.pool.query(`SELECT count(*)::int AS n FROM (SELECT ballot_id FROM ballot_events WHERE election_id = $1 AND detail->>'fact' = 'issued' GROUP BY ballot_id HAVING count(*) > 1) x`, [electionId]);
    expect(twice.rows[0].n).toBe(0);
  } finally {
    worker.kill('SIGTERM');
    await exited(worker);
  }
}, 180_000);

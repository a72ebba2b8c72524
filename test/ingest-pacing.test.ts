/**
 * Ingestion is paced by the ballots (activities/ingest.ts caughtUp): it tells a batch only once the ballots of the
 * batch before have run, so a file never piles up more ballot tasks than one batch; and a ballot worker that is down
 * slows a file, never stops it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { ballotCaughtUp, createIngestActivities } from '../activities/ingest';
import { pgStore } from '../activities/pg-store';
import { insertContract } from '../db/contracts';
import { insertElection } from '../db/elections';
import { registerFile } from '../db/files';
import { ballotCalendar, ballotIdOf, BallotSettingsSchema } from '../domain/ballot';
import { ContractTermsSchema } from '../domain/contract';
import { ElectionRequestSchema } from '../domain/election';
import { contractIdOf } from '../domain/ids';
import { getBallot } from '../workflows/ballot/messages';
import type { fileIngestionWorkflow } from '../workflows/ingest/workflow';
import { createBallotWorker, createWorker } from '../workers/worker';
import { createTestDb, type TestDb } from './helpers/db';
import { devServerEnv, silentLogger } from './helpers/temporal';

const extract = path.join(__dirname, 'fixtures', 'ingest', 'state-extract.csv');
const taskQueue = 'ingest-pacing-test';
const LIMIT_MS = 1500;
let env: TestWorkflowEnvironment;
let db: TestDb;
let worker: Worker;
let running: Promise<unknown>;
const warnings: string[] = [];

beforeAll(async () => {
  [env, db] = await Promise.all([devServerEnv(), createTestDb()]);
  const terms = ContractTermsSchema.parse({ county: 'fresno', number: 'P-1', vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2028-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2028-06-30', cap: 1_000_000 }], totalCap: 1_000_000 });
  await insertContract(db.pool, { ...terms, id: contractIdOf('fresno', 'P-1') });
  for (const electionDate of ['2026-06-02', '2026-11-03']) {
    await insertElection(db.pool, { id: `election:fresno:${electionDate}`, countywide: true, request: ElectionRequestSchema.parse({ county: 'fresno', electionDate, type: electionDate === '2026-06-02' ? 'statewide-primary' : 'statewide-general', contractId: 'contract:fresno:P-1' }) });
  }
  const logger = pino({ level: 'warn' }, new Writable({ write(chunk: Buffer, _enc, done) { warnings.push(JSON.parse(chunk.toString()).msg as string); done(); } }));
  // Two rows a batch: the extract's seven rows are four batches, so three waits.
  worker = await createWorker({
    connection: env.nativeConnection, namespace: 'default', taskQueue, store: pgStore(db.pool), logger: silentLogger,
    extraActivities: createIngestActivities({ pool: db.pool, client: env.client, taskQueue, logger, batchSize: 2, catchUpLimitMs: LIMIT_MS }),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await db?.drop();
});

async function ingest(electionId: string) {
  const bytes = fs.readFileSync(extract);
  const { file } = await registerFile(db.pool, { electionId, type: 'state-extract', fileName: 'state-extract.csv', path: extract, checksum: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
  return env.client.workflow.execute<typeof fileIngestionWorkflow>('fileIngestionWorkflow', { workflowId: file.id, taskQueue, args: [{ fileId: file.id }] });
}

/** When the server recorded an event of the ballot's history, by event type name. */
async function eventTime(workflowId: string, type: string): Promise<number> {
  const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const names: Record<string, number> = { started: 1, 'task-completed': 7 };
  const e = (events ?? []).find((x) => Number(x.eventType) === names[type]);
  if (!e?.eventTime) throw new Error(`${workflowId} has no ${type} event`);
  return Number(e.eventTime.seconds) * 1000 + Math.floor((e.eventTime.nanos ?? 0) / 1e6);
}

test('a batch is told only after the last ballot of the batch before has run its task', async () => {
  const ballots = await createBallotWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, store: pgStore(db.pool), logger: silentLogger });
  const ballotsRunning = ballots.run();
  try {
    const electionId = 'election:fresno:2026-06-02';
    const summary = await ingest(electionId);
    expect(summary).toMatchObject({ status: 'done', accepted: 7, rejected: 0 });
    // Batches: lines 2-3 (OOF123456 issues 1 and 2), 4-5 (OOF123457, OOF123458), 6-7 (OOF123459, OOF123460), 8 (OOF123461).
    const lastOf = ['OOF123456:2', 'OOF123458:1', 'OOF123460:1'];
    const firstOf = ['OOF123457:1', 'OOF123459:1', 'OOF123461:1'];
    for (let k = 0; k < 3; k++) {
      const [lastVoter, lastIssue] = lastOf[k]!.split(':');
      const [nextVoter, nextIssue] = firstOf[k]!.split(':');
      const ran = await eventTime(ballotIdOf(electionId, lastVoter!, Number(lastIssue)), 'task-completed');
      const told = await eventTime(ballotIdOf(electionId, nextVoter!, Number(nextIssue)), 'started');
      expect([k, ran <= told]).toEqual([k, true]);
    }
    expect(warnings).toEqual([]);
  } finally {
    ballots.shutdown();
    await ballotsRunning;
  }
});

test('with no ballot worker, each batch waits the limit and the file is still ingested; the ballots run once a worker is back', async () => {
  warnings.length = 0;
  const electionId = 'election:fresno:2026-11-03';
  const t0 = Date.now();
  const summary = await ingest(electionId);
  const took = Date.now() - t0;
  expect(summary).toMatchObject({ status: 'done', accepted: 7, rejected: 0, signalled: 7 });
  expect(took).toBeGreaterThanOrEqual(3 * LIMIT_MS);
  expect(warnings).toEqual(Array(3).fill('ballots have not caught up with ingestion; going on'));
  // Nothing was lost: the signals wait on the server for a worker.
  const ballots = await createBallotWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, store: pgStore(db.pool), logger: silentLogger });
  const ballotsRunning = ballots.run();
  try {
    const status = await env.client.workflow.getHandle(ballotIdOf(electionId, 'OOF123461', 1)).query(getBallot);
    expect(status.status).toBe('issued');
    expect((await env.client.workflow.getHandle(ballotIdOf(electionId, 'OOF123456', 1)).query(getBallot)).status).toBe('superseded');
  } finally {
    ballots.shutdown();
    await ballotsRunning;
  }
});

test('a ballot that has finished is not waited for: the server refuses the query at once, with no worker to ask', async () => {
  const logger = pino({ level: 'silent' });
  const args = (ballotId: string) => [{ ballotId, electionId: 'election:fresno:2026-11-03', calendar: ballotCalendar('2026-11-03'), settings: BallotSettingsSchema.parse({}) }];
  const closed = ballotIdOf('election:fresno:2026-11-03', 'CLOSED1', 1);
  await (await env.client.workflow.start('ballotWorkflow', { workflowId: closed, taskQueue: 'no-worker-polls-this', args: args(closed) })).terminate('finished for the test');
  // Asked plainly, the query of a closed ballot would wait for a worker to replay it: here, for the whole limit.
  expect(await ballotCaughtUp({ client: env.client, logger, ballotId: closed, limitMs: 60_000, heartbeat: () => undefined })).toBe('closed');
  // An open ballot with no worker still waits the limit.
  const open = ballotIdOf('election:fresno:2026-11-03', 'OPEN1', 1);
  const openHandle = await env.client.workflow.start('ballotWorkflow', { workflowId: open, taskQueue: 'no-worker-polls-this', args: args(open) });
  expect(await ballotCaughtUp({ client: env.client, logger, ballotId: open, limitMs: 1000, heartbeat: () => undefined })).toBe('limit');
  await openHandle.terminate('done with the test');
}, 120_000);

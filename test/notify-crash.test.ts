/**
 * Exactly once across a crash: the worker process is killed -9 the moment Twilio has accepted a text, before
 * the send activity can record it. The restarted worker retries the send, finds the message at Twilio, and
 * sends nothing again.
 */
import type { ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { notificationsFor } from '../db/notifications';
import type { PlannedNotice } from '../domain/notify/queue';
import { addDays, pacificDate } from '../domain/time';
import { startFakeTwilio, type FakeTwilio } from '../runtime/fake-twilio';
import { noticesPlanned } from '../workflows/notices/messages';
import { seedContract, seedElection } from './helpers/seed';
import { createTestDb, type TestDb } from './helpers/db';
import { devServerEnv } from './helpers/temporal';
import { spawnWorker } from './helpers/worker-process';

const SID = `AC${'3'.repeat(32)}`;
const TOKEN = 'crash-token';
const taskQueue = 'notify-crash';
const electionDate = addDays(pacificDate(Date.now()), 23);
const electionId = `election:fresno:${electionDate}`;
const ballotId = `ballot:${electionId}:V9:1`;

let env: TestWorkflowEnvironment;
let db: TestDb;
let fake: FakeTwilio;
let worker: ChildProcess | undefined;
let killOnFirstText = true;

function startWorker(): ChildProcess {
  return spawnWorker({
    DATABASE_URL: db.url, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn',
    TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_URL: fake.url, SMS_NUMBERS: '+15595550100', SMTP_URL: '',
  });
}
const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

beforeAll(async () => {
  [env, db] = await Promise.all([devServerEnv(), createTestDb()]);
  // The kill happens before the fake answers: Twilio has the message, and the worker dies before it hears so.
  fake = await startFakeTwilio({
    accountSid: SID, authToken: TOKEN,
    beforeAnswer: async () => {
      if (!killOnFirstText || !worker) return;
      killOnFirstText = false;
      worker.kill('SIGKILL');
      await exited(worker);
    },
  });
  await seedElection(db.pool, 'fresno', electionDate, await seedContract(db.pool, 'fresno', 'C-9'));
  await db.pool.query(`INSERT INTO extract_ballots (election_id, ballot_id, voter_id, issue, file_id, line) VALUES ($1, $2, 'V9', 1, 'f', 2)`, [electionId, ballotId]);
  await db.pool.query(`INSERT INTO voters (county, voter_id, first_name, last_name, lookup_hash, election_id, ballot_id) VALUES ('fresno', 'V9', 'Minh', 'Trần', 'x', $1, $2)`, [electionId, ballotId]);
  await db.pool.query(`INSERT INTO subscriptions (id, county, voter_id, language, window_start, window_end, window_zone, status) VALUES ('sub-c', 'fresno', 'V9', 'en', '00:00', '24:00', 'America/Los_Angeles', 'active')`);
  await db.pool.query(`INSERT INTO subscription_channels (subscription_id, channel, address, confirmed_at) VALUES ('sub-c', 'sms', '+15595559999', now())`);
}, 120_000);

afterAll(async () => {
  if (worker) { worker.kill('SIGTERM'); await exited(worker); }
  await Promise.all([env?.teardown(), fake?.stop()]);
  await db?.drop();
});

test('a worker killed after Twilio accepted a text, before recording it, never sends that text twice', async () => {
  worker = startWorker();
  const notice: PlannedNotice = {
    key: `${ballotId}#2|mailed|sms|sub-c`, ballotId, eventId: `${ballotId}#2`, seq: 2, subscriptionId: 'sub-c', channel: 'sms', kind: 'mailed',
    window: { start: '00:00', end: '24:00', zone: 'America/Los_Angeles' }, taskQueue: `${taskQueue}-notify-sms-0`,
    expectedWindow: { from: addDays(electionDate, -28), to: addDays(electionDate, -24) },
  };
  const handle = await env.client.workflow.signalWithStart('noticesWorkflow', { workflowId: `notices:${ballotId}`, taskQueue, args: [{ ballotId }], signal: noticesPlanned, signalArgs: [{ notices: [notice] }] });
  await fake.waitFor(() => fake.messages.length >= 1, 30_000);
  await exited(worker);
  const atKill = await notificationsFor(db.pool, { ballotId });
  expect(atKill.map((n) => n.status)).toEqual(['reserved']); // Twilio has it; our ledger does not know yet
  worker = startWorker();
  expect(await handle.result()).toEqual({ sent: 1, superseded: 0 });
  expect(fake.messages.filter((m) => m.to === '+15595559999')).toHaveLength(1);
  const ledger = await notificationsFor(db.pool, { ballotId });
  expect(ledger.map((n) => [n.status, n.providerMessageId])).toEqual([['sent', fake.messages[0]!.sid]]);
}, 120_000);

/**
 * Contact hours on the time-skipping server: a text planned outside the voter's window waits on a durable
 * timer, and a newer status that arrives while it waits replaces it. Real Postgres ledger, real twilio SDK
 * to the local Twilio endpoint.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { createNotifyActivities, type NotifySettings } from '../activities/notify';
import { MemoryStore } from '../activities/memory-store';
import { createTwilioProvider } from '../activities/providers/twilio';
import { notificationsFor } from '../db/notifications';
import type { PlannedNotice } from '../domain/notify/queue';
import { addDays, pacificDate } from '../domain/time';
import { startFakeTwilio, type FakeTwilio } from '../runtime/fake-twilio';
import { noticesPlanned } from '../workflows/notices/messages';
import type { noticesWorkflow } from '../workflows/notices/workflow';
import { createNotifyWorkers, createWorker } from '../workers/worker';
import { seedContract, seedElection } from './helpers/seed';
import { createTestDb, type TestDb } from './helpers/db';
import { silentLogger, timeSkippingEnv } from './helpers/temporal';

const SID = `AC${'2'.repeat(32)}`;
const electionDate = addDays(pacificDate(Date.now()), 23);
const electionId = `election:fresno:${electionDate}`;
const ballotId = `ballot:${electionId}:V1:1`;
const taskQueue = 'notify-hours';
const settings: NotifySettings = {
  taskQueue: `${taskQueue}-notify`, workflowTaskQueue: taskQueue, programName: 'CA Ballot Alerts', publicBaseUrl: 'https://ballots.example.gov',
  defaultSender: { emailFrom: 'alerts@ballots.example.gov', smsNumbers: ['+15595550100'], voiceCallerId: '+15595550199' }, codeDigits: 6, codeTtlMinutes: 10,
};

let env: TestWorkflowEnvironment;
let db: TestDb;
let fake: FakeTwilio;
let workers: Worker[];
let running: Promise<void>[];

beforeAll(async () => {
  [env, db, fake] = await Promise.all([timeSkippingEnv(), createTestDb(), startFakeTwilio({ accountSid: SID, authToken: 't' })]);
  await seedElection(db.pool, 'fresno', electionDate, await seedContract(db.pool, 'fresno', 'H-1'));
  await db.pool.query(`INSERT INTO extract_ballots (election_id, ballot_id, voter_id, issue, file_id, line) VALUES ($1, $2, 'V1', 1, 'f', 2)`, [electionId, ballotId]);
  await db.pool.query(`INSERT INTO voters (county, voter_id, first_name, last_name, lookup_hash, election_id, ballot_id) VALUES ('fresno', 'V1', 'Lan', 'Nguyễn', 'x', $1, $2)`, [electionId, ballotId]);
  await db.pool.query(`INSERT INTO subscriptions (id, county, voter_id, language, window_start, window_end, window_zone, status) VALUES ('sub-h', 'fresno', 'V1', 'es', '08:00', '21:00', 'America/Los_Angeles', 'active')`);
  await db.pool.query(`INSERT INTO subscription_channels (subscription_id, channel, address, confirmed_at) VALUES ('sub-h', 'sms', '+15595557777', now())`);
  const twilio = createTwilioProvider({ accountSid: SID, authToken: 't', baseUrl: fake.url, logger: silentLogger });
  const notify = createNotifyActivities({ pool: db.pool, client: env.client, logger: silentLogger, settings, twilio, manageUrl: () => 'https://ballots.example.gov/m' });
  const main = await createWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, store: new MemoryStore(), logger: silentLogger, notify });
  const senders = await createNotifyWorkers({ connection: env.nativeConnection, namespace: 'default', settings, activities: notify, rates: { smsPerNumberPerSecond: 1, callsPerSecond: 1, emailsPerSecond: 10 } });
  workers = [main, ...senders];
  running = workers.map((w) => w.run());
}, 120_000);

afterAll(async () => {
  for (const w of workers ?? []) w.shutdown();
  await Promise.all(running ?? []);
  await Promise.all([env?.teardown(), fake?.stop()]);
  await db?.drop();
});

const notice = (seq: number, kind: PlannedNotice['kind']): PlannedNotice => ({
  key: `${ballotId}#${seq}|${kind}|sms|sub-h`, ballotId, eventId: `${ballotId}#${seq}`, seq, subscriptionId: 'sub-h', channel: 'sms', kind,
  window: { start: '08:00', end: '21:00', zone: 'America/Los_Angeles' }, taskQueue: `${settings.taskQueue}-sms-0`,
  expectedWindow: { from: addDays(electionDate, -27), to: addDays(electionDate, -24) },
});

test('a text due at 11:30 p.m. waits for 8 a.m. in the voter\'s zone, and a newer status that came meanwhile replaces it', async () => {
  // Skip to 11:30 p.m. Pacific tonight: outside the voter's 8 a.m.–9 p.m. window.
  const now = DateTime.fromMillis(Date.now(), { zone: 'America/Los_Angeles' });
  let lateTonight = now.set({ hour: 23, minute: 30, second: 0, millisecond: 0 });
  if (lateTonight.toMillis() <= now.toMillis()) lateTonight = lateTonight.plus({ days: 1 });
  await env.sleep(lateTonight.toMillis() - Date.now());
  const handle = await env.client.workflow.start<typeof noticesWorkflow>('noticesWorkflow', { workflowId: `notices:${ballotId}`, taskQueue, args: [{ ballotId, pending: [notice(2, 'mailed')] }] });
  await env.sleep('30 minutes');
  expect(fake.messages).toHaveLength(0);
  await handle.signal(noticesPlanned, { notices: [notice(3, 'expected-delivery')] });
  const result = await handle.result();
  expect(result).toEqual({ sent: 1, superseded: 1 });
  expect(fake.messages).toHaveLength(1);
  // Sent in the voter's language (Spanish), at 8 a.m. Pacific by the server's clock.
  expect(fake.messages[0]!.body).toMatch(/boleta/i);
  const sentAt = DateTime.fromMillis(await env.currentTimeMs(), { zone: 'America/Los_Angeles' });
  expect(sentAt.hour).toBe(8);
  const ledger = await notificationsFor(db.pool, { ballotId });
  expect(ledger.map((n) => [n.kind, n.status]).sort()).toEqual([['expected-delivery', 'sent'], ['mailed', 'superseded']]);
}, 120_000);

/**
 * Voter notices end to end, through the real parts: files ingested into ballot workflows on the Temporal dev
 * server, events in Postgres, the notices workflow, the rate-limited sender queues, nodemailer to an SMTP
 * server in this process and the real twilio SDK to a local Twilio endpoint.
 */
import { createHash } from 'node:crypto';
import { temporalNotifier } from '../api/notifier';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createIngestActivities } from '../activities/ingest';
import { createNotifyActivities, type NotifySettings } from '../activities/notify';
import { pgStore } from '../activities/pg-store';
import { createEmailProvider } from '../activities/providers/email';
import { createTwilioProvider } from '../activities/providers/twilio';
import { voterRows } from '../bench/synthetic';
import { insertContract } from '../db/contracts';
import { insertElection } from '../db/elections';
import { registerFile } from '../db/files';
import { notificationsFor, subscribersOfElection } from '../db/notifications';
import { ballotIdOf } from '../domain/ballot';
import { ContractTermsSchema } from '../domain/contract';
import { ElectionRequestSchema } from '../domain/election';
import { contractIdOf } from '../domain/ids';
import { addDays, pacificDate } from '../domain/time';
import { FORMATS } from '../ingest/schemas';
import { startFakeTwilio, type FakeTwilio } from '../runtime/fake-twilio';
import { startSmtpCapture, type SmtpCapture } from '../runtime/smtp-capture';
import type { fileIngestionWorkflow } from '../workflows/ingest/workflow';
import { createBallotWorker, createNotifyWorkers, createWorker } from '../workers/worker';
import { createTestDb, type TestDb } from './helpers/db';
import { devServerEnv, silentLogger } from './helpers/temporal';

const SID = `AC${'1'.repeat(32)}`;
const TOKEN = 'test-token';
const SECRET = 'test-voter-link-secret';
// An election three weeks out: the ballots went out at E-29, so no silence alert is due while the test runs.
const electionDate = addDays(pacificDate(Date.now()), 23);
const electionId = `election:fresno:${electionDate}`;
const mailed = addDays(electionDate, -29);
const taskQueue = 'notify-e2e';
const COUNTY_NUMBERS = ['+15596001001', '+15596001002'];
const settings: NotifySettings = {
  taskQueue: `${taskQueue}-notify`, workflowTaskQueue: taskQueue, programName: 'CA Ballot Alerts', publicBaseUrl: 'https://ballots.example.gov',
  defaultSender: { emailFrom: 'alerts@ballots.example.gov', smsNumbers: ['+15595550100', '+15595550101'], voiceCallerId: '+15595550199' },
  codeDigits: 6, codeTtlMinutes: 10,
};

let env: TestWorkflowEnvironment;
let db: TestDb;
let smtp: SmtpCapture;
let twilioFake: FakeTwilio;
let workers: Worker[];
let running: Promise<void>[];
let dir: string;
let voter: { voterId: string; issue: number; phone: string; email: string };

beforeAll(async () => {
  [env, db, smtp, twilioFake] = await Promise.all([devServerEnv(), createTestDb(), startSmtpCapture({}), startFakeTwilio({ accountSid: SID, authToken: TOKEN })]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-notify-'));
  const terms = ContractTermsSchema.parse({ county: 'fresno', number: 'N-1', vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2030-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2030-06-30', cap: 1_000_000 }], totalCap: 1_000_000 });
  await insertContract(db.pool, { ...terms, id: contractIdOf('fresno', 'N-1') });
  await insertElection(db.pool, { id: electionId, countywide: true, request: ElectionRequestSchema.parse({ county: 'fresno', electionDate, type: 'statewide-primary', contractId: 'contract:fresno:N-1' }) });
  const email = createEmailProvider({ smtpUrl: smtp.url, logger: silentLogger });
  const twilio = createTwilioProvider({ accountSid: SID, authToken: TOKEN, baseUrl: twilioFake.url, logger: silentLogger });
  const notify = createNotifyActivities({ pool: db.pool, client: env.client, logger: silentLogger, settings, email, twilio, manageUrl: (s, c) => `https://ballots.example.gov/m/${s}/${c}` });
  const main = await createWorker({
    connection: env.nativeConnection, namespace: 'default', taskQueue, store: pgStore(db.pool), logger: silentLogger, notify,
    extraActivities: createIngestActivities({ pool: db.pool, client: env.client, taskQueue, logger: silentLogger, voterLinkSecret: SECRET }),
  });
  const senders = await createNotifyWorkers({ connection: env.nativeConnection, namespace: 'default', settings, activities: notify, rates: { smsPerNumberPerSecond: 1, callsPerSecond: 1, emailsPerSecond: 20 } });
  const ballots = await createBallotWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, store: pgStore(db.pool), logger: silentLogger, notify });
  workers = [main, ballots, ...senders];
  running = workers.map((w) => w.run());

  // Fresno sends from its own numbers and address (the admin API's county settings), not the state's pool.
  await db.pool.query(`INSERT INTO county_overrides (county, override, updated_by) VALUES ('fresno', $1, 'test')`, [JSON.stringify({
    county: 'fresno', displayName: 'Fresno County Elections', phone: '+15596008683', websiteUrl: 'https://votes.fresnocountyca.gov',
    lookupUrl: 'https://votes.fresnocountyca.gov/ballot', cureFormUrl: 'https://votes.fresnocountyca.gov/cure',
    sender: { email: { fromName: 'Fresno County Elections', fromAddress: 'elections@fresnocountyca.gov' }, sms: { numbers: COUNTY_NUMBERS }, voice: { callerId: '+15596008683' } },
  })]);

  // Three voters at issuance; the first signs up for text and email, any hour of the day.
  const cols = FORMATS['state-extract'].columns as string[];
  const rows = [...voterRows(3, 7, { electionDate, atIssuance: true })];
  fs.writeFileSync(path.join(dir, 'extract.csv'), stringify([cols, ...rows]));
  const at = (r: string[], c: string) => r[cols.indexOf(c)]!;
  voter = { voterId: at(rows[0]!, 'voter_id'), issue: Number(at(rows[0]!, 'issue_number')), phone: '+15595551234', email: 'maria@example.com' };
  await ingest('extract.csv', 'state-extract');
  await db.pool.query(`INSERT INTO subscriptions (id, county, voter_id, language, window_start, window_end, window_zone, status) VALUES ('sub-1', 'fresno', $1, 'en', '00:00', '24:00', 'America/Los_Angeles', 'active')`, [voter.voterId]);
  await db.pool.query(`INSERT INTO subscription_channels (subscription_id, channel, address, confirmed_at) VALUES ('sub-1', 'sms', $1, now()), ('sub-1', 'email', $2, now())`, [voter.phone, voter.email]);
}, 120_000);

afterAll(async () => {
  for (const w of workers ?? []) w.shutdown();
  await Promise.all(running ?? []);
  await Promise.all([env?.teardown(), smtp?.stop(), twilioFake?.stop()]);
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function ingest(name: string, type: string) {
  const p = path.join(dir, name);
  const bytes = fs.readFileSync(p);
  const { file } = await registerFile(db.pool, { electionId, type, fileName: name, path: p, checksum: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
  return env.client.workflow.execute<typeof fileIngestionWorkflow>('fileIngestionWorkflow', { workflowId: file.id, taskQueue, args: [{ fileId: file.id }], workflowIdConflictPolicy: 'USE_EXISTING' });
}

/** Polls until `pred` holds: the providers answer before the ledger records them, so tests wait for both. */
async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const ledgerOf = () => notificationsFor(db.pool, { ballotId: ballotId() });
const settled = async (n: number) => { const l = await ledgerOf(); return l.length >= n && l.every((x) => x.status !== 'reserved'); };

const imb = (stid: string, n: number) => `00${stid}314159${String(n).padStart(9, '0')}93721`;
const ballotId = () => ballotIdOf(electionId, voter.voterId, voter.issue);
const smsTo = () => twilioFake.messages.filter((m) => m.to === voter.phone);
const mailTo = () => smtp.messages.filter((m) => m.to.includes(voter.email));

test('a mailed ballot tells its subscriber by text and email, from the county, with the expected window', async () => {
  fs.writeFileSync(path.join(dir, 'manifest.csv'), stringify([['voter_id', 'issue_number', 'outbound_imb', 'return_imb', 'mailed_date'], [voter.voterId, String(voter.issue), imb('700', 1), imb('708', 1), mailed]]));
  await ingest('manifest.csv', 'vendor-manifest');
  await until(() => settled(2), 30_000, 'two notices sent');
  const sms = smsTo()[0]!;
  expect(sms.body).toMatch(/Fresno County Elections/);
  expect(COUNTY_NUMBERS).toContain(sms.from);
  expect(smsTo().every((m) => COUNTY_NUMBERS.includes(m.from))).toBe(true);
  const mail = mailTo()[0]!;
  expect(mail.subject.length).toBeGreaterThan(0);
  expect(mail.headers['list-unsubscribe']).toContain('https://ballots.example.gov/m/sub-1/email');
  // The window is the First-Class standard from the mailed date (no USPS prediction yet): 1 to 5 days.
  const [y, mo, d] = addDays(mailed, 5).split('-').map(Number);
  const monthName = new Date(Date.UTC(y!, mo! - 1, d!)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
  expect(mail.text).toContain(`${monthName} ${d}, ${y}`);
  const ledger = await notificationsFor(db.pool, { ballotId: ballotId() });
  expect(ledger.map((n) => [n.kind, n.channel, n.status]).sort()).toEqual([['mailed', 'email', 'sent'], ['mailed', 'sms', 'sent']]);
  expect(ledger.every((n) => n.providerMessageId)).toBe(true);
}, 60_000);

test('while Twilio answers 503 the text waits and then goes out once; the same scans sent again notify nobody twice', async () => {
  twilioFake.setOutage(503);
  const scans = (order: number[]) => stringify([
    ['imb', 'scan_datetime', 'operation_code', 'handling_event_type', 'mail_phase', 'facility_name', 'facility_city', 'facility_state', 'facility_zip', 'machine_name', 'predicted_delivery_date'],
    ...order.map((k) => [imb('700', 1), `${addDays(mailed, k)}T0${k}:10:00`, '919', 'L', k === 1 ? 'Phase 1 - Origin Processing' : 'Phase 3 - Destination Processing', 'FRESNO CA P&DC', 'FRESNO', 'CA', '93706', 'DBCS-1', addDays(pacificDate(Date.now()), 1)]),
  ]);
  fs.writeFileSync(path.join(dir, 'scans-1.csv'), scans([1, 2]));
  await ingest('scans-1.csv', 'usps-scans');
  await until(() => mailTo().length >= 2, 30_000, 'the second email');
  const attempted = () => twilioFake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json') && r.status === 503).length;
  await until(() => attempted() >= 2, 30_000, 'two refused attempts');
  expect(smsTo()).toHaveLength(1);
  twilioFake.setOutage(null);
  await until(() => settled(4), 60_000, 'the held text sent');
  // Then the same scans again in another file (another checksum): no milestone is new, so no notice either.
  fs.writeFileSync(path.join(dir, 'scans-2.csv'), scans([2, 1]));
  const again = await ingest('scans-2.csv', 'usps-scans');
  expect(again.signalled).toBe(0);
  await new Promise((r) => setTimeout(r, 3000));
  expect(smsTo()).toHaveLength(2);
  expect(mailTo()).toHaveLength(2);
  // In order for the voter: mailed first, then the USPS prediction.
  expect(smsTo()[1]!.body).not.toEqual(smsTo()[0]!.body);
  const ledger = await notificationsFor(db.pool, { ballotId: ballotId() });
  expect(ledger.filter((n) => n.channel === 'sms').map((n) => n.kind)).toEqual(['mailed', 'expected-delivery']);
  expect(new Set(ledger.map((n) => n.key)).size).toBe(ledger.length);
}, 120_000);

test('a voter who opted out of texts since sign-up still gets email, and the text is recorded as suppressed', async () => {
  await db.pool.query(`UPDATE subscription_channels SET opted_out_at = now() WHERE subscription_id = 'sub-1' AND channel = 'sms'`);
  fs.writeFileSync(path.join(dir, 'returns.csv'), stringify([
    ['voter_id', 'issue_number', 'receipt_date', 'postmark_date', 'status', 'reason_codes', 'cure_status', 'status_date'],
    [voter.voterId, String(voter.issue), pacificDate(Date.now()), addDays(pacificDate(Date.now()), -1), 'received', '', '', pacificDate(Date.now())],
  ]));
  await ingest('returns.csv', 'county-returns');
  await until(() => settled(5), 30_000, 'the received notice');
  const received = (await ledgerOf()).filter((n) => n.kind === 'received');
  // The opted-out text is never planned: only confirmed, not-opted-out channels hear about the ballot.
  expect(received.map((n) => [n.channel, n.status])).toEqual([['email', 'sent']]);
  expect(smsTo()).toHaveLength(2);
}, 60_000);

test('a voter who subscribes late hears the current status once, not the backlog, however often confirmation is retried', async () => {
  await db.pool.query(`INSERT INTO subscriptions (id, county, voter_id, language, window_start, window_end, window_zone, status) VALUES ('sub-2', 'fresno', $1, 'en', '00:00', '24:00', 'America/Los_Angeles', 'active')`, [voter.voterId]);
  await db.pool.query(`INSERT INTO subscription_channels (subscription_id, channel, address, confirmed_at) VALUES ('sub-2', 'email', 'late@example.com', now())`);
  const notifier = temporalNotifier(env.client, taskQueue);
  await notifier.channelConfirmed({ subscriptionId: 'sub-2', channel: 'email' });
  await until(async () => (await notificationsFor(db.pool, { subscriptionId: 'sub-2' })).some((n) => n.status === 'sent'), 30_000, 'the current status');
  await notifier.channelConfirmed({ subscriptionId: 'sub-2', channel: 'email' });
  await new Promise((r) => setTimeout(r, 2000));
  const late = await notificationsFor(db.pool, { subscriptionId: 'sub-2' });
  expect(late.map((n) => [n.kind, n.status])).toEqual([['received', 'sent']]);
  expect(smtp.messages.filter((m) => m.to.includes('late@example.com'))).toHaveLength(1);
}, 60_000);

test('an election update reaches each subscriber once, in their language, however often it is fanned out', async () => {
  // A third subscriber: another voter of the election, who reads Spanish.
  const other = (await db.pool.query(`SELECT voter_id FROM extract_ballots WHERE election_id = $1 AND voter_id <> $2 ORDER BY voter_id LIMIT 1`, [electionId, voter.voterId])).rows[0].voter_id;
  await db.pool.query(`INSERT INTO subscriptions (id, county, voter_id, language, window_start, window_end, window_zone, status) VALUES ('sub-3', 'fresno', $1, 'es', '00:00', '24:00', 'America/Los_Angeles', 'active')`, [other]);
  await db.pool.query(`INSERT INTO subscription_channels (subscription_id, channel, address, confirmed_at) VALUES ('sub-3', 'email', 'ana@example.com', now())`);
  // And one who never confirmed an address: nobody to tell, and no reason to stop paging through the others.
  await db.pool.query(`INSERT INTO subscriptions (id, county, voter_id, language, window_start, window_end, window_zone, status) VALUES ('sub-0', 'fresno', $1, 'en', '00:00', '24:00', 'America/Los_Angeles', 'active')`, [other]);
  await db.pool.query(`INSERT INTO subscription_channels (subscription_id, channel, address) VALUES ('sub-0', 'email', 'unconfirmed@example.com')`);
  expect((await subscribersOfElection(db.pool, electionId, '', 1)).map((r) => r.subscriptionId)).toEqual(['sub-1']);
  const update = { electionId, updateId: 'U-1', atMs: Date.now(), text: { en: 'Vote centers open Saturday at 10 a.m.', es: 'Los centros de votación abren el sábado a las 10 a. m.' } };
  const fanOut = (id: string) => env.client.workflow.execute('electionUpdateWorkflow', { workflowId: id, taskQueue, args: [update] });
  // sub-1 by email (its texts were stopped above), sub-2 and sub-3 by email.
  expect(await fanOut(`election-update:${electionId}:U-1`)).toEqual({ subscribers: 3, notices: 3 });
  const updates = async () => (await Promise.all(['sub-1', 'sub-2', 'sub-3'].map((s) => notificationsFor(db.pool, { subscriptionId: s })))).flat().filter((n) => n.kind === 'election-update');
  await until(async () => (await updates()).filter((n) => n.status === 'sent').length === 3, 30_000, 'the election update');
  const news = (to: string) => smtp.messages.filter((m) => m.to.includes(to) && /Vote centers open|Los centros de votación/.test(m.text));
  expect(news(voter.email).map((m) => m.text.includes('Vote centers open Saturday at 10 a.m.'))).toEqual([true]);
  expect(news('late@example.com')).toHaveLength(1);
  expect(news('ana@example.com').map((m) => m.text.includes('Los centros de votación abren el sábado a las 10 a. m.'))).toEqual([true]);
  // The same update fanned out again (a retried page, a second click): the notice keys are the same, nothing goes twice.
  expect(await fanOut(`election-update:${electionId}:U-1:again`)).toEqual({ subscribers: 3, notices: 3 });
  await new Promise((r) => setTimeout(r, 3000));
  expect([voter.email, 'late@example.com', 'ana@example.com'].map((a) => news(a).length)).toEqual([1, 1, 1]);
  expect(await updates()).toHaveLength(3);
}, 90_000);

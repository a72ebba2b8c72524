/**
 * Email bounces that come back after the relay accepted the message (issue 4: "Email bounces are recorded"): the
 * bounce mailbox hands the delivery status notification to the API, which marks the notice failed with its code.
 */
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { messageIdFor } from '../activities/providers/email';
import { emailBounceRouter, EMAIL_BOUNCES_PATH } from '../api/routes/email-bounces';
import { createTestDb, type TestDb } from './helpers/db';

const TOKEN = 'bounce-token-for-tests-only-0123';
const FROM = '"Fresno County Elections" <elections@fresnocountyca.gov>';
const dsnTemplate = fs.readFileSync(path.join(__dirname, 'fixtures', 'email', 'dsn-5.1.1.eml'), 'utf8');
const dsn = (messageId: string, action = 'failed', status = '5.1.1') =>
  dsnTemplate.replace('{{MESSAGE_ID}}', messageId).replace('Action: failed', `Action: ${action}`).replace('Status: 5.1.1', `Status: ${status}`);

let db: TestDb;
let app: express.Express;
beforeAll(async () => {
  db = await createTestDb();
  app = express();
  app.use(emailBounceRouter({ pool: db.pool, logger: pino({ level: 'silent' }) }, TOKEN));
});
afterAll(async () => { await db?.drop(); });

const notice = async (key: string) => {
  const id = messageIdFor(key, FROM);
  await db.pool.query(`INSERT INTO notifications (key, ballot_id, subscription_id, channel, kind, language, status, provider_message_id, sent_at) VALUES ($1, 'ballot:x:V1:1', 'sub-1', 'email', 'mailed', 'en', 'sent', $2, now())`, [key, id]);
  return id;
};
const stateOf = async (key: string) => (await db.pool.query('SELECT status, error FROM notifications WHERE key = $1', [key])).rows[0];
const receipts = async (id: string) => (await db.pool.query('SELECT status, error_code FROM delivery_receipts WHERE provider_message_id = $1 ORDER BY id', [id])).rows;
const post = (body: string, token = TOKEN) => request(app).post(EMAIL_BOUNCES_PATH).set('Authorization', `Bearer ${token}`).type('message/rfc822').send(body);

test('a bounce for a sent notice marks it failed with the status code; the same report again changes nothing', async () => {
  const key = 'ballot:x:V1:1#2|mailed|email|sub-1';
  const id = await notice(key);
  const r = await post(dsn(id));
  expect(r.status).toBe(200);
  expect(r.body).toEqual({ messageId: id, action: 'failed', status: '5.1.1', notice: 'failed', changed: true });
  expect(await stateOf(key)).toEqual({ status: 'failed', error: '5.1.1' });
  const again = await post(dsn(id));
  expect(again.body).toMatchObject({ notice: 'failed', changed: false });
  expect(await receipts(id)).toEqual([{ status: 'bounced', error_code: '5.1.1' }, { status: 'bounced', error_code: '5.1.1' }]);
});

test('a report that returns the whole message (message/rfc822) is read the same way', async () => {
  const key = 'ballot:x:V1:1#5|delayed|email|sub-1';
  const id = await notice(key);
  const whole = dsn(id).replace('Content-Type: text/rfc822-headers', 'Content-Type: message/rfc822')
    .replace(/(Date: Tue, 24 Nov 2026 10:14:57 -0800\n)/, '$1Content-Type: text/plain; charset=utf-8\n\nYour ballot was mailed on November 20.\n');
  const r = await post(whole);
  expect(r.status).toBe(200);
  expect(await stateOf(key)).toEqual({ status: 'failed', error: '5.1.1' });
});

test('a "delayed" report is kept as a receipt and leaves the notice sent', async () => {
  const key = 'ballot:x:V1:1#3|received|email|sub-1';
  const id = await notice(key);
  const r = await post(dsn(id, 'delayed', '4.4.1'));
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ action: 'delayed', status: '4.4.1', notice: 'sent', changed: false });
  expect(await stateOf(key)).toEqual({ status: 'sent', error: null });
  expect(await receipts(id)).toEqual([{ status: 'delayed', error_code: '4.4.1' }]);
});

test('refused: no token or a wrong one (401), a message that is not a bounce (422), a bounce about a message we never sent (404)', async () => {
  const key = 'ballot:x:V1:1#4|counted|email|sub-1';
  const id = await notice(key);
  expect((await request(app).post(EMAIL_BOUNCES_PATH).type('message/rfc822').send(dsn(id))).status).toBe(401);
  const wrong = await post(dsn(id), 'not-the-token-at-all-0000');
  expect(wrong.status).toBe(401);
  expect(wrong.headers['www-authenticate']).toContain('Bearer');
  const notDsn = await post('From: someone@example.com\r\nSubject: out of office\r\n\r\nI am away until Monday.');
  expect(notDsn.status).toBe(422);
  expect(notDsn.body.detail).toMatch(/report-type=delivery-status/);
  const noAction = await post(dsn(id, 'bogus'));
  expect(noAction.status).toBe(422);
  expect(noAction.body.detail).toMatch(/Action/);
  const unknown = await post(dsn('<bf.0000000000000000@fresnocountyca.gov>'));
  expect(unknown.status).toBe(404);
  expect(await stateOf(key)).toEqual({ status: 'sent', error: null });
});

test('without EMAIL_BOUNCE_TOKEN the route answers 503', async () => {
  const off = express();
  off.use(emailBounceRouter({ pool: db.pool, logger: pino({ level: 'silent' }) }, undefined));
  expect((await request(off).post(EMAIL_BOUNCES_PATH).type('message/rfc822').send('x')).status).toBe(503);
});

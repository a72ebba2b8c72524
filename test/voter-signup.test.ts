/**
 * Voter sign-up, consent and opt-out against real parts: the API on a local port, its own Postgres database, and the
 * local Twilio stand-in posting signed webhooks to it (inbound texts, status callbacks, keypresses) through the real
 * twilio SDK. The Notifier is a recorder: its workflows are tested elsewhere. A confirmation code is "sent" here
 * the way the code activity does it: its hash is written into subscription_channels.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import twilio from 'twilio';
import { createTwilioProvider, voiceTwiml, type TwilioProvider } from '../activities/providers/twilio';
import { createApp } from '../api/app';
import { signLookupToken, signManageToken, signUnsubscribeToken } from '../api/links';
import type { Notifier } from '../api/notifier';
import { activeChannelsForVoter } from '../db/subscriptions';
import { markSent } from '../db/notifications';
import type { Channel } from '../domain/notify/channels';
import { lookupKey } from '../domain/notify/match';
import { FakeTwilioWebhookError, startFakeTwilio, type FakeTwilio } from '../runtime/fake-twilio';
import { createTestDb, type TestDb } from './helpers/db';

const SECRET = 'test-voter-link-secret-0123456789abcdef';
const accountSid = `AC${crypto.randomBytes(16).toString('hex')}`;
const authToken = crypto.randomBytes(16).toString('hex');
const COUNTY_NUMBER = '+15595550100';
const CONSENT_EN = 'I agree to receive automated texts, calls and emails from Fresno County Elections about my vote-by-mail ballot at the contact details I gave. Consent is not a condition of voting. Msg & data rates may apply. Reply STOP to cancel, HELP for help.';
const CONSENT_ES = 'Acepto recibir mensajes de texto, llamadas y correos automáticos de Elecciones del Condado de Fresno sobre mi boleta de voto por correo.  No es condición para votar. Responda STOP para cancelar.';

let db: TestDb;
let server: http.Server;
let appUrl: string;
let app: Express;
let fake: FakeTwilio;
let provider: TwilioProvider;

/** Records what the API asks of the notification workflows. */
class RecordingNotifier implements Notifier {
  readonly codes: { subscriptionId: string; channel: Channel; requestId: string }[] = [];
  readonly confirmed: { subscriptionId: string; channel: Channel }[] = [];
  async requestCode(o: { subscriptionId: string; channel: Channel; requestId: string }) { this.codes.push(o); }
  async channelConfirmed(o: { subscriptionId: string; channel: Channel }) { this.confirmed.push(o); }
}
const notifier = new RecordingNotifier();

beforeAll(async () => {
  db = await createTestDb();
  // The app must know its public URL before it is built (webhook signatures cover it): listen first, then attach.
  server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, { PUBLIC_BASE_URL: appUrl, VOTER_LINK_SECRET: SECRET, TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, PROGRAM_NAME: 'Where Is My Ballot' });
  // No Temporal here: the voter routes reach the workflows only through the Notifier, recorded by the fake above.
  // Every request here comes from one address: the per-address voter limits are raised so the stories are not cut short.
  app = createApp({
    pool: db.pool, client: {} as Client, logger: pino({ level: 'silent' }), notifier,
    cfg: { TASK_QUEUE: 'unused', searchAttributes: false, voterLimits: { lookupsPerIp: 1000, lookupsPerIdentity: 1000, voterWritesPerIp: 1000 } },
  });
  server.on('request', app);
  fake = await startFakeTwilio({ accountSid, authToken });
  provider = createTwilioProvider({ accountSid, authToken, baseUrl: fake.url, statusCallbackUrl: `${appUrl}/api/webhooks/twilio/status`, logger: pino({ level: 'silent' }) });

  await db.pool.query(
    `INSERT INTO county_overrides (county, override, updated_by) VALUES ('fresno', $1, 'test')`,
    [JSON.stringify({
      county: 'fresno', displayName: 'Fresno County Elections', displayNameByLanguage: { es: 'Elecciones Condado de Fresno' },
      phone: '+15596008683', websiteUrl: 'https://votes.fresnocountyca.gov', lookupUrl: 'https://votes.fresnocountyca.gov/ballot',
      cureFormUrl: 'https://votes.fresnocountyca.gov/cure',
      sender: { email: { fromName: 'Fresno County Elections', fromAddress: 'elections@fresnocountyca.gov' }, sms: { numbers: [COUNTY_NUMBER] }, voice: { callerId: COUNTY_NUMBER } },
    })],
  );
  // The extract as VoteCal spells it: upper case, no accents. Two voters share name, birth date and ZIP (father and son).
  await addVoter('fresno', 'V100234', { firstName: 'JOSE', lastName: 'NUNEZ', dateOfBirth: '1984-02-29', zip: '93721' });
  await addVoter('fresno', 'V100400', { firstName: 'JUAN', lastName: 'GARCIA LOPEZ', dateOfBirth: '1990-07-04', zip: '93650' });
  await addVoter('fresno', 'V100401', { firstName: 'JUAN', lastName: 'GARCIA LOPEZ', dateOfBirth: '1990-07-04', zip: '93650' });
  await addVoter('fresno', 'V100500', { firstName: 'LAN', lastName: 'NGUYEN', dateOfBirth: '1951-11-02', zip: '93703' });
  const ballot = 'ballot:election:fresno:2026-06-02:V100234:1';
  await db.pool.query(
    `INSERT INTO ballot_events (event_id, election_id, ballot_id, type, status, at, detail) VALUES
       ($1 || '#1', 'election:fresno:2026-06-02', $1, 'status-changed', 'issued', '2026-05-04T16:00:00Z', '{}'),
       ($1 || '#2', 'election:fresno:2026-06-02', $1, 'status-changed', 'mailed', '2026-05-05T16:00:00Z', $2),
       ($1 || '#3', 'election:fresno:2026-06-02', $1, 'alert:no-scan', NULL, '2026-05-06T16:00:00Z', '{}')`,
    [ballot, JSON.stringify({ from: 'issued', expectedWindow: { from: '2026-05-08', to: '2026-05-12', source: 'service-standard' } })],
  );
});

afterAll(async () => {
  await fake?.stop();
  await new Promise((r) => server?.close(r));
  await db?.drop();
});

async function addVoter(county: string, voterId: string, q: { firstName: string; lastName: string; dateOfBirth: string; zip: string }) {
  // As extract ingestion stores it: HMAC-SHA256 of the lookup key with VOTER_LINK_SECRET.
  const hash = crypto.createHmac('sha256', SECRET).update(lookupKey(q)).digest('hex');
  await db.pool.query(
    `INSERT INTO voters (county, voter_id, first_name, last_name, lookup_hash, language, election_id, ballot_id)
     VALUES ($1, $2, $3, $4, $5, NULL, 'election:fresno:2026-06-02', $6)`,
    [county, voterId, q.firstName, q.lastName, hash, `ballot:election:fresno:2026-06-02:${voterId}:1`],
  );
}

/** What the code activity does: store sha256(`${subscriptionId}:${channel}:${code}`) and an expiry. */
async function storeCode(subscriptionId: string, channel: Channel, code: string, expiresInSeconds = 600) {
  const hash = crypto.createHash('sha256').update(`${subscriptionId}:${channel}:${code}`).digest('hex');
  await db.pool.query(
    `UPDATE subscription_channels SET code_hash = $3, code_expires_at = now() + make_interval(secs => $4) WHERE subscription_id = $1 AND channel = $2`,
    [subscriptionId, channel, hash, expiresInSeconds],
  );
}

async function signUp(voterId: string, channels: { channel: Channel; address: string }[], o: { language?: string; consentText?: string } = {}) {
  const r = await request(app).post('/api/voter/subscriptions').send({
    lookupToken: signLookupToken('fresno', voterId), channels, language: o.language ?? 'en', consentText: o.consentText ?? CONSENT_EN, source: 'web',
  });
  expect(r.status).toBe(201);
  return r.body as { subscriptionId: string; manageToken: string; manageUrl: string; pending: { channel: Channel; address: string; codeRequested: boolean }[] };
}

async function confirm(subscriptionId: string, manageToken: string, channel: Channel, code = '482915') {
  await storeCode(subscriptionId, channel, code);
  return request(app).post(`/api/voter/subscriptions/${subscriptionId}/confirm`).send({ channel, code, manageToken });
}

const consentsOf = async (subscriptionId: string) => (await db.pool.query(
  'SELECT channel, address, action, source, consent_text AS "consentText", at FROM consents WHERE subscription_id = $1 ORDER BY id', [subscriptionId])).rows;

describe('finding the record', () => {
  test('the lookup ignores case and accents: "José Núñez" finds the extract\'s JOSE NUNEZ, with the ballot status and window but no birth date', async () => {
    const r = await request(app).post('/api/voter/lookup').send({ firstName: 'José', lastName: 'Núñez', dateOfBirth: '1984-02-29', zip: '93721-4410' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ result: 'found', ballot: { county: 'fresno', status: 'mailed', expectedWindow: { from: '2026-05-08', to: '2026-05-12' } } });
    expect(typeof r.body.lookupToken).toBe('string');
    expect(r.text).not.toContain('1984-02-29');
    expect(r.text).not.toContain('93721');
    const lower = await request(app).post('/api/voter/lookup').send({ firstName: 'jose', lastName: 'nunez', dateOfBirth: '1984-02-29', zip: '93721' });
    expect(lower.body.result).toBe('found');
    const wrongBirth = await request(app).post('/api/voter/lookup').send({ firstName: 'José', lastName: 'Núñez', dateOfBirth: '1984-02-28', zip: '93721' });
    expect(wrongBirth.status).toBe(200);
    expect(wrongBirth.body).toEqual({ result: 'not-found', lookupToken: null, ballot: null });
    // Not found has the same status and keys as found: only `result` tells them apart.
    expect(Object.keys(wrongBirth.body).sort()).toEqual(Object.keys(r.body).sort());
  });

  test('several voters matching ask for the voter id, which then picks one; a wrong id finds none', async () => {
    const q = { firstName: 'Juan', lastName: 'García-López', dateOfBirth: '1990-07-04', zip: '93650' };
    const both = await request(app).post('/api/voter/lookup').send(q);
    expect(both.status).toBe(200);
    expect(both.body).toEqual({ result: 'need-voter-id', lookupToken: null, ballot: null });
    const one = await request(app).post('/api/voter/lookup').send({ ...q, voterId: 'V100401' });
    expect(one.body.result).toBe('found');
    expect(typeof one.body.lookupToken).toBe('string');
    const bad = await request(app).post('/api/voter/lookup').send({ ...q, voterId: 'V999999' });
    expect(bad.status).toBe(200);
    expect(bad.body).toEqual({ result: 'not-found', lookupToken: null, ballot: null });
    // Every answer has the keys of a found one, with nulls: the shape tells nothing about the voter roll.
    const foundKeys = Object.keys(one.body).sort();
    expect(foundKeys).toEqual(['ballot', 'lookupToken', 'result']);
    expect(Object.keys(both.body).sort()).toEqual(foundKeys);
    expect(Object.keys(bad.body).sort()).toEqual(foundKeys);
  });

  test('a malformed lookup is refused naming the field', async () => {
    const r = await request(app).post('/api/voter/lookup').send({ firstName: 'Ana', lastName: 'Ruiz', dateOfBirth: '1984-02-30', zip: '93721' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0].field).toBe('body.dateOfBirth');
  });
});

describe('sign-up, consent and confirmation', () => {
  test('each channel\'s consent is stored with the exact text, time, channel, address and source; a confirmation carries the same words', async () => {
    const before = (await db.pool.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
    const codesBefore = notifier.codes.length;
    const s = await signUp('V100234', [{ channel: 'sms', address: '+15595550123' }, { channel: 'email', address: ' Jose.Nunez@Example.org ' }], { language: 'es', consentText: CONSENT_ES });
    expect(s.pending.map((p) => p.channel).sort()).toEqual(['email', 'sms']);
    expect(s.manageUrl).toBe(`${appUrl}/voter/manage?token=${encodeURIComponent(s.manageToken)}`);
    expect(notifier.codes.slice(codesBefore)).toEqual(expect.arrayContaining([
      expect.objectContaining({ subscriptionId: s.subscriptionId, channel: 'sms' }), expect.objectContaining({ subscriptionId: s.subscriptionId, channel: 'email' }),
    ]));
    const rows = await consentsOf(s.subscriptionId);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ action: 'requested', source: 'web', consentText: CONSENT_ES });
      expect(row.at.getTime()).toBeGreaterThanOrEqual(before.getTime());
    }
    expect(rows.map((x) => [x.channel, x.address]).sort()).toEqual([['email', 'jose.nunez@example.org'], ['sms', '+15595550123']]);
    // Nothing goes to an unconfirmed address.
    expect(await activeChannelsForVoter(db.pool, 'fresno', 'V100234')).toEqual([]);

    const ok = await confirm(s.subscriptionId, s.manageToken, 'sms');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'confirmed', alreadyConfirmed: false });
    expect(notifier.confirmed.filter((c) => c.subscriptionId === s.subscriptionId)).toEqual([{ subscriptionId: s.subscriptionId, channel: 'sms' }]);
    const confirmedRow = (await consentsOf(s.subscriptionId)).find((x) => x.action === 'confirmed');
    expect(confirmedRow).toMatchObject({ channel: 'sms', address: '+15595550123', source: 'web', consentText: CONSENT_ES });
    // Confirming again changes nothing and asks for the current status only once.
    const again = await request(app).post(`/api/voter/subscriptions/${s.subscriptionId}/confirm`).send({ channel: 'sms', code: '482915', manageToken: s.manageToken });
    expect(again.body.alreadyConfirmed).toBe(true);
    expect(notifier.confirmed.filter((c) => c.subscriptionId === s.subscriptionId)).toHaveLength(1);
    expect(await activeChannelsForVoter(db.pool, 'fresno', 'V100234')).toEqual([
      { subscriptionId: s.subscriptionId, channel: 'sms', address: '+15595550123', language: 'es', window: { start: '08:00', end: '21:00', zone: 'America/Los_Angeles' } },
    ]);
  });

  test('an invalid phone number or email address is refused before anything is stored', async () => {
    const r = await request(app).post('/api/voter/subscriptions').send({
      lookupToken: signLookupToken('fresno', 'V100500'), channels: [{ channel: 'sms', address: '559-555-0199' }], language: 'en', consentText: CONSENT_EN, source: 'web',
    });
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain('body.channels.0.address');
    const e = await request(app).post('/api/voter/subscriptions').send({
      lookupToken: signLookupToken('fresno', 'V100500'), channels: [{ channel: 'email', address: 'lan.nguyen@' }], language: 'en', consentText: CONSENT_EN, source: 'web',
    });
    expect(e.status).toBe(422);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM subscriptions WHERE voter_id = 'V100500'`)).rows[0].n).toBe(0);
  });

  test('five wrong codes lock the channel, even against the right code; a new code unlocks it; an expired code is refused', async () => {
    const s = await signUp('V100500', [{ channel: 'sms', address: '+15595550131' }]);
    await storeCode(s.subscriptionId, 'sms', '739204');
    const url = `/api/voter/subscriptions/${s.subscriptionId}/confirm`;
    for (let i = 1; i <= 4; i++) {
      const wrong = await request(app).post(url).send({ channel: 'sms', code: '000000', manageToken: s.manageToken });
      expect(wrong.status).toBe(422);
      expect(wrong.body).toMatchObject({ type: 'wrong-code', attemptsLeft: 5 - i });
    }
    const fifth = await request(app).post(url).send({ channel: 'sms', code: '111111', manageToken: s.manageToken });
    expect(fifth.status).toBe(423);
    const right = await request(app).post(url).send({ channel: 'sms', code: '739204', manageToken: s.manageToken });
    expect(right.status).toBe(423);
    expect(right.body.type).toBe('locked');

    const codesBefore = notifier.codes.length;
    const resend = await request(app).post(`/api/voter/subscriptions/${s.subscriptionId}/code`).send({ channel: 'sms', manageToken: s.manageToken });
    expect(resend.status).toBe(202);
    expect(notifier.codes.slice(codesBefore)).toEqual([expect.objectContaining({ subscriptionId: s.subscriptionId, channel: 'sms' })]);
    await storeCode(s.subscriptionId, 'sms', '264810', -1);
    const expired = await request(app).post(url).send({ channel: 'sms', code: '264810', manageToken: s.manageToken });
    expect(expired.status).toBe(422);
    expect(expired.body.type).toBe('code-expired');
    await storeCode(s.subscriptionId, 'sms', '264810');
    expect((await request(app).post(url).send({ channel: 'sms', code: '264810', manageToken: s.manageToken })).status).toBe(200);
  });
});

describe('changing or leaving through the signed link', () => {
  test('the manage link changes language and contact hours, removes a channel (withdrawn) and adds one (needs consent and a code)', async () => {
    const s = await signUp('V100400', [{ channel: 'sms', address: '+15595550140' }, { channel: 'email', address: 'juan.garcia@example.net' }]);
    await confirm(s.subscriptionId, s.manageToken, 'sms');
    await confirm(s.subscriptionId, s.manageToken, 'email');
    const manage = `/api/voter/subscriptions/manage?token=${encodeURIComponent(s.manageToken)}`;
    const window = { start: '09:30', end: '19:00', zone: 'America/Los_Angeles' };
    const changed = await request(app).put(manage).send({ language: 'es', contactWindow: window });
    expect(changed.status).toBe(200);
    const got = await request(app).get(manage);
    expect(got.body).toMatchObject({ language: 'es', contactWindow: window, status: 'active' });
    expect(got.body.channels.map((c: { state: string }) => c.state)).toEqual(['confirmed', 'confirmed']);
    expect((await activeChannelsForVoter(db.pool, 'fresno', 'V100400')).map((c) => [c.channel, c.language, c.window])).toEqual([['email', 'es', window], ['sms', 'es', window]]);

    const noConsent = await request(app).put(manage).send({ channels: [{ channel: 'sms', address: '+15595550140' }, { channel: 'voice', address: '+15595550141' }] });
    expect(noConsent.status).toBe(422);
    expect(noConsent.body.errors[0].field).toBe('body.consentText');
    const codesBefore = notifier.codes.length;
    const swap = await request(app).put(manage).send({ channels: [{ channel: 'sms', address: '+15595550140' }, { channel: 'voice', address: '+15595550141' }], consentText: CONSENT_EN });
    expect(swap.status).toBe(200);
    expect(swap.body.removed).toEqual(['email']);
    expect(swap.body.added).toEqual([{ channel: 'voice', codeRequested: true }]);
    expect(notifier.codes.slice(codesBefore)).toEqual([expect.objectContaining({ subscriptionId: s.subscriptionId, channel: 'voice' })]);
    const states = Object.fromEntries(swap.body.channels.map((c: { channel: string; state: string }) => [c.channel, c.state]));
    expect(states).toEqual({ email: 'withdrawn', sms: 'confirmed', voice: 'pending' });
    const rows = await consentsOf(s.subscriptionId);
    expect(rows.filter((x) => x.action === 'withdrawn')).toEqual([expect.objectContaining({ channel: 'email', address: 'juan.garcia@example.net', source: 'web' })]);
    expect(rows.filter((x) => x.action === 'requested' && x.channel === 'voice')).toEqual([expect.objectContaining({ consentText: CONSENT_EN })]);

    const cancel = await request(app).delete(manage);
    expect(cancel.body).toMatchObject({ status: 'cancelled', alreadyCancelled: false });
    expect(await activeChannelsForVoter(db.pool, 'fresno', 'V100400')).toEqual([]);
    expect((await consentsOf(s.subscriptionId)).filter((x) => x.action === 'withdrawn').map((x) => x.channel).sort()).toEqual(['email', 'sms', 'voice']);
    expect((await request(app).put(manage).send({ language: 'en' })).status).toBe(409);
  });

  test('an expired, tampered or wrong-purpose token is refused', async () => {
    const s = await signUp('V100401', [{ channel: 'email', address: 'juan.garcia.jr@example.net' }]);
    const manage = (t: string) => `/api/voter/subscriptions/manage?token=${encodeURIComponent(t)}`;
    expect((await request(app).get(manage(s.manageToken))).status).toBe(200);

    const expired = signManageToken(s.subscriptionId, 3600, Date.now() - 2 * 3600_000);
    const r1 = await request(app).get(manage(expired));
    expect(r1.status).toBe(403);
    expect(r1.body.type).toBe('link-expired');

    // A lookup token or an unsubscribe token, genuine but of another kind, cannot manage.
    for (const other of [signLookupToken('fresno', 'V100401'), signUnsubscribeToken(s.subscriptionId, 'email')]) {
      const r = await request(app).get(manage(other));
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ type: 'link-invalid', reason: 'wrong-purpose' });
    }
    // A manage token as a lookup token cannot create a subscription.
    const asLookup = await request(app).post('/api/voter/subscriptions').send({ lookupToken: s.manageToken, channels: [{ channel: 'email', address: 'x@example.net' }], language: 'en', consentText: CONSENT_EN, source: 'web' });
    expect(asLookup.status).toBe(403);
    // The claims changed (another subscription) with the signature kept.
    const [h, p, sig] = s.manageToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'sub-00000000-0000-4000-8000-000000000000' })).toString('base64url')}.${sig}`;
    expect((await request(app).get(manage(forged))).body.reason).toBe('bad-signature');
    // Another subscription's manage token cannot confirm this one.
    const other = await signUp('V100500', [{ channel: 'email', address: 'lan.nguyen@example.com' }]);
    await storeCode(s.subscriptionId, 'email', '555123');
    const cross = await request(app).post(`/api/voter/subscriptions/${s.subscriptionId}/confirm`).send({ channel: 'email', code: '555123', manageToken: other.manageToken });
    expect(cross.status).toBe(403);
  });

  test('email one-click: the RFC 8058 POST unsubscribes the address on every subscription; the GET page changes nothing', async () => {
    const address = 'lan.nguyen.family@example.com';
    const a = await signUp('V100500', [{ channel: 'email', address }]);
    await confirm(a.subscriptionId, a.manageToken, 'email');
    const url = `/api/voter/unsubscribe?token=${encodeURIComponent(signUnsubscribeToken(a.subscriptionId, 'email'))}`;

    const page = await request(app).get(url).set('Accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="List-Unsubscribe" value="One-Click"');
    expect((await activeChannelsForVoter(db.pool, 'fresno', 'V100500')).map((c) => c.address)).toContain(address);

    const r = await request(app).post(url).type('form').send('List-Unsubscribe=One-Click');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ result: 'unsubscribed', alreadyUnsubscribed: false });
    expect((await activeChannelsForVoter(db.pool, 'fresno', 'V100500')).map((c) => c.address)).not.toContain(address);
    expect((await consentsOf(a.subscriptionId)).at(-1)).toMatchObject({ action: 'withdrawn', channel: 'email', address, source: 'email' });
    const twice = await request(app).post(url).type('form').send('List-Unsubscribe=One-Click');
    expect(twice.body.alreadyUnsubscribed).toBe(true);
    expect((await consentsOf(a.subscriptionId)).filter((x) => x.action === 'withdrawn')).toHaveLength(1);
  });
});

describe('Twilio webhooks', () => {
  const inbound = (from: string, body: string, forgeSignature = false) =>
    fake.sendInbound({ from, to: COUNTY_NUMBER, body, webhookUrl: `${appUrl}/api/webhooks/twilio/sms`, forgeSignature });

  test('STOP from a text opts the number out at once, with a confirmation naming the program and a withdrawn consent row', async () => {
    const phone = '+15595550150';
    const s = await signUp('V100234', [{ channel: 'sms', address: phone }, { channel: 'voice', address: phone }]);
    await confirm(s.subscriptionId, s.manageToken, 'sms');
    await confirm(s.subscriptionId, s.manageToken, 'voice');
    const twiml = await inbound(phone, '  Stop ');
    expect(twiml).toContain('<Message>Fresno County Elections - Where Is My Ballot: You are unsubscribed and will get no more texts from us.</Message>');
    const left = (await activeChannelsForVoter(db.pool, 'fresno', 'V100234')).filter((c) => c.subscriptionId === s.subscriptionId);
    expect(left.map((c) => c.channel)).toEqual(['voice']);
    expect((await consentsOf(s.subscriptionId)).at(-1)).toMatchObject({ action: 'withdrawn', channel: 'sms', address: phone, source: 'sms', consentText: '  Stop ' });
  });

  test('a Spanish-speaking subscriber is answered in Spanish; END, CANCEL, UNSUBSCRIBE, QUIT and STOPALL opt out too', async () => {
    const phone = '+15595550151';
    const s = await signUp('V100401', [{ channel: 'sms', address: phone }], { language: 'es', consentText: CONSENT_ES });
    await confirm(s.subscriptionId, s.manageToken, 'sms');
    const twiml = await inbound(phone, 'end');
    expect(twiml).toContain('Elecciones Condado de Fresno - Where Is My Ballot: Se canceló su suscripción.');
    expect((await consentsOf(s.subscriptionId)).at(-1)).toMatchObject({ action: 'withdrawn', channel: 'sms' });
    for (const [i, word] of ['Cancel', 'UNSUBSCRIBE', 'quit', 'STOPALL'].entries()) {
      const other = `+1559555018${i}`;
      const t = await signUp('V100500', [{ channel: 'sms', address: other }]);
      await confirm(t.subscriptionId, t.manageToken, 'sms');
      expect(await inbound(other, word)).toContain('You are unsubscribed');
      expect((await consentsOf(t.subscriptionId)).at(-1)).toMatchObject({ action: 'withdrawn', channel: 'sms', consentText: word });
    }
  });

  test('HELP names the program and the county\'s contact; an unknown number gets the state line; START points to the web sign-up', async () => {
    const phone = '+15595550152';
    await signUp('V100500', [{ channel: 'sms', address: phone }]);
    const help = await inbound(phone, 'help');
    expect(help).toContain('Fresno County Elections - Where Is My Ballot: For help call (559) 600-8683 or visit https://votes.fresnocountyca.gov.');
    const stranger = await inbound('+15595550199', 'INFO');
    expect(stranger).toContain('Where Is My Ballot: For help call the Secretary of State');
    expect(stranger).toContain('(800) 345-8683');
    const start = await inbound(phone, 'START');
    expect(start).toContain('sign up again at https://votes.fresnocountyca.gov/ballot');
    const other = await inbound(phone, 'when does my ballot come?');
    expect(other).toContain('Reply HELP for help or STOP to opt out');
  });

  test('a forged signature gets 403 and changes nothing', async () => {
    const phone = '+15595550153';
    const s = await signUp('V100500', [{ channel: 'sms', address: phone }]);
    await confirm(s.subscriptionId, s.manageToken, 'sms');
    const err = await inbound(phone, 'STOP', true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FakeTwilioWebhookError);
    expect((err as FakeTwilioWebhookError).status).toBe(403);
    expect((await activeChannelsForVoter(db.pool, 'fresno', 'V100500')).map((c) => c.address)).toContain(phone);
    // A signature made for another host does not pass either: the URL checked is PUBLIC_BASE_URL's.
    const params = { From: phone, To: COUNTY_NUMBER, Body: 'STOP' };
    const sig = twilio.getExpectedTwilioSignature(authToken, 'http://attacker.example/api/webhooks/twilio/sms', params);
    const r = await request(appUrl).post('/api/webhooks/twilio/sms').set('Host', 'attacker.example').set('X-Twilio-Signature', sig).type('form').send(params);
    expect(r.status).toBe(403);
  });

  test('duplicate and out-of-order status callbacks move a notice\'s status once and only forward', async () => {
    const s = await signUp('V100234', [{ channel: 'sms', address: '+15595550160' }]);
    const statusOf = async (key: string) => (await db.pool.query('SELECT status, provider_message_id AS sid, updated_at AS "updatedAt" FROM notifications WHERE key = $1', [key])).rows[0];
    const receipts = async (sid: string) => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery_receipts WHERE provider_message_id = $1', [sid])).rows[0]!.n;

    // In order, then repeated: sent -> delivered once; a duplicate delivered and a late sent change nothing.
    const key1 = `ballot:election:fresno:2026-06-02:V100234:1/mailed/sms/${s.subscriptionId}`;
    const m1 = await provider.sendSms({ to: '+15595550160', from: COUNTY_NUMBER, body: 'Fresno County Elections: Your ballot is in the mail.', idempotencyKey: key1 });
    await db.pool.query(`INSERT INTO notifications (key, subscription_id, channel, kind, language, status, provider_message_id, sent_at) VALUES ($1, $2, 'sms', 'mailed', 'en', 'sent', $3, now())`, [key1, s.subscriptionId, m1.providerMessageId]);
    const cb = await fake.sendStatusCallback(m1.providerMessageId, 'delivered');
    expect(cb.responseStatus).toBe(204);
    const delivered = await statusOf(key1);
    expect(delivered.status).toBe('delivered');
    await fake.sendStatusCallback(m1.providerMessageId, 'delivered');
    await fake.sendStatusCallback(m1.providerMessageId, 'sent');
    const after = await statusOf(key1);
    expect(after.status).toBe('delivered');
    expect(after.updatedAt).toEqual(delivered.updatedAt);
    expect(await receipts(m1.providerMessageId)).toBe(3);

    // Out of order, before the send activity stored the sid: delivered arrives first (found by the key on the URL).
    const key2 = `ballot:election:fresno:2026-06-02:V100234:1/expected-delivery/sms/${s.subscriptionId}`;
    await db.pool.query(`INSERT INTO notifications (key, subscription_id, channel, kind, language, status) VALUES ($1, $2, 'sms', 'expected-delivery', 'en', 'reserved')`, [key2, s.subscriptionId]);
    const m2 = await provider.sendSms({ to: '+15595550160', from: COUNTY_NUMBER, body: 'Fresno County Elections: Your ballot should arrive by May 12.', idempotencyKey: key2 });
    await fake.sendStatusCallback(m2.providerMessageId, 'delivered');
    expect(await statusOf(key2)).toMatchObject({ status: 'delivered', sid: m2.providerMessageId });
    await fake.sendStatusCallback(m2.providerMessageId, 'sent');
    await fake.sendStatusCallback(m2.providerMessageId, 'undelivered', { ErrorCode: '30003' });
    expect((await statusOf(key2)).status).toBe('delivered');

    // A failure is final too.
    const key3 = `ballot:election:fresno:2026-06-02:V100234:1/received/sms/${s.subscriptionId}`;
    const m3 = await provider.sendSms({ to: '+15595550160', from: COUNTY_NUMBER, body: 'Fresno County Elections: We received your ballot.', idempotencyKey: key3 });
    await db.pool.query(`INSERT INTO notifications (key, subscription_id, channel, kind, language, status, provider_message_id) VALUES ($1, $2, 'sms', 'received', 'en', 'sent', $3)`, [key3, s.subscriptionId, m3.providerMessageId]);
    await fake.sendStatusCallback(m3.providerMessageId, 'undelivered', { ErrorCode: '30003' });
    await fake.sendStatusCallback(m3.providerMessageId, 'delivered');
    expect((await db.pool.query('SELECT status, error FROM notifications WHERE key = $1', [key3])).rows[0]).toEqual({ status: 'failed', error: '30003' });

    // A forged callback is refused and recorded nowhere.
    const forged = await request(appUrl).post(`/api/webhooks/twilio/status?key=${encodeURIComponent(key3)}`)
      .set('X-Twilio-Signature', 'bm90IGEgc2lnbmF0dXJlIGF0IGFsbA=').type('form').send({ MessageSid: m3.providerMessageId, MessageStatus: 'delivered' });
    expect(forged.status).toBe(403);
    expect(await receipts(m3.providerMessageId)).toBe(2);
  });

  test('on a notice call, 9 stops voice calls to that number with a spoken confirmation; 1 answers with a replay and the keys again', async () => {
    const phone = '+15595550170';
    const s = await signUp('V100401', [{ channel: 'voice', address: phone }], { language: 'es', consentText: CONSENT_ES });
    await confirm(s.subscriptionId, s.manageToken, 'voice');
    const key = `ballot:election:fresno:2026-06-02:V100401:1/mailed/voice/${s.subscriptionId}`;
    await db.pool.query(`INSERT INTO notifications (key, subscription_id, channel, kind, language, status) VALUES ($1, $2, 'voice', 'mailed', 'es', 'reserved')`, [key, s.subscriptionId]);
    const call = await provider.placeCall({
      to: phone, from: COUNTY_NUMBER, idempotencyKey: key,
      twiml: voiceTwiml({ text: 'Hola. Su boleta fue enviada por correo.', language: 'es-US', actionUrl: `${appUrl}/api/webhooks/twilio/voice?key=${encodeURIComponent(key)}` }),
    });
    const replay = await fake.pressDigits(call.providerMessageId, '1');
    expect(replay).toContain('<Gather');
    expect(replay).toContain('oprima 9');
    expect(replay).toContain('language="es-US"');
    // No words stored for this call: a generic line with the keys. Once the notice is marked sent with the words it
    // spoke (as sendNotice does for a call), 1 replays those words.
    expect(replay).not.toContain('Su boleta fue enviada');
    const words = 'Hola. Su boleta fue enviada por correo. Para escuchar este mensaje otra vez, oprima 1. Para dejar de recibir estas llamadas, oprima 9.';
    await markSent(db.pool, key, { providerMessageId: call.providerMessageId, providerStatus: 'queued', spokenText: words });
    const again = await fake.pressDigits(call.providerMessageId, '1');
    expect(again).toContain('<Say language="es-US"');
    expect(again).toContain(words);
    expect(again).toContain('<Gather');
    expect((await activeChannelsForVoter(db.pool, 'fresno', 'V100401')).map((c) => c.address)).toContain(phone);

    const stop = await fake.pressDigits(call.providerMessageId, '9');
    expect(stop).toContain('No recibirá más llamadas');
    expect(stop).toContain('<Hangup/>');
    expect((await activeChannelsForVoter(db.pool, 'fresno', 'V100401')).map((c) => c.address)).not.toContain(phone);
    expect((await consentsOf(s.subscriptionId)).at(-1)).toMatchObject({ action: 'withdrawn', channel: 'voice', address: phone, source: 'voice', consentText: 'keypress 9' });
  });
});

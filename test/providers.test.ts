/**
 * The provider adapters against the local stand-ins: nodemailer to a real in-process SMTP server, the real
 * twilio SDK to the local Twilio endpoint, and Twilio's signed webhooks back to an Express app.
 */
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import twilio from 'twilio';
import { createEmailProvider, EmailBouncedError, EmailTemporaryError, messageIdFor, type EmailProvider } from '../activities/providers/email';
import { createTwilioProvider, keypressAction, TwilioRejectedError, TwilioRetryableError, type TwilioProvider } from '../activities/providers/twilio';
import { startFakeTwilio, type FakeCallback, type FakeSms, type FakeTwilio, type FakeTwilioEvent } from '../runtime/fake-twilio';
import { startSmtpCapture, type SmtpCapture } from '../runtime/smtp-capture';

const logger = pino({ level: 'silent' });
const COUNTY = '"Condado de Fresno – Elecciones" <elecciones@fresno-county.example>';
const VOTER = 'maria.nunez@example.org';
const VOTER_PHONE = '+15595550142';
const COUNTY_NUMBER = '+15595550100';

async function closedPort(): Promise<number> {
  const s = express().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('email through nodemailer to the in-process SMTP server', () => {
  let smtp: SmtpCapture;
  let email: EmailProvider;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    email = createEmailProvider({ smtpUrl: smtp.url, logger });
  });
  afterAll(async () => {
    email.close();
    await smtp.stop();
  });

  const notice = (idempotencyKey: string, to = VOTER) => ({
    to,
    from: COUNTY,
    subject: 'Su boleta fue enviada por correo',
    text: 'Su boleta para la elección del 2 de junio de 2026 fue enviada. Debería llegar entre el 8 y el 12 de mayo.',
    html: '<p>Su boleta fue enviada.</p>',
    unsubscribeUrl: `https://notices.fresno-county.example/unsubscribe?t=${idempotencyKey}`,
    idempotencyKey,
  });

  it('a notice arrives with RFC 8058 one-click List-Unsubscribe headers and a Message-ID derived from its key', async () => {
    const key = 'ballot:fresno-2026-06-02:V0042117:1/mailed/email/sub-7';
    const sent = await email.send(notice(key));
    const got = await smtp.waitFor((m) => m.headers['message-id'] === sent.providerMessageId);

    expect(sent.providerMessageId).toBe(messageIdFor(key, COUNTY));
    expect(sent.providerMessageId).toMatch(/^<bf\.[0-9a-f]{32}@fresno-county\.example>$/);
    expect(got.to).toEqual([VOTER]);
    expect(got.from).toBe('elecciones@fresno-county.example');
    expect(got.subject).toBe('Su boleta fue enviada por correo');
    expect(got.text).toContain('2 de junio de 2026');
    expect(got.html).toContain('<p>Su boleta fue enviada.</p>');
    expect(got.headers['list-unsubscribe']).toBe(`<https://notices.fresno-county.example/unsubscribe?t=${key}>`);
    expect(got.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');

    // A resend of the same key (after a crash) carries the same Message-ID; another key does not.
    const again = await email.send(notice(key));
    const other = await email.send(notice('ballot:fresno-2026-06-02:V0042117:1/received/email/sub-7'));
    expect(again.providerMessageId).toBe(sent.providerMessageId);
    expect(other.providerMessageId).not.toBe(sent.providerMessageId);
    await smtp.waitFor((m) => m.headers['message-id'] === other.providerMessageId);
    expect(smtp.messages.filter((m) => m.headers['message-id'] === sent.providerMessageId)).toHaveLength(2);
  });

  it('a recipient refused with 550 is a non-retryable bounce carrying the SMTP code', async () => {
    const gone = 'jose.ramirez.old@example.net';
    smtp.refuse(gone, 550);
    const before = smtp.messages.length;
    const err = await email.send(notice('ballot:fresno-2026-06-02:V0050003:1/mailed/email/sub-9', gone)).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(EmailBouncedError);
    expect(err).toMatchObject({ smtpCode: 550, command: 'RCPT TO', type: 'email-bounced', nonRetryable: true });
    // The voter's address stays out of the error, which ends up in workflow history.
    expect((err as Error).message).not.toContain(gone);
    expect(smtp.messages.length).toBe(before);
  });

  it('a 450 deferral and an unreachable server are retryable', async () => {
    const busy = 'greylisted@example.com';
    smtp.refuse(busy, 450, '4.2.0 try again later');
    const deferred = await email.send(notice('ballot:k/mailed/email/sub-1', busy)).catch((e: unknown) => e);
    expect(deferred).toBeInstanceOf(EmailTemporaryError);
    expect(deferred).toMatchObject({ smtpCode: 450, nonRetryable: false });

    smtp.accept(busy);
    await expect(email.send(notice('ballot:k/mailed/email/sub-1', busy))).resolves.toHaveProperty('providerMessageId');

    const nowhere = createEmailProvider({ smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, logger });
    try {
      const down = await nowhere.send(notice('ballot:k/mailed/email/sub-2')).catch((e: unknown) => e);
      expect(down).toBeInstanceOf(EmailTemporaryError);
      expect(down).toMatchObject({ nonRetryable: false, errorCode: expect.stringMatching(/^E(SOCKET|CONNECTION)$/) });
    } finally {
      nowhere.close();
    }
  });
});

describe('SMS and voice through the twilio SDK to the local Twilio endpoint', () => {
  const accountSid = `AC${crypto.randomBytes(16).toString('hex')}`;
  const authToken = crypto.randomBytes(16).toString('hex');
  let fake: FakeTwilio;
  let app: Server;
  let appUrl: string;
  let provider: TwilioProvider;
  const received: { path: string; valid: boolean; params: Record<string, string> }[] = [];

  beforeAll(async () => {
    // Our side of the webhooks, as the API will do it: verify X-Twilio-Signature against the full URL, else 403.
    const web = express();
    web.use(express.urlencoded({ extended: false }));
    web.post('/twilio/{*rest}', (req, res) => {
      const valid = provider.verifySignature(`${appUrl}${req.originalUrl}`, req.body, req.header('X-Twilio-Signature'));
      received.push({ path: req.path, valid, params: req.body });
      if (!valid) return void res.status(403).end();
      if (req.path === '/twilio/inbound') {
        const reply = new twilio.twiml.MessagingResponse();
        reply.message('Fresno County Elections: you are unsubscribed. Reply START to resubscribe.');
        return void res.type('text/xml').send(reply.toString());
      }
      if (req.path === '/twilio/voice/keypress') {
        return void res.type('text/xml').send(`<Response><Say>${keypressAction(req.body.Digits)}</Say></Response>`);
      }
      res.status(204).end();
    });
    app = await new Promise<Server>((resolve) => { const s = web.listen(0, '127.0.0.1', () => resolve(s)); });
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    fake = await startFakeTwilio({ accountSid, authToken, autoStatusCallbacks: true, callbackDelayMs: 1 });
    provider = createTwilioProvider({ accountSid, authToken, baseUrl: fake.url, statusCallbackUrl: `${appUrl}/twilio/status`, logger });
  });
  afterAll(async () => {
    await fake.stop();
    await new Promise((r) => app.close(r));
  });

  const isSms = (sid: string) => (e: FakeTwilioEvent): e is FakeSms => e.kind === 'sms' && e.sid === sid;

  it('an SMS is recorded with its To, From and Body, and its status callback carries the idempotency key', async () => {
    const key = 'ballot:fresno-2026-06-02:V0042117:1/mailed/sms/sub-3';
    const body = 'Fresno County: your ballot for the June 2, 2026 election was mailed. Reply STOP to opt out.';
    const sent = await provider.sendSms({ to: VOTER_PHONE, from: COUNTY_NUMBER, body, idempotencyKey: key });

    expect(sent.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sent.status).toBe('queued');
    const sms = await fake.waitFor(isSms(sent.providerMessageId));
    expect(sms).toMatchObject({ to: VOTER_PHONE, from: COUNTY_NUMBER, body, accountSid });
    expect(new URL(sms.statusCallback ?? '').searchParams.get('key')).toBe(key);
  });

  it('a call carries TwiML that says the notice in the voter\'s language inside a one-key Gather', async () => {
    const twiml = provider.voiceTwiml({
      text: 'Su boleta fue recibida por el condado de Fresno.',
      prompt: 'Para escuchar este mensaje otra vez, oprima {repeatDigit}. Para no recibir más llamadas, oprima {optOutDigit}.',
      language: 'es-US',
      repeatDigit: '1',
      optOutDigit: '9',
      actionUrl: `${appUrl}/twilio/voice/keypress?key=abc&n=1`,
    });
    const placed = await provider.placeCall({ to: VOTER_PHONE, from: COUNTY_NUMBER, twiml, idempotencyKey: 'ballot:x/received/voice/sub-4' });

    expect(placed.providerMessageId).toMatch(/^CA[0-9a-f]{32}$/);
    const call = fake.calls.find((c) => c.sid === placed.providerMessageId);
    expect(call).toMatchObject({ to: VOTER_PHONE, from: COUNTY_NUMBER, twiml });
    expect(twiml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Gather numDigits="1" action="[^"]+\/twilio\/voice\/keypress\?key=abc&amp;n=1" method="POST" timeout="6">/);
    expect(twiml).toContain('<Say language="es-US">Su boleta fue recibida por el condado de Fresno.</Say>');
    expect(twiml).toContain('oprima 1. Para no recibir más llamadas, oprima 9.</Say></Gather></Response>');

    // Pressing 9 posts Digits=9, signed, to the Gather action; the app reads it as an opt-out.
    await expect(fake.pressDigits(placed.providerMessageId, '9')).resolves.toContain('opt-out');
    await expect(fake.pressDigits(placed.providerMessageId, '1')).resolves.toContain('repeat');
  });

  it('503 and 429 are retryable, the SDK does not retry them by itself, and the retry sends the message once', async () => {
    const sms = { to: VOTER_PHONE, from: COUNTY_NUMBER, body: 'Recordatorio: devuelva su boleta antes del 2 de junio.', idempotencyKey: 'ballot:y/reminder/sms/sub-5' };
    const sentBefore = fake.messages.length;

    for (const status of [503, 429]) {
      const attemptsBefore = fake.requests.length;
      fake.failNext(1, status);
      const err = await provider.sendSms(sms).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TwilioRetryableError);
      expect(err).toMatchObject({ status, code: 20000 + status, nonRetryable: false, type: 'twilio-retryable' });
      // Exactly one HTTP request per send: twilio-node's own 429 retry is off.
      expect(fake.requests.length - attemptsBefore).toBe(1);
    }
    fake.setOutage(503);
    await expect(provider.sendSms(sms)).rejects.toBeInstanceOf(TwilioRetryableError);
    fake.setOutage(null);
    await provider.sendSms(sms);
    expect(fake.messages.length - sentBefore).toBe(1);
  });

  it('an unreachable endpoint is retryable', async () => {
    const nowhere = createTwilioProvider({ accountSid, authToken, baseUrl: `http://127.0.0.1:${await closedPort()}`, logger });
    const err = await nowhere.sendSms({ to: VOTER_PHONE, from: COUNTY_NUMBER, body: 'hola', idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwilioRetryableError);
    expect(err).toMatchObject({ nonRetryable: false, status: undefined });
  });

  it('an invalid number (21211) and an unsubscribed recipient (21610) are final, with Twilio\'s code and no number in the message', async () => {
    const invalid = await provider.sendSms({ to: '+1559555', from: COUNTY_NUMBER, body: 'hola', idempotencyKey: 'k1' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(TwilioRejectedError);
    expect(invalid).toMatchObject({ status: 400, code: 21211, nonRetryable: true, type: 'twilio-rejected', moreInfo: 'https://www.twilio.com/docs/errors/21211' });

    // The voter texted STOP to the county's number: Twilio itself now refuses that pair.
    await fake.sendInbound({ from: '+15595550177', to: COUNTY_NUMBER, body: 'STOP', webhookUrl: `${appUrl}/twilio/inbound` });
    const stopped = await provider.sendSms({ to: '+15595550177', from: COUNTY_NUMBER, body: 'hola', idempotencyKey: 'k2' }).catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(TwilioRejectedError);
    expect(stopped).toMatchObject({ code: 21610, nonRetryable: true });
    expect((stopped as Error).message).not.toContain('5595550177');
  });

  it('a wrong auth token gets 401 (20003), classified non-retryable', async () => {
    const wrong = createTwilioProvider({ accountSid, authToken: crypto.randomBytes(16).toString('hex'), baseUrl: fake.url, logger });
    const before = fake.messages.length;
    const err = await wrong.sendSms({ to: VOTER_PHONE, from: COUNTY_NUMBER, body: 'hola', idempotencyKey: 'k3' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwilioRejectedError);
    expect(err).toMatchObject({ status: 401, code: 20003, nonRetryable: true });
    expect(fake.messages.length).toBe(before);
  });

  it('status callbacks are signed so verifySignature accepts them; a tampered or forged one is rejected', async () => {
    const sent = await provider.sendSms({ to: VOTER_PHONE, from: COUNTY_NUMBER, body: 'Su boleta fue contada.', idempotencyKey: 'ballot:z/counted/sms/sub-6' });
    const delivered = (await fake.waitFor((e) => e.kind === 'callback' && e.sid === sent.providerMessageId && e.params.MessageStatus === 'delivered')) as FakeCallback;

    const mine = fake.callbacks.filter((c) => c.sid === sent.providerMessageId);
    expect(mine.map((c) => c.params.MessageStatus)).toEqual(['queued', 'sent', 'delivered']);
    expect(mine.map((c) => c.responseStatus)).toEqual([204, 204, 204]);
    expect(provider.verifySignature(delivered.url, delivered.params, delivered.signature)).toBe(true);
    expect(new URL(delivered.url).searchParams.get('key')).toBe('ballot:z/counted/sms/sub-6');

    // Any change to what was signed breaks it: a status, the URL's key, or the header itself.
    expect(provider.verifySignature(delivered.url, { ...delivered.params, MessageStatus: 'failed' }, delivered.signature)).toBe(false);
    expect(provider.verifySignature(delivered.url.replace('sub-6', 'sub-7'), delivered.params, delivered.signature)).toBe(false);
    expect(provider.verifySignature(delivered.url, delivered.params, `${delivered.signature.slice(1)}A`)).toBe(false);
    expect(provider.verifySignature(delivered.url, delivered.params, undefined)).toBe(false);

    // A forged inbound webhook reaches the app with a bad signature and gets 403; a signed one gets TwiML.
    const texter = '+15595550188';
    await expect(fake.sendInbound({ from: texter, to: COUNTY_NUMBER, body: 'STOP', webhookUrl: `${appUrl}/twilio/inbound`, forgeSignature: true }))
      .rejects.toMatchObject({ status: 403 });
    await expect(fake.sendInbound({ from: texter, to: COUNTY_NUMBER, body: 'STOP', webhookUrl: `${appUrl}/twilio/inbound` }))
      .resolves.toContain('<Message>Fresno County Elections: you are unsubscribed.');
    expect(received.filter((r) => r.path === '/twilio/inbound').map((r) => r.valid).slice(-2)).toEqual([false, true]);
  });
});

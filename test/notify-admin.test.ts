/**
 * The state's notification settings through the admin API, against its own Postgres database: trigger configuration,
 * versioned templates, missing translations, previews and county identities.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../api/app';
import type { Deps } from '../api/route';
import { createApiKey } from '../db/api-keys';
import { addTemplateVersion, effectiveTemplates, listTemplates } from '../db/notify-config';
import { DEFAULT_TEMPLATES, DEFAULT_TRIGGER_CONFIG, resolveTemplate } from '../domain/notify';
import { as } from './helpers/auth';
import { createTestDb, type TestDb } from './helpers/db';
import { silentLogger, timeSkippingEnv } from './helpers/temporal';

let env: TestWorkflowEnvironment;
let db: TestDb;
let app: Express;
/** The state's notices administrator, and a second state admin: both hold state-admin API keys. */
let admin: { key: string; subject: string; agent: ReturnType<typeof as> };
let other: { key: string; subject: string; agent: ReturnType<typeof as> };

const appWith = (cfg: Partial<Deps['cfg']> & { SMS_MAX_SEGMENTS?: number } = {}) => {
  const full: Deps['cfg'] = { TASK_QUEUE: 'unused', searchAttributes: false, ...cfg };
  return createApp({ pool: db.pool, client: env.client, logger: silentLogger, cfg: full });
};

beforeAll(async () => {
  // No route here talks to Temporal; the app is built as the other API tests build it all the same.
  delete process.env.SMS_MAX_SEGMENTS;
  [env, db] = await Promise.all([timeSkippingEnv(), createTestDb()]);
  app = appWith();
  admin = await stateAdmin(ADMIN);
  other = await stateAdmin('elections@sos.ca.gov');
});
afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

const json = (r: request.Response) => r.body as Record<string, any>;
const ADMIN = 'notices@sos.ca.gov';

/** A state admin key labelled with who holds it: the API records its caller as `key:<id> (<label>)`. */
async function stateAdmin(label: string) {
  const { id, key } = await createApiKey(db.pool, { role: 'state-admin', label, contracts: [], createdBy: 'test', expiresAt: new Date(Date.now() + 86_400_000) });
  return { key, subject: `key:${id} (${label})`, agent: as(app, key) };
}
const T = '/api/admin/notify/templates';

/** Fresno's identity for its messages, as its elections office would set it. */
const FRESNO = {
  displayName: 'Fresno County Elections',
  displayNameByLanguage: { es: 'Elecciones del Condado de Fresno' },
  phone: '+15596008683',
  websiteUrl: 'https://www.fresnovotes.gov',
  lookupUrl: 'https://wheresmyballot.sos.ca.gov',
  cureFormUrl: 'https://www.fresnovotes.gov/cure',
  sender: {
    email: { fromName: 'Fresno County Elections', fromAddress: 'elections@fresnocountyca.gov' },
    sms: { numbers: ['+15595550123', '+15595550124'] },
    voice: { callerId: '+15596008683' },
  },
};

const served = async (q: string) => json(await admin.agent.get(`${T}?${q}`).expect(200)).templates as any[];

describe('templates', () => {
  test('a template with an unknown placeholder is refused and the problem names body', async () => {
    const r = await admin.agent.post(T)
      .send({ kind: 'received', channel: 'sms', language: 'es', body: '{{countyName}}: Recibimos su boleta, {{voterLastName}}.' });
    expect(r.status).toBe(422);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    // Every problem is listed, not only the first: the unknown placeholder and the missing opt-out keyword.
    expect(json(r).errors).toEqual([
      { field: 'body.body', message: expect.stringContaining('unknown placeholder {{voterLastName}}') },
      { field: 'body.body', message: expect.stringContaining('STOP') },
    ]);
    expect(json(r).detail).toContain('body.body: unknown placeholder {{voterLastName}}');
    // Nothing was saved: Spanish voters still get the shipped text.
    const [es] = await served('kind=received&channel=sms&language=es');
    expect(es.template).toMatchObject({ version: 1, source: 'default' });
  });

  test('an SMS template over 2 segments is refused', async () => {
    const long = { kind: 'received', channel: 'sms', language: 'en', body: `{{countyName}}: ${'We received your ballot and will tell you when it is counted. '.repeat(5)}Reply STOP to opt out` };
    const r = await admin.agent.post(T).send(long);
    expect(r.status).toBe(422);
    expect(json(r).errors).toEqual([{ field: 'body.body', message: 'the SMS takes 3 segments with the longest values, more than the 2 allowed' }]);
    expect((await served('kind=received&channel=sms&language=en'))[0].template.version).toBe(1);
  });

  test('SMS_MAX_SEGMENTS sets the limit: the same SMS is accepted where the state allows 3 segments', async () => {
    const long = { kind: 'return-deadline-reminder', channel: 'sms', language: 'en', body: `{{countyName}}: ${'Your ballot must be postmarked by {{returnDeadline}}. '.repeat(5)}Reply STOP to opt out` };
    expect((await admin.agent.post(T).send(long)).status).toBe(422);
    const r = await as(appWith({ SMS_MAX_SEGMENTS: 3 }), admin.key).post(T).send(long);
    expect(r.status).toBe(201);
    expect(json(r).template.version).toBe(2);
  });

  test('a new template version is served instead of the default and the default stays as version 1', async () => {
    const body = '{{countyName}}: We have your ballot and will check your signature next. Track it: {{lookupUrl}} Reply STOP to opt out';
    const r = await admin.agent.post(T).send({ kind: 'received', channel: 'sms', language: 'en', body });
    expect(r.status).toBe(201);
    expect(json(r).template).toMatchObject({ version: 2, body, source: 'state', createdBy: admin.subject });

    const [en] = await served('kind=received&channel=sms&language=en');
    expect(en).toMatchObject({ fellBackToEnglish: false, template: { version: 2, body, createdBy: admin.subject } });
    // Voters of a language with no text of its own get the new English version too.
    const [vi] = await served('kind=received&channel=sms&language=vi');
    expect(vi).toMatchObject({ fellBackToEnglish: true, template: { language: 'en', version: 2 } });
    // Spanish has its own shipped text, untouched.
    const [es] = await served('kind=received&channel=sms&language=es');
    expect(es.template).toMatchObject({ language: 'es', version: 1, source: 'default' });

    const shipped = DEFAULT_TEMPLATES.find((t) => t.kind === 'received' && t.channel === 'sms' && t.language === 'en')!;
    const history = await listTemplates(db.pool, { kind: 'received', channel: 'sms', language: 'en' });
    expect(history.map((t) => [t.version, t.source, t.body])).toEqual([[2, 'state', body], [1, 'default', shipped.body]]);
    // What the sender resolves at send time is the new version.
    const resolved = resolveTemplate(await effectiveTemplates(db.pool), 'received', 'sms', 'en');
    expect(resolved).toMatchObject({ ok: true, template: { version: 2, body } });

    const next = await admin.agent.post(T).send({ kind: 'received', channel: 'sms', language: 'en', body: body.replace('next', 'soon') });
    expect(json(next).template.version).toBe(3);
  });

  test('templates saved at the same moment get distinct versions', async () => {
    const base = { kind: 'counted', channel: 'sms', language: 'en' } as const;
    const saved = await Promise.all([0, 1, 2, 3, 4, 5].map((i) =>
      addTemplateVersion(db.pool, { ...base, body: `{{countyName}}: Your ballot was counted (${i}). Reply STOP to opt out` }, ADMIN)));
    expect(saved.map((t) => t.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    const [en] = await served('kind=counted&channel=sms&language=en');
    expect(en.template.version).toBe(7);
  });

  test('a language without a translation falls back to English and is listed as missing', async () => {
    const [before] = await served('kind=mailed&channel=email&language=vi');
    expect(before).toMatchObject({ language: 'vi', fellBackToEnglish: true, template: { language: 'en', version: 1 } });
    const missing = json(await admin.agent.get(`${T}/missing`).expect(200));
    expect(missing.missing.vi).toContainEqual({ kind: 'mailed', channel: 'email' });
    expect(missing.missing.es).toEqual([]);
    expect(missing.missing.en).toEqual([]);
    expect(missing.counts.vi).toBe(missing.missing.vi.length);

    const vi = {
      kind: 'mailed', channel: 'email', language: 'vi',
      subject: 'Lá phiếu của quý vị đã được gửi',
      body: 'Xin chào {{voterFirstName}},\n\nLá phiếu sẽ đến giữa {{expectedFrom}} và {{expectedTo}}. Theo dõi: {{lookupUrl}}\n\n{{countyName}}\n{{countyPhone}}\n\nNgừng nhận email: {{unsubscribeUrl}}\n',
    };
    const saved = await admin.agent.post(T).send(vi);
    expect(saved.status).toBe(201);
    expect(json(saved).template.version).toBe(1); // no shipped Vietnamese text to count
    const [after] = await served('kind=mailed&channel=email&language=vi');
    expect(after).toMatchObject({ fellBackToEnglish: false, template: { language: 'vi', version: 1, source: 'state' } });
    const missingAfter = json(await admin.agent.get(`${T}/missing`).expect(200));
    expect(missingAfter.missing.vi).not.toContainEqual({ kind: 'mailed', channel: 'email' });
    expect(missingAfter.counts.vi).toBe(missing.counts.vi - 1);
  });
});

describe('county settings and preview', () => {
  test('county override with a bad phone number names the field', async () => {
    const bad = await admin.agent.put('/api/admin/notify/counties/madera').send({ ...FRESNO, displayName: 'Madera County Elections', phone: '559-675-7720' });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(json(bad).errors).toEqual([{ field: 'body.phone', message: expect.stringContaining('E.164') }]);
    const badNumber = await admin.agent.put('/api/admin/notify/counties/madera').send({ ...FRESNO, sender: { ...FRESNO.sender, sms: { numbers: ['+15596757720', '5596757721'] } } });
    expect(json(badNumber).errors.map((e: { field: string }) => e.field)).toEqual(['body.sender.sms.numbers.1']);
    const otherCounty = await admin.agent.put('/api/admin/notify/counties/madera').send({ ...FRESNO, county: 'fresno' });
    expect(json(otherCounty).errors).toEqual([{ field: 'body.county', message: 'must be madera, the county of the path' }]);
    expect((await admin.agent.get('/api/admin/notify/counties/madera')).status).toBe(404);

    const good = await admin.agent.put('/api/admin/notify/counties/madera').send({ ...FRESNO, displayName: 'Madera County Elections', displayNameByLanguage: {}, phone: '+15596757720' });
    expect(good.status).toBe(201);
    const got = json(await admin.agent.get('/api/admin/notify/counties/madera').expect(200));
    expect(got).toMatchObject({ county: 'madera', updatedBy: admin.subject, override: { county: 'madera', phone: '+15596757720' } });
    const replaced = await admin.agent.put('/api/admin/notify/counties/madera').send({ ...FRESNO, county: 'madera', displayName: 'Madera County Elections', phone: '+15596757721' });
    expect(replaced.status).toBe(200);
    const list = json(await admin.agent.get('/api/admin/notify/counties').expect(200)).counties;
    expect(list.find((c: { county: string }) => c.county === 'madera').override.phone).toBe('+15596757721');
  });

  test('preview renders a sample ballot with the county\'s cure-form link', async () => {
    await admin.agent.put('/api/admin/notify/counties/fresno').send(FRESNO).expect(201);
    const P = `${T}/preview`;

    const sms = json(await admin.agent.post(P).send({ kind: 'not-counted', channel: 'sms', language: 'es', reason: 'signature-mismatch', county: 'fresno' }).expect(200));
    // EC §3019(d): the cure statement must reach the county by 5 p.m. two days before certification (E+28).
    expect(sms.text).toBe('Elecciones del Condado de Fresno: Para contar su boleta, corrija este problema: su firma no coincide con la registrada. '
      + 'Firme y devuelva el formulario de firma antes de las 5 p. m. del 1 de diciembre de 2026: https://www.fresnovotes.gov/cure Responda STOP para cancelar');
    expect(sms.sms).toMatchObject({ encoding: 'GSM-7', segments: 2, maxSegments: 2, withinLimit: true });
    expect(sms.template).toMatchObject({ source: 'default', language: 'es', version: 1, reasonSpecific: true, fellBackToEnglish: false });
    expect(sms.county).toEqual({ county: 'fresno', configured: true });

    const email = json(await admin.agent.post(P).send({ kind: 'mailed', channel: 'email', language: 'en', county: 'fresno', ballot: { electionDate: '2026-06-02' } }).expect(200));
    expect(email.subject).toBe('Your ballot is in the mail');
    expect(email.text).toMatch(/^Hello María José,/);
    expect(email.text).toContain('for the June 2, 2026 election');
    expect(email.text).toContain('(559) 600-8683');
    expect(email.sms).toBeUndefined();

    const call = json(await admin.agent.post(P).send({ kind: 'not-counted', channel: 'voice', language: 'es', reason: 'not-received-on-time', county: 'fresno' }).expect(200));
    expect(call.voice).toEqual({ sayLanguage: 'es-US', voice: 'Google.es-US-Standard-A', fellBackToEnglish: false });
    expect(call.text).toContain('llame al 5 5 9, 6 0 0, 8 6 8 3'); // digit by digit on a call
    // Twilio has no Khmer voice: a call to a Khmer voter is read from the English text by an English voice.
    const khmer = json(await admin.agent.post(P).send({ kind: 'received', channel: 'voice', language: 'km', county: 'fresno' }).expect(200));
    expect(khmer.voice).toMatchObject({ sayLanguage: 'en-US', fellBackToEnglish: true });
    expect(khmer.template).toMatchObject({ language: 'en', fellBackToEnglish: true });
    expect(khmer.text).toMatch(/^Hello\. This is Fresno County Elections calling/);
  });

  test('a draft is previewed with its problems, and one that cannot be rendered is refused naming the draft\'s field', async () => {
    const P = `${T}/preview`;
    const draft = json(await admin.agent.post(P).send({
      kind: 'cure-needed', channel: 'sms', language: 'en', county: 'fresno', ballot: { voterFirstName: 'Ñeco' },
      template: { body: '{{countyName}}: Please sign the cure form by {{cureDeadline}}: {{cureFormUrl}}' },
    }).expect(200));
    expect(draft.text).toBe('Fresno County Elections: Please sign the cure form by 5 p.m. on December 1, 2026: https://www.fresnovotes.gov/cure');
    expect(draft.template.source).toBe('draft');
    expect(draft.problems).toEqual([{ field: 'body.template.body', message: expect.stringContaining('STOP') }]);

    const broken = await admin.agent.post(P).send({ kind: 'received', channel: 'sms', language: 'en', template: { body: 'Hi {{voterName}}. Reply STOP to opt out' } });
    expect(broken.status).toBe(422);
    expect(json(broken).errors).toEqual([{ field: 'body.template.body', message: expect.stringContaining('unknown placeholder {{voterName}}') }]);
  });
});

describe('triggers', () => {
  test('trigger config round-trips and bumps its version', async () => {
    const initial = json(await admin.agent.get('/api/admin/notify/triggers').expect(200));
    expect(initial).toMatchObject({ version: 0, isDefault: true, config: DEFAULT_TRIGGER_CONFIG });

    const quieter = {
      notices: { ...DEFAULT_TRIGGER_CONFIG.notices, 'election-update': [], 'expected-delivery': ['email'] },
      notCountedByReason: { 'voter-deceased': [], 'not-received-on-time': ['email', 'sms'] },
    };
    const put = await admin.agent.put('/api/admin/notify/triggers').send(quieter);
    expect(put.status).toBe(200);
    const v1 = json(put).version as number;
    expect(v1).toBeGreaterThan(0);
    const got = json(await admin.agent.get('/api/admin/notify/triggers').expect(200));
    expect(got).toMatchObject({ version: v1, isDefault: false, createdBy: admin.subject });
    expect(got.config).toEqual(quieter);

    const again = json(await other.agent.put('/api/admin/notify/triggers').send({ ...quieter, notCountedByReason: {} }).expect(200));
    expect(again.version).toBe(v1 + 1);
    expect(json(await admin.agent.get('/api/admin/notify/triggers')).config.notCountedByReason).toEqual({});

    const audit = await db.pool.query(`SELECT actor, result FROM audit_log WHERE action = 'putNotifyTriggers' ORDER BY id`);
    expect(audit.rows).toEqual([{ actor: admin.subject, result: '200' }, { actor: other.subject, result: '200' }]);
  });

  test('a trigger config that leaves out a notice kind or repeats a channel is refused naming the field', async () => {
    const { mailed: _mailed, ...withoutMailed } = DEFAULT_TRIGGER_CONFIG.notices;
    const r = await admin.agent.put('/api/admin/notify/triggers').send({ notices: { ...withoutMailed, received: ['sms', 'sms'] } });
    expect(r.status).toBe(422);
    expect(json(r).errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.notices.mailed', 'body.notices.received']);
    expect(json(await admin.agent.get('/api/admin/notify/triggers')).config.notices.mailed).toEqual(['email', 'sms', 'voice']);
  });
});

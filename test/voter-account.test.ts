/**
 * The web portals' routes against real parts: the API on a local port and its own Postgres database. The voter's
 * ballot page (GET /api/voter/ballot), the staff portal's "who am I" (GET /api/me), and optional voter accounts
 * that keep lookups: create, sign in, save, list, look up again, forget, and one account never reaching another's.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../api/app';
import { signAccountToken, signLookupToken, signManageToken } from '../api/links';
import { ballotCalendar } from '../domain/ballot';
import { lookupKey } from '../domain/notify/match';
import { REASONS } from '../domain/reason-codes';
import { createLogger } from '../runtime/logger';
import { keyFor } from './helpers/auth';
import { createTestDb, type TestDb } from './helpers/db';
import { seedContract, seedElection } from './helpers/seed';

const SECRET = 'test-voter-account-secret-0123456789abcdef';
const ELECTION_DATE = '2026-06-02';
const ELECTION = `election:fresno:${ELECTION_DATE}`;
const MADERA_ELECTION = 'election:madera:2026-11-03';
const ballotOf = (election: string, voterId: string, issue = 1) => `ballot:${election}:${voterId}:${issue}`;

const JOSE = { firstName: 'JOSE', lastName: 'NUNEZ', dateOfBirth: '1984-02-29', zip: '93721' };
const LAN = { firstName: 'LAN', lastName: 'NGUYEN', dateOfBirth: '1951-11-02', zip: '93703' };
const MAI = { firstName: 'MAI', lastName: 'VANG', dateOfBirth: '1999-12-31', zip: '93637' };

let db: TestDb;
let server: http.Server;
let api: string;
const logLines: string[] = [];

beforeAll(async () => {
  db = await createTestDb();
  Object.assign(process.env, { VOTER_LINK_SECRET: SECRET });
  server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.PUBLIC_BASE_URL = api;
  // The product's logger at debug, into a list: what is logged is checked at the end for passwords and tokens.
  const logger = createLogger('test', 'debug', new Writable({ write(chunk, _e, cb) { logLines.push(String(chunk)); cb(); } }));
  const app = createApp({
    pool: db.pool, client: {} as Client, logger,
    cfg: { TASK_QUEUE: 'unused', searchAttributes: false, voterLimits: { lookupsPerIp: 1000, lookupsPerIdentity: 1000, voterWritesPerIp: 1000 } },
  });
  server.on('request', app);

  await seedElection(db.pool, 'fresno', ELECTION_DATE, await seedContract(db.pool, 'fresno', '15-584'));
  await db.pool.query(
    `INSERT INTO county_overrides (county, override, updated_by) VALUES ('fresno', $1, 'test')`,
    [JSON.stringify({
      county: 'fresno', displayName: 'Fresno County Elections', displayNameByLanguage: { es: 'Elecciones Condado de Fresno' },
      phone: '+15596008683', websiteUrl: 'https://votes.fresnocountyca.gov', lookupUrl: 'https://votes.fresnocountyca.gov/ballot',
      cureFormUrl: 'https://votes.fresnocountyca.gov/cure',
      sender: { email: { fromName: 'Fresno County Elections', fromAddress: 'elections@fresnocountyca.gov' }, sms: { numbers: ['+15595550100'] }, voice: { callerId: '+15595550100' } },
    })],
  );
  await addVoter('fresno', 'V200001', JOSE, ELECTION, ballotOf(ELECTION, 'V200001', 2));
  await addVoter('fresno', 'V200002', LAN, ELECTION, ballotOf(ELECTION, 'V200002'));
  // Madera has no configured identity and no election row: its name comes from the id, its date from the election id.
  await addVoter('madera', 'V300001', MAI, MADERA_ELECTION, ballotOf(MADERA_ELECTION, 'V300001'));

  // José's first ballot was replaced by issue 2, which went out, came back unsigned, and now waits for the cure form.
  // Rows are inserted out of order, and sequence 10 must come after 9: the order is the ballot's own sequence.
  const b1 = ballotOf(ELECTION, 'V200001', 1);
  const b2 = ballotOf(ELECTION, 'V200001', 2);
  const window = { from: '2026-05-08', to: '2026-05-12', source: 'service-standard' };
  await events(b2, [
    [10, 'status-changed', 'cure-pending', ['signature-mismatch'], '2026-05-20T17:00:00Z', {}],
    [1, 'status-changed', 'issued', [], '2026-05-04T16:00:00Z', {}],
    [3, 'alert:no-scan', null, [], '2026-05-06T16:00:00Z', {}],
    [2, 'status-changed', 'mailed', [], '2026-05-05T16:00:00Z', { from: 'issued', expectedWindow: window }],
    [4, 'status-changed', 'in-mail-stream', [], '2026-05-07T16:00:00Z', { from: 'mailed', expectedWindow: window }],
    [5, 'status-changed', 'delivered', [], '2026-05-09T16:00:00Z', {}],
    [6, 'status-changed', 'returned', [], '2026-05-14T16:00:00Z', {}],
    [7, 'status-changed', 'received', [], '2026-05-16T16:00:00Z', {}],
    [9, 'status-changed', 'in-review', [], '2026-05-18T16:00:00Z', {}],
  ]);
  await events(b1, [[1, 'status-changed', 'superseded', [], '2026-05-03T16:00:00Z', {}]]);
  await events(ballotOf(ELECTION, 'V200002'), [
    [1, 'status-changed', 'issued', [], '2026-05-04T16:00:00Z', {}],
    [2, 'status-changed', 'mailed', [], '2026-05-05T16:00:00Z', { from: 'issued', expectedWindow: window }],
  ]);
}, 60_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await db?.drop();
});

async function addVoter(county: string, voterId: string, q: typeof JOSE, electionId: string, ballotId: string) {
  const hash = crypto.createHmac('sha256', SECRET).update(lookupKey(q)).digest('hex');
  await db.pool.query(
    `INSERT INTO voters (county, voter_id, first_name, last_name, lookup_hash, language, election_id, ballot_id) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)`,
    [county, voterId, q.firstName, q.lastName, hash, electionId, ballotId],
  );
}

type Ev = [seq: number, type: string, status: string | null, reasons: string[], at: string, detail: Record<string, unknown>];
async function events(ballotId: string, list: Ev[]) {
  const electionId = ballotId.split(':').slice(1, -2).join(':');
  for (const [seq, type, status, reasons, at, detail] of list) {
    await db.pool.query(
      `INSERT INTO ballot_events (event_id, election_id, ballot_id, type, status, reason_codes, at, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [`${ballotId}#${seq}`, electionId, ballotId, type, status, reasons, at, JSON.stringify(detail)],
    );
  }
}

/** A lookup as the voter makes it, answering the lookup token. */
async function lookUp(q: typeof JOSE): Promise<string> {
  const r = await request(api).post('/api/voter/lookup').send(q);
  expect(r.body.result).toBe('found');
  return r.body.lookupToken as string;
}

const ballot = (token: string) => request(api).get(`/api/voter/ballot?token=${encodeURIComponent(token)}`);
const asAccount = (token: string) => ({ 'X-Account-Token': token });

async function newAccount(email: string, password = 'correct horse battery staple'): Promise<{ accountToken: string; email: string }> {
  const r = await request(api).post('/api/voter/accounts').send({ email, password });
  expect(r.status).toBe(201);
  return r.body;
}

describe('GET /api/voter/ballot', () => {
  test('the current ballot with its timeline in the ballot\'s order, reasons in English and Spanish, and the cure form and deadline', async () => {
    const r = await ballot(await lookUp(JOSE));
    expect(r.status).toBe(200);
    const deadline = new Date(ballotCalendar(ELECTION_DATE).cureDeadlineAtMs).toISOString();
    expect(deadline).toBe('2026-07-01T00:00:00.000Z'); // 5 p.m. Pacific (PDT) on E+28
    expect(r.body).toEqual({
      county: 'fresno', countyName: 'Fresno County Elections', electionDate: ELECTION_DATE, status: 'cure-pending', reasonCodes: ['signature-mismatch'],
      reasons: [{ code: 'signature-mismatch', label: REASONS['signature-mismatch'].label, howToFix: REASONS['signature-mismatch'].howToFix, curable: true }],
      cure: { formUrl: 'https://votes.fresnocountyca.gov/cure', deadline }, countyPhone: '+15596008683',
      timeline: [
        { status: 'issued', at: '2026-05-04T16:00:00.000Z', reasonCodes: [] },
        { status: 'mailed', at: '2026-05-05T16:00:00.000Z', reasonCodes: [] },
        { status: 'in-mail-stream', at: '2026-05-07T16:00:00.000Z', reasonCodes: [] },
        { status: 'delivered', at: '2026-05-09T16:00:00.000Z', reasonCodes: [] },
        { status: 'returned', at: '2026-05-14T16:00:00.000Z', reasonCodes: [] },
        { status: 'received', at: '2026-05-16T16:00:00.000Z', reasonCodes: [] },
        { status: 'in-review', at: '2026-05-18T16:00:00.000Z', reasonCodes: [] },
        { status: 'cure-pending', at: '2026-05-20T17:00:00.000Z', reasonCodes: ['signature-mismatch'] },
      ],
    });
    expect(r.body.reasons[0].label.es).toBe('Su firma no coincide con la de su registro');
    expect(r.body.reasons[0].howToFix.es).toMatch(/formulario de corrección/);
  });

  test('nothing that identifies the voter: no name, voter id, ballot id, barcode, birth date or ZIP', async () => {
    const r = await ballot(await lookUp(JOSE));
    for (const s of ['V200001', 'JOSE', 'NUNEZ', 'ballot:', 'election:', '1984-02-29', '93721']) expect(r.text).not.toContain(s);
    const keys = (o: unknown): string[] => (o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => [k, ...keys(v)]) : []);
    for (const k of keys(r.body)) expect(['voterId', 'ballotId', 'imb', 'outboundImb', 'firstName', 'lastName', 'dateOfBirth', 'zip', 'address', 'electionId']).not.toContain(k);
  });

  test('on its way: the expected window, no cure block; with no events yet: issued, and the county named from its id', async () => {
    const lan = await ballot(await lookUp(LAN));
    expect(lan.body).toMatchObject({ status: 'mailed', reasons: [], cure: null, expectedWindow: { from: '2026-05-08', to: '2026-05-12', source: 'service-standard' } });
    const mai = await ballot(signLookupToken('madera', 'V300001'));
    expect(mai.status).toBe(200);
    expect(mai.body).toEqual({
      county: 'madera', countyName: 'Madera County Elections', electionDate: '2026-11-03', status: 'issued', reasonCodes: [], reasons: [],
      cure: null, countyPhone: null, timeline: [],
    });
  });

  test('no ballot for the voter is a 404; a bad, expired or missing token is refused', async () => {
    expect((await ballot(signLookupToken('fresno', 'V999999'))).status).toBe(404);
    const expired = await ballot(signLookupToken('fresno', 'V200001', 60, Date.now() - 3600_000));
    expect(expired.status).toBe(403);
    expect(expired.body.type).toBe('link-expired');
    expect((await ballot(signManageToken('sub-00000000-0000-4000-8000-000000000001'))).body.reason).toBe('wrong-purpose');
    const missing = await request(api).get('/api/voter/ballot');
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0].field).toBe('query.token');
  });
});

describe('GET /api/me', () => {
  test('a county manager sees its county; a vendor its contracts; nobody is refused', async () => {
    const cm = await request(api).get('/api/me').set('Authorization', `Bearer ${await keyFor(db.pool, 'county-manager', { county: 'fresno' })}`);
    expect(cm.status).toBe(200);
    expect(cm.body).toEqual({ subject: expect.stringMatching(/^key:[0-9a-f]{12} /), role: 'county-manager', county: 'fresno' });
    const vendor = await request(api).get('/api/me').set('Authorization', `Bearer ${await keyFor(db.pool, 'vendor', { contracts: ['contract:fresno:15-584'] })}`);
    expect(vendor.body).toEqual({ subject: expect.stringMatching(/^key:[0-9a-f]{12} /), role: 'vendor', contracts: ['contract:fresno:15-584'] });
    const admin = await request(api).get('/api/me').set('Authorization', `Bearer ${await keyFor(db.pool, 'state-admin')}`);
    expect(Object.keys(admin.body).sort()).toEqual(['role', 'subject']);
    expect((await request(api).get('/api/me')).status).toBe(401);
  });
});

describe('voter accounts', () => {
  const PASSWORD = 'correct horse battery staple';

  test('create: 201 with an account token, the email lower-cased, only a scrypt hash stored; the same email again is a 409', async () => {
    const r = await request(api).post('/api/voter/accounts').send({ email: '  Ana.Ruiz@Example.org ', password: PASSWORD });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ accountToken: expect.any(String), email: 'ana.ruiz@example.org' });
    expect((await request(api).get('/api/voter/accounts/me').set(asAccount(r.body.accountToken))).body).toEqual({ email: 'ana.ruiz@example.org', lookups: [] });
    const row = (await db.pool.query('SELECT email, password_hash FROM voter_accounts WHERE email = $1', ['ana.ruiz@example.org'])).rows[0];
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(row.password_hash).not.toContain(PASSWORD);

    const again = await request(api).post('/api/voter/accounts').send({ email: 'ANA.RUIZ@example.org', password: 'another long password' });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body.type).toBe('account-exists');
  });

  test('a short password or a bad email is refused naming the field', async () => {
    const short = await request(api).post('/api/voter/accounts').send({ email: 'short@example.org', password: 'elevenchars' });
    expect(short.status).toBe(422);
    expect(short.body.errors).toEqual([{ field: 'body.password', message: 'must be at least 12 characters' }]);
    const long = await request(api).post('/api/voter/accounts').send({ email: 'long@example.org', password: 'x'.repeat(201) });
    expect(long.status).toBe(422);
    const email = await request(api).post('/api/voter/accounts').send({ email: 'not-an-address', password: PASSWORD });
    expect(email.status).toBe(422);
    expect(email.body.errors[0].field).toBe('body.email');
  });

  test('sign in: the right password answers a token; a wrong password and an unknown email get the same 401', async () => {
    await newAccount('sign.in@example.org');
    const ok = await request(api).post('/api/voter/accounts/session').send({ email: 'Sign.In@example.org', password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ accountToken: expect.any(String), email: 'sign.in@example.org' });
    expect((await request(api).get('/api/voter/accounts/me').set(asAccount(ok.body.accountToken))).status).toBe(200);

    // The same scrypt work either way: one hash with the current cost, whether the address has an account or not.
    const spy = jest.spyOn(crypto, 'scrypt');
    const costs = () => spy.mock.calls.map((c) => (c[3] as crypto.ScryptOptions).N);
    const wrong = await request(api).post('/api/voter/accounts/session').send({ email: 'sign.in@example.org', password: `${PASSWORD}!` });
    expect(costs()).toEqual([32768]);
    const unknown = await request(api).post('/api/voter/accounts/session').send({ email: 'nobody@example.org', password: PASSWORD });
    expect(costs()).toEqual([32768, 32768]);
    spy.mockRestore();
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(r.body.detail).toBe('email or password is not right');
    }
    const { requestId: _a, ...w } = wrong.body;
    const { requestId: _b, ...u } = unknown.body;
    expect(w).toEqual(u);
  });

  test('save a lookup (again: the same id), list it with the ballot\'s current status, look it up again, forget it', async () => {
    const { accountToken } = await newAccount('keeper@example.org');
    const h = asAccount(accountToken);
    const jose = await lookUp(JOSE);
    const saved = await request(api).post('/api/voter/accounts/me/lookups').set(h).send({ lookupToken: jose });
    expect(saved.status).toBe(201);
    expect(saved.body).toEqual({ id: expect.stringMatching(/^lkp-[0-9a-f-]{36}$/) });
    const twice = await request(api).post('/api/voter/accounts/me/lookups').set(h).send({ lookupToken: await lookUp(JOSE) });
    expect(twice.status).toBe(200);
    expect(twice.body).toEqual(saved.body);
    const lan = await request(api).post('/api/voter/accounts/me/lookups').set(h).send({ lookupToken: await lookUp(LAN) });
    expect(lan.status).toBe(201);

    const me = await request(api).get('/api/voter/accounts/me').set(h);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      email: 'keeper@example.org',
      lookups: [
        { id: saved.body.id, savedAt: expect.any(String), county: 'fresno', countyName: 'Fresno County Elections', status: 'cure-pending' },
        { id: lan.body.id, savedAt: expect.any(String), county: 'fresno', countyName: 'Fresno County Elections', status: 'mailed', expectedWindow: { from: '2026-05-08', to: '2026-05-12', source: 'service-standard' } },
      ],
    });
    expect(Number.isNaN(Date.parse(me.body.lookups[0].savedAt))).toBe(false);
    expect(me.text).not.toContain('V200001');

    const fresh = await request(api).post(`/api/voter/accounts/me/lookups/${saved.body.id}/token`).set(h);
    expect(fresh.status).toBe(200);
    const view = await ballot(fresh.body.lookupToken);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ county: 'fresno', status: 'cure-pending' });

    const forget = await request(api).delete(`/api/voter/accounts/me/lookups/${saved.body.id}`).set(h);
    expect(forget.status).toBe(200);
    expect(forget.body).toEqual({ id: saved.body.id, removed: true });
    expect((await request(api).delete(`/api/voter/accounts/me/lookups/${saved.body.id}`).set(h)).status).toBe(404);
    expect((await request(api).post(`/api/voter/accounts/me/lookups/${saved.body.id}/token`).set(h)).status).toBe(404);
    expect((await request(api).get('/api/voter/accounts/me').set(h)).body.lookups.map((l: { id: string }) => l.id)).toEqual([lan.body.id]);
  });

  test('a bad lookup token is a 403 naming body.lookupToken, and saves nothing', async () => {
    const { accountToken } = await newAccount('careful@example.org');
    const h = asAccount(accountToken);
    for (const [token, type] of [
      [signLookupToken('fresno', 'V200001', 60, Date.now() - 3600_000), 'link-expired'],
      [signManageToken('sub-00000000-0000-4000-8000-000000000001'), 'link-invalid'],
      [accountToken, 'link-invalid'],
      [`${signLookupToken('fresno', 'V200001').slice(0, -4)}AAAA`, 'link-invalid'],
    ] as const) {
      const r = await request(api).post('/api/voter/accounts/me/lookups').set(h).send({ lookupToken: token });
      expect(r.status).toBe(403);
      expect(r.body.type).toBe(type);
      expect(r.body.detail).toMatch(/^body\.lookupToken: /);
      expect(r.body.errors).toEqual([{ field: 'body.lookupToken', message: expect.any(String) }]);
    }
    expect((await request(api).get('/api/voter/accounts/me').set(h)).body.lookups).toEqual([]);
  });

  test('another account can neither read, look up again nor delete the first account\'s lookup: 404 as for none', async () => {
    const first = await newAccount('first@example.org');
    const second = await newAccount('second@example.org');
    const saved = await request(api).post('/api/voter/accounts/me/lookups').set(asAccount(first.accountToken)).send({ lookupToken: await lookUp(JOSE) });
    expect(saved.status).toBe(201);
    const id = saved.body.id as string;
    const theirs = await request(api).post(`/api/voter/accounts/me/lookups/${id}/token`).set(asAccount(second.accountToken));
    const none = await request(api).post('/api/voter/accounts/me/lookups/lkp-00000000-0000-4000-8000-000000000000/token').set(asAccount(second.accountToken));
    expect([theirs.status, none.status]).toEqual([404, 404]);
    const shape = (b: Record<string, unknown>) => ({ ...b, detail: String(b.detail).replace(/lkp-\S+/, 'ID'), requestId: undefined });
    expect(shape(theirs.body)).toEqual(shape(none.body));
    expect((await request(api).delete(`/api/voter/accounts/me/lookups/${id}`).set(asAccount(second.accountToken))).status).toBe(404);
    expect((await request(api).get('/api/voter/accounts/me').set(asAccount(second.accountToken))).body.lookups).toEqual([]);
    // Still the first account's.
    expect((await request(api).get('/api/voter/accounts/me').set(asAccount(first.accountToken))).body.lookups.map((l: { id: string }) => l.id)).toEqual([id]);
  });

  test('a missing, expired, forged or wrong-purpose account token is a 401; an account token is no lookup token', async () => {
    const { accountToken } = await newAccount('tokens@example.org');
    const me = (headers: Record<string, string>) => request(api).get('/api/voter/accounts/me').set(headers);
    const missing = await me({});
    expect([missing.status, missing.body.type]).toEqual([401, 'account-token-missing']);
    const accountId = (await db.pool.query<{ id: string }>(`SELECT id FROM voter_accounts WHERE email = 'tokens@example.org'`)).rows[0]!.id;
    const expired = await me(asAccount(signAccountToken(accountId, 3600, Date.now() - 13 * 3600_000)));
    expect([expired.status, expired.body.type]).toEqual([401, 'account-token-expired']);
    // Another account's id in the claims, with this token's signature.
    const [hd, p, sig] = accountToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = await me(asAccount(`${hd}.${Buffer.from(JSON.stringify({ ...claims, sub: 'acct-00000000-0000-4000-8000-000000000000' })).toString('base64url')}.${sig}`));
    expect([forged.status, forged.body.type, forged.body.reason]).toEqual([401, 'account-token-invalid', 'bad-signature']);
    const lookup = await me(asAccount(signLookupToken('fresno', 'V200001')));
    expect([lookup.status, lookup.body.reason]).toEqual([401, 'wrong-purpose']);
    // A well-signed token for an account that does not exist.
    const ghost = await me(asAccount(signAccountToken('acct-00000000-0000-4000-8000-000000000000')));
    expect(ghost.status).toBe(401);
    // A staff key is no account token.
    const staff = await request(api).get('/api/voter/accounts/me').set('Authorization', `Bearer ${await keyFor(db.pool, 'state-admin')}`);
    expect(staff.status).toBe(401);
    // And the account token reads no ballot.
    const asLookup = await ballot(accountToken);
    expect([asLookup.status, asLookup.body.reason]).toEqual([403, 'wrong-purpose']);
  });

  test('the audit log has the account routes, and no password or token reached it or the logs', async () => {
    const password = 'a password nobody should ever see 1';
    const created = await newAccount('audited@example.org', password);
    const signIn = await request(api).post('/api/voter/accounts/session').send({ email: 'audited@example.org', password });
    await request(api).post('/api/voter/accounts/session').send({ email: 'audited@example.org', password: `${password}x` });
    const saved = await request(api).post('/api/voter/accounts/me/lookups').set(asAccount(signIn.body.accountToken)).send({ lookupToken: await lookUp(LAN) });
    const audit = (await db.pool.query(`SELECT actor, action, target, result, detail FROM audit_log WHERE action IN ('voterCreateAccount', 'voterSignIn', 'voterSaveLookup') ORDER BY id`)).rows;
    expect(audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ actor: 'public', action: 'voterCreateAccount', result: '201' }),
      expect.objectContaining({ actor: 'public', action: 'voterSignIn', result: '200' }),
      expect.objectContaining({ actor: 'public', action: 'voterSignIn', result: '401' }),
      expect.objectContaining({ actor: expect.stringMatching(/^account:acct-/), action: 'voterSaveLookup', result: '201' }),
    ]));
    const everything = JSON.stringify((await db.pool.query('SELECT * FROM audit_log')).rows) + logLines.join('');
    expect(saved.status).toBe(201);
    for (const secret of [password, PASSWORD, created.accountToken, signIn.body.accountToken]) expect(everything).not.toContain(secret);
    expect(logLines.length).toBeGreaterThan(0);
  });
});

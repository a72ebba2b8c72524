/**
 * The authorization matrix (issue 5): every route of the route table × every role × a resource in the caller's
 * scope and one outside it. The expected outcomes are written here, apart from the routes' own policies, so a
 * policy that drifts from this table fails, and so does a new route with no row here.
 *
 * "Reached" means the request got past authentication and authorization: any status but 401, 403 and 404. Temporal
 * is replaced by a client that answers 503 to anything, so handlers that would start or signal a workflow stop
 * there; the authorization has already been decided by then.
 */
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp, routes } from '../api/app';
import { signLookupToken, signManageToken } from '../api/links';
import { HttpProblem } from '../api/problem';
import type { Route } from '../api/route';
import { revokeApiKey } from '../db/api-keys';
import { saveCountyOverride } from '../db/notify-config';
import { CountyOverrideSchema } from '../domain/notify/triggers';
import type { StaffRole } from '../domain/access';
import { contractIdOf } from '../domain/ids';
import { addDays, pacificDate } from '../domain/time';
import { keyFor } from './helpers/auth';
import { seedContract, seedElection } from './helpers/seed';
import { createTestDb, type TestDb } from './helpers/db';

type Who = StaffRole | 'anonymous';
const ALL: StaffRole[] = ['state-admin', 'county-manager', 'vendor', 'contract-manager', 'feed'];
const READERS: StaffRole[] = ['state-admin', 'county-manager', 'vendor', 'contract-manager'];

/** Who may call each route; `scoped` routes name a county's resource, the others are not about one county. */
const EXPECT: Record<string, { may: StaffRole[]; scoped: boolean } | 'voter' | 'public'> = {
  createContract: { may: ['state-admin', 'county-manager'], scoped: true },
  listContracts: { may: READERS, scoped: false },
  getContract: { may: READERS, scoped: true },
  getSlaReport: { may: READERS, scoped: true },
  recordInvoice: { may: ['state-admin', 'county-manager', 'contract-manager'], scoped: true },
  exerciseRenewal: { may: ['state-admin', 'county-manager', 'contract-manager'], scoped: true },
  startElection: { may: ['state-admin', 'county-manager'], scoped: true },
  listElections: { may: READERS, scoped: false },
  getElection: { may: READERS, scoped: true },
  listElectionEvents: { may: READERS, scoped: true },
  changeElectionDate: { may: ['state-admin', 'county-manager'], scoped: true },
  cancelElection: { may: ['state-admin', 'county-manager'], scoped: true },
  completeMilestone: { may: ['state-admin', 'county-manager'], scoped: true },
  sendSubsequentExtract: { may: ['state-admin', 'county-manager'], scoped: true },
  orderElectionDayBallots: { may: ['state-admin', 'county-manager'], scoped: true },
  completeDeliverable: { may: ['state-admin', 'county-manager', 'vendor'], scoped: true },
  fileDelayNotice: { may: ['state-admin', 'vendor'], scoped: true },
  decideWaiver: { may: ['state-admin', 'contract-manager'], scoped: true },
  sendElectionUpdate: { may: ['state-admin', 'county-manager'], scoped: true },
  // Sent as a vendor manifest: the feed may upload scan files only (its own test below).
  uploadFile: { may: ['state-admin', 'county-manager', 'vendor'], scoped: true },
  getFile: { may: ['state-admin', 'county-manager', 'vendor'], scoped: true },
  getBallot: { may: ['state-admin', 'county-manager'], scoped: true },
  listBallots: { may: ['state-admin', 'county-manager'], scoped: true },
  electionStats: { may: ['state-admin', 'county-manager', 'contract-manager'], scoped: true },
  manifestReconciliation: { may: ['state-admin', 'county-manager', 'vendor'], scoped: true },
  getNotifyTriggers: { may: ['state-admin'], scoped: false },
  putNotifyTriggers: { may: ['state-admin'], scoped: false },
  listNotifyTemplates: { may: ['state-admin'], scoped: false },
  addNotifyTemplate: { may: ['state-admin'], scoped: false },
  listMissingTranslations: { may: ['state-admin'], scoped: false },
  previewNotifyTemplate: { may: ['state-admin'], scoped: false },
  listCountyOverrides: { may: ['state-admin'], scoped: false },
  getCountyOverride: { may: ['state-admin', 'county-manager'], scoped: true },
  putCountyOverride: { may: ['state-admin'], scoped: true },
  exportAudit: { may: ['state-admin'], scoped: false },
  purgeElectionVoters: { may: ['state-admin'], scoped: true },
  whoAmI: { may: ALL, scoped: false },
  voterLookup: 'public',
  voterBallot: 'voter',
  voterSubscribe: 'voter',
  voterConfirmChannel: 'voter',
  voterRequestCode: 'voter',
  voterGetSubscription: 'voter',
  voterChangeSubscription: 'voter',
  voterCancelSubscription: 'voter',
  voterUnsubscribePage: 'voter',
  voterUnsubscribe: 'voter',
  voterCreateAccount: 'public',
  voterSignIn: 'public',
  voterAccount: 'voter',
  voterSaveLookup: 'voter',
  voterLookupAgain: 'voter',
  voterForgetLookup: 'voter',
};

const electionDate = addDays(pacificDate(Date.now()), 60);
const COUNTIES = { own: 'fresno', other: 'madera' } as const;
const contractOf = (county: string) => contractIdOf(county, `${county.slice(0, 1).toUpperCase()}-1`);
const electionOf = (county: string) => `election:${county}:${electionDate}`;
const fileOf = (county: string) => `file:${county}-extract-1`;
const ballotOf = (county: string) => `ballot:${electionOf(county)}:V1:1`;

/** Temporal stands in as "unavailable": reaching it proves the request was let through. */
const unavailable = new Proxy({}, { get: () => { throw new HttpProblem(503, 'Unavailable', 'Temporal is not part of the matrix test'); } }) as Client;

let db: TestDb;
let app: Express;
const keys = {} as Record<StaffRole, string>;

beforeAll(async () => {
  db = await createTestDb();
  app = createApp({ pool: db.pool, client: unavailable, logger: pino({ level: 'silent' }), cfg: { TASK_QUEUE: 'unused', searchAttributes: false, uploadDir: `/tmp/bf-matrix-${process.pid}`, voterLimits: { lookupsPerIp: 1e6, lookupsPerIdentity: 1e6, voterWritesPerIp: 1e6 } } });
  for (const county of Object.values(COUNTIES)) {
    await seedElection(db.pool, county, electionDate, await seedContract(db.pool, county, contractOf(county).split(':')[2]!));
    await saveCountyOverride(db.pool, county, CountyOverrideSchema.parse({ county, displayName: `${county} County Elections`, phone: '+15596008683', websiteUrl: 'https://example.gov', lookupUrl: 'https://example.gov/lookup', cureFormUrl: 'https://example.gov/cure', sender: { email: { fromName: 'County Elections', fromAddress: 'elections@example.gov' }, sms: { numbers: ['+15595550123'] }, voice: { callerId: '+15596008683' } } }), 'test');
    await db.pool.query(`INSERT INTO ingest_files (id, election_id, type, file_name, path, checksum, bytes) VALUES ($1, $2, 'state-extract', 'x.csv', '/nonexistent', $3, 1)`, [fileOf(county), electionOf(county), `sum-${county}`]);
  }
  keys['state-admin'] = await keyFor(db.pool, 'state-admin');
  keys['county-manager'] = await keyFor(db.pool, 'county-manager', { county: COUNTIES.own });
  keys.vendor = await keyFor(db.pool, 'vendor', { contracts: [contractOf(COUNTIES.own)] });
  keys['contract-manager'] = await keyFor(db.pool, 'contract-manager', { contracts: [contractOf(COUNTIES.own)] });
  keys.feed = await keyFor(db.pool, 'feed');
}, 60_000);

afterAll(async () => { await db?.drop(); });

/** The concrete path of a route for a county: each parameter from what the path says it is. */
function pathFor(r: Route, county: string): string {
  return r.path
    .replace(/\/api\/elections\/:id/, `/api/elections/${encodeURIComponent(electionOf(county))}`)
    .replace(/\/api\/contracts\/:id/, `/api/contracts/${encodeURIComponent(contractOf(county))}`)
    .replace(/\/api\/files\/:id/, `/api/files/${encodeURIComponent(fileOf(county))}`)
    .replace(/\/api\/ballots\/:id/, `/api/ballots/${encodeURIComponent(ballotOf(county))}`)
    .replace(/:county/, county)
    .replace(/:key/, 'envelope-order');
}

/** Routes that name their county in the body get a valid body for that county; the rest get `{}`. */
function bodyFor(r: Route, county: string): unknown {
  switch (r.operationId) {
    case 'createContract': return { county, number: 'Z-9', vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2030-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2030-06-30', cap: 1_000_000 }], totalCap: 1_000_000 };
    case 'startElection': return { county, electionDate: addDays(electionDate, 7), type: 'statewide-primary', contractId: contractOf(county) };
    case 'purgeElectionVoters': return { electionId: electionOf(county), reason: 'matrix test' };
    default: return {};
  }
}

const QUERY: Record<string, string> = {
  uploadFile: 'type=vendor-manifest&name=manifest.csv',
  exportAudit: `from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`,
};

async function call(r: Route, who: Who, county: string) {
  const url = `${pathFor(r, county)}${QUERY[r.operationId] ? `?${QUERY[r.operationId]}` : ''}`;
  let req = request(app)[r.method](url);
  if (who !== 'anonymous') req = req.set('Authorization', `Bearer ${keys[who]}`);
  if (r.operationId === 'uploadFile') return req.set('Content-Type', 'text/csv').send('ballot_id,outbound_imb\n');
  return r.method === 'get' ? req : req.send(bodyFor(r, county) as object);
}

const staffRoutes = routes.filter((r) => typeof EXPECT[r.operationId] === 'object');
const cases: [string, Route, Who, 'own' | 'other'][] = staffRoutes.flatMap((r) =>
  (['anonymous', ...ALL] as Who[]).flatMap((who) => (['own', 'other'] as const).map((s) => [`${r.operationId} as ${who}, ${s} county`, r, who, s] as [string, Route, Who, 'own' | 'other'])));

test('every route in the route table has a row in this matrix, and every row a route', () => {
  expect(routes.map((r) => r.operationId).sort()).toEqual(Object.keys(EXPECT).sort());
});

test.each(cases)('%s', async (_name, r, who, s) => {
  const e = EXPECT[r.operationId] as { may: StaffRole[]; scoped: boolean };
  const res = await call(r, who, COUNTIES[s]);
  const reachesOther = who === 'state-admin' || who === 'feed' || !e.scoped;
  if (who === 'anonymous') {
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  } else if (!e.may.includes(who)) expect(res.status).toBe(403);
  else if (s === 'other' && !reachesOther) {
    expect(res.status).toBe(404);
    // Exactly the answer for an id that does not exist: nothing confirms the resource is there.
    expect(res.body.detail).toMatch(/was not found$/);
  } else expect([401, 403, 404]).not.toContain(res.status);
  if (res.status >= 400) expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  // Every state-changing request leaves its audit row, refused ones included, before the caller hears back.
  if (r.method !== 'get') {
    const row = (await db.pool.query('SELECT actor, role, action, result FROM audit_log WHERE request_id = $1', [res.headers['x-request-id']])).rows;
    expect(row).toEqual([{ actor: who === 'anonymous' ? 'unauthenticated' : expect.stringMatching(/^key:[0-9a-f]{12} /), role: who === 'anonymous' ? null : who, action: r.operationId, result: String(res.status) }]);
  }
});

describe('scope beyond the matrix', () => {
  test('a cross-county id answers exactly as an id that does not exist', async () => {
    const cm = `Bearer ${keys['county-manager']}`;
    const theirs = await request(app).get(`/api/elections/${encodeURIComponent(electionOf('madera'))}`).set('Authorization', cm);
    const none = await request(app).get(`/api/elections/${encodeURIComponent(`election:kern:${electionDate}`)}`).set('Authorization', cm);
    expect([theirs.status, none.status]).toEqual([404, 404]);
    const shape = (b: Record<string, unknown>) => ({ ...b, detail: String(b.detail).replace(/election:\S+/, 'ID'), requestId: undefined });
    expect(shape(theirs.body)).toEqual(shape(none.body));
  });

  test('lists show only what is in scope', async () => {
    const list = async (who: StaffRole, url: string) => (await request(app).get(url).set('Authorization', `Bearer ${keys[who]}`).expect(200)).body;
    // Set-wise: the matrix above may have started more elections in both counties.
    const counties = (b: { elections: { county: string }[] }) => [...new Set(b.elections.map((x) => x.county))];
    expect(counties(await list('county-manager', '/api/elections'))).toEqual(['fresno']);
    expect((await list('county-manager', '/api/elections?county=madera')).elections).toEqual([]);
    expect((await list('vendor', '/api/contracts')).contracts.map((x: { id: string }) => x.id)).toEqual([contractOf('fresno')]);
    expect([...new Set((await list('contract-manager', '/api/elections')).elections.map((x: { contractId: string }) => x.contractId))]).toEqual([contractOf('fresno')]);
    expect(counties(await list('state-admin', '/api/elections')).sort()).toEqual(['fresno', 'madera']);
  });

  test('the feed uploads scan files and nothing else', async () => {
    const feed = `Bearer ${keys.feed}`;
    const up = (type: string) => request(app).post(`/api/elections/${encodeURIComponent(electionOf('madera'))}/files?type=${type}`).set('Authorization', feed).set('Content-Type', 'text/csv').send('imb,scan_datetime\n');
    expect([401, 403, 404]).not.toContain((await up('usps-scans')).status);
    const extract = await up('state-extract');
    expect(extract.status).toBe(403);
    expect(extract.body.detail).toMatch(/may upload only usps-scans or usps-scans-jsonl files/);
    expect((await request(app).get(`/api/files/${encodeURIComponent(fileOf('fresno'))}`).set('Authorization', feed)).status).toBe(403);
  });

  test('a revoked or expired key is refused; a key for a county does not reach another county\'s override', async () => {
    const k = await keyFor(db.pool, 'state-admin');
    const id = k.split('_')[1]!;
    await request(app).get('/api/contracts').set('Authorization', `Bearer ${k}`).expect(200);
    await revokeApiKey(db.pool, id, 'test');
    expect((await request(app).get('/api/contracts').set('Authorization', `Bearer ${k}`)).status).toBe(401);
    await db.pool.query(`INSERT INTO api_keys (id, secret_hash, role, label, created_by, expires_at) SELECT 'expired00001', secret_hash, role, label, created_by, now() - interval '1 second' FROM api_keys WHERE id = $1`, [id]);
    const expired = `bfk_expired00001_${k.split('_').slice(2).join('_')}`;
    expect((await request(app).get('/api/contracts').set('Authorization', `Bearer ${expired}`)).status).toBe(401);
    const tampered = `${keys['state-admin'].slice(0, -2)}${keys['state-admin'].endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await request(app).get('/api/contracts').set('Authorization', `Bearer ${tampered}`)).status).toBe(401);
    expect((await request(app).get('/api/admin/notify/counties/madera').set('Authorization', `Bearer ${keys['county-manager']}`)).status).toBe(404);
  });

  test('a voter link reaches its own subscription only', async () => {
    const mine = signManageToken('sub-00000000-0000-4000-8000-000000000001');
    const res = await request(app).post('/api/voter/subscriptions/sub-00000000-0000-4000-8000-000000000002/code').send({ channel: 'sms', manageToken: mine });
    expect(res.status).toBe(403);
    expect(res.body.type).toBe('link-invalid');
    const staffKey = await request(app).get('/api/voter/subscriptions/manage').set('Authorization', `Bearer ${keys['state-admin']}`);
    expect(staffKey.status).toBe(422); // a staff key is no voter link: the token is still required
  });

  test('a voter account reaches its own saved lookups only; a staff key or a voter link is no account token', async () => {
    const signUp = async (email: string) => (await request(app).post('/api/voter/accounts').send({ email, password: 'matrix test password' }).expect(201)).body.accountToken as string;
    const [mine, theirs] = [await signUp('matrix.one@example.org'), await signUp('matrix.two@example.org')];
    await db.pool.query(`INSERT INTO voters (county, voter_id, first_name, last_name, lookup_hash, election_id, ballot_id) VALUES ('fresno', 'VM1', 'Ana', 'Ruiz', 'x', $1, $2)`, [electionOf('fresno'), ballotOf('fresno').replace(':V1:', ':VM1:')]);
    const saved = await request(app).post('/api/voter/accounts/me/lookups').set('X-Account-Token', mine).send({ lookupToken: signLookupToken('fresno', 'VM1') });
    expect(saved.status).toBe(201);
    const id = saved.body.id as string;
    const audited = async (res: request.Response) => (await db.pool.query('SELECT actor, action, result FROM audit_log WHERE request_id = $1', [res.headers['x-request-id']])).rows;
    const other = await request(app).delete(`/api/voter/accounts/me/lookups/${id}`).set('X-Account-Token', theirs);
    expect(other.status).toBe(404);
    expect(await audited(other)).toEqual([{ actor: expect.stringMatching(/^account:acct-/), action: 'voterForgetLookup', result: '404' }]);
    expect((await request(app).post(`/api/voter/accounts/me/lookups/${id}/token`).set('X-Account-Token', theirs)).status).toBe(404);
    for (const h of [{ Authorization: `Bearer ${keys['state-admin']}` }, { 'X-Account-Token': signLookupToken('fresno', 'VM1') }, { 'X-Account-Token': signManageToken('sub-00000000-0000-4000-8000-000000000001') }]) {
      const res = await request(app).delete(`/api/voter/accounts/me/lookups/${id}`).set(h);
      expect(res.status).toBe(401);
      expect(await audited(res)).toEqual([{ actor: 'unauthenticated', action: 'voterForgetLookup', result: '401' }]);
    }
    expect((await request(app).get('/api/voter/accounts/me').set('X-Account-Token', mine)).body.lookups).toEqual([expect.objectContaining({ id, county: 'fresno' })]);
  });
});

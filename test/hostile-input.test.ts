/**
 * Hostile input (issue 5, "Hardening" and "Tests: hostile input"). The cases are generated from the route table, so
 * a new route is covered without a line here: every path parameter, query field and string field of every body
 * (found by walking the route's zod schema) gets SQL injection strings and Unicode edge cases. Also: bodies over the
 * limit, deeply nested and malformed JSON, wrong content types, path traversal in upload names, the security headers
 * and the shape of every error (problem+json, a request id, no stack trace, no internal path).
 *
 * No Temporal: the client is a stand-in that answers 503 to anything, so a request that gets through validation to a
 * workflow stops there. A hostile string that is valid input (a cancellation reason may say anything) reaching it is
 * fine; what must never happen is a 500, or the SQL running.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import type { z } from 'zod';
import { createApp, routes } from '../api/app';
import { signLookupToken, signUnsubscribeToken, voterLookupHash } from '../api/links';
import type { Notifier } from '../api/notifier';
import { HttpProblem } from '../api/problem';
import type { Route } from '../api/route';
import { insertContract } from '../db/contracts';
import { insertElection } from '../db/elections';
import { saveCountyOverride } from '../db/notify-config';
import { ContractTermsSchema } from '../domain/contract';
import { ElectionRequestSchema } from '../domain/election';
import { contractIdOf } from '../domain/ids';
import { CountyOverrideSchema, DEFAULT_TRIGGER_CONFIG } from '../domain/notify/triggers';
import { addDays, pacificDate } from '../domain/time';
import { keyFor } from './helpers/auth';
import { createTestDb, type TestDb } from './helpers/db';

process.env.VOTER_LINK_SECRET = 'hostile-input-test-secret-0123456789abcdef';

// ---------- the world ----------

const COUNTY = 'fresno';
const electionDate = addDays(pacificDate(Date.now()), 60);
const CONTRACT_ID = contractIdOf(COUNTY, 'H-1');
const ELECTION_ID = `election:${COUNTY}:${electionDate}`;
const FILE_ID = `file:${COUNTY}-extract-h1`;
const BALLOT_ID = `ballot:${ELECTION_ID}:V1:1`;
const VOTER = { firstName: 'José', lastName: 'Núñez', dateOfBirth: '1984-02-29', zip: '93721' };

const STANDIN = 'Temporal is a stand-in in the hostile-input test';
/** Temporal stands in as "unavailable": a request that reaches it got through every check before the workflow. */
const temporal = new Proxy({}, {
  get: (_t, prop) => {
    if (prop === 'then') return undefined;
    throw new HttpProblem(503, 'Unavailable', STANDIN);
  },
}) as Client;

const notifier: Notifier = { requestCode: async () => undefined, channelConfirmed: async () => undefined };

let db: TestDb;
let app: Express;
let adminKey: string;
let uploadRoot: string;
let uploadDir: string;
let subscriptionId: string;
let manageToken: string;
let accountToken: string;
let savedLookupId: string;
const ACCOUNT = { email: 'hostile.voter@example.com', password: 'a long enough password' };

beforeAll(async () => {
  db = await createTestDb();
  // The uploads two directories down a temporary tree, so that a `../../x` that got through would land in the tree.
  uploadRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-hostile-'));
  uploadDir = path.join(uploadRoot, 'a', 'b', 'uploads');
  app = createApp({
    pool: db.pool, client: temporal, logger: pino({ level: 'silent' }), notifier,
    cfg: {
      TASK_QUEUE: 'unused', searchAttributes: false, uploadDir, maxUploadBytes: 64 * 1024,
      voterLimits: { lookupsPerIp: 100000, lookupsPerIdentity: 100000, voterWritesPerIp: 100000 },
    },
  });
  const terms = ContractTermsSchema.parse({ county: COUNTY, number: 'H-1', vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2030-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2030-06-30', cap: 1_000_000 }], totalCap: 1_000_000 });
  await insertContract(db.pool, { ...terms, id: CONTRACT_ID });
  await insertElection(db.pool, { id: ELECTION_ID, countywide: true, request: ElectionRequestSchema.parse({ county: COUNTY, electionDate, type: 'statewide-primary', contractId: CONTRACT_ID }) });
  await saveCountyOverride(db.pool, COUNTY, CountyOverrideSchema.parse(COUNTY_OVERRIDE), 'test');
  await db.pool.query(`INSERT INTO ingest_files (id, election_id, type, file_name, path, checksum, bytes) VALUES ($1, $2, 'state-extract', 'x.csv', '/nonexistent', 'sum-h1', 1)`, [FILE_ID, ELECTION_ID]);
  await db.pool.query(
    `INSERT INTO voters (county, voter_id, first_name, last_name, lookup_hash, language, election_id, ballot_id) VALUES ($1, 'V1', 'JOSE', 'NUNEZ', $2, NULL, $3, $4)`,
    [COUNTY, voterLookupHash({ firstName: 'JOSE', lastName: 'NUNEZ', dateOfBirth: VOTER.dateOfBirth, zip: VOTER.zip }), ELECTION_ID, BALLOT_ID],
  );
  // The canary: an injection that ran would drop it, or add or change a row.
  await db.pool.query(`CREATE TABLE hostile_canary (note text NOT NULL)`);
  await db.pool.query(`INSERT INTO hostile_canary (note) VALUES ('sentinel')`);
  adminKey = await keyFor(db.pool, 'state-admin');
  const sub = await request(app).post('/api/voter/subscriptions').send({
    lookupToken: signLookupToken(COUNTY, 'V1'), channels: [{ channel: 'email', address: 'ana@example.com' }], language: 'en', consentText: 'I agree to receive ballot notices.', source: 'web',
  });
  expect(sub.status).toBe(201);
  ({ subscriptionId, manageToken } = sub.body as { subscriptionId: string; manageToken: string });
  // A voter account with one saved lookup, for the account routes (token in the X-Account-Token header).
  const account = await request(app).post('/api/voter/accounts').send(ACCOUNT);
  expect(account.status).toBe(201);
  accountToken = (account.body as { accountToken: string }).accountToken;
  const saved = await request(app).post('/api/voter/accounts/me/lookups').set('X-Account-Token', accountToken).send({ lookupToken: signLookupToken(COUNTY, 'V1') });
  expect(saved.status).toBe(201);
  savedLookupId = (saved.body as { id: string }).id;
}, 60_000);

afterAll(async () => {
  if (uploadRoot) fs.rmSync(uploadRoot, { recursive: true, force: true });
  await db?.drop();
});

const COUNTY_OVERRIDE = {
  county: COUNTY, displayName: 'Fresno County Elections', phone: '+15596008683', websiteUrl: 'https://example.gov', lookupUrl: 'https://example.gov/lookup', cureFormUrl: 'https://example.gov/cure',
  sender: { email: { fromName: 'County Elections', fromAddress: 'elections@example.gov' }, sms: { numbers: ['+15595550123'] }, voice: { callerId: '+15596008683' } },
};

// ---------- requests from the route table ----------

/** A valid value for each path parameter, by the collection the path names. */
function paramValue(r: Route, name: string): string {
  const before = r.path.split(`:${name}`)[0]!;
  if (name === 'county') return COUNTY;
  if (name === 'key') return 'envelope-order';
  if (before.endsWith('/elections/')) return ELECTION_ID;
  if (before.endsWith('/contracts/')) return CONTRACT_ID;
  if (before.endsWith('/files/')) return FILE_ID;
  if (before.endsWith('/ballots/')) return BALLOT_ID;
  if (before.endsWith('/subscriptions/')) return subscriptionId;
  if (before.endsWith('/lookups/')) return savedLookupId;
  return 'x';
}

const paramNames = (r: Route) => [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);

/** The path with every parameter valid except those given (raw: encoded here). */
function pathFor(r: Route, given: Record<string, string> = {}): string {
  return r.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => encodeURIComponent(given[name] ?? paramValue(r, name)));
}

function voterToken(r: Route): string | undefined {
  if (!('voter' in r.policy)) return undefined;
  if (r.policy.voter === 'lookup') return signLookupToken(COUNTY, 'V1');
  if (r.policy.voter === 'manage') return manageToken;
  if (r.policy.voter === 'account') return accountToken;
  return signUnsubscribeToken(subscriptionId, 'email');
}

/** The headers a route's policy reads its token from (a voter account's X-Account-Token). */
function tokenHeaders(r: Route): Record<string, string> {
  return 'voter' in r.policy && r.policy.token.in === 'header' ? { [r.policy.token.field]: voterToken(r)! } : {};
}

/** A valid query for each route that takes one. */
function validQuery(r: Route): Record<string, string> {
  const q: Record<string, string> = {};
  if (r.operationId === 'uploadFile') Object.assign(q, { type: 'vendor-manifest', name: 'manifest.csv' });
  if (r.operationId === 'exportAudit') Object.assign(q, { from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' });
  if ('voter' in r.policy && r.policy.token.in === 'query') q[r.policy.token.field] = voterToken(r)!;
  return q;
}

/**
 * Bodies that pass validation, so a hostile string in one field goes as deep as that field goes. A route not listed
 * gets a body built from its schema (sampleOf), which may fail validation elsewhere: still a hostile request.
 */
let serial = 0;
const WINDOW = { start: '08:00', end: '21:00', zone: 'America/Los_Angeles' };
const VALID_BODIES: Record<string, () => unknown> = {
  // A new contract number and election suffix each time, so that each request gets as far as the insert.
  createContract: () => ({
    county: COUNTY, number: `Z-${++serial}`, vendor: 'IVS', title: 'Ballot printing', effectiveDate: '2025-07-01', termEnd: '2030-06-30',
    renewals: [{ start: '2030-07-01', end: '2031-06-30', noticeBy: '2030-01-01' }],
    fiscalPeriods: [{ label: 'FY 2025-30', start: '2025-07-01', end: '2030-06-30', cap: 1_000_000 }], totalCap: 1_000_000,
    priceList: [{ code: 'ballot-11in', description: 'ballot 11 in', unit: 'ballot', unitPrice: 0.27 }],
  }),
  startElection: () => ({ county: COUNTY, electionDate: addDays(electionDate, 7), type: 'statewide-primary', contractId: CONTRACT_ID, name: 'Primary', suffix: `h${++serial}` }),
  changeElectionDate: () => ({ newDate: addDays(electionDate, 7), reason: 'moved by the state' }),
  cancelElection: () => ({ reason: 'cancelled by the state' }),
  completeMilestone: () => ({ evidence: { note: 'done' } }),
  completeDeliverable: () => ({ evidence: { note: 'done' } }),
  sendSubsequentExtract: () => ({ extractId: 'X-2', records: 10, fileRef: 'extract-2.csv' }),
  orderElectionDayBallots: () => ({ requestId: 'R-1', pollingPlace: 'Library', quantity: 10 }),
  fileDelayNotice: () => ({ noticeId: 'N-1', deliverableKey: 'envelope-order', kind: 'force-majeure', delayStartedAt: '2026-05-04T09:30:00-07:00', description: 'a storm' }),
  decideWaiver: () => ({ deliverableKey: 'envelope-order', noticeId: 'N-1', decision: 'granted', reason: 'the storm' }),
  sendElectionUpdate: () => ({ updateId: 'U-1', text: { en: 'Vote centers open Saturday 10 a.m.' } }),
  recordInvoice: () => ({ invoiceId: 'I-1', invoiceDate: '2026-01-15', electionId: ELECTION_ID, items: [{ code: 'ballot-11in', quantity: 1 }] }),
  exerciseRenewal: () => ({ renewalStart: '2030-07-01', noticeDate: '2030-01-01' }),
  addNotifyTemplate: () => ({ kind: 'mailed', channel: 'email', language: 'en', subject: 'Your ballot', body: 'Your ballot was mailed. Unsubscribe: {{unsubscribeUrl}}' }),
  putNotifyTriggers: () => structuredClone(DEFAULT_TRIGGER_CONFIG),
  previewNotifyTemplate: () => ({ kind: 'mailed', channel: 'email', language: 'en', county: COUNTY, template: { subject: 'Your ballot', body: 'Hello {{voterFirstName}}' }, ballot: { voterFirstName: 'Ana', updateText: 'Polls open at 7.' } }),
  putCountyOverride: () => ({ ...COUNTY_OVERRIDE }),
  purgeElectionVoters: () => ({ electionId: ELECTION_ID, reason: 'retention ended' }),
  voterLookup: () => ({ ...VOTER }),
  voterSubscribe: () => ({ lookupToken: signLookupToken(COUNTY, 'V1'), channels: [{ channel: 'email', address: 'ana@example.com' }], language: 'en', contactWindow: WINDOW, consentText: 'I agree to receive ballot notices.', source: 'web' }),
  voterConfirmChannel: () => ({ channel: 'email', code: '123456', manageToken }),
  voterRequestCode: () => ({ channel: 'email', manageToken }),
  voterChangeSubscription: () => ({ language: 'es', contactWindow: WINDOW, channels: [{ channel: 'email', address: 'ana@example.com' }], consentText: 'I agree to receive ballot notices.' }),
  // The fixture account's address: creating it again is a 409, signing in to it a 200.
  voterCreateAccount: () => ({ ...ACCOUNT }),
  voterSignIn: () => ({ ...ACCOUNT }),
  voterSaveLookup: () => ({ lookupToken: signLookupToken(COUNTY, 'V1') }),
};

type Def = { type: string; [k: string]: any };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** A value for a schema: the first enum option, the first union member; strings say "sample". */
function sampleOf(s: z.ZodType): unknown {
  const d = defOf(s);
  switch (d.type) {
    case 'object': return Object.fromEntries(Object.entries(d.shape as Record<string, z.ZodType>).map(([k, v]) => [k, sampleOf(v)]));
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional': return sampleOf(d.innerType);
    case 'pipe': return sampleOf(d.in);
    case 'array': return [sampleOf(d.element)];
    case 'union': return sampleOf(d.options[0]);
    case 'record': return { [recordKey(d)]: sampleOf(d.valueType) };
    case 'enum': return Object.values(d.entries as Record<string, string>)[0];
    case 'literal': return d.values[0];
    case 'number': return 1;
    case 'bigint': return 1;
    case 'boolean': return true;
    case 'string': return 'sample';
    default: return null;
  }
}

function recordKey(d: Def): string {
  const k = sampleOf(d.keyType);
  return typeof k === 'string' && k !== 'sample' ? k : 'note';
}

type FieldPath = (string | number)[];

/** Where a schema holds strings (record keys too: `[..., KEY]`), as paths into the value sampleOf builds. */
const KEY = Symbol('record key');
function stringPaths(s: z.ZodType, at: FieldPath = []): (FieldPath | [...FieldPath, typeof KEY])[] {
  const d = defOf(s);
  switch (d.type) {
    case 'object': return Object.entries(d.shape as Record<string, z.ZodType>).flatMap(([k, v]) => stringPaths(v, [...at, k]));
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional': return stringPaths(d.innerType, at);
    case 'pipe': return stringPaths(d.in, at);
    case 'array': return stringPaths(d.element, [...at, 0]);
    case 'union': return stringPaths(d.options[0], at);
    case 'record': return [[...at, KEY], ...stringPaths(d.valueType, [...at, recordKey(d)])];
    case 'string': return [at];
    default: return [];
  }
}

const show = (p: (string | number | symbol)[]) => p.map((x) => (x === KEY ? '<key>' : String(x))).join('.');

/** A copy of `base` with `value` at `p` (a record key path renames the record's first key). */
function withValue(base: unknown, p: (string | number | symbol)[], value: string): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (let i = 0; i < p.length - 1; i++) {
    const k = p[i] as string | number;
    const next = p[i + 1];
    if (next === KEY) {
      const rec = (node[k] && typeof node[k] === 'object' ? node[k] : {}) as Record<string, unknown>;
      const [first, v] = Object.entries(rec)[0] ?? ['note', 'x'];
      const { [first]: _gone, ...rest } = rec;
      node[k] = { ...rest, [value]: v };
      return copy;
    }
    if (node[k] === undefined || node[k] === null || typeof node[k] !== 'object') node[k] = typeof next === 'number' ? [] : {};
    node = node[k] as Record<string | number, unknown>;
  }
  node[p[p.length - 1] as string | number] = value;
  return copy;
}

function validBody(r: Route): unknown {
  const given = VALID_BODIES[r.operationId];
  const body = (given ? given() : sampleOf(r.body!)) as Record<string, unknown>;
  if ('voter' in r.policy && r.policy.token.in === 'body') body[r.policy.token.field] = voterToken(r);
  return body;
}

function valueAt(v: unknown, p: (string | number | symbol)[]): unknown {
  let node = v;
  for (const k of p) {
    if (k === KEY || node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[k as string | number];
  }
  return node;
}

interface Call { path?: string; query?: Record<string, string> | string; body?: unknown; headers?: Record<string, string> }

/** One request to a route as its policy wants it: staff with a state-admin key, voters with their link. */
function call(r: Route, c: Call = {}) {
  const q = c.query ?? validQuery(r);
  const qs = typeof q === 'string' ? q : new URLSearchParams(q).toString();
  let req = request(app)[r.method](`${c.path ?? pathFor(r)}${qs ? `?${qs}` : ''}`);
  if ('roles' in r.policy) req = req.set('Authorization', `Bearer ${adminKey}`);
  for (const [k, v] of Object.entries({ ...tokenHeaders(r), ...c.headers })) req = req.set(k, v);
  if (r.operationId === 'uploadFile') return req.set('Content-Type', 'text/csv').send('ballot_id,outbound_imb\n');
  if (r.method === 'get' || !r.body) return req;
  return req.send((c.body === undefined ? validBody(r) : c.body) as object);
}

// ---------- what every answer must be ----------

type Res = request.Response;

/** What an error body must never show: a stack frame, a source path, the database's own error text. */
const LEAKS: [string, RegExp][] = [
  ['a stack frame', /\bat [^\n]*[/\\][^\n]*:\d+(:\d+)?/],
  ['node_modules', /node_modules/],
  ['a /work/ path', /\/work\//],
  ['the working directory', new RegExp(process.cwd().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))],
  ['a source file', /\.(ts|js):\d+/],
  ['a Postgres error', /syntax error at or near|relation "[^"]*" does not exist|invalid byte sequence|unterminated quoted string|violates .* constraint/i],
];

/** Problems with one answer, as text (so that one test can list every bad answer at once); [] when it is fine. */
function problemsWith(res: Res, o: { allowStandin?: boolean; allowSuccess?: boolean; allowServerError?: boolean } = {}): string[] {
  const out: string[] = [];
  const standin = res.status === 503 && res.text.includes(STANDIN);
  if (res.status >= 500 && !(o.allowStandin && standin) && !o.allowServerError) out.push(`status ${res.status}: ${res.text.slice(0, 300)}`);
  if (res.status < 400 && !o.allowSuccess) out.push(`status ${res.status}, expected a refusal`);
  if (res.status >= 400) for (const [what, re] of LEAKS) if (re.test(res.text)) out.push(`the body shows ${what}: ${res.text.slice(0, 300)}`);
  if (res.status >= 400) {
    if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) out.push(`content-type ${res.headers['content-type']}`);
    let body: Record<string, unknown> = {};
    try { body = JSON.parse(res.text) as Record<string, unknown>; } catch { out.push(`not JSON: ${res.text.slice(0, 200)}`); }
    if (body.status !== res.status) out.push(`body.status ${String(body.status)} is not ${res.status}`);
    if (typeof body.title !== 'string' || typeof body.detail !== 'string') out.push('no title or detail');
    if (typeof body.requestId !== 'string' || body.requestId === '' || body.requestId !== res.headers['x-request-id']) out.push(`requestId ${String(body.requestId)} is not the X-Request-Id ${res.headers['x-request-id']}`);
  }
  if (res.headers['x-powered-by'] !== undefined) out.push('x-powered-by is sent');
  if (res.headers['x-content-type-options'] !== 'nosniff') out.push('no x-content-type-options: nosniff');
  if (!res.headers['content-security-policy']) out.push('no content-security-policy');
  return out;
}

function expectProblem(res: Res, status: number | number[], title?: RegExp) {
  expect(problemsWith(res)).toEqual([]);
  expect(Array.isArray(status) ? status : [status]).toContain(res.status);
  if (title) expect(JSON.parse(res.text).title).toMatch(title);
}

async function canaryAndTables() {
  const canary = (await db.pool.query<{ note: string }>('SELECT note FROM hostile_canary ORDER BY note')).rows.map((r) => r.note);
  const audit = Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n);
  const tables = (await db.pool.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map((r) => r.t);
  const keys = Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM api_keys')).rows[0]!.n);
  return { canary, audit, tables, keys };
}

/**
 * Sends each hostile string in one body field: in place of the valid value, and after it (so a free-text field whose
 * valid value passes its other checks, such as a template that must carry its unsubscribe link, still passes them).
 * Returns what was wrong with the answers.
 */
async function hostileBodies(r: Route, p: (string | number | symbol)[], payloads: readonly string[]): Promise<string[]> {
  const bad: string[] = [];
  for (const s of payloads) {
    const base = validBody(r);
    const was = valueAt(base, p);
    const variants = [withValue(base, p, s), ...(typeof was === 'string' ? [withValue(validBody(r), p, `${was} ${s}`)] : [])];
    for (const body of variants) {
      const res = await call(r, { body });
      const problems = problemsWith(res, { allowStandin: true, allowSuccess: true });
      if (problems.length) bad.push(`${JSON.stringify(s).slice(0, 60)} → ${problems.join('; ')}`);
    }
  }
  return bad;
}

// ---------- 1. SQL injection ----------

const SQL = [
  `' OR 1=1 --`,
  `'; DROP TABLE audit_log; --`,
  `'; DROP TABLE hostile_canary; --`,
  `\\' UNION SELECT id, secret_hash FROM api_keys --`,
  `x'); INSERT INTO hostile_canary (note) VALUES ('pwned'); --`,
  `" OR ""="; UPDATE hostile_canary SET note = 'pwned'; --`,
  `1; DELETE FROM hostile_canary`,
  `$1::text) OR (SELECT pg_sleep(0)) IS NULL --`,
];

const bodyRoutes = routes.filter((r) => r.body && r.method !== 'get');
const paramRoutes = routes.filter((r) => paramNames(r).length > 0);
const queryRoutes = routes.filter((r) => r.query);

/** Every (route, field) of every body, from the route's zod schema. */
const bodyFields = bodyRoutes.flatMap((r) => stringPaths(r.body!).map((p) => [r, p] as const));
const queryFields = queryRoutes.flatMap((r) => stringPaths(r.query!).filter((p) => p.length === 1).map((p) => [r, String(p[0])] as const));
const paramFields = paramRoutes.flatMap((r) => paramNames(r).map((n) => [r, n] as const));

describe('SQL injection', () => {
  let before: Awaited<ReturnType<typeof canaryAndTables>>;
  beforeAll(async () => { before = await canaryAndTables(); });

  test('the route table yields cases: every route with a parameter, query or body', () => {
    expect(paramFields.length).toBeGreaterThan(10);
    expect(bodyFields.length).toBeGreaterThan(30);
    // Every body route has a string field found in its schema (a schema the walker cannot read would show here).
    for (const r of bodyRoutes) expect([r.operationId, stringPaths(r.body!).length > 0]).toEqual([r.operationId, true]);
  });

  test('the valid bodies pass validation, so the hostile strings below go past it', async () => {
    const refused: string[] = [];
    for (const r of bodyRoutes.filter((x) => VALID_BODIES[x.operationId])) {
      const res = await call(r);
      expect(problemsWith(res, { allowStandin: true, allowSuccess: true })).toEqual([]);
      if (res.status === 422) refused.push(`${r.operationId}: ${res.text}`);
    }
    expect(refused).toEqual([]);
  });

  test.each(paramFields.map(([r, n]) => [`${r.method.toUpperCase()} ${r.path} :${n}`, r, n] as const))('path parameter: %s', async (_name, r, n) => {
    const bad: string[] = [];
    for (const s of SQL) {
      const res = await call(r, { path: pathFor(r, { [n]: s }) });
      // A malformed id is refused by validation (422) or names nothing (404): never reaches a query as SQL.
      const p = problemsWith(res);
      if (![400, 404, 422].includes(res.status)) p.push(`status ${res.status}`);
      if (p.length) bad.push(`${JSON.stringify(s)}: ${p.join('; ')}`);
    }
    expect(bad).toEqual([]);
  });

  test.each(queryFields.map(([r, f]) => [`${r.method.toUpperCase()} ${r.path} ?${f}`, r, f] as const))('query field: %s', async (_name, r, f) => {
    const bad: string[] = [];
    for (const s of SQL) {
      const res = await call(r, { query: { ...validQuery(r), [f]: s } });
      const p = problemsWith(res, { allowStandin: true, allowSuccess: true });
      if (p.length) bad.push(`${JSON.stringify(s)} → ${p.join('; ')}`);
    }
    expect(bad).toEqual([]);
  });

  test.each(queryFields.map(([r, f]) => [`${r.method.toUpperCase()} ${r.path} ?${f}`, r, f] as const))('query field given twice, as an array or an object: %s', async (_name, r, f) => {
    const bad: string[] = [];
    const { [f]: _gone, ...rest } = validQuery(r);
    for (const extra of [`${f}=a&${f}=${encodeURIComponent(SQL[0]!)}`, `${f}[]=${encodeURIComponent(SQL[1]!)}`, `${f}[$ne]=x`, `${f}[0]=x&${f}[1]=y`]) {
      const res = await call(r, { query: [new URLSearchParams(rest).toString(), extra].filter(Boolean).join('&') });
      const p = problemsWith(res, { allowStandin: true, allowSuccess: true });
      if (p.length) bad.push(`${extra} → ${p.join('; ')}`);
    }
    expect(bad).toEqual([]);
  });

  test.each(bodyFields.map(([r, p]) => [`${r.method.toUpperCase()} ${r.path} body.${show(p)}`, r, p] as const))('body field: %s', async (_name, r, p) => {
    expect(await hostileBodies(r, p, SQL)).toEqual([]);
  });

  test('afterwards every table is there, the audit log grew, and the canary is untouched: no SQL ran', async () => {
    const after = await canaryAndTables();
    expect(after.canary).toEqual(['sentinel']);
    expect(after.tables).toEqual(before.tables);
    expect(after.tables).toEqual(expect.arrayContaining(['audit_log', 'hostile_canary', 'api_keys', 'voters', 'elections']));
    expect(after.audit).toBeGreaterThan(before.audit);
    expect(after.keys).toBe(before.keys);
  });

  test('a hostile string that is valid input is stored as it was sent: bound as a parameter, not escaped or cut', async () => {
    const vendors = (await db.pool.query<{ vendor: string }>(`SELECT vendor FROM contracts WHERE number LIKE 'Z-%'`)).rows.map((r) => r.vendor);
    expect(vendors).toEqual(expect.arrayContaining(SQL));
    const consents = (await db.pool.query<{ consent_text: string }>('SELECT consent_text FROM consents')).rows.map((r) => r.consent_text);
    expect(consents).toEqual(expect.arrayContaining(SQL.map((x) => `I agree to receive ballot notices. ${x}`)));
  });
});


// ---------- 2. oversized, deeply nested and malformed bodies ----------

const jsonRoutes = bodyRoutes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const);

/** A raw JSON text sent as application/json. */
function raw(r: Route, text: string, headers: Record<string, string> = {}) {
  let req = request(app)[r.method](`${pathFor(r)}?${new URLSearchParams(validQuery(r)).toString()}`).set('Content-Type', 'application/json');
  if ('roles' in r.policy) req = req.set('Authorization', `Bearer ${adminKey}`);
  for (const [k, v] of Object.entries({ ...tokenHeaders(r), ...headers })) req = req.set(k, v);
  return req.send(text);
}

describe('bodies: too large, too deep, not JSON', () => {
  test.each(jsonRoutes)('a JSON body over 1 MB is refused with 413: %s', async (_n, r) => {
    const big = JSON.stringify({ ...(validBody(r) as object), padding: 'x'.repeat(1024 * 1024 + 10) });
    expectProblem(await raw(r, big), 413, /Payload Too Large/);
  });

  test.each(jsonRoutes)('deeply nested JSON is refused, not a 500: %s', async (_n, r) => {
    const depth = 200_000;
    const deepArray = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const firstField = stringPaths(r.body!)[0]?.[0];
    const deepObject = `${'{"a":'.repeat(depth / 4)}1${'}'.repeat(depth / 4)}`;
    for (const text of [deepArray, `{"${String(firstField ?? 'a')}": ${deepObject}}`, `{"evidence": ${deepObject}, "reason": ${deepArray}}`]) {
      const res = await raw(r, text, { 'Idempotency-Key': `deep-${++serial}-0000` });
      expect(problemsWith(res)).toEqual([]);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  test.each(jsonRoutes)('malformed JSON is refused with 400 "Malformed JSON": %s', async (_n, r) => {
    for (const text of ['{"a":', '{\'a\': 1}', '{"a": 1,}', '{"a": NaN}', '{"a": "\\x41"}', '"just a string"', '123', 'null', '{"a": 1}garbage', '\u0000{}']) {
      const res = await raw(r, text);
      expect([JSON.stringify(text), problemsWith(res)]).toEqual([JSON.stringify(text), []]);
      expect([JSON.stringify(text), res.status, JSON.parse(res.text).title]).toEqual([JSON.stringify(text), 400, 'Malformed JSON']);
      // The parser's own message (which quotes the input and names positions) is not passed on.
      expect(JSON.parse(res.text).detail).toBe('the request body is not valid JSON');
    }
  });

  test.each(jsonRoutes)('an empty or non-object JSON body is a 4xx: %s', async (_n, r) => {
    for (const text of ['', '[]', '{}', '[{}]']) {
      const res = await raw(r, text);
      expect([JSON.stringify(text), problemsWith(res, { allowStandin: true })]).toEqual([JSON.stringify(text), []]);
    }
  });

  test('a JSON __proto__ or constructor key pollutes no prototype', async () => {
    const r = routes.find((x) => x.operationId === 'voterLookup')!;
    for (const text of [
      `{"__proto__": {"polluted": "yes"}, "firstName": "Jose", "lastName": "Nunez", "dateOfBirth": "1984-02-29", "zip": "93721"}`,
      `{"constructor": {"prototype": {"polluted": "yes"}}, "firstName": "Jose", "lastName": "Nunez", "dateOfBirth": "1984-02-29", "zip": "93721"}`,
    ]) {
      const res = await raw(r, text);
      expect(problemsWith(res, { allowSuccess: true })).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    }
  });
});

// ---------- 3. content types ----------

describe('content types', () => {
  const WRONG: [string, (req: request.Test) => request.Test][] = [
    ['text/plain', (q) => q.set('Content-Type', 'text/plain').send('{"a": 1}')],
    ['application/x-www-form-urlencoded', (q) => q.type('form').send('a=1&b=2')],
    ['multipart/form-data', (q) => q.field('a', '1').field('b', '2')],
    ['application/xml', (q) => q.set('Content-Type', 'application/xml').send('<a>1</a>')],
    ['text/csv', (q) => q.set('Content-Type', 'text/csv').send('a,b\n1,2\n')],
    ['application/octet-stream', (q) => q.set('Content-Type', 'application/octet-stream').send(Buffer.from('{"a": 1}'))],
    ['application/json-seq', (q) => q.set('Content-Type', 'application/json-seq').send('\u001e{"a": 1}\n')],
    ['application/json; charset=latin1', (q) => q.set('Content-Type', 'application/json; charset=latin1').send('{"a": 1}')],
    ['application/json with Content-Encoding: x-unknown', (q) => q.set('Content-Type', 'application/json').set('Content-Encoding', 'x-unknown').send('{"a": 1}')],
  ];
  const cases = bodyRoutes.flatMap((r) => WRONG.map(([ct, f]) => [`${r.method.toUpperCase()} ${r.path} sent ${ct}`, r, f] as const));

  test.each(cases)('a JSON route refuses another content type with 415: %s', async (_n, r, send) => {
    let req = request(app)[r.method](`${pathFor(r)}?${new URLSearchParams(validQuery(r)).toString()}`);
    if ('roles' in r.policy) req = req.set('Authorization', `Bearer ${adminKey}`);
    expectProblem(await send(req), 415, /Unsupported Media Type/);
  });

  test.each(jsonRoutes)('no Content-Type at all is refused with 415: %s', async (_n, r) => {
    let req = request(app)[r.method](`${pathFor(r)}?${new URLSearchParams(validQuery(r)).toString()}`);
    if ('roles' in r.policy) req = req.set('Authorization', `Bearer ${adminKey}`);
    expectProblem(await req, 415, /Unsupported Media Type/);
  });

  test.each(jsonRoutes)('a body that says gzip and is not: problem+json, no leak: %s', async (_n, r) => {
    const res = await raw(r, 'this is not gzip', { 'Content-Encoding': 'gzip' });
    expect(problemsWith(res, { allowServerError: true })).toEqual([]);
  });

  /** body-parser fails such a body with a 400; api/problem.ts keeps a client error's status (it once made it a 500). */
  test('a body that says gzip and is not is refused with 400, not 500', async () => {
    for (const [, r] of jsonRoutes) {
      const res = await raw(r, 'this is not gzip', { 'Content-Encoding': 'gzip' });
      expect([r.operationId, res.status]).toEqual([r.operationId, 400]);
    }
  });
});

// ---------- 4. path traversal in upload names ----------

/** Every file under a directory, as paths relative to it. */
function filesUnder(dir: string, rel = ''): string[] {
  if (!fs.existsSync(path.join(dir, rel))) return [];
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]))
    .sort();
}

describe('path traversal in upload names', () => {
  const upload = (query: string, body = 'ballot_id,outbound_imb\n') => request(app)
    .post(`/api/elections/${encodeURIComponent(ELECTION_ID)}/files?${query}`)
    .set('Authorization', `Bearer ${adminKey}`).set('Content-Type', 'text/csv').send(body);

  /** Raw query strings, as a client would put them on the wire. */
  const NAMES: [string, string][] = [
    ['../../etc/passwd', `type=vendor-manifest&name=${encodeURIComponent('../../etc/passwd')}`],
    ['../../etc/passwd unencoded', 'type=vendor-manifest&name=../../etc/passwd'],
    ['..%2F..%2Fx (decoded by the query parser)', 'type=vendor-manifest&name=..%2F..%2Fx'],
    ['..%2F..%2Fx (literally)', `type=vendor-manifest&name=${encodeURIComponent('..%2F..%2Fx')}`],
    ['..%252F..%252Fx', 'type=vendor-manifest&name=..%25252F..%25252Fx'],
    ['/abs/path', `type=vendor-manifest&name=${encodeURIComponent('/abs/path')}`],
    ['a\\b', `type=vendor-manifest&name=${encodeURIComponent('a\\b')}`],
    ['..\\..\\x', `type=vendor-manifest&name=${encodeURIComponent('..\\..\\x')}`],
    ['C:\\x', `type=vendor-manifest&name=${encodeURIComponent('C:\\x')}`],
    ['~/x', `type=vendor-manifest&name=${encodeURIComponent('~/x')}`],
    ['x.csv NUL .sh', 'type=vendor-manifest&name=x.csv%00.sh'],
    ['a newline', 'type=vendor-manifest&name=a%0Ab.csv'],
    ['RTL override', 'type=vendor-manifest&name=%E2%80%AEvsc.exe'],
    ['overlong UTF-8 slash', 'type=vendor-manifest&name=..%C0%AF..%C0%AFx'],
    ['two names', 'type=vendor-manifest&name=a.csv&name=..%2Fx'],
    ['a name too long', `type=vendor-manifest&name=${'a'.repeat(121)}`],
    ['the type ../../x', 'type=..%2F..%2Fx&name=x.csv'],
    ['the type vendor-manifest/../../x', 'type=vendor-manifest%2F..%2F..%2Fx&name=x.csv'],
    ['two types', 'type=vendor-manifest&type=state-extract&name=x.csv'],
  ];

  let before: string[];
  beforeAll(() => { before = filesUnder(uploadRoot); });

  test.each(NAMES)('refused with 422: %s', async (_n, query) => {
    expectProblem(await upload(query), 422);
  });

  test('nothing was written anywhere by the refused uploads', () => {
    expect(filesUnder(uploadRoot)).toEqual(before);
    expect(fs.existsSync('/abs/path')).toBe(false);
  });

  test('a plain name is accepted, and the file is stored inside the upload directory under its checksum', async () => {
    const res = await upload('type=vendor-manifest&name=manifest-1.csv', `ballot_id,outbound_imb\n# ${Date.now()}\n`);
    // Written and registered; the ingestion workflow is where the Temporal stand-in stops it.
    expect(problemsWith(res, { allowStandin: true })).toEqual([]);
    const stored = filesUnder(uploadRoot).filter((f) => !before.includes(f));
    expect(stored).toEqual([expect.stringMatching(/^a\/b\/uploads\/[0-9a-f]{64}\.vendor-manifest$/)]);
    const row = (await db.pool.query<{ path: string; file_name: string }>(`SELECT path, file_name FROM ingest_files WHERE file_name = 'manifest-1.csv'`)).rows[0]!;
    expect(path.dirname(row.path)).toBe(uploadDir);
  });

  test('an upload over the size limit is refused with 413 and leaves no partial file', async () => {
    const was = filesUnder(uploadRoot);
    const res = await upload('type=vendor-manifest&name=big.csv', `ballot_id,outbound_imb\n${'x'.repeat(256 * 1024)}\n`);
    expectProblem(res, 413, /Payload Too Large/);
    expect(filesUnder(uploadRoot)).toEqual(was);
  });
});

// ---------- 5. Unicode ----------

const UNICODE: [string, string][] = [
  ['a right-to-left override', '\u202eevil\u202c'],
  ['zero-width joiners and spaces', 'a\u200db\u200b\u2060c'],
  ['an emoji ZWJ sequence', '👩‍👩‍👧‍👦🏳️‍🌈'],
  ['a byte-order mark', '\ufeffabc'],
  ['a pile of combining marks', `Z${'\u0301\u0308'.repeat(500)}`],
  ['an NFD name', 'Nu\u0303n\u0303ez'],
  // Beyond every length limit. (Longer strings: the 900 kB preview below, and the display-name defect at the end.)
  ['a very long string', 'x'.repeat(10_000)],
  ['line and paragraph separators', 'a\u2028b\u2029c'],
  ['C0 and C1 controls', '\u0001\u001b[31m\u007f\u0085\u009b'],
  ['noncharacters', '\uffff\ufffe'],
  ['a private-use astral character', '\u{10FFFD}'],
];

/**
 * What Postgres cannot store: NUL in text or jsonb, and a lone surrogate in jsonb (JSON.stringify writes it as a
 * `\ud800` escape, which jsonb rejects). Valid JSON, so the API must refuse them (or clean them), not fail.
 */
const UNSTORABLE: [string, string][] = [
  ['a NUL byte', 'a\u0000b'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', '\udc00'],
];



/** The same, as raw query-string bytes: invalid UTF-8 included, which no JSON body can carry. */
const UNICODE_QUERY: [string, string][] = [
  ['a UTF-8-encoded surrogate', 'a%ED%A0%80b'],
  ['invalid UTF-8', '%FF%FE'],
  ['an overlong slash', '%C0%AF'],
  ['a right-to-left override', '%E2%80%AEevil'],
  ['an emoji', '%F0%9F%91%A9%E2%80%8D%F0%9F%91%A9'],
  ['a lone percent sign', '%'],
  ['a bad escape', '%zz'],
  ['a very long value', 'x'.repeat(10_000)],
];

/** As raw path bytes. */
const UNICODE_PATH: [string, string][] = [
  ['a NUL byte', 'a%00b'],
  ['a right-to-left override', '%E2%80%AEevil'],
  ['an emoji', '%F0%9F%91%A9'],
  ['dot-dot, encoded', '%2e%2e'],
  ['a very long segment', 'x'.repeat(5_000)],
];

/** Path bytes that are not percent-encoded UTF-8: decodeURIComponent throws on them. */
const UNDECODABLE_PATH: [string, string][] = [
  ['a UTF-8-encoded surrogate', '%ED%A0%80'],
  ['a lone percent sign', '%'],
  ['a bad escape', '%zz'],
  ['a truncated sequence', '%E0%A4%A'],
  ['invalid UTF-8', '%C3%28'],
];

const bodyCases = bodyFields.map(([r, p]) => [`${r.method.toUpperCase()} ${r.path} body.${show(p)}`, r, p] as const);
const queryCases = queryFields.map(([r, f]) => [`${r.method.toUpperCase()} ${r.path} ?${f}`, r, f] as const);

async function hostileQueries(r: Route, f: string, values: [string, string][]): Promise<string[]> {
  const bad: string[] = [];
  for (const [what, bytes] of values) {
    const { [f]: _gone, ...rest } = validQuery(r);
    const qs = [new URLSearchParams(rest).toString(), `${f}=${bytes}`].filter(Boolean).join('&');
    const res = await call(r, { query: qs });
    const p = problemsWith(res, { allowStandin: true, allowSuccess: true });
    if (p.length) bad.push(`${what} → ${p.join('; ')}`);
  }
  return bad;
}

function pathWith(r: Route, n: string, bytes: string): string {
  return r.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => (name === n ? bytes : encodeURIComponent(paramValue(r, name))));
}

describe('Unicode edge cases', () => {
  test.each(bodyCases)('body field: %s', async (_name, r, p) => {
    expect(await hostileBodies(r, p, UNICODE.map(([, s]) => s))).toEqual([]);
  });

  const unstorable = async (r: Route, p: FieldPath | [...FieldPath, typeof KEY]) => expect(await hostileBodies(r, p, UNSTORABLE.map(([, s]) => s))).toEqual([]);
  test.each(bodyCases)('NUL and lone surrogates, body field: %s', async (_name, r, p) => unstorable(r, p));

  test.each(queryCases)('query field: %s', async (_name, r, f) => {
    expect(await hostileQueries(r, f, UNICODE_QUERY)).toEqual([]);
  });

  const nul = async (r: Route, f: string) => expect(await hostileQueries(r, f, [['a NUL byte', 'a%00b']])).toEqual([]);
  test.each(queryCases)('NUL, query field: %s', async (_name, r, f) => nul(r, f));

  test.each(paramFields.map(([r, n]) => [`${r.method.toUpperCase()} ${r.path} :${n}`, r, n] as const))('path parameter: %s', async (_name, r, n) => {
    const bad: string[] = [];
    for (const [what, bytes] of UNICODE_PATH) {
      const res = await call(r, { path: pathWith(r, n, bytes) });
      // A milestone key has no length limit: 5,000 letters is a well-formed key that reaches the workflow.
      const p = problemsWith(res, { allowStandin: true });
      if (p.length) bad.push(`${what} → ${p.join('; ')}`);
    }
    expect(bad).toEqual([]);
  });

  test('path parameters that are not percent-encoded UTF-8: problem+json with a request id, and nothing leaks', async () => {
    const bad: string[] = [];
    for (const [r, n] of paramFields) {
      for (const [what, bytes] of UNDECODABLE_PATH) {
        const p = problemsWith(await call(r, { path: pathWith(r, n, bytes) }), { allowServerError: true });
        if (p.length) bad.push(`${r.operationId} :${n} ${what} → ${p.join('; ')}`);
      }
    }
    expect(bad).toEqual([]);
  });

  /** Express answers such a path with a URIError of status 400 ("Failed to decode param"), kept as a 400. */
  test('a path parameter that is not percent-encoded UTF-8 is a 400', async () => {
    for (const [r, n] of paramFields) {
      for (const [what, bytes] of UNDECODABLE_PATH) {
        const res = await call(r, { path: pathWith(r, n, bytes) });
        expect([r.operationId, n, what, res.status]).toEqual([r.operationId, n, what, 400]);
      }
    }
  });

  describe('voter lookup', () => {
    const lookup = (firstName: string, lastName: string) => request(app).post('/api/voter/lookup').send({ firstName, lastName, dateOfBirth: VOTER.dateOfBirth, zip: VOTER.zip });
    const result = async (firstName: string, lastName: string) => {
      const res = await lookup(firstName, lastName);
      expect(problemsWith(res, { allowSuccess: true })).toEqual([]);
      return res.status === 200 ? (res.body as { result: string }).result : res.status;
    };

    test('NFC and NFD of the same name find the same record; case and accents do not matter', async () => {
      const nfc = ['José'.normalize('NFC'), 'Núñez'.normalize('NFC')] as const;
      const nfd = ['José'.normalize('NFD'), 'Núñez'.normalize('NFD')] as const;
      expect(nfc[1]).not.toBe(nfd[1]);
      expect(await result(...nfc)).toBe('found');
      expect(await result(...nfd)).toBe('found');
      expect(await result('JOSE', 'NUNEZ')).toBe('found');
      expect(await result('ＪＯＳＥ', 'ＮＵＮＥＺ')).toBe('found'); // full-width letters
    });

    test('NFC and NFD of a name that is not there are both not found', async () => {
      for (const [first, last] of [['Minh', 'Nguyễn'], ['Zoë', 'Ångström'], ['Đặng', 'Trần']] as const) {
        const a = await result(first.normalize('NFC'), last.normalize('NFC'));
        const b = await result(first.normalize('NFD'), last.normalize('NFD'));
        expect([first, a]).toEqual([first, 'not-found']);
        expect([first, b]).toEqual([first, a]);
      }
    });

    test('invisible characters, controls, surrogates and emoji: never a 500, never another voter', async () => {
      for (const [what, s] of [...UNICODE, ...UNSTORABLE]) {
        for (const [first, last] of [[`Jo${s}sé`, 'Núñez'], ['José', `${s}Núñez`], [s, s]] as const) {
          const r = await result(first, last);
          // The record is found (the extra characters are not letters and are ignored), refused, or not found.
          expect([what, ['found', 'not-found', 422].includes(r)]).toEqual([what, true]);
        }
      }
    });

    test('a name that is only emoji or only invisible characters is refused: it has no letter', async () => {
      for (const s of ['👩‍👩‍👧‍👦', '\u200d\u200b\u2060', '\u202e\u202c', '\u0000']) {
        const res = await lookup(s, 'Núñez');
        expectProblem(res, 422);
        expect(JSON.parse(res.text).detail).toMatch(/body\.firstName/);
      }
    });

    test('a name over the length limit is refused with 422, however it is padded', async () => {
      for (const s of ['a'.repeat(101), `José${'\u200d'.repeat(200)}`, `José${'\u0301'.repeat(200)}`]) expectProblem(await lookup(s, 'Núñez'), 422);
    });
  });

  describe('template preview', () => {
    const preview = (channel: 'email' | 'sms', body: string) => request(app).post('/api/admin/notify/templates/preview').set('Authorization', `Bearer ${adminKey}`)
      .send({ kind: 'mailed', channel, language: 'en', county: COUNTY, template: { ...(channel === 'email' ? { subject: 'Your ballot' } : {}), body } });

    test.each(UNSTORABLE)('a draft with %s is refused, naming the field', async (_what, s) => {
      const res = await preview('email', `Hello ${s} {{voterFirstName}}. {{unsubscribeUrl}}`);
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([{ field: 'body.template.body', message: 'must not contain NUL characters or unpaired surrogates' }]);
    });

    test.each(UNICODE.filter(([what]) => what !== 'a very long string'))('a draft with %s renders it back unchanged', async (_what, s) => {
      const res = await preview('email', `Hello ${s} {{voterFirstName}}. {{unsubscribeUrl}}`);
      expect(problemsWith(res, { allowSuccess: true })).toEqual([]);
      expect(res.status).toBe(200);
      expect((res.body as { text: string }).text).toContain(`Hello ${s} `);
    });

    test('a draft of 900 kB renders, and an SMS with an emoji is counted as UCS-2', async () => {
      const long = await preview('email', `${'x'.repeat(900_000)} {{unsubscribeUrl}}`);
      expect(problemsWith(long, { allowSuccess: true })).toEqual([]);
      const sms = await preview('sms', 'Your ballot was mailed 👩‍👩‍👧‍👦. Reply STOP to opt out.');
      expect(sms.status).toBe(200);
      expect((sms.body as { sms: { encoding: string } }).sms.encoding).toBe('UCS-2');
    });
  });
});

// ---------- 6 and 7. the shape of every error, security headers ----------

describe('errors and headers', () => {
  test('unknown and traversing paths are a 404 (or 422) problem', async () => {
    for (const url of ['/api/nope', '/api/../../etc/passwd', '/api/%2e%2e/%2e%2e/etc/passwd', '/etc/passwd', '/api/elections/x/..%2F..%2Fadmin%2Faudit', '/%00', '/api/admin/audit/..;/x']) {
      const res = await request(app).get(url).set('Authorization', `Bearer ${adminKey}`);
      expect([url, problemsWith(res)]).toEqual([url, []]);
      expect([url, [404, 422]]).toEqual([url, expect.arrayContaining([res.status])]);
    }
    expectProblem(await request(app).patch('/api/contracts').set('Authorization', `Bearer ${adminKey}`).send({}), 404);
  });

  test('a hostile Authorization header is a 401 problem with WWW-Authenticate, for every staff route', async () => {
    const headers = [
      `Bearer ${SQL[0]}`, `Bearer bfk_${SQL[1]!.replace(/ /g, '')}`, `Bearer bfk_x_'OR'1'='1`, `Basic ${Buffer.from('admin:admin').toString('base64')}`,
      `Bearer ${'a'.repeat(5000)}`, 'Bearer', 'Bearer  ', `bearer ${adminKey}`, `Bearer ${adminKey} extra`, `Bearer ${adminKey},${adminKey}`,
    ];
    for (const r of routes.filter((x) => 'roles' in x.policy)) {
      for (const h of headers) {
        const res = await call(r, { headers: { Authorization: h } });
        expect([r.operationId, h.slice(0, 40), problemsWith(res), res.status]).toEqual([r.operationId, h.slice(0, 40), [], 401]);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
      }
    }
  });

  test('a hostile X-Account-Token is a 401 problem, for every account route', async () => {
    const [h, p] = accountToken.split('.') as [string, string, string];
    const tokens = [
      SQL[0]!, SQL[1]!, 'a'.repeat(5000), `${h}.${p}.`, `${h}.${p}.${'A'.repeat(43)}`, `${accountToken}.x`, `Bearer ${accountToken}`, `${accountToken} ${accountToken}`,
      `${h}.${Buffer.from(JSON.stringify({ iss: 'ballotflow', pur: 'account', sub: `' OR 1=1 --`, iat: 1, exp: 4e9 })).toString('base64url')}.${accountToken.split('.')[2]}`,
      '../../etc/passwd', '%00', 'null', '{}',
    ];
    for (const r of routes.filter((x) => 'voter' in x.policy && x.policy.token.in === 'header')) {
      for (const t of tokens) {
        const res = await call(r, { headers: { 'X-Account-Token': t } });
        expect([r.operationId, t.slice(0, 40), problemsWith(res), res.status]).toEqual([r.operationId, t.slice(0, 40), [], 401]);
      }
    }
  });

  test('a hostile X-Request-Id is replaced by a fresh id, in the header and the body alike', async () => {
    for (const given of [SQL[1]!, '../../etc/passwd', 'x'.repeat(65), '<script>alert(1)</script>', 'short']) {
      const res = await request(app).get('/api/nope').set('X-Request-Id', given);
      expect(problemsWith(res)).toEqual([]);
      expect(res.headers['x-request-id']).not.toBe(given);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const kept = await request(app).get('/api/nope').set('X-Request-Id', 'trace-0123456789');
    expect(JSON.parse(kept.text).requestId).toBe('trace-0123456789');
  });

  test('security headers on answers of every kind, and no X-Powered-By', async () => {
    const voterLookup = routes.find((r) => r.operationId === 'voterLookup')!;
    const answers = [
      await request(app).get('/healthz'),
      await request(app).get('/api/openapi.json'),
      await request(app).get('/api/contracts').set('Authorization', `Bearer ${adminKey}`),
      await request(app).get('/api/contracts'),
      await request(app).get('/api/nope'),
      await call(voterLookup, { body: { firstName: '' } }),
      await raw(voterLookup, '{"a":'),
      await raw(voterLookup, JSON.stringify({ a: 'x'.repeat(1024 * 1024 + 1) })),
      await request(app).post('/api/voter/lookup').set('Content-Type', 'text/plain').send('x'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 401, 404, 422, 400, 413, 415]);
    for (const a of answers) {
      expect(problemsWith(a, { allowSuccess: true })).toEqual([]);
      expect(a.headers['x-powered-by']).toBeUndefined();
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(a.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(a.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(a.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  /**
   * The GSM-7 check (sms-segments-calculator) is quadratic in length: before the fix, 40,000 characters held the
   * event loop ~7 s and 100,000 ~40 s, for every caller of the API. It now runs only within the 32-character limit.
   */
  test('a 40,000-character county display name is refused at once', async () => {
    const started = Date.now();
    const res = await request(app).put(`/api/admin/notify/counties/${COUNTY}`).set('Authorization', `Bearer ${adminKey}`).send({ ...COUNTY_OVERRIDE, displayName: 'x'.repeat(40_000) });
    expectProblem(res, 422);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('after everything above: the canary and every table are still there', async () => {
    const now = await canaryAndTables();
    expect(now.canary).toEqual(['sentinel']);
    expect(now.tables).toEqual(expect.arrayContaining(['audit_log', 'hostile_canary', 'api_keys', 'voters', 'elections', 'contracts']));
  });
});


/**
 * Staff signing in through their organisation's SSO (issue 5): a JWT from an OIDC provider, verified against the
 * provider's JWKS served here over real HTTP, carries the role and scope; the same policies apply as for API keys.
 * Also the `ballotflow keys` CLI code path: a created key works at once and stops working when revoked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../api/app';
import { createOidcVerifier } from '../api/oidc';
import { createKeyCommand, parseExpiry } from '../cli/keys';
import { listApiKeys, revokeApiKey } from '../db/api-keys';
import { StaffPrincipalSchema } from '../domain/access';
import { seedContract } from './helpers/seed';
import { createTestDb, type TestDb } from './helpers/db';

const ISSUER = 'https://sso.example.gov/';
let db: TestDb;
let jwks: http.Server;
let app: Express;
let key: KeyLike;

const sign = (claims: JWTPayload, o: { exp?: string } = {}) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISSUER).setAudience('ballotflow').setSubject('u-1').setIssuedAt().setExpirationTime(o.exp ?? '5m').sign(key);

beforeAll(async () => {
  db = await createTestDb();
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  const body = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
  jwks = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  const oidc = createOidcVerifier({ issuer: ISSUER, audience: 'ballotflow', jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks` });
  app = createApp({ pool: db.pool, client: {} as Client, logger: pino({ level: 'silent' }), cfg: { TASK_QUEUE: 'unused', searchAttributes: false }, oidc });
  for (const county of ['fresno', 'madera']) await seedContract(db.pool, county, 'C-1');
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => jwks.close(() => r()));
  await db?.drop();
});

const get = (url: string, token: string) => request(app).get(url).set('Authorization', `Bearer ${token}`);

test('an SSO county manager reaches their county only, and is audited under their identity', async () => {
  const t = await sign({ ballotflow_role: 'county-manager', ballotflow_county: 'fresno', email: 'clerk@fresno.gov' });
  const list = await get('/api/contracts', t).expect(200);
  expect(list.body.contracts.map((c: { id: string }) => c.id)).toEqual(['contract:fresno:C-1']);
  await get('/api/contracts/contract:madera:C-1', t).expect(404);
  await request(app).put('/api/admin/notify/counties/fresno').set('Authorization', `Bearer ${t}`).send({}).expect(403);
  const row = await db.pool.query(`SELECT actor, role, county FROM audit_log WHERE action = 'putCountyOverride'`);
  expect(row.rows).toEqual([{ actor: 'sso:clerk@fresno.gov', role: 'county-manager', county: 'fresno' }]);
});

test('expired, forged and role-less SSO tokens are refused', async () => {
  const expired = await sign({ ballotflow_role: 'state-admin' }, { exp: '-1m' });
  expect((await get('/api/contracts', expired)).status).toBe(401);
  const other = (await generateKeyPair('RS256')).privateKey;
  const forged = await new SignJWT({ ballotflow_role: 'state-admin' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISSUER).setAudience('ballotflow').setSubject('x').setExpirationTime('5m').sign(other);
  const r = await get('/api/contracts', forged);
  expect(r.status).toBe(401);
  expect(r.body.detail).toBe('the SSO token was refused: bad signature');
  // A role the product does not know, or a scope that does not fit it: authenticated, but no Ballotflow principal.
  expect((await get('/api/contracts', await sign({ ballotflow_role: 'superuser' }))).status).toBe(403);
  expect((await get('/api/contracts', await sign({ ballotflow_role: 'county-manager' }))).status).toBe(403);
});

test('keys created by the CLI work at once, are stored only as a hash, and stop working when revoked', async () => {
  const made = await createKeyCommand(db.pool, { role: 'vendor', contract: ['contract:madera:C-1'], expires: '30d', by: 'test operator' });
  expect(made.key).toMatch(/^bfk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  const stored = await db.pool.query('SELECT secret_hash FROM api_keys WHERE id = $1', [made.id]);
  expect(stored.rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
  // The secret is everything after the id: base64url may itself hold "_", so it is not the key's third "_" piece.
  const secret = /^bfk_[0-9a-f]{12}_(.+)$/.exec(made.key)![1]!;
  expect(secret).toHaveLength(43);
  expect(JSON.stringify(stored.rows)).not.toContain(secret);
  expect((await get('/api/contracts', made.key).expect(200)).body.contracts.map((c: { id: string }) => c.id)).toEqual(['contract:madera:C-1']);
  expect((await listApiKeys(db.pool)).find((k) => k.id === made.id)).toMatchObject({ role: 'vendor', contracts: ['contract:madera:C-1'], revokedAt: null });
  await revokeApiKey(db.pool, made.id, 'test operator');
  expect((await get('/api/contracts', made.key)).status).toBe(401);
  expect((await db.pool.query(`SELECT action, target FROM audit_log WHERE action = 'createApiKey'`)).rows).toEqual([{ action: 'createApiKey', target: made.id }]);
});

test('a key\'s role and scope must fit together, and its expiry must be a duration or a date', async () => {
  await expect(createKeyCommand(db.pool, { role: 'county-manager', expires: '30d' })).rejects.toThrow(/county: a county manager needs a county/);
  await expect(createKeyCommand(db.pool, { role: 'vendor', county: 'fresno', expires: '30d' })).rejects.toThrow(/contracts: a vendor needs at least one contract/);
  await expect(createKeyCommand(db.pool, { role: 'admin', expires: '30d' })).rejects.toThrow(/--role: must be one of state-admin/);
  expect(() => parseExpiry('soon')).toThrow(/--expires: "soon"/);
  expect(parseExpiry('12h', 0).getTime()).toBe(12 * 3_600_000);
  await expect(createKeyCommand(db.pool, { role: 'feed', expires: '2020-01-01' })).rejects.toThrow(/expiresAt: must be in the future/);
  expect(StaffPrincipalSchema.safeParse({ kind: 'staff', subject: 's', role: 'feed', county: 'fresno', via: 'api-key' }).success).toBe(false);
});

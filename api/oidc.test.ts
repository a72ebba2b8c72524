/** SSO token verification against a real local JWKS endpoint, with real keys and signatures (no mocks). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload, type KeyLike } from 'jose';
import { createOidcVerifier, looksLikeJwt, type OidcSettings } from './oidc';

const ISSUER = 'https://sso.example.org/';
const AUDIENCE = 'ballotflow-api';

let server: http.Server;
let baseUrl: string;
let privateKey: KeyLike;
let otherKey: KeyLike;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const body = JSON.stringify({ keys: [jwk] });
  server = http.createServer((req, res) => {
    if (req.url === '/jwks') res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    else res.writeHead(500).end('down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
});

const settings = (over: Partial<OidcSettings> = {}): OidcSettings => ({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: `${baseUrl}/jwks`, ...over });

async function sign(claims: JWTPayload, o: { key?: KeyLike; kid?: string; iss?: string; aud?: string; exp?: number | string; sub?: string | null } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'k1' }).setIssuedAt()
    .setIssuer(o.iss ?? ISSUER).setAudience(o.aud ?? AUDIENCE).setExpirationTime(o.exp ?? '10m');
  if (o.sub !== null) jwt.setSubject(o.sub ?? 'user-42');
  return jwt.sign(o.key ?? privateKey);
}

const staff = { ballotflow_role: 'county-admin', ballotflow_county: 'los-angeles', email: 'ana@example.org' };

describe('createOidcVerifier', () => {
  test('a valid token gives the identity, with contracts as an array', async () => {
    const verify = createOidcVerifier(settings());
    const r = await verify(await sign({ ...staff, ballotflow_contracts: ['c-1', 'c-2'] }));
    expect(r).toEqual({ ok: true, identity: { subject: 'user-42', email: 'ana@example.org', role: 'county-admin', county: 'los-angeles', contracts: ['c-1', 'c-2'] } });
  });

  test('contracts may be a space-separated string, and are empty when absent', async () => {
    const verify = createOidcVerifier(settings());
    const r = await verify(await sign({ ...staff, ballotflow_contracts: ' c-1  c-2 c-3' }));
    expect(r.ok && r.identity.contracts).toEqual(['c-1', 'c-2', 'c-3']);
    const bare = await verify(await sign({ ballotflow_role: 'auditor' }));
    expect(bare).toEqual({ ok: true, identity: { subject: 'user-42', role: 'auditor', contracts: [] } });
  });

  test('an expired token is refused as expired, without echoing the token', async () => {
    const token = await sign(staff, { exp: Math.floor(Date.now() / 1000) - 120 });
    const r = await createOidcVerifier(settings())(token);
    expect(r).toEqual({ ok: false, reason: 'expired' });
    expect(JSON.stringify(r)).not.toContain(token.split('.')[1]!);
  });

  test('a token within the clock tolerance is accepted', async () => {
    const token = await sign(staff, { exp: Math.floor(Date.now() / 1000) - 5 });
    expect((await createOidcVerifier(settings())(token)).ok).toBe(true);
    expect(await createOidcVerifier(settings({ clockToleranceSeconds: 0 }))(token)).toEqual({ ok: false, reason: 'expired' });
  });

  test('wrong issuer and wrong audience are refused', async () => {
    const verify = createOidcVerifier(settings());
    expect(await verify(await sign(staff, { iss: 'https://evil.example.com/' }))).toEqual({ ok: false, reason: 'wrong issuer' });
    expect(await verify(await sign(staff, { aud: 'some-other-app' }))).toEqual({ ok: false, reason: 'wrong audience' });
  });

  test('a token signed by a key not in the JWKS is refused', async () => {
    const verify = createOidcVerifier(settings());
    expect(await verify(await sign(staff, { key: otherKey, kid: 'k1' }))).toEqual({ ok: false, reason: 'bad signature' });
    expect(await verify(await sign(staff, { key: otherKey, kid: 'unknown' }))).toEqual({ ok: false, reason: 'no matching key' });
  });

  test('alg none and HS256 tokens are refused', async () => {
    const verify = createOidcVerifier(settings());
    const none = new UnsecuredJWT({ ...staff, sub: 'user-42' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').encode();
    expect(looksLikeJwt(none)).toBe(true);
    expect(await verify(none)).toEqual({ ok: false, reason: 'algorithm not allowed' });

    const hs = await new SignJWT({ ...staff }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setSubject('user-42')
      .setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
    expect(await verify(hs)).toEqual({ ok: false, reason: 'algorithm not allowed' });
  });

  test('missing claims are named', async () => {
    const verify = createOidcVerifier(settings());
    expect(await verify(await sign({ ballotflow_county: 'alameda' }))).toEqual({ ok: false, reason: 'missing claim ballotflow_role' });
    expect(await verify(await sign(staff, { sub: null }))).toEqual({ ok: false, reason: 'missing claim sub' });
  });

  test('claims of the wrong shape are refused, naming the claim', async () => {
    const verify = createOidcVerifier(settings());
    expect(await verify(await sign({ ...staff, ballotflow_county: 'Los Angeles' }))).toEqual({ ok: false, reason: 'invalid claim ballotflow_county' });
    expect(await verify(await sign({ ...staff, ballotflow_role: 'x'.repeat(41) }))).toEqual({ ok: false, reason: 'invalid claim ballotflow_role' });
    expect(await verify(await sign({ ...staff, ballotflow_contracts: ['ok', 'y'.repeat(201)] }))).toEqual({ ok: false, reason: 'invalid claim ballotflow_contracts' });
  });

  test('custom claim names come from the settings', async () => {
    const verify = createOidcVerifier(settings({ roleClaim: 'roles', countyClaim: 'https://ballotflow/county', contractsClaim: 'groups' }));
    const r = await verify(await sign({ roles: 'vendor', 'https://ballotflow/county': 'orange', groups: 'c-9' }));
    expect(r).toEqual({ ok: true, identity: { subject: 'user-42', role: 'vendor', county: 'orange', contracts: ['c-9'] } });
    expect(await verify(await sign(staff))).toEqual({ ok: false, reason: 'missing claim roles' });
  });

  test('a JWKS endpoint that is down or failing gives a reason, not an exception', async () => {
    const token = await sign(staff);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(createOidcVerifier(settings({ jwksUrl: `http://127.0.0.1:${port}/jwks` }))(token)).resolves.toEqual({ ok: false, reason: 'jwks unavailable' });
    await expect(createOidcVerifier(settings({ jwksUrl: `${baseUrl}/broken` }))(token)).resolves.toEqual({ ok: false, reason: 'jwks unavailable' });
  });

  test('garbage is refused as malformed, and a plain-http JWKS off loopback is a configuration error', async () => {
    const verify = createOidcVerifier(settings());
    expect(await verify('not a jwt')).toEqual({ ok: false, reason: 'malformed token' });
    expect(await verify('aaaa.bbbb.cccc')).toEqual({ ok: false, reason: 'malformed token' });
    expect(() => createOidcVerifier(settings({ jwksUrl: 'http://sso.example.org/jwks' }))).toThrow('https');
  });
});

describe('looksLikeJwt', () => {
  test('three base64url segments separated by dots', async () => {
    expect(looksLikeJwt(await sign(staff))).toBe(true);
    expect(looksLikeJwt('eyJhbGciOiJub25lIn0.e30.')).toBe(true);
    for (const bad of ['', 'a.b', 'a.b.c.d', 'a+b.c.d', 'a.b/c.d', 'bfk_0123456789abcdef', 'a .b.c']) expect(looksLikeJwt(bad)).toBe(false);
  });
});

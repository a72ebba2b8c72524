/**
 * Single sign-on for staff (issue 5): verifies a bearer JWT issued by the organisation's OIDC provider against the
 * provider's published keys (JWKS, fetched and cached by jose with its cooldown), then reads the Ballotflow role,
 * county and contracts from configurable claims. Only asymmetric algorithms are accepted (never `none` or HS*),
 * `iss`, `aud`, `sub` and `exp` are required, and a refused token gives a short reason that never echoes the token.
 * What the caller may do is decided elsewhere (api/auth.ts, api/route.ts).
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';

export interface OidcSettings {
  issuer: string;
  audience: string;
  /** The provider's JWKS endpoint: https, or http on a loopback host (local tests). */
  jwksUrl: string;
  roleClaim?: string;
  countyClaim?: string;
  /** An array of strings, or one space-separated string. */
  contractsClaim?: string;
  clockToleranceSeconds?: number;
}
export interface OidcIdentity { subject: string; email?: string; role: string; county?: string; contracts: string[] }
export type OidcResult = { ok: true; identity: OidcIdentity } | { ok: false; reason: string };

const ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'];
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Three base64url segments separated by dots (the signature may be empty, as in an unsecured JWT). */
export function looksLikeJwt(token: string): boolean {
  return token.length <= 8192 && JWT_SHAPE.test(token);
}

const ClaimsSchema = z.object({
  sub: z.string().min(1).max(255),
  email: z.string().max(320).optional(),
  role: z.string().min(1).max(40),
  county: z.string().regex(/^[a-z-]{1,40}$/, 'county must be lowercase letters and hyphens, up to 40').optional(),
  contracts: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : v ?? []),
    z.array(z.string().min(1).max(200)).max(1000),
  ),
});

function reasonFor(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED': return 'expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': return 'bad signature';
    case 'ERR_JOSE_ALG_NOT_ALLOWED': case 'ERR_JOSE_NOT_SUPPORTED': return 'algorithm not allowed';
    case 'ERR_JWKS_NO_MATCHING_KEY': case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS': return 'no matching key';
    case 'ERR_JWS_INVALID': case 'ERR_JWT_INVALID': return 'malformed token';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const { claim, reason } = e as { claim?: string; reason?: string };
      if (reason === 'missing') return `missing claim ${claim}`;
      if (claim === 'iss') return 'wrong issuer';
      if (claim === 'aud') return 'wrong audience';
      if (claim === 'nbf') return 'not yet valid';
      return `invalid claim ${claim}`;
    }
    // ERR_JWKS_TIMEOUT, ERR_JWKS_INVALID, a non-200 answer (ERR_JOSE_GENERIC) or a network error.
    default: return 'jwks unavailable';
  }
}

export function createOidcVerifier(s: OidcSettings): (token: string) => Promise<OidcResult> {
  const url = new URL(s.jwksUrl);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new Error('OIDC jwksUrl must be https');
  const jwks = createRemoteJWKSet(url);
  const names = { role: s.roleClaim ?? 'ballotflow_role', county: s.countyClaim ?? 'ballotflow_county', contracts: s.contractsClaim ?? 'ballotflow_contracts' };
  const options = { issuer: s.issuer, audience: s.audience, algorithms: ALGORITHMS, clockTolerance: s.clockToleranceSeconds ?? 30, requiredClaims: ['sub', 'exp'] };

  return async (token) => {
    if (!looksLikeJwt(token)) return { ok: false, reason: 'malformed token' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, options));
    } catch (e) {
      return { ok: false, reason: reasonFor(e) };
    }
    if (payload[names.role] === undefined) return { ok: false, reason: `missing claim ${names.role}` };
    const parsed = ClaimsSchema.safeParse({
      sub: payload.sub, email: payload.email, role: payload[names.role], county: payload[names.county], contracts: payload[names.contracts],
    });
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? 'claims') as keyof typeof names | 'sub' | 'email';
      return { ok: false, reason: `invalid claim ${field in names ? names[field as keyof typeof names] : field}` };
    }
    const c = parsed.data;
    return { ok: true, identity: { subject: c.sub, role: c.role, contracts: c.contracts, ...(c.email ? { email: c.email } : {}), ...(c.county ? { county: c.county } : {}) } };
  };
}

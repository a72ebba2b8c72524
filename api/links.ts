/**
 * Everything keyed by VOTER_LINK_SECRET: the voter lookup hash and the signed, expiring links a voter uses with no
 * account (issue 4, "Changing or leaving"): a lookup token (the record found, for sign-up), a manage token (read,
 * change or cancel a subscription) and an unsubscribe token (email links and List-Unsubscribe, RFC 8058).
 *
 * Tokens are JWTs (RFC 7519) signed with HS256, written with node:crypto. `jose` is installed, but jose 6 is an ES
 * module only: TypeScript refuses a static import from this CommonJS project (TS1479) and the jest runtime can load it
 * neither by require nor by import() (no --experimental-vm-modules). The format is standard, so jose's jwtVerify
 * accepts these tokens and a later switch changes no link already sent.
 *
 * Every token carries a purpose claim (`pur`) checked on use: a lookup token cannot manage a subscription, a
 * manage token cannot unsubscribe someone else's address. The header is fixed (HS256 only, no `alg: none`), the
 * signature is compared in constant time, and `exp` is required.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ChannelSchema, type Channel } from '../domain/notify/channels';
import type { LookupQuery } from '../domain/notify/match';
import { lookupHash } from '../db/voters';
import { loadConfig } from '../runtime/config';

// ---------- the secret ----------

let cached: { raw: string | undefined; base: string | undefined; secret: string; publicBaseUrl: string } | undefined;

function settings(): { secret: string; publicBaseUrl: string } {
  const raw = process.env.VOTER_LINK_SECRET;
  const base = process.env.PUBLIC_BASE_URL;
  if (!cached || cached.raw !== raw || cached.base !== base) {
    const cfg = loadConfig();
    if (process.env.NODE_ENV === 'production' && cfg.VOTER_LINK_SECRET.startsWith('dev-only-')) {
      throw new Error('VOTER_LINK_SECRET must be set in production: the development default is public');
    }
    cached = { raw, base, secret: cfg.VOTER_LINK_SECRET, publicBaseUrl: cfg.PUBLIC_BASE_URL.replace(/\/+$/, '') };
  }
  return cached;
}

/**
 * The `voters.lookup_hash` of a lookup: HMAC-SHA256 hex of domain/notify/match `lookupKey` with VOTER_LINK_SECRET.
 * Extract ingestion stores it; the lookup route computes it from what the voter typed.
 */
export function voterLookupHash(query: LookupQuery, secret: string = settings().secret): string {
  return lookupHash(secret, query);
}

// Tokens are signed with a key derived from the secret, so a token signature and a lookup hash are never HMACs
// under the same key.
function tokenKey(): Buffer {
  return createHmac('sha256', settings().secret).update('ballotflow voter link tokens v1').digest();
}

// ---------- tokens ----------

export type LinkPurpose = 'lookup' | 'manage' | 'unsubscribe' | 'account';

/**
 * Default lifetimes in seconds. Lookup: long enough to fill in the sign-up form. Manage: an election's notice season
 * (extracts start 90 days out). Unsubscribe: over a year, since an email's unsubscribe link must keep working.
 * Account: one signed-in session of an optional voter account (api/routes/account.ts), half a day.
 */
export const TTL: Readonly<Record<LinkPurpose, number>> = { lookup: 30 * 60, manage: 90 * 86_400, unsubscribe: 400 * 86_400, account: 12 * 3600 };

const Base = z.object({ iss: z.literal('ballotflow'), iat: z.number().int(), exp: z.number().int() });
const LookupClaims = Base.extend({ pur: z.literal('lookup'), sub: z.string().min(1), county: z.string().min(1) });
const ManageClaims = Base.extend({ pur: z.literal('manage'), sub: z.string().min(1) });
const UnsubscribeClaims = Base.extend({ pur: z.literal('unsubscribe'), sub: z.string().min(1), ch: ChannelSchema });
const AccountClaims = Base.extend({ pur: z.literal('account'), sub: z.string().min(1) });

export type TokenError = 'malformed' | 'bad-signature' | 'expired' | 'wrong-purpose';
export type Verified<T> = { ok: true; value: T } | { ok: false; error: TokenError };

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function sign(claims: Record<string, unknown>, ttlSeconds: number, nowMs: number): string {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new Error('a link needs a positive lifetime');
  const iat = Math.floor(nowMs / 1000);
  const payload = b64url(JSON.stringify({ iss: 'ballotflow', ...claims, iat, exp: iat + Math.floor(ttlSeconds) }));
  const signature = createHmac('sha256', tokenKey()).update(`${HEADER}.${payload}`).digest();
  return `${HEADER}.${payload}.${b64url(signature)}`;
}

function verify<T extends { pur: LinkPurpose; exp: number }>(token: string, purpose: LinkPurpose, schema: z.ZodType<T>, nowMs: number): Verified<T> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, error: 'malformed' };
  const [, payload, sig] = parts as [string, string, string];
  const expected = createHmac('sha256', tokenKey()).update(`${HEADER}.${payload}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, error: 'bad-signature' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, error: 'malformed' };
  }
  // The purpose is read before the rest: a genuine token of another kind is refused as such, not as malformed.
  const pur = (json as { pur?: unknown })?.pur;
  if (pur !== purpose) return { ok: false, error: 'wrong-purpose' };
  const claims = schema.safeParse(json);
  if (!claims.success) return { ok: false, error: 'malformed' };
  if (claims.data.exp <= Math.floor(nowMs / 1000)) return { ok: false, error: 'expired' };
  return { ok: true, value: claims.data };
}

/** The voter record a lookup found, for the sign-up that follows. */
export function signLookupToken(county: string, voterId: string, ttlSeconds: number = TTL.lookup, nowMs = Date.now()): string {
  return sign({ pur: 'lookup', sub: voterId, county }, ttlSeconds, nowMs);
}

export function verifyLookupToken(token: string, nowMs = Date.now()): Verified<{ county: string; voterId: string }> {
  const v = verify(token, 'lookup', LookupClaims, nowMs);
  return v.ok ? { ok: true, value: { county: v.value.county, voterId: v.value.sub } } : v;
}

/** Read, change or cancel one subscription. */
export function signManageToken(subscriptionId: string, ttlSeconds: number = TTL.manage, nowMs = Date.now()): string {
  return sign({ pur: 'manage', sub: subscriptionId }, ttlSeconds, nowMs);
}

export function verifyManageToken(token: string, nowMs = Date.now()): Verified<{ subscriptionId: string }> {
  const v = verify(token, 'manage', ManageClaims, nowMs);
  return v.ok ? { ok: true, value: { subscriptionId: v.value.sub } } : v;
}

/** Opt one channel of a subscription out (its address, on every subscription): the link in every email. */
export function signUnsubscribeToken(subscriptionId: string, channel: Channel, ttlSeconds: number = TTL.unsubscribe, nowMs = Date.now()): string {
  return sign({ pur: 'unsubscribe', sub: subscriptionId, ch: channel }, ttlSeconds, nowMs);
}

export function verifyUnsubscribeToken(token: string, nowMs = Date.now()): Verified<{ subscriptionId: string; channel: Channel }> {
  const v = verify(token, 'unsubscribe', UnsubscribeClaims, nowMs);
  return v.ok ? { ok: true, value: { subscriptionId: v.value.sub, channel: v.value.ch } } : v;
}

/**
 * A signed-in voter account (sent back as the `X-Account-Token` header): it stands for the account, not for a voter
 * record; each saved lookup it reaches is checked against the account in the database.
 */
export function signAccountToken(accountId: string, ttlSeconds: number = TTL.account, nowMs = Date.now()): string {
  return sign({ pur: 'account', sub: accountId }, ttlSeconds, nowMs);
}

export function verifyAccountToken(token: string, nowMs = Date.now()): Verified<{ accountId: string }> {
  const v = verify(token, 'account', AccountClaims, nowMs);
  return v.ok ? { ok: true, value: { accountId: v.value.sub } } : v;
}

// ---------- URLs ----------

/** The public URL of a path on this API (PUBLIC_BASE_URL + path), e.g. for webhooks and voter links. */
export function publicUrl(pathAndQuery: string): string {
  return `${settings().publicBaseUrl}${pathAndQuery}`;
}

/** The manage link sent at sign-up (and, by the notice templates, in each notice). */
export function manageUrl(token: string): string {
  // The voter portal's manage page (web/src/voter/manage-main.tsx), which calls the manage API with the token.
  return publicUrl(`/voter/manage?token=${encodeURIComponent(token)}`);
}

/**
 * The unsubscribe link for an email's body and its `List-Unsubscribe` header; send it with
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058) so mail clients can unsubscribe with one POST.
 */
export function unsubscribeUrl(subscriptionId: string, channel: Channel = 'email', ttlSeconds: number = TTL.unsubscribe): string {
  return publicUrl(`/api/voter/unsubscribe?token=${encodeURIComponent(signUnsubscribeToken(subscriptionId, channel, ttlSeconds))}`);
}

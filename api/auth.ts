/**
 * Who is calling (issue 5). Staff and feeds send `Authorization: Bearer <token>`: an API key (`bfk_...`, checked
 * against its hash in Postgres) or, where the organisation has single sign-on, a JWT from its OIDC provider
 * (api/oidc.ts). Voters need no account: their signed links (api/links.ts) stand for one voter record or one
 * subscription; a voter who opts into an account signs in for an account token, sent as `X-Account-Token`. Nothing here decides what a caller may do; api/route.ts does that from each route's policy.
 */
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import { StaffPrincipalSchema, type StaffPrincipal, type VoterPrincipal } from '../domain/access';
import { isApiKey, verifyApiKey } from '../db/api-keys';
import { verifyAccountToken, verifyLookupToken, verifyManageToken, verifyUnsubscribeToken, type TokenError } from './links';
import type { OidcResult } from './oidc';
import { HttpProblem } from './problem';

export interface AuthDeps {
  pool: Pool;
  logger: Logger;
  /** Set when OIDC_ISSUER is configured. */
  oidc?: (token: string) => Promise<OidcResult>;
}

const unauthenticated = (detail: string) => new HttpProblem(401, 'Unauthorized', detail);

/** The staff principal of a request, or a 401 naming what is wrong (never which part of a key failed). */
export async function authenticateStaff(req: Request, deps: AuthDeps): Promise<StaffPrincipal> {
  const header = req.header('authorization');
  if (!header) throw unauthenticated('send Authorization: Bearer <API key or SSO token>');
  const m = /^Bearer ([\x21-\x7e]{10,4096})$/.exec(header);
  if (!m) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  const token = m[1]!;
  if (isApiKey(token)) {
    const r = await verifyApiKey(deps.pool, token);
    if (r.ok) return r.principal;
    deps.logger.warn({ requestId: req.id, reason: r.reason }, 'API key refused');
    throw unauthenticated('the API key is not valid, has expired or was revoked');
  }
  if (!deps.oidc) throw unauthenticated('the token is not an API key, and single sign-on is not configured');
  const r = await deps.oidc(token);
  if (!r.ok) {
    deps.logger.warn({ requestId: req.id, reason: r.reason }, 'SSO token refused');
    throw unauthenticated(`the SSO token was refused: ${r.reason}`);
  }
  const p = StaffPrincipalSchema.safeParse({
    kind: 'staff', subject: `sso:${r.identity.email ?? r.identity.subject}`, role: r.identity.role, contracts: r.identity.contracts, via: 'oidc',
    ...(r.identity.county ? { county: r.identity.county } : {}),
  });
  if (!p.success) {
    deps.logger.warn({ requestId: req.id, issues: p.error.issues.map((i) => i.message) }, 'SSO token claims refused');
    throw new HttpProblem(403, 'Forbidden', `the SSO token's role claims are not a Ballotflow role and scope: ${p.error.issues.map((i) => i.message).join('; ')}`);
  }
  return p.data;
}

export type VoterLink = 'lookup' | 'manage' | 'unsubscribe' | 'account';

/** A refused link: 403. `field` names where a handler found the token (a link passed in a body), as a 422 would. */
function linkRefused(e: TokenError, field?: string): HttpProblem {
  const expired = e === 'expired';
  const message = expired ? 'this link has expired: look up your ballot again to get a new one' : 'this link is not valid for this page';
  return new HttpProblem(403, expired ? 'Link expired' : 'Forbidden', field ? `${field}: ${message}` : message, {
    type: expired ? 'link-expired' : 'link-invalid', ...(expired ? {} : { reason: e }), ...(field ? { errors: [{ field, message }] } : {}),
  });
}

/**
 * An account token is a sign-in, not a link: a missing, expired or invalid one is a 401 (sign in again), as a
 * staff key would be. Links answer 403 because they are not credentials the voter can renew by signing in.
 */
export function accountRefused(e: TokenError | 'missing'): HttpProblem {
  if (e === 'missing') return new HttpProblem(401, 'Unauthorized', 'sign in: send the X-Account-Token header with the accountToken from signing in', { type: 'account-token-missing' });
  if (e === 'expired') return new HttpProblem(401, 'Sign-in expired', 'your sign-in has expired: sign in again', { type: 'account-token-expired' });
  return new HttpProblem(401, 'Unauthorized', 'this account token is not valid: sign in again', { type: 'account-token-invalid', reason: e });
}

/**
 * The voter a signed link stands for. `subscriptionId`, when the route names one in its path, must be the link's:
 * a voter's link reaches their own subscription only. `field` names the token's place in a refusal of a lookup link.
 */
export function voterFromLink(kind: VoterLink, token: string, subscriptionId?: string, field?: string): VoterPrincipal {
  switch (kind) {
    case 'lookup': {
      const t = verifyLookupToken(token);
      if (!t.ok) throw linkRefused(t.error, field);
      return { kind: 'voter', role: 'voter', subject: `voter:${t.value.county}:${t.value.voterId}`, county: t.value.county, voterId: t.value.voterId };
    }
    case 'manage': {
      const t = verifyManageToken(token);
      if (!t.ok) throw linkRefused(t.error);
      if (subscriptionId !== undefined && t.value.subscriptionId !== subscriptionId) throw linkRefused('wrong-purpose');
      return { kind: 'voter', role: 'voter', subject: `subscription:${t.value.subscriptionId}`, subscriptionId: t.value.subscriptionId };
    }
    case 'unsubscribe': {
      const t = verifyUnsubscribeToken(token);
      if (!t.ok) throw linkRefused(t.error);
      return { kind: 'voter', role: 'voter', subject: `subscription:${t.value.subscriptionId}`, subscriptionId: t.value.subscriptionId, channel: t.value.channel };
    }
    case 'account': {
      if (token === '') throw accountRefused('missing');
      const t = verifyAccountToken(token);
      if (!t.ok) throw accountRefused(t.error);
      return { kind: 'voter', role: 'voter', subject: `account:${t.value.accountId}`, accountId: t.value.accountId };
    }
    default: throw new Error(`unknown link kind ${String(kind satisfies never)}`);
  }
}

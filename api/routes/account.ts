/**
 * Optional voter accounts (web portal): a voter who wants to can create an account with an email and password and
 * keep the lookups they made, then see those ballots again, or get a fresh lookup token for one (to read its ballot
 * or sign up for notices), without typing name, date of birth and ZIP each time. Nothing requires an account.
 *
 * Creating an account and signing in answer an account token (api/links.ts, 12 hours), sent back as the
 * `X-Account-Token` header. A saved lookup is reached only through its own account: another account's answers 404,
 * exactly like one that does not exist. Passwords and tokens never reach the audit log or the logs.
 */
import { z } from 'zod';
import {
  checkSignIn, createAccount, forgetLookup, getAccount, getLookup, listLookups, saveLookup, SavedLookupIdSchema, type VoterAccount,
} from '../../db/voter-accounts';
import { getVoter } from '../../db/subscriptions';
import type { Principal } from '../../domain/access';
import { voterFromLink } from '../auth';
import { signAccountToken, signLookupToken } from '../links';
import { HttpProblem, notFound } from '../problem';
import { route, type Deps, type Policy } from '../route';
import { ballotNow, countyFactsCache, ExpectedWindowSchema } from '../voter-ballot';
import { TokenSchema } from './voter';

const EmailSchema = z.string().trim().toLowerCase().max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be an email address, e.g. ana.nunez@example.com' }));

const NewAccountBody = z.object({
  email: EmailSchema,
  password: z.string().min(12, 'must be at least 12 characters').max(200, 'must be at most 200 characters'),
});

/** Any length up to the limit: a password shorter than today's minimum is simply not right. */
const SignInBody = z.object({ email: EmailSchema, password: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters') });

const AccountTokenReply = z.object({ accountToken: z.string().describe('send it as the X-Account-Token header; valid 12 hours'), email: z.string() });

const AccountView = z.object({
  email: z.string(),
  lookups: z.array(z.object({
    id: z.string(), savedAt: z.string(), county: z.string(), countyName: z.string(),
    status: z.string().nullable().describe('the ballot\'s current status; null when the voter record is gone'),
    expectedWindow: ExpectedWindowSchema.optional(),
  })),
});

const LookupParams = z.object({ id: SavedLookupIdSchema });

/** Every signed-in route: the account token in the X-Account-Token header. */
const ACCOUNT: Policy = { voter: 'account', token: { in: 'header', field: 'x-account-token' } };

const SIGN_IN_REFUSED = () => new HttpProblem(401, 'Unauthorized', 'email or password is not right', { type: 'sign-in-failed' });

/** The signed-in account (the route policy verified its token); a token for an account that is gone is a 401. */
async function accountOf(deps: Deps, p: Principal): Promise<VoterAccount> {
  if (p.kind !== 'voter' || !p.accountId) throw new Error('account route without an account token');
  const account = await getAccount(deps.pool, p.accountId);
  if (!account) throw new HttpProblem(401, 'Unauthorized', 'this account no longer exists: sign in again', { type: 'account-token-invalid', reason: 'no-account' });
  return account;
}

const signedIn = (a: VoterAccount) => ({ accountToken: signAccountToken(a.id), email: a.email });

export const accountRoutes = [
  route({
    operationId: 'voterCreateAccount', method: 'post', path: '/api/voter/accounts', tag: 'voter-account',
    policy: { public: 'a voter creates an optional account to keep their lookups; rate limited per address', limit: 'voter-write' },
    summary: 'Create an optional voter account with an email and password',
    description: 'The email is kept lower-case; the password (12 to 200 characters) only as a scrypt hash. Answers an account token, as signing in does. An address that already has an account answers 409.',
    body: NewAccountBody,
    responses: { 201: { description: 'created and signed in', schema: AccountTokenReply }, 409: { description: 'this email already has an account' }, 422: { description: 'invalid email or password' } },
    handler: async ({ body, deps }) => {
      const r = await createAccount(deps.pool, body.email, body.password);
      if (!r.ok) throw new HttpProblem(409, 'Conflict', 'this email address already has an account: sign in instead', { type: 'account-exists' });
      return { status: 201, json: signedIn(r.account), audit: { accountId: r.account.id } };
    },
  }),
  route({
    operationId: 'voterSignIn', method: 'post', path: '/api/voter/accounts/session', tag: 'voter-account',
    policy: { public: 'a voter signs in to their optional account; rate limited per address', limit: 'voter-write' },
    summary: 'Sign in to a voter account: answers an account token',
    description: 'A wrong password and an address with no account get the same 401 with the same words, after the same work.',
    body: SignInBody,
    responses: { 200: { description: 'signed in', schema: AccountTokenReply }, 401: { description: 'email or password is not right' }, 422: { description: 'invalid email' } },
    handler: async ({ body, deps }) => {
      const account = await checkSignIn(deps.pool, body.email, body.password);
      if (!account) throw SIGN_IN_REFUSED();
      return { status: 200, json: signedIn(account), audit: { accountId: account.id } };
    },
  }),
  route({
    operationId: 'voterAccount', method: 'get', path: '/api/voter/accounts/me', tag: 'voter-account',
    policy: ACCOUNT,
    summary: 'Read the signed-in voter account: its email and saved lookups with each ballot\'s current status',
    responses: { 200: { description: 'the account', schema: AccountView }, 401: { description: 'missing, expired or invalid account token' } },
    handler: async ({ deps, principal }) => {
      const account = await accountOf(deps, principal);
      const facts = countyFactsCache(deps.pool);
      const lookups = await Promise.all((await listLookups(deps.pool, account.id)).map(async (l) => {
        const now = l.ballotId ? await ballotNow(deps.pool, l.ballotId) : undefined;
        return {
          id: l.id, savedAt: l.savedAt.toISOString(), county: l.county, countyName: (await facts(l.county)).countyName, status: now?.status ?? null,
          ...(now?.expectedWindow ? { expectedWindow: now.expectedWindow } : {}),
        };
      }));
      return { status: 200, json: { email: account.email, lookups } };
    },
  }),
  route({
    operationId: 'voterSaveLookup', method: 'post', path: '/api/voter/accounts/me/lookups', tag: 'voter-account',
    policy: ACCOUNT,
    summary: 'Save a lookup to the signed-in account, with the lookup token it answered',
    description: 'Saving the same voter again answers 200 with the id it already has. The lookup token must be a valid, unexpired one from POST /api/voter/lookup (or from a saved lookup).',
    body: z.object({ lookupToken: TokenSchema }),
    responses: {
      201: { description: 'saved', schema: z.object({ id: z.string() }) }, 200: { description: 'already saved', schema: z.object({ id: z.string() }) },
      401: { description: 'missing, expired or invalid account token' }, 403: { description: 'the lookup token is expired or not a lookup token' }, 404: { description: 'the voter record is gone' },
    },
    handler: async ({ body, deps, principal }) => {
      const account = await accountOf(deps, principal);
      // The account token is this route's credential; the lookup link in the body is checked as every route checks one.
      const link = voterFromLink('lookup', body.lookupToken, undefined, 'body.lookupToken');
      const voter = await getVoter(deps.pool, link.county!, link.voterId!);
      if (!voter) throw notFound('the voter record');
      const saved = await saveLookup(deps.pool, account.id, voter.county, voter.voterId);
      return { status: saved.created ? 201 : 200, json: { id: saved.id } };
    },
  }),
  route({
    operationId: 'voterLookupAgain', method: 'post', path: '/api/voter/accounts/me/lookups/:id/token', tag: 'voter-account',
    policy: ACCOUNT,
    summary: 'Get a fresh lookup token for a saved lookup of the signed-in account',
    description: 'The token works as one from POST /api/voter/lookup: read the ballot (GET /api/voter/ballot) or sign up for notices.',
    params: LookupParams,
    responses: { 200: { description: 'a fresh lookup token', schema: z.object({ lookupToken: z.string() }) }, 401: { description: 'missing, expired or invalid account token' }, 404: { description: 'no such saved lookup on this account, or the voter record is gone' } },
    handler: async ({ params, deps, principal }) => {
      const account = await accountOf(deps, principal);
      const l = await getLookup(deps.pool, account.id, params.id);
      if (!l) throw notFound(`saved lookup ${params.id}`);
      if (!l.ballotId) throw notFound('the voter record');
      return { status: 200, json: { lookupToken: signLookupToken(l.county, l.voterId) } };
    },
  }),
  route({
    operationId: 'voterForgetLookup', method: 'delete', path: '/api/voter/accounts/me/lookups/:id', tag: 'voter-account',
    policy: ACCOUNT,
    summary: 'Remove a saved lookup from the signed-in account',
    params: LookupParams,
    responses: { 200: { description: 'removed', schema: z.object({ id: z.string(), removed: z.literal(true) }) }, 401: { description: 'missing, expired or invalid account token' }, 404: { description: 'no such saved lookup on this account' } },
    handler: async ({ params, deps, principal }) => {
      const account = await accountOf(deps, principal);
      if (!(await forgetLookup(deps.pool, account.id, params.id))) throw notFound(`saved lookup ${params.id}`);
      return { status: 200, json: { id: params.id, removed: true } };
    },
  }),
];

/**
 * The voter's side of notices, with no account (issue 4, "Sign-up and consent"; domain.md §10): look up a record
 * by name, date of birth and ZIP; subscribe channels with the exact consent words; confirm each address with its
 * one-time code; read, change or cancel through a signed, expiring link; unsubscribe an email address in one click
 * (RFC 8058). Every answer is JSON except the unsubscribe page a browser opens from an email.
 */
import { latestBallotStatus } from '../../db/ballots';
import { z } from 'zod';
import {
  cancelSubscription, channelAddress, ChannelAddressSchema, confirmChannel, createSubscription, findVotersByLookupHash,
  getSubscription, getVoter, optOutAddress, requestNewCode, SubscriptionIdSchema, updateSubscription,
  type ChannelAddress, type ConfirmError, type Subscription,
} from '../../db/subscriptions';
import { ChannelSchema, LanguageSchema, type Channel } from '../../domain/notify/channels';
import { ContactWindowSchema, defaultContactWindow } from '../../domain/notify/contact-hours';
import { LookupQuerySchema } from '../../domain/notify/match';
import type { Principal } from '../../domain/access';
import { manageUrl, signLookupToken, signManageToken, voterLookupHash } from '../links';
import type { Notifier } from '../notifier';
import { HttpProblem, notFound } from '../problem';
import { route, type Deps } from '../route';
import { voterBallotView, VoterBallotSchema } from '../voter-ballot';

export const TokenSchema = z.string().min(20, 'must be the token from your link').max(2000);
const TokenQuery = z.object({ token: TokenSchema });

const ChannelsSchema = z
  .array(ChannelAddressSchema)
  .min(1, 'must list at least one channel')
  .max(3)
  .refine((cs) => new Set(cs.map((c) => c.channel)).size === cs.length, 'lists a channel more than once');

/** The words the voter agreed to, stored exactly as sent (not trimmed): the consent record is the text itself. */
const ConsentTextSchema = z.string().max(4000).refine((s) => s.trim().length > 0, 'must be the consent text the voter agreed to');

const LookupBody = LookupQuerySchema.extend({
  /** Asked for only when several voters share name, date of birth and ZIP. */
  voterId: z.string().trim().regex(/^[A-Za-z0-9-]{1,20}$/, 'must be the voter id printed on your ballot envelope or sample ballot').optional(),
});

const SubscribeBody = z.object({
  lookupToken: TokenSchema,
  channels: ChannelsSchema,
  language: LanguageSchema,
  /** The hours texts and calls may come; 08:00 to 21:00 Pacific by default (domain.md §10). Email goes at any hour. */
  contactWindow: ContactWindowSchema.optional(),
  consentText: ConsentTextSchema,
  source: z.literal('web'),
});

const ManageBody = z
  .object({
    language: LanguageSchema.optional(),
    contactWindow: ContactWindowSchema.optional(),
    /** The channels wanted from now on (all of them): one left out is withdrawn, a new one needs a code. */
    channels: ChannelsSchema.optional(),
    /** Required when a channel or address is added. */
    consentText: ConsentTextSchema.optional(),
  })
  .refine((b) => b.language !== undefined || b.contactWindow !== undefined || b.channels !== undefined, 'must change language, contactWindow or channels');

const IdParams = z.object({ id: SubscriptionIdSchema });

function needNotifier(deps: Deps): Notifier {
  if (!deps.notifier) throw new HttpProblem(503, 'Unavailable', 'voter notifications are not configured on this server');
  return deps.notifier;
}

// The route policies (api/route.ts) verify each link before a handler runs; these read what it stands for.
function voterOf(p: Principal): { county: string; voterId: string } {
  if (p.kind !== 'voter' || !p.county || !p.voterId) throw new Error('voter route without a lookup link');
  return { county: p.county, voterId: p.voterId };
}
function subscriptionOf(p: Principal): string {
  if (p.kind !== 'voter' || !p.subscriptionId) throw new Error('voter route without a manage link');
  return p.subscriptionId;
}
/** The address an unsubscribe link names (404 when its subscription is gone). */
async function unsubscribeTarget(deps: Deps, p: Principal): Promise<{ subscriptionId: string; channel: Channel; address: string }> {
  if (p.kind !== 'voter' || !p.subscriptionId || !p.channel) throw new Error('voter route without an unsubscribe link');
  const channel = ChannelSchema.parse(p.channel);
  const address = await channelAddress(deps.pool, p.subscriptionId, channel);
  if (!address) throw notFound('the subscription');
  return { subscriptionId: p.subscriptionId, channel, address };
}

/** The unsubscribe page in the subscription's language (Spanish or English). */
async function unsubscribeText(deps: Deps, subscriptionId: string) {
  const lang: 'en' | 'es' = (await getSubscription(deps.pool, subscriptionId))?.language === 'es' ? 'es' : 'en';
  return { lang, x: UNSUBSCRIBE_TEXT[lang] };
}

function confirmProblem(e: ConfirmError): HttpProblem {
  switch (e.type) {
    case 'not-found': return new HttpProblem(404, 'Not Found', 'no pending channel of that kind on this subscription', { type: 'not-found' });
    case 'no-code': return new HttpProblem(409, 'No code', 'no code has been sent to this address yet: ask for a new code', { type: 'no-code' });
    case 'expired': return new HttpProblem(422, 'Code expired', 'this code has expired: ask for a new code', { type: 'code-expired' });
    case 'locked': return new HttpProblem(423, 'Locked', 'too many wrong codes: ask for a new code', { type: 'locked' });
    case 'wrong-code': return new HttpProblem(422, 'Wrong code', `that code is not right; ${e.attemptsLeft} attempt(s) left`, { type: 'wrong-code', attemptsLeft: e.attemptsLeft });
    default: return unreachable(e);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled case ${JSON.stringify(x)}`);
}

function view(s: Subscription) {
  return {
    subscriptionId: s.id, county: s.county, status: s.status, language: s.language, contactWindow: s.window,
    channels: s.channels.map((c) => ({ channel: c.channel, address: c.address, state: c.state, ...(c.confirmedAt ? { confirmedAt: c.confirmedAt } : {}) })),
    updatedAt: s.updatedAt,
  };
}

/**
 * Asks for a code on each channel. The subscription is already stored: a failure is logged and reported per channel,
 * and the voter can ask again (POST .../code) instead of signing up twice.
 */
async function requestCodes(deps: Deps, notifier: Notifier, subscriptionId: string, channels: Channel[], requestId: string): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const channel of channels) {
    out[channel] = await notifier.requestCode({ subscriptionId, channel, requestId }).then(
      () => true,
      (err: unknown) => { deps.logger.error({ err, subscriptionId, channel }, 'confirmation code request failed'); return false; },
    );
  }
  return out;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const UNSUBSCRIBE_TEXT = {
  en: { title: 'Unsubscribe', ask: (a: string) => `Stop ballot notices to ${a}?`, button: 'Unsubscribe', done: (a: string) => `${a} will receive no more ballot notices.` },
  es: { title: 'Cancelar suscripción', ask: (a: string) => `¿Dejar de enviar avisos de su boleta a ${a}?`, button: 'Cancelar suscripción', done: (a: string) => `${a} ya no recibirá avisos de su boleta.` },
} as const;

function page(lang: 'en' | 'es', title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main>${body}</main></body></html>`;
}

export const voterRoutes = [
  route({
    operationId: 'voterLookup', method: 'post', path: '/api/voter/lookup', tag: 'voter',
    policy: { public: 'a voter finds their own record with no account; rate limited per address and per identity', limit: 'voter-lookup' },
    summary: 'Find a voter\'s record by first and last name, date of birth and residence ZIP',
    description: 'Matching ignores case, accents, spaces and punctuation in names. One match answers `found` with a short-lived lookup token (for sign-up) and the ballot\'s current status; several matches answer `need-voter-id` (send again with `voterId`); none answers `not-found`. Always 200, and never the date of birth or an address.',
    body: LookupBody,
    responses: { 200: { description: '`{result: found | need-voter-id | not-found}`' }, 422: { description: 'invalid name, date or ZIP' } },
    handler: async ({ body, deps }) => {
      const all = await findVotersByLookupHash(deps.pool, voterLookupHash(body));
      const matches = body.voterId ? all.filter((v) => v.voterId.toUpperCase() === body.voterId!.toUpperCase()) : all;
      // Every answer has the same status and the same keys, so a response tells no more than its `result`.
      if (matches.length === 0) return { status: 200, json: { result: 'not-found', lookupToken: null, ballot: null } };
      if (matches.length > 1) return { status: 200, json: { result: 'need-voter-id', lookupToken: null, ballot: null } };
      const v = matches[0]!;
      const now = await latestBallotStatus(deps.pool, v.ballotId);
      return {
        status: 200,
        json: {
          result: 'found',
          lookupToken: signLookupToken(v.county, v.voterId),
          ballot: { county: v.county, status: now?.status ?? null, ...(now?.expectedWindow ? { expectedWindow: now.expectedWindow } : {}) },
        },
      };
    },
  }),
  route({
    operationId: 'voterBallot', method: 'get', path: '/api/voter/ballot', tag: 'voter',
    policy: { voter: 'lookup', token: { in: 'query', field: 'token' } },
    summary: 'Read the voter\'s current ballot through the lookup token: its status, reasons, cure and history',
    description: 'The latest-issue ballot of the voter the lookup token found, as the voter sees it: the current status (`issued` before the first status event), each reason with its label and how to fix it in English and Spanish, the expected delivery window while the ballot is on its way, the cure form and deadline while a signature problem can be cured (`cure-pending`), the county\'s name and phone, and every status change in order. No name, voter id, ballot id or barcode.',
    query: TokenQuery,
    responses: { 200: { description: 'the ballot', schema: VoterBallotSchema }, 403: { description: 'expired or invalid lookup token' }, 404: { description: 'no ballot for this voter' } },
    handler: async ({ deps, principal }) => {
      const { county, voterId } = voterOf(principal);
      const view = await voterBallotView(deps.pool, county, voterId);
      if (!view) throw notFound('a ballot for this voter');
      return { status: 200, json: view };
    },
  }),
  route({
    operationId: 'voterSubscribe', method: 'post', path: '/api/voter/subscriptions', tag: 'voter',
    policy: { voter: 'lookup', token: { in: 'body', field: 'lookupToken' }, limit: 'voter-write' },
    summary: 'Subscribe to ballot notices by email, text or voice, with the consent text agreed to',
    description: 'Takes the lookup token from a `found` lookup. Each channel is pending until its address is confirmed with the one-time code sent to it (double opt-in). The consent is recorded per channel with its time, source and exact text. The answer carries the signed manage link.',
    body: SubscribeBody,
    responses: { 201: { description: 'subscribed; channels pending their codes' }, 403: { description: 'the lookup token is expired or not a lookup token' }, 404: { description: 'the voter record is gone' }, 422: { description: 'invalid address or choice' } },
    handler: async ({ body, deps, principal }) => {
      const notifier = needNotifier(deps);
      const { county, voterId } = voterOf(principal);
      const voter = await getVoter(deps.pool, county, voterId);
      if (!voter) throw notFound('the voter record');
      const channels: ChannelAddress[] = body.channels;
      const sub = await createSubscription(deps.pool, {
        county: voter.county, voterId: voter.voterId, language: body.language, window: body.contactWindow ?? defaultContactWindow('sms'),
        channels, consentText: body.consentText, source: body.source,
      });
      // A new subscription id each time: "signup" is this subscription's one first-code request.
      const requested = await requestCodes(deps, notifier, sub.id, sub.channels.map((c) => c.channel), 'signup');
      const manageToken = signManageToken(sub.id);
      return {
        status: 201,
        json: {
          subscriptionId: sub.id, manageToken, manageUrl: manageUrl(manageToken),
          pending: sub.channels.map((c) => ({ channel: c.channel, address: c.address, codeRequested: requested[c.channel] ?? false })),
        },
      };
    },
  }),
  route({
    operationId: 'voterConfirmChannel', method: 'post', path: '/api/voter/subscriptions/:id/confirm', tag: 'voter',
    policy: { voter: 'manage', token: { in: 'body', field: 'manageToken' }, subscriptionParam: 'id', limit: 'voter-write' },
    summary: 'Confirm a channel\'s address with the one-time code sent to it',
    description: 'Five wrong codes lock the channel until a new code is sent. A confirmed channel receives the ballot\'s current status once, then new notices as they happen.',
    params: IdParams,
    body: z.object({ channel: ChannelSchema, code: z.string().trim().regex(/^\d{4,8}$/, 'must be the digits of the code'), manageToken: TokenSchema }),
    responses: { 200: { description: 'confirmed' }, 403: { description: 'bad manage token' }, 404: { description: 'no such pending channel' }, 409: { description: 'no code sent yet' }, 422: { description: 'wrong or expired code' }, 423: { description: 'locked after too many wrong codes' } },
    handler: async ({ params, body, deps }) => {
      const notifier = needNotifier(deps);
      const r = await confirmChannel(deps.pool, { subscriptionId: params.id, channel: body.channel, code: body.code, source: 'web' });
      if (!r.ok) throw confirmProblem(r.error);
      // Only the first confirmation asks for the current status, so a repeated confirm sends nothing twice.
      if (r.value.newlyConfirmed) {
        await notifier.channelConfirmed({ subscriptionId: params.id, channel: body.channel })
          .catch((err: unknown) => deps.logger.error({ err, subscriptionId: params.id, channel: body.channel }, 'current-status request failed'));
      }
      return { status: 200, json: { subscriptionId: params.id, channel: body.channel, state: 'confirmed', alreadyConfirmed: !r.value.newlyConfirmed } };
    },
  }),
  route({
    operationId: 'voterRequestCode', method: 'post', path: '/api/voter/subscriptions/:id/code', tag: 'voter',
    policy: { voter: 'manage', token: { in: 'body', field: 'manageToken' }, subscriptionParam: 'id', limit: 'voter-write' },
    summary: 'Send a new confirmation code to a pending (or locked) channel',
    params: IdParams,
    body: z.object({ channel: ChannelSchema, manageToken: TokenSchema }),
    responses: { 202: { description: 'a new code is on its way' }, 403: { description: 'bad manage token' }, 404: { description: 'no such pending channel' } },
    handler: async ({ params, body, deps, requestId }) => {
      const notifier = needNotifier(deps);
      if (!(await requestNewCode(deps.pool, params.id, body.channel))) throw new HttpProblem(404, 'Not Found', 'no pending channel of that kind on this subscription', { type: 'not-found' });
      const requested = await requestCodes(deps, notifier, params.id, [body.channel], requestId);
      if (!requested[body.channel]) throw new HttpProblem(503, 'Unavailable', 'the code could not be sent now; try again shortly');
      return { status: 202, json: { subscriptionId: params.id, channel: body.channel, codeRequested: true } };
    },
  }),
  route({
    operationId: 'voterGetSubscription', method: 'get', path: '/api/voter/subscriptions/manage', tag: 'voter',
    policy: { voter: 'manage', token: { in: 'query', field: 'token' } },
    summary: 'Read a subscription through its signed manage link',
    query: TokenQuery,
    responses: { 200: { description: 'the subscription' }, 403: { description: 'expired or invalid link' }, 404: { description: 'no such subscription' } },
    handler: async ({ deps, principal }) => {
      const id = subscriptionOf(principal);
      const s = await getSubscription(deps.pool, id);
      if (!s) throw notFound('the subscription');
      return { status: 200, json: view(s) };
    },
  }),
  route({
    operationId: 'voterChangeSubscription', method: 'put', path: '/api/voter/subscriptions/manage', tag: 'voter',
    policy: { voter: 'manage', token: { in: 'query', field: 'token' }, limit: 'voter-write' },
    summary: 'Change language, contact hours or channels through the signed manage link',
    description: 'Fields left out stay as they are. `channels`, when given, is the whole list wanted: a channel left out is withdrawn (recorded as such), and a new channel or address needs `consentText` and a new code.',
    query: TokenQuery,
    body: ManageBody,
    responses: { 200: { description: 'changed' }, 403: { description: 'expired or invalid link' }, 404: { description: 'no such subscription' }, 409: { description: 'cancelled' }, 422: { description: 'invalid, or consent text missing for an added channel' } },
    handler: async ({ body, deps, requestId, principal }) => {
      const id = subscriptionOf(principal);
      const notifier = needNotifier(deps);
      const r = await updateSubscription(deps.pool, id, {
        ...(body.language ? { language: body.language } : {}),
        ...(body.contactWindow ? { window: body.contactWindow } : {}),
        ...(body.channels ? { channels: body.channels } : {}),
        ...(body.consentText !== undefined ? { consentText: body.consentText } : {}),
        source: 'web',
      });
      if (!r.ok) {
        if (r.error.type === 'not-found') throw notFound('the subscription');
        if (r.error.type === 'cancelled') throw new HttpProblem(409, 'Cancelled', 'this subscription was cancelled: sign up again', { type: 'closed' });
        throw new HttpProblem(422, 'Invalid request', `body.consentText: required to add ${r.error.channels.join(', ')}`, { errors: [{ field: 'body.consentText', message: 'required when a channel is added' }] });
      }
      const requested = await requestCodes(deps, notifier, id, r.value.added, requestId);
      return { status: 200, json: { ...view(r.value.subscription), added: r.value.added.map((channel) => ({ channel, codeRequested: requested[channel] ?? false })), removed: r.value.removed } };
    },
  }),
  route({
    operationId: 'voterCancelSubscription', method: 'delete', path: '/api/voter/subscriptions/manage', tag: 'voter',
    policy: { voter: 'manage', token: { in: 'query', field: 'token' } },
    summary: 'Cancel a subscription through the signed manage link',
    query: TokenQuery,
    responses: { 200: { description: 'cancelled (or already)' }, 403: { description: 'expired or invalid link' }, 404: { description: 'no such subscription' } },
    handler: async ({ deps, principal }) => {
      const id = subscriptionOf(principal);
      const r = await cancelSubscription(deps.pool, id, 'web');
      if (!r.ok) throw notFound('the subscription');
      return { status: 200, json: { subscriptionId: id, status: 'cancelled', alreadyCancelled: r.value.alreadyCancelled } };
    },
  }),
  route({
    operationId: 'voterUnsubscribePage', method: 'get', path: '/api/voter/unsubscribe', tag: 'voter',
    policy: { voter: 'unsubscribe', token: { in: 'query', field: 'token' } },
    summary: 'The page an email\'s unsubscribe link opens: asks to confirm, changes nothing',
    description: 'A GET never unsubscribes: mail scanners and link previews fetch links in emails, and would silently end a voter\'s ballot notices (RFC 8058 §4). The page POSTs to the same URL.',
    query: TokenQuery,
    responses: { 200: { description: 'HTML for browsers, JSON otherwise', contentType: 'text/html, application/json' }, 403: { description: 'invalid link' }, 404: { description: 'no such subscription' } },
    handler: async ({ deps, accepts, req, principal }) => {
      const { subscriptionId, channel, address } = await unsubscribeTarget(deps, principal);
      if (!accepts('text/html')) return { status: 200, json: { channel, address, unsubscribe: 'POST to this URL' } };
      const { lang, x } = await unsubscribeText(deps, subscriptionId);
      // The form posts the RFC 8058 body, so the button and a mail client's one-click take the same path.
      const body = `<h1>${escapeHtml(x.title)}</h1><p>${escapeHtml(x.ask(address))}</p><form method="post" action="${escapeHtml(req.originalUrl)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(x.button)}</button></form>`;
      return { status: 200, text: page(lang, x.title, body), contentType: 'text/html; charset=utf-8' };
    },
  }),
  route({
    operationId: 'voterUnsubscribe', method: 'post', path: '/api/voter/unsubscribe', tag: 'voter',
    policy: { voter: 'unsubscribe', token: { in: 'query', field: 'token' } },
    summary: 'Unsubscribe the address of an email\'s link: RFC 8058 one-click (`List-Unsubscribe=One-Click`) or the page\'s button',
    description: 'Opts the address out on that channel for every subscription that uses it, with a withdrawn consent record. Repeating it changes nothing. The body is not needed: the signed token says what to unsubscribe.',
    query: TokenQuery,
    responses: { 200: { description: 'unsubscribed', contentType: 'application/json, text/html' }, 403: { description: 'invalid link' }, 404: { description: 'no such subscription' } },
    handler: async ({ deps, accepts, principal }) => {
      const { subscriptionId, channel, address } = await unsubscribeTarget(deps, principal);
      const r = await optOutAddress(deps.pool, channel, address, 'email', 'email unsubscribe link (List-Unsubscribe=One-Click)');
      if (accepts('text/html')) {
        const { lang, x } = await unsubscribeText(deps, subscriptionId);
        return { status: 200, text: page(lang, x.title, `<h1>${escapeHtml(x.title)}</h1><p>${escapeHtml(x.done(address))}</p>`), contentType: 'text/html; charset=utf-8' };
      }
      return { status: 200, json: { result: 'unsubscribed', channel, alreadyUnsubscribed: r.subscriptionIds.length === 0 } };
    },
  }),
];

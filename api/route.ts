/**
 * The route table. Each route declares its method, path, zod schemas and handler in one place; one generic
 * middleware validates, replays Idempotency-Key retries, writes the audit row and sends the reply, and the
 * OpenAPI document is generated from the same declarations.
 */
import { createHash } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { appendAudit } from '../db/audit';
import { completeKey, releaseKey, reserveKey } from '../db/idempotency';
import type { Config } from '../runtime/config';
import { decide, listScopeOf, type ListScope, type Principal, type StaffRole } from '../domain/access';
import { LookupQuerySchema, lookupKey } from '../domain/notify/match';
import { resourceScope, type ResourceKind } from '../db/scope';
import { rateLimit } from 'express-rate-limit';
import { authenticateStaff, voterFromLink, type AuthDeps, type VoterLink } from './auth';
import { HttpProblem, notFound, sendProblem, toProblem, validationProblem } from './problem';

export interface Deps {
  pool: Pool;
  client: Client;
  cfg: Pick<Config, 'TASK_QUEUE'> & { searchAttributes: boolean; maxHistoryEvents?: number; uploadDir?: string; maxUploadBytes?: number; voterLimits?: Partial<VoterLimits> };
  logger: Logger;
  notifier?: import('./notifier').Notifier;
  /** Verifies SSO bearer tokens; set when OIDC_ISSUER is configured. */
  oidc?: AuthDeps['oidc'];
}

/**
 * Every route says who may call it, and api/route.ts enforces it in one place (issue 5):
 * - `public`: anyone, with the reason it must be public and its rate limit;
 * - `voter`: a voter holding a signed link of that kind, read from the named field (of the query, the body, or a
 *   request header: a voter account's token comes as `X-Account-Token`);
 * - `roles`: staff and feeds with one of these roles, on a resource in their scope. `resource` names where the
 *   request says which election, contract, file, ballot or county it is about; one outside the caller's scope
 *   answers 404 like one that does not exist. `only` narrows a role further (a feed uploads scan files only).
 */
export type Policy =
  | { public: string; limit: 'voter-lookup' | 'voter-write' }
  | { voter: VoterLink; token: { in: 'query' | 'body' | 'header'; field: string }; subscriptionParam?: string; limit?: 'voter-write' }
  | {
      roles: readonly StaffRole[];
      resource?: { kind: ResourceKind; in: 'params' | 'body' | 'query'; field: string };
      only?: Partial<Record<StaffRole, (input: { params: unknown; query: unknown; body: unknown }) => string | null>>;
      /** Reads of data this sensitive (the audit export) are audited too. */
      auditReads?: true;
    };

export interface VoterLimits {
  windowMs: number;
  lookupsPerIp: number;
  lookupsPerIdentity: number;
  voterWritesPerIp: number;
}
export const DEFAULT_VOTER_LIMITS: VoterLimits = { windowMs: 10 * 60_000, lookupsPerIp: 30, lookupsPerIdentity: 5, voterWritesPerIp: 20 };

export interface Ctx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  deps: Deps;
  /** Who acts: the API key, SSO identity or voter link (api/auth.ts), as recorded in the audit log. */
  actor: string;
  principal: Principal;
  /** What the caller may list: handlers of list routes filter by it. */
  scope: ListScope;
  requestId: string;
  /** A stable Temporal update id for a request retried with the same Idempotency-Key. */
  updateId?: string;
  accepts: (type: string) => boolean;
  /** The raw request, for the routes that stream a body (file uploads); JSON routes use `body`. */
  req: Request;
}

export type Reply = (
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; contentType: string; headers?: Record<string, string> }
) & { /** Added to the request's audit row, e.g. a purge's reason. */ audit?: Record<string, unknown> };

type Schema = z.ZodType;
export interface Route<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express syntax: /api/elections/:id */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, { description: string; schema?: Schema; contentType?: string }>;
  /** Required: a route without a policy does not compile. */
  policy: Policy;
  handler: (ctx: Ctx<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<Reply>;
}

/** Typed at the declaration, erased in the table. */
export function route<P extends Schema = z.ZodObject<{}>, Q extends Schema = z.ZodObject<{}>, B extends Schema = z.ZodUnknown>(r: Route<P, Q, B>): Route {
  return r as unknown as Route;
}

export const isMutation = (r: Route) => r.method !== 'get';

function fingerprint(req: Request): string {
  return createHash('sha256').update(`${req.method} ${req.originalUrl}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
}

function send(res: Response, reply: Reply) {
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if ('json' in reply) res.status(reply.status).json(reply.json);
  else res.status(reply.status).type(reply.contentType).send(reply.text);
}

const PUBLIC: Principal = { kind: 'voter', role: 'voter', subject: 'public' };
const NOTHING: ListScope = { counties: [] };

/** A string field of a parsed request part. */
function pick(part: unknown, field: string): string | undefined {
  const v = (part as Record<string, unknown> | undefined)?.[field];
  return typeof v === 'string' ? v : undefined;
}

/** Per-IP and per-identity limits on the public voter routes (issue 5): 429 with Retry-After, as problem+json. */
function voterLimiters(deps: Deps) {
  const l = { ...DEFAULT_VOTER_LIMITS, ...deps.cfg.voterLimits };
  const handler = (req: Request, res: Response) => {
    const retry = res.getHeader('Retry-After');
    sendProblem(res, new HttpProblem(429, 'Too Many Requests', `too many requests; try again in ${retry ?? 'a few'} seconds`), String(req.id ?? ''));
  };
  const common = { windowMs: l.windowMs, standardHeaders: 'draft-7' as const, legacyHeaders: false, handler };
  const identity = (req: Request) => {
    const q = LookupQuerySchema.safeParse(req.body ?? {});
    // An unparseable lookup is refused by validation anyway; count it against the address that sent it.
    return q.success ? `who:${lookupKey(q.data)}` : `ip:${req.ip}`;
  };
  return {
    'voter-lookup': [
      rateLimit({ ...common, limit: l.lookupsPerIp, keyGenerator: (req) => `ip:${req.ip}` }),
      rateLimit({ ...common, limit: l.lookupsPerIdentity, keyGenerator: identity }),
    ],
    'voter-write': [rateLimit({ ...common, limit: l.voterWritesPerIp, keyGenerator: (req) => `ip:${req.ip}` })],
  };
}

/**
 * The first string (or key) in a request part that Postgres cannot store, by its field path: a NUL character, or
 * a UTF-16 surrogate without its pair. Valid JSON can carry both; they are refused here, at the boundary, for
 * every route at once.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export function unstorable(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const at = `${path}.${k}`;
    if (UNSTORABLE.test(k)) return at;
    const found = unstorable(v, at, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Who a request is, as far as it got: filled in by `authorize`, read by the audit row even after a refusal. */
interface Who { principal?: Principal; scope: ListScope; county?: string }

/**
 * Authentication and authorization of one request, from the route's policy: the only place either happens.
 * Parses the parts of the request as it needs them (an id must be well formed before it is looked up). Fills in
 * `who` as it learns it, so a refusal is audited under the caller's name and the target's county.
 */
async function authorize(r: Route, req: Request, deps: Deps, parse: (part: 'params' | 'query' | 'body') => unknown, who: Who): Promise<void> {
  const p = r.policy;
  if ('public' in p) { who.principal = PUBLIC; return; }
  if ('voter' in p) {
    // Every part first: a missing token is a 422 naming the field, like any other.
    const input = { params: parse('params'), query: parse('query'), body: parse('body') };
    const token = p.token.in === 'header' ? req.header(p.token.field) : pick(input[p.token.in], p.token.field);
    who.principal = voterFromLink(p.voter, token ?? '', p.subscriptionParam ? pick(input.params, p.subscriptionParam) : undefined);
    if (who.principal.county) who.county = who.principal.county;
    return;
  }
  const principal = await authenticateStaff(req, deps as AuthDeps);
  who.principal = principal;
  if (principal.county) who.county = principal.county;
  if (decide(principal, p.roles) === 'forbidden') throw new HttpProblem(403, 'Forbidden', `a ${principal.role} may not ${r.summary.charAt(0).toLowerCase()}${r.summary.slice(1)}`);
  if (p.resource) {
    const id = pick(parse(p.resource.in), p.resource.field);
    if (id !== undefined) {
      const where = await resourceScope(deps.pool, p.resource.kind, id);
      if (where) who.county = where.county;
      if (decide(principal, p.roles, where) !== 'allow') throw notFound(`${p.resource.kind} ${id}`);
    }
  }
  const narrow = p.only?.[principal.role];
  if (narrow) {
    const refusal = narrow({ params: parse('params'), query: parse('query'), body: parse('body') });
    if (refusal) throw new HttpProblem(403, 'Forbidden', `a ${principal.role} ${refusal}`);
  }
  who.scope = listScopeOf(principal);
}

export function mount(app: Express, routes: Route[], deps: Deps): void {
  const limiters = voterLimiters(deps);
  for (const r of routes) {
    const limit = 'limit' in r.policy && r.policy.limit ? limiters[r.policy.limit] : [];
    app[r.method](r.path, ...limit, async (req: Request, res: Response) => {
      const requestId = String(req.id);
      const parsed = new Map<string, unknown>();
      const parse = (part: 'params' | 'query' | 'body'): unknown => {
        if (parsed.has(part)) return parsed.get(part);
        const schema = r[part];
        let value: unknown = {};
        if (schema) {
          const raw = (part === 'params' ? req.params : part === 'query' ? req.query : req.body) ?? {};
          const bad = unstorable(raw, part);
          if (bad) throw new HttpProblem(422, 'Invalid request', `${bad}: must not contain NUL characters or unpaired surrogates`, { errors: [{ field: bad, message: 'must not contain NUL characters or unpaired surrogates' }] });
          const out = schema.safeParse((part === 'params' ? req.params : part === 'query' ? req.query : req.body) ?? {});
          if (!out.success) throw validationProblem(part, out.error);
          value = out.data;
        }
        parsed.set(part, value);
        return value;
      };
      const idemKey = isMutation(r) ? req.header('idempotency-key') : undefined;
      let reserved = false;
      let reply: Reply | undefined;
      let problem: HttpProblem | undefined;
      const who: Who = { scope: NOTHING };
      let idem: string | undefined; // the stored key: per route and per caller
      try {
        if (isMutation(r) && r.body && !req.is('application/json')) throw new HttpProblem(415, 'Unsupported Media Type', 'send the body as application/json');
        await authorize(r, req, deps, parse, who);
        const principal = who.principal!;
        const params = parse('params');
        const query = parse('query');
        const body = parse('body');
        if (idemKey !== undefined) {
          if (!/^[A-Za-z0-9._:-]{8,200}$/.test(idemKey)) throw new HttpProblem(422, 'Invalid request', 'header Idempotency-Key: 8 to 200 letters, digits or ._:-');
          // Keys are per caller: another caller's key can neither replay nor block this one.
          idem = `${r.operationId}:${principal.subject}:${idemKey}`;
          const found = await reserveKey(deps.pool, idem, fingerprint(req));
          if (found.kind === 'replay') { send(res, { status: found.status, json: found.response, headers: { 'Idempotent-Replayed': 'true' } }); return; }
          if (found.kind === 'mismatch') throw new HttpProblem(422, 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request');
          if (found.kind === 'in-progress') throw new HttpProblem(409, 'In progress', 'a request with this Idempotency-Key is still being processed; retry shortly');
          reserved = true;
        }
        const updateId = idem ? createHash('sha256').update(idem).digest('hex').slice(0, 32) : undefined;
        reply = await r.handler({
          params, query, body, deps, actor: principal.subject, principal, scope: who.scope, requestId, req,
          accepts: (t) => req.accepts(['application/json', t]) === t,
          ...(updateId ? { updateId } : {}),
        });
        if (reserved && idem) await completeKey(deps.pool, idem, reply.status, 'json' in reply ? reply.json : null);
      } catch (e) {
        problem = toProblem(e);
        if (problem.status >= 500) deps.logger.error({ err: e, requestId, route: r.operationId }, 'request failed');
        // A refusal changed nothing: give the key back so a corrected retry can use it; record a 4xx outcome too.
        if (reserved && idem) {
          if (problem.status >= 500) await releaseKey(deps.pool, idem).catch(() => undefined);
          else await completeKey(deps.pool, idem, problem.status, { title: problem.title, status: problem.status, detail: problem.detail, ...problem.extra }).catch(() => undefined);
        }
      }
      // The audit row is written before the client hears the outcome, so an acknowledged change is audited.
      // Refused attempts (401, 403, 404) are audited too: they are what an investigation looks for.
      if (isMutation(r) || ('auditReads' in r.policy && r.policy.auditReads)) {
        const params = req.params as Record<string, string>;
        await appendAudit(deps.pool, {
          actor: who.principal?.subject ?? 'unauthenticated', ...(who.principal ? { role: who.principal.role } : {}), ...(who.county ? { county: who.county } : {}),
          action: r.operationId, target: String(params?.id ?? params?.county ?? ''), requestId,
          result: String(reply?.status ?? problem?.status ?? 500), detail: { method: r.method, path: req.path, ...(reply?.audit ?? {}), ...(problem ? { problem: problem.detail.slice(0, 500) } : {}) },
        }).catch((err) => deps.logger.error({ err, requestId }, 'audit write failed'));
      }
      if (problem) {
        if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="ballotflow"');
        sendProblem(res, problem, requestId);
      } else if (reply) send(res, reply);
    });
  }
}

/** Where a request names its resource: `on.election('params', 'id')` and so on. */
const at = (kind: ResourceKind) => (where: 'params' | 'body' | 'query' = 'params', field = 'id') => ({ kind, in: where, field });
export const on = { election: at('election'), contract: at('contract'), file: at('file'), ballot: at('ballot'), county: at('county') };
/** A staff policy. */
export const staff = (roles: readonly StaffRole[], resource?: ReturnType<ReturnType<typeof at>>, extra: Omit<Extract<Policy, { roles: unknown }>, 'roles' | 'resource'> = {}): Policy =>
  ({ roles, ...(resource ? { resource } : {}), ...extra });

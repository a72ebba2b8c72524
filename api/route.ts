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
import { HttpProblem, sendProblem, toProblem, validationProblem } from './problem';

export interface Deps {
  pool: Pool;
  client: Client;
  cfg: Pick<Config, 'TASK_QUEUE'> & { searchAttributes: boolean; maxHistoryEvents?: number; uploadDir?: string; maxUploadBytes?: number };
  logger: Logger;
  notifier?: import('./notifier').Notifier;
}

export interface Ctx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  deps: Deps;
  /** Who acts. Until authentication lands (issue 5) this is the X-Actor header. */
  actor: string;
  requestId: string;
  /** A stable Temporal update id for a request retried with the same Idempotency-Key. */
  updateId?: string;
  accepts: (type: string) => boolean;
  /** The raw request, for the routes that stream a body (file uploads); JSON routes use `body`. */
  req: Request;
}

export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; contentType: string; headers?: Record<string, string> };

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

export function mount(app: Express, routes: Route[], deps: Deps): void {
  for (const r of routes) {
    app[r.method](r.path, async (req: Request, res: Response) => {
      const requestId = String(req.id);
      const actor = (req.header('x-actor') ?? 'anonymous').slice(0, 200);
      const parse = <S extends Schema>(part: 'params' | 'query' | 'body', schema: S | undefined, value: unknown): z.infer<S> => {
        if (!schema) return {} as z.infer<S>;
        const out = schema.safeParse(value ?? {});
        if (!out.success) throw validationProblem(part, out.error);
        return out.data;
      };
      const idemKey = isMutation(r) ? req.header('idempotency-key') : undefined;
      let reserved = false;
      let reply: Reply | undefined;
      let problem: HttpProblem | undefined;
      try {
        if (isMutation(r) && r.body && !req.is('application/json')) throw new HttpProblem(415, 'Unsupported Media Type', 'send the body as application/json');
        const params = parse('params', r.params, req.params);
        const query = parse('query', r.query, req.query);
        const body = parse('body', r.body, req.body);
        if (idemKey !== undefined) {
          if (!/^[A-Za-z0-9._:-]{8,200}$/.test(idemKey)) throw new HttpProblem(422, 'Invalid request', 'header Idempotency-Key: 8 to 200 letters, digits or ._:-');
          const key = `${r.operationId}:${idemKey}`;
          const found = await reserveKey(deps.pool, key, fingerprint(req));
          if (found.kind === 'replay') { send(res, { status: found.status, json: found.response, headers: { 'Idempotent-Replayed': 'true' } }); return; }
          if (found.kind === 'mismatch') throw new HttpProblem(422, 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request');
          if (found.kind === 'in-progress') throw new HttpProblem(409, 'In progress', 'a request with this Idempotency-Key is still being processed; retry shortly');
          reserved = true;
        }
        const updateId = idemKey ? createHash('sha256').update(`${r.operationId}:${idemKey}`).digest('hex').slice(0, 32) : undefined;
        reply = await r.handler({
          params, query, body, deps, actor, requestId, req, accepts: (t) => req.accepts(['application/json', t]) === t,
          ...(updateId ? { updateId } : {}),
        });
        if (reserved && idemKey) await completeKey(deps.pool, `${r.operationId}:${idemKey}`, reply.status, 'json' in reply ? reply.json : null);
      } catch (e) {
        problem = toProblem(e);
        if (problem.status >= 500) deps.logger.error({ err: e, requestId, route: r.operationId }, 'request failed');
        // A refusal changed nothing: give the key back so a corrected retry can use it; record a 4xx outcome too.
        if (reserved && idemKey) {
          if (problem.status >= 500) await releaseKey(deps.pool, `${r.operationId}:${idemKey}`).catch(() => undefined);
          else await completeKey(deps.pool, `${r.operationId}:${idemKey}`, problem.status, { title: problem.title, status: problem.status, detail: problem.detail, ...problem.extra }).catch(() => undefined);
        }
      }
      // The audit row is written before the client hears the outcome, so an acknowledged change is audited.
      if (isMutation(r)) {
        await appendAudit(deps.pool, {
          actor, action: r.operationId, target: String((req.params as Record<string, string>)?.id ?? ''), requestId,
          result: String(reply?.status ?? problem?.status ?? 500), detail: { method: r.method, path: req.path, ...(problem ? { problem: problem.detail.slice(0, 500) } : {}) },
        }).catch((err) => deps.logger.error({ err, requestId }, 'audit write failed'));
      }
      if (problem) sendProblem(res, problem, requestId);
      else if (reply) send(res, reply);
    });
  }
}

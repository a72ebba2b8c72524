/**
 * Errors as application/problem+json (RFC 9457). Domain refusals from workflow update validators carry a
 * type ("invalid", "not-found", ...) that decides the status; nothing else of an error reaches the client.
 */
import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type TemporalFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { ZodError } from 'zod';

export class HttpProblem extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail: string, readonly extra: Record<string, unknown> = {}) {
    super(detail);
  }
}

export const notFound = (what: string) => new HttpProblem(404, 'Not Found', `${what} was not found`);

/** A zod error on a request part: the message names the field, e.g. `body.electionDate: must be a date as YYYY-MM-DD`. */
export function validationProblem(part: 'body' | 'params' | 'query', e: ZodError): HttpProblem {
  const errors = e.issues.map((i) => ({ field: [part, ...i.path.map(String)].join('.'), message: i.message }));
  return new HttpProblem(422, 'Invalid request', errors.map((x) => `${x.field}: ${x.message}`).join('; '), { errors });
}

const STATUS_BY_TYPE: Record<string, number> = { invalid: 422, 'not-found': 404, conflict: 409, 'deadline-passed': 422, closed: 409 };

export function fromTemporal(e: unknown): HttpProblem | undefined {
  if (e instanceof WorkflowUpdateFailedError) {
    const cause = e.cause as TemporalFailure | undefined;
    if (cause instanceof ApplicationFailure && cause.type && STATUS_BY_TYPE[cause.type]) {
      const d = (cause.details?.[0] ?? {}) as { field?: string };
      return new HttpProblem(STATUS_BY_TYPE[cause.type]!, titleFor(cause.type), cause.message, { type: cause.type, ...(d.field ? { field: `body.${d.field}`.replace('body.(body)', 'body') } : {}) });
    }
    return new HttpProblem(422, 'Refused', cause?.message ?? e.message);
  }
  if (e instanceof WorkflowNotFoundError) return new HttpProblem(404, 'Not Found', 'the workflow was not found');
  const msg = e instanceof Error ? e.message : '';
  if (/workflow execution already completed/i.test(msg)) return new HttpProblem(409, 'Closed', 'the workflow has already finished; nothing can change it');
  return undefined;
}

function titleFor(type: string): string {
  return ({ invalid: 'Invalid request', 'not-found': 'Not Found', conflict: 'Conflict', 'deadline-passed': 'Deadline passed', closed: 'Closed' } as Record<string, string>)[type] ?? 'Refused';
}

export function toProblem(e: unknown): HttpProblem {
  if (e instanceof HttpProblem) return e;
  const t = fromTemporal(e);
  if (t) return t;
  const status = (e as { status?: number; statusCode?: number })?.status ?? (e as { statusCode?: number })?.statusCode;
  if (status === 413) return new HttpProblem(413, 'Payload Too Large', 'the request body is larger than allowed');
  if (status === 400 && (e as { type?: string }).type === 'entity.parse.failed') return new HttpProblem(400, 'Malformed JSON', 'the request body is not valid JSON');
  if (status === 415) return new HttpProblem(415, 'Unsupported Media Type', 'send application/json');
  // Other client errors raised before a route runs (a path that is not percent-encoded UTF-8, a body whose
  // Content-Encoding does not match it): their status stands, with a fixed text that echoes nothing.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (e instanceof URIError || /decode param/i.test((e as Error)?.message ?? '')) return new HttpProblem(400, 'Bad Request', 'the path is not valid percent-encoded UTF-8');
    return new HttpProblem(status, STATUS_CODES[status] ?? 'Bad Request', 'the request could not be read (check its encoding and Content-Encoding)');
  }
  return new HttpProblem(500, 'Internal Server Error', 'something went wrong; the request id identifies it in the logs');
}

export function sendProblem(res: Response, p: HttpProblem, requestId?: string): void {
  res.status(p.status).type('application/problem+json').send(JSON.stringify({
    type: 'about:blank', title: p.title, status: p.status, detail: p.detail, ...p.extra, ...(requestId ? { requestId } : {}),
  }));
}

export function errorMiddleware(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const p = toProblem(err);
    if (p.status >= 500) logger.error({ err, requestId: req.id }, 'request failed');
    sendProblem(res, p, String(req.id ?? ''));
  };
}

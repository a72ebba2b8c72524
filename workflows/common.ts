/** Shared workflow plumbing: activity proxies and the mapping of domain refusals to update rejections. */
import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { DomainError, Result } from '../domain/election';
import type { Activities } from '../activities';

export const activities = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/**
 * Short, idempotent writes that a workflow makes on every wake (a ballot's events): run in the worker inside
 * the workflow task, so each costs one marker in history instead of a scheduled/started/completed activity
 * and a second workflow task. At 22 million ballots that is most of the server's work.
 */
export const localActivities = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** An update validator's refusal: the type (e.g. "invalid", "not-found") tells the API which HTTP status to use. */
export function reject(error: DomainError): never {
  throw ApplicationFailure.create({ type: error.type, message: error.message, details: [error], nonRetryable: true });
}

export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) reject(r.error);
  return r.value;
}

/** Parse an update's argument inside a validator; a zod error names the field. */
export function parseArg<T>(schema: { safeParse(x: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, arg: unknown): T {
  const r = schema.safeParse(arg);
  if (!r.success) {
    const i = r.error.issues[0]!;
    reject({ type: 'invalid', field: i.path.map(String).join('.') || '(body)', message: i.message });
  }
  return r.data;
}

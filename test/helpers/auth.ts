/** API keys for tests: a real key in the test database, and a supertest agent that sends it on every request. */
import type { Express } from 'express';
import type { Pool } from 'pg';
import request from 'supertest';
import { createApiKey } from '../../db/api-keys';
import type { StaffRole } from '../../domain/access';

export async function keyFor(pool: Pool, role: StaffRole, scope: { county?: string; contracts?: string[] } = {}): Promise<string> {
  const { key } = await createApiKey(pool, {
    role, ...(scope.county ? { county: scope.county } : {}), contracts: scope.contracts ?? [],
    label: `test ${role} ${scope.county ?? (scope.contracts ?? []).join(',')}`.trim(), createdBy: 'test', expiresAt: new Date(Date.now() + 86_400_000),
  });
  return key;
}

/** Every request of the agent carries `Authorization: Bearer <key>`. */
export function as(app: Express, key: string) {
  return request.agent(app).set('Authorization', `Bearer ${key}`);
}

/** A state admin agent: the role that may call every staff route. */
export async function adminAgent(app: Express, pool: Pool) {
  return as(app, await keyFor(pool, 'state-admin'));
}

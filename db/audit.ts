/** The audit log: one append-only row per state-changing request and per command sent to a workflow. */
import type { Pool } from 'pg';

export interface AuditEntry {
  actor: string;
  role?: string;
  county?: string;
  action: string;
  target?: string;
  requestId?: string;
  result: string;
  detail?: Record<string, unknown>;
}

export async function appendAudit(pool: Pool, a: AuditEntry): Promise<void> {
  await pool.query(
    `INSERT INTO audit_log (actor, role, county, action, target, request_id, result, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [a.actor, a.role ?? null, a.county ?? null, a.action, a.target ?? null, a.requestId ?? null, a.result, JSON.stringify(a.detail ?? {})],
  );
}

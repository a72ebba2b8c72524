/**
 * API keys for staff and feeds (issue 5). A key reads `bfk_<id>_<secret>`: the id finds the row, the secret is
 * checked against its stored SHA-256 in constant time. The key is returned once, by `createApiKey`, and never
 * stored. Keys expire and can be revoked; no key row is ever deleted.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import { StaffPrincipalSchema, type StaffPrincipal, type StaffRole } from '../domain/access';

const KEY = /^bfk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewKey {
  role: StaffRole;
  county?: string;
  contracts?: string[];
  label: string;
  createdBy: string;
  expiresAt: Date;
}

export interface KeyRow {
  id: string;
  role: StaffRole;
  county: string | null;
  contracts: string[];
  label: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export const isApiKey = (token: string) => token.startsWith('bfk_');

/** Stores a key and returns it (the only time it exists in the clear). The scope is checked like a principal's. */
export async function createApiKey(pool: Pool, k: NewKey): Promise<{ id: string; key: string }> {
  const check = StaffPrincipalSchema.safeParse({ kind: 'staff', subject: k.label, role: k.role, county: k.county, contracts: k.contracts ?? [], via: 'api-key' });
  if (!check.success) throw new Error(check.error.issues.map((i) => `${i.path.join('.') || 'key'}: ${i.message}`).join('; '));
  if (!(k.expiresAt.getTime() > Date.now())) throw new Error('expiresAt: must be in the future');
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await pool.query(
    `INSERT INTO api_keys (id, secret_hash, role, county, contracts, label, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, sha256(secret).toString('hex'), k.role, k.county ?? null, k.contracts ?? [], k.label, k.createdBy, k.expiresAt],
  );
  return { id, key: `bfk_${id}_${secret}` };
}

export type KeyCheck = { ok: true; principal: StaffPrincipal } | { ok: false; reason: 'malformed' | 'unknown' | 'expired' | 'revoked' };

/** The principal a presented key stands for, or why it does not stand for one. */
export async function verifyApiKey(pool: Pool, key: string, now = new Date()): Promise<KeyCheck> {
  const m = KEY.exec(key);
  if (!m) return { ok: false, reason: 'malformed' };
  const r = await pool.query<{ secret_hash: string; role: StaffRole; county: string | null; contracts: string[]; label: string; expires_at: Date; revoked_at: Date | null }>(
    'SELECT secret_hash, role, county, contracts, label, expires_at, revoked_at FROM api_keys WHERE id = $1', [m[1]],
  );
  const row = r.rows[0];
  // Compare even when the id is unknown, so the answer takes as long either way.
  const given = sha256(m[2]!);
  const stored = row ? Buffer.from(row.secret_hash, 'hex') : sha256(`absent:${m[2]}`);
  if (!timingSafeEqual(given, stored) || !row) return { ok: false, reason: 'unknown' };
  if (row.revoked_at) return { ok: false, reason: 'revoked' };
  if (row.expires_at <= now) return { ok: false, reason: 'expired' };
  const principal = StaffPrincipalSchema.parse({
    kind: 'staff', subject: `key:${m[1]} (${row.label})`, role: row.role, contracts: row.contracts, via: 'api-key', keyId: m[1],
    ...(row.county ? { county: row.county } : {}),
  });
  return { ok: true, principal };
}

export async function listApiKeys(pool: Pool): Promise<KeyRow[]> {
  const r = await pool.query<KeyRow>(
    `SELECT id, role, county, contracts, label, created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"
     FROM api_keys ORDER BY created_at, id`,
  );
  return r.rows;
}

/** Revokes a key; revoking it again changes nothing. False when there is no such key. */
export async function revokeApiKey(pool: Pool, id: string, by: string): Promise<boolean> {
  const r = await pool.query(`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()), revoked_by = COALESCE(revoked_by, $2) WHERE id = $1`, [id, by]);
  return (r.rowCount ?? 0) > 0;
}

export async function hasActiveKey(pool: Pool, role: StaffRole): Promise<boolean> {
  const r = await pool.query('SELECT 1 FROM api_keys WHERE role = $1 AND revoked_at IS NULL AND expires_at > now() LIMIT 1', [role]);
  return (r.rowCount ?? 0) > 0;
}

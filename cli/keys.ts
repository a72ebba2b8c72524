/**
 * `ballotflow keys create|list|revoke`: API keys for staff and feeds (issue 5). A key is printed once, when it is
 * created; only its hash is stored. Talks to DATABASE_URL, or to `npm start`'s embedded Postgres when unset.
 * Every create and revoke is written to the audit log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { Pool } from 'pg';
import { appendAudit } from '../db/audit';
import { createApiKey, hasActiveKey, listApiKeys, revokeApiKey } from '../db/api-keys';
import { createPool } from '../db/pool';
import { STAFF_ROLES, StaffRoleSchema, type StaffRole } from '../domain/access';
import { loadConfig } from '../runtime/config';
import { embeddedPostgresUrl } from '../runtime/postgres';

const DAY = 86_400_000;

/** "90d", "12h" or an ISO date. */
export function parseExpiry(s: string, now = Date.now()): Date {
  const rel = /^(\d{1,4})([dh])$/.exec(s);
  if (rel) return new Date(now + Number(rel[1]) * (rel[2] === 'd' ? DAY : DAY / 24));
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new Error(`--expires: "${s}" is not a duration like 90d or 12h, nor a date`);
  return new Date(t);
}

function operator(): string {
  try { return `cli:${os.userInfo().username}@${os.hostname()}`; } catch { return `cli@${os.hostname()}`; }
}

export async function createKeyCommand(pool: Pool, o: { role: string; county?: string; contract?: string[]; label?: string; expires: string; by?: string }): Promise<{ id: string; key: string; expiresAt: Date }> {
  const role = StaffRoleSchema.safeParse(o.role);
  if (!role.success) throw new Error(`--role: must be one of ${STAFF_ROLES.join(', ')}`);
  const expiresAt = parseExpiry(o.expires);
  const by = o.by ?? operator();
  const label = o.label ?? [role.data, o.county, ...(o.contract ?? [])].filter(Boolean).join(' ');
  const made = await createApiKey(pool, { role: role.data, ...(o.county ? { county: o.county } : {}), contracts: o.contract ?? [], label, createdBy: by, expiresAt });
  await appendAudit(pool, { actor: by, action: 'createApiKey', target: made.id, result: 'created', ...(o.county ? { county: o.county } : {}), detail: { role: role.data, contracts: o.contract ?? [], label, expiresAt } });
  return { ...made, expiresAt };
}

/**
 * `npm start` on a fresh data directory: the first state admin key, so the local system can be used at once. It is
 * saved next to the data (mode 0600) for the CLI and printed once.
 */
export async function bootstrapStateAdminKey(pool: Pool, dataDir: string): Promise<{ file: string; key?: string }> {
  const file = path.join(dataDir, 'state-admin.key');
  if (await hasActiveKey(pool, 'state-admin')) return { file };
  const made = await createKeyCommand(pool, { role: 'state-admin', label: 'local state admin (npm start)', expires: '365d', by: 'ballotflow start' });
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${made.key}\n`, { mode: 0o600 });
  return { file, key: made.key };
}

/** The key the CLI sends: --key, BALLOTFLOW_API_KEY, or the local state admin key `npm start` saved. */
export function cliApiKey(given?: string): string | undefined {
  if (given) return given;
  if (process.env.BALLOTFLOW_API_KEY) return process.env.BALLOTFLOW_API_KEY;
  const file = path.join(loadConfig().BALLOTFLOW_DATA_DIR, 'state-admin.key');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

async function withPool<T>(f: (pool: Pool) => Promise<T>): Promise<T> {
  const cfg = loadConfig();
  const pool = createPool(cfg.DATABASE_URL ?? embeddedPostgresUrl(cfg.EMBEDDED_PG_PORT));
  try { return await f(pool); } finally { await pool.end(); }
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys for staff and feeds (DATABASE_URL, or the running npm start)');
  keys.command('create')
    .description('create a key and print it once')
    .requiredOption('--role <role>', STAFF_ROLES.join(' | '))
    .option('--county <county>', 'the county of a county-manager, e.g. fresno')
    .option('--contract <id>', 'a contract of a vendor or contract-manager (repeatable), e.g. contract:fresno:15-584', collect)
    .option('--label <text>', 'who or what holds the key')
    .option('--expires <when>', 'a duration (90d, 12h) or a date', '90d')
    .action(async (o: { role: StaffRole; county?: string; contract?: string[]; label?: string; expires: string }) => {
      try {
        const made = await withPool((pool) => createKeyCommand(pool, o));
        process.stdout.write(`${made.key}\n`);
        process.stderr.write(`key ${made.id} (${o.role}${o.county ? ` ${o.county}` : ''}${o.contract ? ` ${o.contract.join(', ')}` : ''}) expires ${made.expiresAt.toISOString()}. It is shown only now: store it in a secret manager.\n`);
      } catch (e) {
        console.error(`ballotflow keys create: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(2);
      }
    });
  keys.command('list').description('list keys (never the keys themselves)').action(async () => {
    const rows = await withPool(listApiKeys);
    for (const k of rows) {
      const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : k.expiresAt <= new Date() ? 'expired' : `expires ${k.expiresAt.toISOString()}`;
      process.stdout.write(`${k.id}  ${k.role.padEnd(16)} ${(k.county ?? k.contracts.join(',')).padEnd(28)} ${state}  ${k.label}\n`);
    }
  });
  keys.command('revoke <id>').description('revoke a key at once').action(async (id: string) => {
    const ok = await withPool(async (pool) => {
      const found = await revokeApiKey(pool, id, operator());
      await appendAudit(pool, { actor: operator(), action: 'revokeApiKey', target: id, result: found ? 'revoked' : 'not-found' });
      return found;
    });
    if (!ok) { console.error(`ballotflow keys revoke: no key ${id}`); process.exit(2); }
    process.stdout.write(`revoked ${id}\n`);
  });
}

/**
 * Optional voter accounts (web portal): an email and password, and the lookups the voter chose to keep. A voter
 * needs no account for anything (look up, sign up for notices, manage them by link); an account only saves typing.
 *
 * Passwords are hashed with scrypt (node:crypto): a random 16-byte salt per password, the cost parameters stored
 * with the hash as `scrypt$N$r$p$salt$hash` (salt and hash base64), so they can be raised later without breaking
 * the hashes already stored. Checking compares in constant time, and a sign-in for an address with no account does
 * the same scrypt work against a stand-in hash, so the time taken does not say whether the address has an account.
 */
import { randomBytes, randomUUID, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';

// ---------- passwords ----------

/** N = 2^15, r = 8, p = 1: 32 MiB and about a tenth of a second per hash on a server core. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

function scryptAsync(password: string, salt: Buffer, keyLength: number, o: { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs about 128 * N * r bytes; the default limit (32 MiB) is just short of N = 2^15, r = 8.
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** The password as typed, in one Unicode form, so the same password typed on another device still matches. */
const normalized = (password: string) => password.normalize('NFKC');

export async function hashPassword(password: string, params: { N: number; r: number; p: number } = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(normalized(password), salt, KEY_LENGTH, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Parameters read back from a stored hash are bounded, so a damaged row cannot make one check take minutes. */
function parseHash(stored: string): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } | undefined {
  const m = /^scrypt\$(\d{1,8})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/.exec(stored);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const powerOfTwo = N >= 2 ** 10 && N <= 2 ** 20 && (N & (N - 1)) === 0;
  if (!powerOfTwo || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  if (salt.length < 16 || hash.length < 16) return undefined;
  return { N, r, p, salt, hash };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const typed = await scryptAsync(normalized(password), h.salt, h.hash.length, h);
  return typed.length === h.hash.length && timingSafeEqual(typed, h.hash);
}

/**
 * What a sign-in for an unknown address is checked against: the current parameters, a fixed salt and a hash no
 * password has (all zero bytes), so the check costs the same scrypt work and always fails.
 */
const STAND_IN_HASH = `scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$${Buffer.alloc(SALT_BYTES, 7).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;

// ---------- accounts ----------

export const SavedLookupIdSchema = z.string().regex(/^lkp-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a saved lookup id, lkp-<uuid>');

export interface VoterAccount {
  id: string;
  email: string;
  createdAt: Date;
}

const ACCOUNT_COLUMNS = `id, email, created_at AS "createdAt"`;

/** A new account, or `exists` when the address already has one (the caller answers 409). */
export async function createAccount(pool: Pool, email: string, password: string): Promise<{ ok: true; account: VoterAccount } | { ok: false; error: 'exists' }> {
  const address = email.toLowerCase();
  // Checked first so a taken address costs no hashing; the unique index decides a race.
  const taken = await pool.query('SELECT 1 FROM voter_accounts WHERE email = $1', [address]);
  if (taken.rowCount) return { ok: false, error: 'exists' };
  const hash = await hashPassword(password);
  const r = await pool.query<VoterAccount>(
    `INSERT INTO voter_accounts (id, email, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
    [`acct-${randomUUID()}`, address, hash],
  );
  return r.rows[0] ? { ok: true, account: r.rows[0] } : { ok: false, error: 'exists' };
}

export async function getAccount(pool: Pool, id: string): Promise<VoterAccount | undefined> {
  const r = await pool.query<VoterAccount>(`SELECT ${ACCOUNT_COLUMNS} FROM voter_accounts WHERE id = $1`, [id]);
  return r.rows[0];
}

/**
 * The account whose email and password these are, or undefined. An unknown address and a wrong password take the
 * same path and the same scrypt work, and the caller answers both alike.
 */
export async function checkSignIn(pool: Pool, email: string, password: string): Promise<VoterAccount | undefined> {
  const r = await pool.query<VoterAccount & { passwordHash: string }>(
    `SELECT ${ACCOUNT_COLUMNS}, password_hash AS "passwordHash" FROM voter_accounts WHERE email = $1`,
    [email.toLowerCase()],
  );
  const row = r.rows[0];
  const ok = await verifyPassword(password, row?.passwordHash ?? STAND_IN_HASH);
  if (!row || !ok) return undefined;
  return { id: row.id, email: row.email, createdAt: row.createdAt };
}

// ---------- saved lookups ----------

export interface SavedLookup {
  id: string;
  county: string;
  voterId: string;
  savedAt: Date;
  /** The voter record's current ballot; null when the record is gone (the retention purge). */
  ballotId: string | null;
  electionId: string | null;
}

const LOOKUP_COLUMNS = `l.id, l.county, l.voter_id AS "voterId", l.saved_at AS "savedAt", v.ballot_id AS "ballotId", v.election_id AS "electionId"`;

/** Saves a voter record to the account; saving it again answers the same id with `created: false`. */
export async function saveLookup(pool: Pool, accountId: string, county: string, voterId: string): Promise<{ id: string; created: boolean }> {
  const r = await pool.query<{ id: string }>(
    `INSERT INTO voter_account_lookups (id, account_id, county, voter_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account_id, county, voter_id) DO NOTHING RETURNING id`,
    [`lkp-${randomUUID()}`, accountId, county, voterId],
  );
  if (r.rows[0]) return { id: r.rows[0].id, created: true };
  const found = await pool.query<{ id: string }>('SELECT id FROM voter_account_lookups WHERE account_id = $1 AND county = $2 AND voter_id = $3', [accountId, county, voterId]);
  return { id: found.rows[0]!.id, created: false };
}

/** The account's saved lookups, oldest first. */
export async function listLookups(pool: Pool, accountId: string): Promise<SavedLookup[]> {
  const r = await pool.query<SavedLookup>(
    `SELECT ${LOOKUP_COLUMNS} FROM voter_account_lookups l LEFT JOIN voters v ON v.county = l.county AND v.voter_id = l.voter_id
     WHERE l.account_id = $1 ORDER BY l.saved_at, l.id`,
    [accountId],
  );
  return r.rows;
}

/** One saved lookup of this account; another account's is not found, exactly like one that does not exist. */
export async function getLookup(pool: Pool, accountId: string, id: string): Promise<SavedLookup | undefined> {
  const r = await pool.query<SavedLookup>(
    `SELECT ${LOOKUP_COLUMNS} FROM voter_account_lookups l LEFT JOIN voters v ON v.county = l.county AND v.voter_id = l.voter_id
     WHERE l.account_id = $1 AND l.id = $2`,
    [accountId, id],
  );
  return r.rows[0];
}

export async function forgetLookup(pool: Pool, accountId: string, id: string): Promise<boolean> {
  const r = await pool.query('DELETE FROM voter_account_lookups WHERE account_id = $1 AND id = $2', [accountId, id]);
  return r.rowCount === 1;
}

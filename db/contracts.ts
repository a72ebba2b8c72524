/** Contracts: registration and the latest ledger projection written by the contract workflow. */
import { isDeepStrictEqual } from 'node:util';
import type { Pool } from 'pg';
import type { ListScope } from '../domain/access';
import { ContractTermsSchema, type Contract } from '../domain/contract';
import type { ContractSnapshot } from '../workflows/contract/messages';

export type InsertOutcome = 'created' | 'identical' | 'different';

/** Registers a contract once; a retry with the same terms is harmless, other terms are a conflict. */
export async function insertContract(pool: Pool, c: Contract): Promise<InsertOutcome> {
  const r = await pool.query(
    `INSERT INTO contracts (id, county, number, vendor, terms) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING`,
    [c.id, c.county, c.number, c.vendor, JSON.stringify(c)],
  );
  if (r.rowCount === 1) return 'created';
  const existing = await getContract(pool, c.id);
  // jsonb does not keep key order: compare values, not text.
  return existing && isDeepStrictEqual(existing, c) ? 'identical' : 'different';
}

export async function getContract(pool: Pool, id: string): Promise<Contract | undefined> {
  const r = await pool.query<{ terms: unknown }>('SELECT terms FROM contracts WHERE id = $1', [id]);
  if (!r.rows[0]) return undefined;
  return { ...ContractTermsSchema.parse(r.rows[0].terms), id: id as Contract['id'] };
}

/** `scope` is the caller's (domain/access ListScope): a county manager lists one county, a vendor its contracts. */
export async function listContracts(pool: Pool, county?: string, scope: ListScope = { all: true }): Promise<{ id: string; county: string; number: string; vendor: string; createdAt: Date }[]> {
  const r = await pool.query(
    `SELECT id, county, number, vendor, created_at AS "createdAt" FROM contracts
     WHERE ($1::text IS NULL OR county = $1)
       AND ($2::text[] IS NULL OR county = ANY($2)) AND ($3::text[] IS NULL OR id = ANY($3))
     ORDER BY county, number`,
    [county ?? null, 'counties' in scope ? scope.counties : null, 'contracts' in scope ? scope.contracts : null],
  );
  return r.rows;
}

export async function saveLedger(pool: Pool, s: ContractSnapshot): Promise<void> {
  await pool.query(
    `INSERT INTO contract_ledgers (contract_id, snapshot, as_of) VALUES ($1, $2, $3)
     ON CONFLICT (contract_id) DO UPDATE SET snapshot = EXCLUDED.snapshot, as_of = EXCLUDED.as_of, updated_at = now()
     WHERE contract_ledgers.as_of <= EXCLUDED.as_of`,
    [s.id, JSON.stringify(s), s.asOf],
  );
}

export async function getLedger(pool: Pool, contractId: string): Promise<ContractSnapshot | undefined> {
  const r = await pool.query<{ snapshot: ContractSnapshot }>('SELECT snapshot FROM contract_ledgers WHERE contract_id = $1', [contractId]);
  return r.rows[0]?.snapshot;
}

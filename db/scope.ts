/** The county and contract a request's resource belongs to, for the authorization middleware (issue 5). */
import type { Pool } from 'pg';
import type { ResourceScope } from '../domain/access';

export type ResourceKind = 'election' | 'contract' | 'file' | 'ballot' | 'county';

/** The election a ballot id names: `ballot:<election id>:<voter id>:<issue>`, voter ids have no colon. */
export function electionOfBallot(ballotId: string): string {
  return ballotId.split(':').slice(1, -2).join(':');
}

/** Null when the resource does not exist; the caller answers that exactly like "not yours". */
export async function resourceScope(pool: Pool, kind: ResourceKind, id: string): Promise<ResourceScope | null> {
  type Row = { county: string; contract_id: string | null };
  const one = async (sql: string, arg: string) => {
    const row = (await pool.query<Row>(sql, [arg])).rows[0];
    return row ? { county: row.county, ...(row.contract_id ? { contractId: row.contract_id } : {}) } : null;
  };
  switch (kind) {
    case 'county': return { county: id };
    case 'election': return one('SELECT county, contract_id FROM elections WHERE id = $1', id);
    case 'ballot': return one('SELECT county, contract_id FROM elections WHERE id = $1', electionOfBallot(id));
    case 'contract': return one('SELECT county, id AS contract_id FROM contracts WHERE id = $1', id);
    case 'file': return one('SELECT e.county, e.contract_id FROM ingest_files f JOIN elections e ON e.id = f.election_id WHERE f.id = $1', id);
    default: throw new Error(`unknown resource kind ${String(kind satisfies never)}`);
  }
}

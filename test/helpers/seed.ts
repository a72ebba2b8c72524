/** Contracts and elections registered straight in the test database, as the API would register them. */
import type { Pool } from 'pg';
import { insertContract } from '../../db/contracts';
import { insertElection } from '../../db/elections';
import { ContractTermsSchema } from '../../domain/contract';
import { ElectionRequestSchema } from '../../domain/election';
import { contractIdOf, type ContractId } from '../../domain/ids';

/** A contract of `county` numbered `number`, in force from `from` to mid-2030 under a $1M cap. */
export async function seedContract(pool: Pool, county: string, number: string, from = '2025-07-01'): Promise<ContractId> {
  const id = contractIdOf(county, number);
  const terms = ContractTermsSchema.parse({ county, number, vendor: 'IVS', effectiveDate: from, termEnd: '2030-06-30', fiscalPeriods: [{ start: from, end: '2030-06-30', cap: 1_000_000 }], totalCap: 1_000_000 });
  await insertContract(pool, { ...terms, id });
  return id;
}

/** A county-wide statewide primary on `electionDate` under `contractId`; returns its id. */
export async function seedElection(pool: Pool, county: string, electionDate: string, contractId: string): Promise<string> {
  const id = `election:${county}:${electionDate}`;
  await insertElection(pool, { id, countywide: true, request: ElectionRequestSchema.parse({ county, electionDate, type: 'statewide-primary', contractId }) });
  return id;
}

/**
 * The voters of each county as the latest state extract describes them, for the voter lookup and sign-up.
 * The lookup index is an HMAC of the normalized name, date of birth and ZIP (domain/notify/match lookupKey)
 * under a server secret, so the index itself gives nothing away and a lookup is one indexed query.
 */
import { createHmac } from 'node:crypto';
import type { Pool } from 'pg';
import { lookupKey, type LookupQuery } from '../domain/notify/match';

export function lookupHash(secret: string, q: LookupQuery): string {
  return createHmac('sha256', secret).update(lookupKey(q)).digest('hex');
}

export interface ExtractVoter {
  voterId: string;
  firstName?: string | undefined;
  lastName: string;
  dateOfBirth: string;
  zip: string;
  language?: string | undefined;
  ballotId: string;
}

/** A later extract updates the voter (name change, move, reissued ballot): the latest row wins. */
export async function upsertVoters(pool: Pool, secret: string, county: string, electionId: string, voters: ExtractVoter[]): Promise<void> {
  if (voters.length === 0) return;
  const rows = voters.map((v) => ({
    voter_id: v.voterId, first_name: v.firstName ?? '', last_name: v.lastName, language: v.language ?? null, ballot_id: v.ballotId,
    lookup_hash: lookupHash(secret, { firstName: v.firstName ?? '', lastName: v.lastName, dateOfBirth: v.dateOfBirth, zip: v.zip.slice(0, 5) }),
  }));
  // One row per voter per statement: a reissue in the same batch keeps the last (highest) issue.
  const latest = [...new Map(rows.map((r) => [r.voter_id, r])).values()];
  await pool.query(
    `INSERT INTO voters (county, voter_id, first_name, last_name, lookup_hash, language, election_id, ballot_id)
     SELECT $1, v.voter_id, v.first_name, v.last_name, v.lookup_hash, v.language, $2, v.ballot_id
     FROM jsonb_to_recordset($3::jsonb) AS v(voter_id text, first_name text, last_name text, lookup_hash text, language text, ballot_id text)
     ON CONFLICT (county, voter_id) DO UPDATE SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
       lookup_hash = EXCLUDED.lookup_hash, language = EXCLUDED.language, election_id = EXCLUDED.election_id,
       ballot_id = EXCLUDED.ballot_id, updated_at = now()`,
    [county, electionId, JSON.stringify(latest)],
  );
}

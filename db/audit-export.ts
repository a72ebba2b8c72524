/** Reading the audit log back (issue 5): by time range and county, oldest first, paged by id. */
import type { Pool } from 'pg';

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  role: string | null;
  county: string | null;
  action: string;
  target: string | null;
  requestId: string | null;
  result: string;
  detail: unknown;
}

export async function readAudit(pool: Pool, f: { from: Date; to: Date; county?: string; after?: string; limit: number }): Promise<AuditRow[]> {
  const r = await pool.query<AuditRow>(
    `SELECT id::text, at, actor, role, county, action, target, request_id AS "requestId", result, detail
     FROM audit_log
     WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR county = $3) AND ($4::bigint IS NULL OR id > $4)
     ORDER BY id LIMIT $5`,
    [f.from, f.to, f.county ?? null, f.after ?? null, f.limit],
  );
  return r.rows;
}

/**
 * The retention purge: removes the voter records (names and lookup hashes) of one election. Ballot events and
 * consents are append-only and stay. The trigger on `voters` refuses any DELETE outside this transaction.
 */
export async function purgeElectionVoters(pool: Pool, electionId: string): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(`SELECT set_config('ballotflow.purge', 'on', true)`);
    const r = await c.query('DELETE FROM voters WHERE election_id = $1 RETURNING county, voter_id', [electionId]);
    // A voter account's saved lookups of these voters go too. A voter has one record (county and voter id), moved
    // to each newer election's extract, so a voter whose record the purge took is on file nowhere else.
    await c.query(
      `DELETE FROM voter_account_lookups l USING jsonb_to_recordset($1::jsonb) AS gone(county text, voter_id text)
       WHERE l.county = gone.county AND l.voter_id = gone.voter_id`,
      [JSON.stringify(r.rows)],
    );
    // The words of voice notices about this election's ballots can name the voter.
    await c.query(`UPDATE notifications SET spoken_text = NULL WHERE spoken_text IS NOT NULL AND starts_with(ballot_id, $1)`, [`ballot:${electionId}:`]);
    await c.query('COMMIT');
    return r.rowCount ?? 0;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/**
 * The manifest reconciliation: every ballot that does not match the extract one-to-one. A superseded issue
 * (issue n when issue n+1 was issued) is not expected in the manifest; the latest issue of each voter is.
 */
import type { Pool } from 'pg';

export interface Reconciliation {
  extractBallots: number;
  manifestBallots: number;
  matched: number;
  /** Issued (latest issue of the voter) but never on a manifest. */
  notMailed: { ballotId: string; file: string; line: number }[];
  /** On a manifest but not issued by any extract. */
  notInExtract: { ballotId: string }[];
  /** More than one outbound piece for one ballot. */
  multiplePieces: { ballotId: string; pieces: number }[];
  perfect: boolean;
}

export async function recordExtractBallots(pool: Pool, electionId: string, fileId: string, rows: { ballotId: string; voterId: string; issue: number; line: number }[]): Promise<void> {
  if (rows.length === 0) return;
  await pool.query(
    `INSERT INTO extract_ballots (election_id, ballot_id, voter_id, issue, file_id, line)
     SELECT $1, r.ballot_id, r.voter_id, r.issue, $2, r.line FROM jsonb_to_recordset($3::jsonb) AS r(ballot_id text, voter_id text, issue int, line int)
     ON CONFLICT DO NOTHING`,
    [electionId, fileId, JSON.stringify(rows.map((r) => ({ ballot_id: r.ballotId, voter_id: r.voterId, issue: r.issue, line: r.line })))],
  );
}

export async function reconcile(pool: Pool, electionId: string, limit = 1000): Promise<Reconciliation> {
  const latest = `SELECT e.* FROM extract_ballots e WHERE e.election_id = $1
    AND NOT EXISTS (SELECT 1 FROM extract_ballots n WHERE n.election_id = e.election_id AND n.voter_id = e.voter_id AND n.issue > e.issue)`;
  const mailed = `SELECT DISTINCT ballot_id FROM ballot_pieces WHERE election_id = $1 AND direction = 'outbound'`;
  const [counts, notMailed, notInExtract, multiple] = await Promise.all([
    pool.query<{ extract: number; manifest: number; matched: number }>(
      `SELECT (SELECT count(*)::int FROM (${latest}) l) AS extract, (SELECT count(*)::int FROM (${mailed}) m) AS manifest,
              (SELECT count(*)::int FROM (${latest}) l JOIN (${mailed}) m USING (ballot_id)) AS matched`, [electionId]),
    pool.query(`SELECT l.ballot_id AS "ballotId", l.file_id AS file, l.line FROM (${latest}) l WHERE l.ballot_id NOT IN (${mailed}) ORDER BY l.ballot_id LIMIT $2`, [electionId, limit]),
    pool.query(`SELECT m.ballot_id AS "ballotId" FROM (${mailed}) m WHERE m.ballot_id NOT IN (SELECT ballot_id FROM extract_ballots WHERE election_id = $1) ORDER BY 1 LIMIT $2`, [electionId, limit]),
    pool.query(`SELECT ballot_id AS "ballotId", count(*)::int AS pieces FROM ballot_pieces WHERE election_id = $1 AND direction = 'outbound' GROUP BY ballot_id HAVING count(*) > 1 ORDER BY 1 LIMIT $2`, [electionId, limit]),
  ]);
  const c = counts.rows[0]!;
  return {
    extractBallots: c.extract, manifestBallots: c.manifest, matched: c.matched,
    notMailed: notMailed.rows, notInExtract: notInExtract.rows, multiplePieces: multiple.rows,
    perfect: notMailed.rows.length === 0 && notInExtract.rows.length === 0 && multiple.rows.length === 0,
  };
}

/** Ballot events (append-only), written by BallotWorkflow through its activity. */
import type { Pool } from 'pg';
import type { BallotEvent } from '../domain/ballot';

export type NumberedBallotEvent = BallotEvent & { eventId: string };

/** Idempotent on the event id (ballot id + sequence): a retried activity inserts nothing twice. */
export async function recordBallotEvents(pool: Pool, electionId: string, ballotId: string, events: NumberedBallotEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const r = await pool.query(
    `INSERT INTO ballot_events (event_id, election_id, ballot_id, type, status, reason_codes, at, detail)
     SELECT e.event_id, $1, $2, e.type, e.status, ARRAY(SELECT jsonb_array_elements_text(e.reason_codes)), to_timestamp(e.at_ms / 1000.0), e.detail
     FROM jsonb_to_recordset($3::jsonb) AS e(event_id text, type text, status text, reason_codes jsonb, at_ms double precision, detail jsonb)
     ON CONFLICT (event_id) DO NOTHING`,
    [electionId, ballotId, JSON.stringify(events.map((e) => ({ event_id: e.eventId, type: e.type, status: e.status ?? null, reason_codes: e.reasonCodes ?? [], at_ms: e.atMs, detail: e.detail })))],
  );
  return r.rowCount ?? 0;
}

export async function listBallotEvents(pool: Pool, ballotId: string): Promise<{ eventId: string; type: string; status: string | null; reasonCodes: string[]; at: Date; detail: unknown }[]> {
  const r = await pool.query(
    `SELECT event_id AS "eventId", type, status, reason_codes AS "reasonCodes", at, detail
     FROM ballot_events WHERE ballot_id = $1 ORDER BY at, (split_part(event_id, '#', 2))::int`,
    [ballotId],
  );
  return r.rows;
}

/** Ballot events (append-only), written by BallotWorkflow through its activity. */
import type { Pool } from 'pg';
import { z } from 'zod';
import { BallotStatusSchema, type BallotEvent, type BallotStatus } from '../domain/ballot';

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
     FROM ballot_events WHERE ballot_id = $1 ORDER BY (split_part(event_id, '#', 2))::int`,
    [ballotId],
  );
  return r.rows;
}

/** Each ballot's current status: its last status event in the order the ballot applied them (the event sequence), not by `at`, which is the business date of the fact. */
const LATEST = `SELECT DISTINCT ON (ballot_id) ballot_id, status, reason_codes, at FROM ballot_events
  WHERE election_id = $1 AND type = 'status-changed' ORDER BY ballot_id, (split_part(event_id, '#', 2))::int DESC`;

/** Ballots by their current status (the latest status event of each), and by the reasons they carry. */
export async function ballotStats(pool: Pool, electionId: string): Promise<{ total: number; byStatus: Record<string, number>; byReason: Record<string, number> }> {
  const statuses = await pool.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM (${LATEST}) l GROUP BY status ORDER BY status`, [electionId]);
  const reasons = await pool.query<{ reason: string; n: number }>(
    `SELECT reason, count(*)::int AS n FROM (${LATEST}) l, unnest(l.reason_codes) AS reason GROUP BY reason ORDER BY reason`, [electionId]);
  return {
    total: statuses.rows.reduce((t, x) => t + x.n, 0),
    byStatus: Object.fromEntries(statuses.rows.map((x) => [x.status, x.n])),
    byReason: Object.fromEntries(reasons.rows.map((x) => [x.reason, x.n])),
  };
}

/** A page of ballots by current status and reason, in ballot id order (keyset paging). */
export async function listBallots(pool: Pool, electionId: string, f: { status?: string; reason?: string; voterId?: string; after?: string; limit: number }): Promise<{ ballotId: string; status: string; reasonCodes: string[]; at: Date }[]> {
  // A voter's ballots are `ballot:<election>:<voter id>:<issue>`: every issue of one voter.
  const voterPrefix = f.voterId ? `ballot:${electionId}:${f.voterId}:` : null;
  const r = await pool.query(
    `SELECT ballot_id AS "ballotId", status, reason_codes AS "reasonCodes", at FROM (${LATEST}) l
     WHERE ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR $3 = ANY(reason_codes)) AND ($4::text IS NULL OR ballot_id > $4)
       AND ($6::text IS NULL OR starts_with(ballot_id, $6))
     ORDER BY ballot_id LIMIT $5`,
    [electionId, f.status ?? null, f.reason ?? null, f.after ?? null, f.limit, voterPrefix],
  );
  return r.rows;
}

const ExpectedWindowSchema = z.object({ from: z.string(), to: z.string(), source: z.string() });

export interface BallotStatusNow {
  /** The status event itself, to plan a notice from (the current status a new subscriber hears once). */
  event: NumberedBallotEvent;
  status: BallotStatus;
  reasonCodes: string[];
  at: Date;
  expectedWindow?: { from: string; to: string; source: string };
}

/**
 * A ballot's current status: its last status event in the order the ballot applied them (as db/ballots.ts reads
 * it), with the expected delivery window the mailed and in-mail-stream events carry. Undefined before any event.
 */
export async function latestBallotStatus(pool: Pool, ballotId: string): Promise<BallotStatusNow | undefined> {
  const r = await pool.query<{ eventId: string; status: string; reasonCodes: string[]; at: Date; detail: Record<string, unknown> | null }>(
    `SELECT event_id AS "eventId", status, reason_codes AS "reasonCodes", at, detail
     FROM ballot_events WHERE ballot_id = $1 AND type = 'status-changed'
     ORDER BY (split_part(event_id, '#', 2))::int DESC LIMIT 1`,
    [ballotId],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const status = BallotStatusSchema.safeParse(row.status);
  if (!status.success) return undefined;
  const w = ExpectedWindowSchema.safeParse(row.detail?.expectedWindow);
  const event: NumberedBallotEvent = { eventId: row.eventId, type: 'status-changed', status: status.data, reasonCodes: row.reasonCodes, atMs: row.at.getTime(), detail: row.detail ?? {} };
  return { event, status: status.data, reasonCodes: row.reasonCodes, at: row.at, ...(w.success ? { expectedWindow: w.data } : {}) };
}

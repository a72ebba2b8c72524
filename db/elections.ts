/** Elections: registration, append-only events, reminders and final reports. */
import { isDeepStrictEqual } from 'node:util';
import type { Pool } from 'pg';
import type { ListScope } from '../domain/access';
import type { ElectionEvent, ElectionRequest, Reminder } from '../domain/election';
import type { InsertOutcome } from './contracts';

export interface ElectionRow {
  id: string;
  county: string;
  electionDate: string;
  type: string;
  countywide: boolean;
  contractId: string;
  status: string;
  request: ElectionRequest;
  createdAt: Date;
}

const COLUMNS = `id, county, to_char(election_date, 'YYYY-MM-DD') AS "electionDate", type, countywide,
  contract_id AS "contractId", status, request, created_at AS "createdAt"`;

export async function insertElection(pool: Pool, e: { id: string; countywide: boolean; request: ElectionRequest }): Promise<InsertOutcome> {
  const r = await pool.query(
    `INSERT INTO elections (id, county, election_date, type, countywide, contract_id, request)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
    [e.id, e.request.county, e.request.electionDate, e.request.type, e.countywide, e.request.contractId, JSON.stringify(e.request)],
  );
  if (r.rowCount === 1) return 'created';
  const existing = await getElection(pool, e.id);
  // jsonb does not keep key order: compare values, not text.
  return existing && isDeepStrictEqual(existing.request, JSON.parse(JSON.stringify(e.request))) ? 'identical' : 'different';
}

export async function getElection(pool: Pool, id: string): Promise<ElectionRow | undefined> {
  const r = await pool.query<ElectionRow>(`SELECT ${COLUMNS} FROM elections WHERE id = $1`, [id]);
  return r.rows[0];
}

/** `scope` is the caller's (domain/access ListScope): a county manager lists one county, a vendor its contracts. */
export async function listElections(pool: Pool, f: { county?: string; contractId?: string; scope?: ListScope }): Promise<ElectionRow[]> {
  const scope = f.scope ?? { all: true };
  const r = await pool.query<ElectionRow>(
    `SELECT ${COLUMNS} FROM elections
     WHERE ($1::text IS NULL OR county = $1) AND ($2::text IS NULL OR contract_id = $2)
       AND ($3::text[] IS NULL OR county = ANY($3)) AND ($4::text[] IS NULL OR contract_id = ANY($4))
     ORDER BY election_date, id`,
    [f.county ?? null, f.contractId ?? null, 'counties' in scope ? scope.counties : null, 'contracts' in scope ? scope.contracts : null],
  );
  return r.rows;
}

/** Idempotent on the workflow's event id: a retried activity inserts nothing twice. */
export async function recordEvents(pool: Pool, electionId: string, events: ElectionEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const r = await pool.query(
    `INSERT INTO election_events (event_id, election_id, type, milestone_key, actor, at, detail)
     SELECT e.event_id, $1, e.type, e.milestone_key, e.actor, to_timestamp(e.at_ms / 1000.0), e.detail
     FROM jsonb_to_recordset($2::jsonb) AS e(event_id text, type text, milestone_key text, actor text, at_ms double precision, detail jsonb)
     ON CONFLICT (event_id) DO NOTHING`,
    [electionId, JSON.stringify(events.map((e) => ({ event_id: e.eventId, type: e.type, milestone_key: e.milestoneKey ?? null, actor: e.actor ?? null, at_ms: e.atMs, detail: e.detail })))],
  );
  return r.rowCount ?? 0;
}

export async function listEvents(pool: Pool, electionId: string): Promise<{ eventId: string; type: string; milestoneKey: string | null; actor: string | null; at: Date; detail: unknown }[]> {
  const r = await pool.query(
    `SELECT event_id AS "eventId", type, milestone_key AS "milestoneKey", actor, at, detail
     FROM election_events WHERE election_id = $1 ORDER BY at, (split_part(event_id, '#', 2))::int`,
    [electionId],
  );
  return r.rows;
}

export async function recordReminders(pool: Pool, reminders: Reminder[]): Promise<number> {
  if (reminders.length === 0) return 0;
  const r = await pool.query(
    `INSERT INTO deadline_reminders (reminder_key, election_id, milestone_key, owner, due_at, days_before)
     SELECT r.reminder_key, r.election_id, r.milestone_key, r.owner, r.due_at, r.days_before
     FROM jsonb_to_recordset($1::jsonb) AS r(reminder_key text, election_id text, milestone_key text, owner text, due_at timestamptz, days_before int)
     ON CONFLICT (reminder_key) DO NOTHING`,
    [JSON.stringify(reminders.map((x) => ({ reminder_key: x.reminderKey, election_id: x.electionId, milestone_key: x.milestoneKey, owner: x.owner, due_at: x.dueAt, days_before: x.daysBefore })))],
  );
  return r.rowCount ?? 0;
}

export async function saveReport(pool: Pool, electionId: string, finalStatus: string, report: unknown): Promise<void> {
  await pool.query(
    `INSERT INTO election_reports (election_id, final_status, report) VALUES ($1, $2, $3)
     ON CONFLICT (election_id) DO UPDATE SET final_status = EXCLUDED.final_status, report = EXCLUDED.report, written_at = now()`,
    [electionId, finalStatus, JSON.stringify(report)],
  );
  await pool.query('UPDATE elections SET status = $2 WHERE id = $1', [electionId, finalStatus]);
}

export async function getReport(pool: Pool, electionId: string): Promise<unknown | undefined> {
  const r = await pool.query('SELECT report FROM election_reports WHERE election_id = $1', [electionId]);
  return r.rows[0]?.report;
}

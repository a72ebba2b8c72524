/** Mail pieces (IMb tracking code → ballot), first scans per milestone, and the unmatched-scan queue. */
import type { Pool } from 'pg';

export interface Piece { trackingCode: string; ballotId: string; direction: 'outbound' | 'return' }
export interface ScanRecord { trackingCode: string; milestone: string; scannedAtMs: number; predictedDeliveryDate?: string | undefined }

export async function recordPieces(pool: Pool, electionId: string, pieces: Piece[]): Promise<void> {
  if (pieces.length === 0) return;
  await pool.query(
    `INSERT INTO ballot_pieces (tracking_code, election_id, ballot_id, direction)
     SELECT p.tracking_code, $1, p.ballot_id, p.direction FROM jsonb_to_recordset($2::jsonb) AS p(tracking_code text, ballot_id text, direction text)
     ON CONFLICT (tracking_code) DO NOTHING`,
    [electionId, JSON.stringify(pieces.map((p) => ({ tracking_code: p.trackingCode, ballot_id: p.ballotId, direction: p.direction })))],
  );
}

export async function findPieces(pool: Pool, trackingCodes: string[]): Promise<Map<string, Piece>> {
  const r = await pool.query<Piece>(
    `SELECT tracking_code AS "trackingCode", ballot_id AS "ballotId", direction FROM ballot_pieces WHERE tracking_code = ANY($1)`, [trackingCodes]);
  return new Map(r.rows.map((p) => [p.trackingCode, p]));
}

/**
 * The scans that reach a milestone this piece had not reached. Read before signalling and recorded after
 * (recordMilestones): a crash in between re-signals, which the ballot ignores (its facts are keyed).
 */
export async function unseenMilestones(pool: Pool, scans: ScanRecord[]): Promise<ScanRecord[]> {
  if (scans.length === 0) return [];
  const r = await pool.query<{ tracking_code: string; milestone: string }>(
    `SELECT tracking_code, milestone FROM scan_milestones WHERE tracking_code = ANY($1)`, [[...new Set(scans.map((x) => x.trackingCode))]]);
  const seen = new Set(r.rows.map((x) => `${x.tracking_code}/${x.milestone}`));
  const firsts = new Map<string, ScanRecord>();
  for (const x of scans) {
    const k = `${x.trackingCode}/${x.milestone}`;
    if (seen.has(k)) continue;
    const prev = firsts.get(k);
    if (!prev || x.scannedAtMs < prev.scannedAtMs) firsts.set(k, x);
  }
  return [...firsts.values()];
}

export async function recordMilestones(pool: Pool, scans: ScanRecord[]): Promise<void> {
  if (scans.length === 0) return;
  await pool.query(
    `INSERT INTO scan_milestones (tracking_code, milestone, scanned_at)
     SELECT s.tracking_code, s.milestone, to_timestamp(s.at_ms / 1000.0) FROM jsonb_to_recordset($1::jsonb) AS s(tracking_code text, milestone text, at_ms double precision)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(scans.map((x) => ({ tracking_code: x.trackingCode, milestone: x.milestone, at_ms: x.scannedAtMs })))],
  );
}

export async function queueUnmatched(pool: Pool, fileId: string, rows: { line: number; scan: ScanRecord }[]): Promise<void> {
  if (rows.length === 0) return;
  await pool.query(
    `INSERT INTO unmatched_scans (file_id, line, tracking_code, scan)
     SELECT $1, u.line, u.tracking_code, u.scan FROM jsonb_to_recordset($2::jsonb) AS u(line int, tracking_code text, scan jsonb)
     ON CONFLICT DO NOTHING`,
    [fileId, JSON.stringify(rows.map((u) => ({ line: u.line, tracking_code: u.scan.trackingCode, scan: u.scan })))],
  );
}

/** Queued scans for these pieces, not yet applied. Mark them applied only after they were signalled. */
export async function pendingUnmatched(pool: Pool, trackingCodes: string[]): Promise<{ fileId: string; line: number; scan: ScanRecord }[]> {
  if (trackingCodes.length === 0) return [];
  const r = await pool.query<{ fileId: string; line: number; scan: ScanRecord }>(
    `SELECT file_id AS "fileId", line, scan FROM unmatched_scans WHERE tracking_code = ANY($1) AND applied_at IS NULL`, [trackingCodes]);
  return r.rows;
}

export async function markApplied(pool: Pool, rows: { fileId: string; line: number }[]): Promise<void> {
  if (rows.length === 0) return;
  await pool.query(
    `UPDATE unmatched_scans u SET applied_at = now() FROM jsonb_to_recordset($1::jsonb) AS k(file_id text, line int)
     WHERE u.file_id = k.file_id AND u.line = k.line`,
    [JSON.stringify(rows.map((x) => ({ file_id: x.fileId, line: x.line })))],
  );
}

export async function countUnmatched(pool: Pool, electionFileIds: string[]): Promise<number> {
  const r = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM unmatched_scans WHERE file_id = ANY($1) AND applied_at IS NULL`, [electionFileIds]);
  return r.rows[0]!.n;
}

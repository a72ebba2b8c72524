/** Received files: registration (idempotent on checksum), progress and rejects. */
import type { Pool } from 'pg';
import type { Reject } from '../ingest/parse';

export interface FileRow {
  id: string; electionId: string; type: string; fileName: string; path: string; checksum: string; bytes: number;
  /** Bytes read so far (the parser reads ahead of the rows it has counted by at most one chunk). */
  bytesDone: number;
  status: string; linesDone: number; accepted: number; rejected: number; signalled: number; error: string | null;
}

const COLUMNS = `id, election_id AS "electionId", type, file_name AS "fileName", path, checksum, bytes::float8 AS bytes, bytes_done::float8 AS "bytesDone", status,
  lines_done AS "linesDone", accepted, rejected, signalled, error`;

/** `file:<election>:<type>:<checksum prefix>`: the same bytes for the same election and type are one file. */
export function fileIdOf(electionId: string, type: string, checksum: string): string {
  return `file:${electionId}:${type}:${checksum.slice(0, 16)}`;
}

export async function registerFile(pool: Pool, f: { electionId: string; type: string; fileName: string; path: string; checksum: string; bytes: number }): Promise<{ file: FileRow; created: boolean }> {
  const id = fileIdOf(f.electionId, f.type, f.checksum);
  const ins = await pool.query(
    `INSERT INTO ingest_files (id, election_id, type, file_name, path, checksum, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (election_id, type, checksum) DO NOTHING`,
    [id, f.electionId, f.type, f.fileName, f.path, f.checksum, f.bytes],
  );
  return { file: (await getFile(pool, id))!, created: ins.rowCount === 1 };
}

/**
 * Files registered but not begun: the API registers a file, then starts its ingestion workflow, and a process
 * killed between the two leaves the file queued with no workflow.
 */
export async function listQueuedFiles(pool: Pool): Promise<string[]> {
  return (await pool.query<{ id: string }>(`SELECT id FROM ingest_files WHERE status = 'queued' ORDER BY created_at, id`)).rows.map((r) => r.id);
}

export async function getFile(pool: Pool, id: string): Promise<FileRow | undefined> {
  return (await pool.query<FileRow>(`SELECT ${COLUMNS} FROM ingest_files WHERE id = $1`, [id])).rows[0];
}

/**
 * Records one batch: its rejects, and the counters, only if this batch is past what was already counted
 * (a batch re-processed after a crash changes nothing). Returns whether it counted.
 */
export async function recordBatch(pool: Pool, fileId: string, b: { linesDone: number; bytesDone: number; accepted: number; rejectedRows: number; signalled: number; rejects: Reject[] }): Promise<boolean> {
  if (b.rejects.length > 0) {
    await pool.query(
      `INSERT INTO ingest_rejects (file_id, line, field, reason)
       SELECT $1, r.line, r.field, r.reason FROM jsonb_to_recordset($2::jsonb) AS r(line int, field text, reason text)
       ON CONFLICT DO NOTHING`,
      [fileId, JSON.stringify(b.rejects.map((r) => ({ line: r.line, field: r.field, reason: r.reason })))],
    );
  }
  const r = await pool.query(
    `UPDATE ingest_files SET lines_done = $2, accepted = accepted + $3, rejected = rejected + $4, signalled = signalled + $5,
       bytes_done = LEAST(GREATEST(bytes_done, $6), bytes), status = 'running', updated_at = now()
     WHERE id = $1 AND lines_done < $2`,
    [fileId, b.linesDone, b.accepted, b.rejectedRows, b.signalled, b.bytesDone],
  );
  return r.rowCount === 1;
}

export async function finishFile(pool: Pool, id: string, status: 'done' | 'failed', error?: string): Promise<void> {
  await pool.query(
    `UPDATE ingest_files SET status = $2, error = $3, bytes_done = CASE WHEN $2 = 'done' THEN bytes ELSE bytes_done END, updated_at = now() WHERE id = $1`,
    [id, status, error ?? null],
  );
}

export async function listRejects(pool: Pool, fileId: string): Promise<{ line: number; field: string; reason: string }[]> {
  return (await pool.query(`SELECT line, field, reason FROM ingest_rejects WHERE file_id = $1 ORDER BY line, field`, [fileId])).rows;
}

/**
 * The file ingestion activity: reads a stored file in batches, records rejects and progress in Postgres, and
 * tells each ballot what it learned with signalWithStart (so the ballot exists whichever file comes first).
 *
 * Paced by the ballots: before it tells a batch, the ballots of the batch before must have run (caughtUp).
 *
 * Crash-safe: it heartbeats the last line done, and the counters advance only past that line, so a retry
 * after a killed worker resumes where it stopped; facts are keyed by file and line, so a batch sent twice
 * teaches each ballot once.
 */
import fs from 'node:fs';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, QueryRejectedError, WorkflowClient, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { finishFile, getFile, recordBatch, type FileRow } from '../db/files';
import { getElection } from '../db/elections';
import { ballotCalendar, ballotIdOf, BallotSettingsSchema, type BallotFact } from '../domain/ballot';
import { findPieces, markApplied, pendingUnmatched, queueUnmatched, recordMilestones, recordPieces, unseenMilestones, type Piece, type ScanRecord } from '../db/pieces';
import { outboundMilestone, scanInstant, type OutboundMilestone } from '../domain/scans';
import { factsForRow } from '../ingest/facts';
import { FileFormatError, parseFile } from '../ingest/parse';
import { FileTypeSchema, type ExtractRow, type UspsScanRow, type VendorManifestRow } from '../ingest/schemas';
import { recordExtractBallots } from '../db/reconciliation';
import { upsertVoters } from '../db/voters';
import { mapConcurrent } from './concurrency';
import { ballotTaskQueue, factsReported, getBallot } from '../workflows/ballot/messages';
import type { ballotWorkflow } from '../workflows/ballot/workflow';

export interface IngestSummary { fileId: string; status: string; linesDone: number; accepted: number; rejected: number; signalled: number }

const summary = (f: FileRow): IngestSummary => ({ fileId: f.id, status: f.status, linesDone: f.linesDone, accepted: f.accepted, rejected: f.rejected, signalled: f.signalled });

/**
 * The longest ingestion waits for the ballots of the batch before to run before it goes on anyway. Waiting is
 * flow control, not a condition: a ballot worker that is down must not stop a file.
 */
export const CATCH_UP_LIMIT_MS = 5 * 60_000;

/**
 * Waits until the ballot told last in the batch before has run its task. The server answers a query only after
 * the workflow task it has pending, so the answer means the ballots told before it have (nearly all) run too.
 *
 * Why: the server accepts signals several times faster than a worker runs ballots. Measured with bench:ingest at
 * 10,000 voters, without this wait a file was told in 150-257 s and its ballots ran for 401-456 s. Tasks that
 * waited past the worker's one-minute sticky timeout were moved to the shared queue and cost the server and the
 * worker more, and signals fell to 68-72% of the bare rate. With the wait, at most one batch is queued.
 *
 * A ballot that has finished since (a county return often makes it final) has nothing left to run: the server
 * rejects the query at once (NOT_OPEN) rather than hand a closed ballot to a worker to replay. Asked plainly, such
 * a query failed after about 30 s in a 20,000-voter bench:ingest run, once for nearly every batch of the returns.
 */
export async function ballotCaughtUp(o: { client: Client; logger: Logger; ballotId: string; limitMs: number; heartbeat: () => void }): Promise<'caught-up' | 'closed' | 'limit' | 'unanswered'> {
  const beat = setInterval(o.heartbeat, 10_000);
  // At the limit the query is cancelled, not left waiting (and retrying) for a worker that may never come.
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'limit'>((resolve) => { timer = setTimeout(() => { resolve('limit'); abort.abort(); }, o.limitMs); });
  const workflows = new WorkflowClient({ connection: o.client.connection, namespace: o.client.options.namespace, queryRejectCondition: 'NOT_OPEN' });
  try {
    const asked = workflows.withAbortSignal(abort.signal, () => workflows.getHandle(o.ballotId).query(getBallot));
    const answer = await Promise.race([asked.then(() => 'caught-up' as const), limit]);
    if (answer === 'limit') o.logger.warn({ ballotId: o.ballotId, waitedMs: o.limitMs }, 'ballots have not caught up with ingestion; going on');
    return answer;
  } catch (e) {
    if (e instanceof QueryRejectedError) return 'closed';
    // A ballot that cannot answer (for one, a worker without the ballot queue) must not stop the file.
    o.logger.warn({ ballotId: o.ballotId, err: e instanceof Error ? e.message : String(e) }, 'could not ask a ballot whether it caught up; going on');
    return 'unanswered';
  } finally {
    clearInterval(beat);
    clearTimeout(timer);
  }
}

export function createIngestActivities(deps: {
  pool: Pool; client: Client; taskQueue: string; logger: Logger; batchSize?: number; concurrency?: number; voterLinkSecret?: string;
  /** How long a batch waits at most for the ballots of the batch before (default CATCH_UP_LIMIT_MS). */
  catchUpLimitMs?: number;
}) {
  const { pool, client, taskQueue, logger } = deps;
  const concurrency = deps.concurrency ?? 32;
  const catchUpLimitMs = deps.catchUpLimitMs ?? CATCH_UP_LIMIT_MS;

  const caughtUp = (ballotId: string, heartbeat: () => void) => ballotCaughtUp({ client, logger, ballotId, limitMs: catchUpLimitMs, heartbeat });

  return {
    async ingestFile(fileId: string): Promise<IngestSummary> {
      const f = await getFile(pool, fileId);
      if (!f) throw ApplicationFailure.nonRetryable(`no file ${fileId}`, 'not-found');
      if (f.status === 'done' || f.status === 'failed') return summary(f);
      const election = await getElection(pool, f.electionId);
      if (!election) throw ApplicationFailure.nonRetryable(`no election ${f.electionId}`, 'not-found');
      const type = FileTypeSchema.parse(f.type);
      const calendar = ballotCalendar(election.electionDate);
      const settings = BallotSettingsSchema.parse({});
      const ctx = Context.current();
      const heartbeat = (ctx.info.heartbeatDetails as { linesDone?: number } | undefined)?.linesDone ?? 0;
      const resumeFrom = Math.max(f.linesDone, heartbeat);
      const receivedAtMs = Date.now();
      /** The ballot told last in the batch before: the next batch waits for it (caughtUp). */
      let lastTold: string | undefined;
      let doneThrough = resumeFrom;
      try {
        for await (const batch of parseFile(type, fs.createReadStream(f.path), { fileName: f.fileName, batchSize: deps.batchSize ?? 1000, electionDate: election.electionDate })) {
          if (batch.linesRead <= resumeFrom) { ctx.heartbeat({ linesDone: resumeFrom }); continue; }
          const rows = batch.rows.filter((r) => r.line > resumeFrom);
          const rejects = batch.rejects.filter((r) => r.line > resumeFrom);
          const byBallot = new Map<string, BallotFact[]>();
          const add = (ballotId: string, fact: BallotFact) => {
            const facts = byBallot.get(ballotId);
            if (facts) facts.push(fact); else byBallot.set(ballotId, [fact]);
          };
          for (const r of rows) {
            for (const { ballotId, fact } of factsForRow(type, r.value, { electionId: f.electionId, fileId, line: r.line, receivedAtMs })) add(ballotId, fact);
          }
          // Written only after the ballots were told, so a crash in between re-tells rather than forgets.
          const afterSignals: (() => Promise<void>)[] = [];
          if (type === 'state-extract' || type === 'county-fixed-field') {
            await recordExtractBallots(pool, f.electionId, fileId, rows.map((r) => {
              const x = r.value as ExtractRow;
              return { ballotId: ballotIdOf(f.electionId, x.voterId, x.issueNumber), voterId: x.voterId, issue: x.issueNumber, line: r.line };
            }));
            // The voter lookup and sign-up find voters here (issue 4). It matches on name, date of birth and ZIP:
            // a fixed-field record has no date of birth, and must not overwrite a voter the state extract gave.
            if (deps.voterLinkSecret) {
              await upsertVoters(pool, deps.voterLinkSecret, election.county, f.electionId, rows.flatMap((r) => {
                const x = r.value as ExtractRow;
                if (x.dateOfBirth === undefined) return [];
                return [{ voterId: x.voterId, firstName: x.name.first, lastName: x.name.last, dateOfBirth: x.dateOfBirth, zip: x.residence.zip, language: x.language, ballotId: ballotIdOf(f.electionId, x.voterId, x.issueNumber) }];
              }));
            }
          }
          if (type === 'vendor-manifest') afterSignals.push(...(await manifestPieces(f.electionId, rows.map((r) => r.value as VendorManifestRow), add)));
          if (type === 'usps-scans' || type === 'usps-scans-jsonl') afterSignals.push(...(await scanFacts(fileId, rows.map((r) => ({ line: r.line, row: r.value as UspsScanRow })), add)));
          if (lastTold !== undefined && byBallot.size > 0) await caughtUp(lastTold, () => ctx.heartbeat({ linesDone: doneThrough }));
          const told = [...byBallot];
          const results = await mapConcurrent(told, concurrency, ([ballotId, facts]) => signalBallot(ballotId, facts, f.electionId, calendar, settings));
          const signalled = results.filter(Boolean).length;
          const lastOk = results.lastIndexOf(true);
          if (lastOk >= 0) lastTold = told[lastOk]![0];
          for (const step of afterSignals) await step();
          await recordBatch(pool, fileId, { linesDone: batch.linesRead, bytesDone: batch.bytesRead, accepted: rows.length, rejectedRows: new Set(rejects.map((r) => r.line)).size, signalled, rejects });
          ctx.heartbeat({ linesDone: batch.linesRead });
          doneThrough = batch.linesRead;
        }
      } catch (e) {
        if (e instanceof FileFormatError) {
          await finishFile(pool, fileId, 'failed', e.message);
          throw ApplicationFailure.nonRetryable(e.message, 'file-format');
        }
        throw e;
      }
      await finishFile(pool, fileId, 'done');
      const done = (await getFile(pool, fileId))!;
      logger.info({ fileId, accepted: done.accepted, rejected: done.rejected, signalled: done.signalled }, 'file ingested');
      return summary(done);
    },
  };

  /** A manifest names each ballot's two pieces; scans that came before it are applied now. */
  async function manifestPieces(electionId: string, rows: VendorManifestRow[], add: (ballotId: string, fact: BallotFact) => void) {
    const pieces: Piece[] = rows.flatMap((r) => {
      const ballotId = ballotIdOf(electionId, r.voterId, r.issueNumber);
      return [{ trackingCode: r.outboundImb.trackingCode, ballotId, direction: 'outbound' as const }, { trackingCode: r.returnImb.trackingCode, ballotId, direction: 'return' as const }];
    });
    await recordPieces(pool, electionId, pieces);
    const pending = await pendingUnmatched(pool, pieces.map((p) => p.trackingCode));
    const byCode = new Map(pieces.map((p) => [p.trackingCode, p]));
    const fresh = await unseenMilestones(pool, pending.map((u) => withDirection(u.scan, byCode.get(u.scan.trackingCode)!)));
    for (const scan of fresh) add(byCode.get(scan.trackingCode)!.ballotId, scanFact(scan));
    return [() => recordMilestones(pool, fresh), () => markApplied(pool, pending)];
  }

  /** Scans map to their ballot by IMb; only a milestone the piece had not reached is told; unknown pieces wait. */
  async function scanFacts(fileId: string, rows: { line: number; row: UspsScanRow }[], add: (ballotId: string, fact: BallotFact) => void) {
    const recs = rows.map(({ line, row }) => ({ line, scan: { trackingCode: row.imb.trackingCode, milestone: outboundMilestone(row), scannedAtMs: scanInstant(row.scannedAt), ...(row.predictedDeliveryDate ? { predictedDeliveryDate: row.predictedDeliveryDate } : {}) } as ScanRecord }));
    const pieces = await findPieces(pool, [...new Set(recs.map((r) => r.scan.trackingCode))]);
    await queueUnmatched(pool, fileId, recs.filter((r) => !pieces.has(r.scan.trackingCode)));
    const fresh = await unseenMilestones(pool, recs.filter((r) => pieces.has(r.scan.trackingCode)).map((r) => withDirection(r.scan, pieces.get(r.scan.trackingCode)!)));
    for (const scan of fresh) add(pieces.get(scan.trackingCode)!.ballotId, scanFact(scan));
    return [() => recordMilestones(pool, fresh)];
  }

  /** Returns false when the ballot has already finished: a fact for a closed ballot is reported, not re-run. */
  async function signalBallot(ballotId: string, facts: BallotFact[], electionId: string, calendar: ReturnType<typeof ballotCalendar>, settings: ReturnType<typeof BallotSettingsSchema.parse>): Promise<boolean> {
    try {
      await client.workflow.signalWithStart<typeof ballotWorkflow, [{ facts: BallotFact[] }]>('ballotWorkflow', {
        workflowId: ballotId, taskQueue: ballotTaskQueue(taskQueue), workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [{ ballotId, electionId, calendar, settings }], signal: factsReported, signalArgs: [{ facts }],
      });
      return true;
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      logger.warn({ ballotId, facts: facts.length }, 'facts for a ballot that has already finished were not applied');
      return false;
    }
  }
}

/** A return envelope's scans all mean one thing: the voter mailed it back. */
function withDirection(scan: ScanRecord, piece: Piece): ScanRecord {
  return piece.direction === 'return' ? { ...scan, milestone: 'inbound' } : scan;
}

function scanFact(scan: ScanRecord): BallotFact {
  const key = `scan:${scan.trackingCode}:${scan.milestone}`;
  if (scan.milestone === 'inbound') return { type: 'inbound-scan', key, at: scan.scannedAtMs, scannedAt: scan.scannedAtMs };
  return { type: 'outbound-scan', key, at: scan.scannedAtMs, milestone: scan.milestone as OutboundMilestone, scannedAt: scan.scannedAtMs, ...(scan.predictedDeliveryDate ? { predictedDeliveryDate: scan.predictedDeliveryDate } : {}) };
}

export type IngestActivities = ReturnType<typeof createIngestActivities>;

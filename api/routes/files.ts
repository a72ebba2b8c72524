/** Files and ballots: upload a file for ingestion, follow its progress and rejects, read ballots and counts. */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { z } from 'zod';
import { ballotStats, listBallotEvents, listBallots } from '../../db/ballots';
import { getElection } from '../../db/elections';
import { getFile, listQueuedFiles, listRejects, registerFile } from '../../db/files';
import { countUnmatched } from '../../db/pieces';
import { reconcile } from '../../db/reconciliation';
import { BallotStatusSchema } from '../../domain/ballot';
import { ElectionIdSchema } from '../../domain/ids';
import { FileTypeSchema, type FileType } from '../../ingest/schemas';
import { getBallot } from '../../workflows/ballot/messages';
import { HttpProblem, notFound } from '../problem';
import { on, route, staff, type Deps } from '../route';

const ElectionParams = z.object({ id: ElectionIdSchema });

/** A body still being received is written under this prefix; only a complete one is renamed to its checksum. */
const PARTIAL_PREFIX = '.upload-';

/**
 * Removes partial uploads left by an API process that died mid-body (kill -9, power loss, OOM): the error path
 * that deletes them never ran, they were never registered and never will be, and each can be gigabytes. Several
 * API replicas may share the directory, and a live upload rewrites its file with every chunk, so only files
 * untouched for `idleMs` are removed. Returns the names removed.
 */
export function sweepStaleUploads(dir: string, idleMs = 60 * 60_000, now = Date.now()): string[] {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return []; }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(PARTIAL_PREFIX)) continue;
    const p = path.join(dir, name);
    try {
      if (now - fs.statSync(p).mtimeMs < idleMs) continue;
      fs.rmSync(p, { force: true });
      removed.push(name);
    } catch { /* gone meanwhile: another replica swept it */ }
  }
  return removed;
}

/** A file's ingestion workflow, whose id is the file id: started once, found again by every later call. */
async function startIngestion(deps: Pick<Deps, 'client' | 'cfg'>, fileId: string): Promise<void> {
  await deps.client.workflow.start('fileIngestionWorkflow', {
    workflowId: fileId, taskQueue: deps.cfg.TASK_QUEUE, args: [{ fileId }],
    workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
  }).catch((e: Error) => { if (e.name !== 'WorkflowExecutionAlreadyStartedError') throw e; });
}

/**
 * Starts the ingestion of every file still queued: one registered by a process killed before it started the
 * workflow would otherwise wait forever unless its sender re-sent it. Harmless for files already started.
 */
export async function resumeQueuedFiles(deps: Pick<Deps, 'pool' | 'client' | 'cfg'>): Promise<string[]> {
  const ids = await listQueuedFiles(deps.pool);
  for (const id of ids) await startIngestion(deps, id);
  return ids;
}

/** Vendors send their mailing manifests and the USPS feed its scans: nothing else. */
const onlyTypes = (types: readonly FileType[]) => ({ query }: { query: unknown }) =>
  types.includes((query as { type: FileType }).type) ? null : `may upload only ${types.join(' or ')} files`;

export const fileRoutes = [
  route({
    operationId: 'uploadFile', method: 'post', path: '/api/elections/:id/files', tag: 'files',
    policy: staff(['state-admin', 'county-manager', 'vendor', 'feed'], on.election(), { only: { vendor: onlyTypes(['vendor-manifest']), feed: onlyTypes(['usps-scans', 'usps-scans-jsonl']) } }),
    summary: 'Send a file (state extract, county fixed-field record, vendor manifest, USPS scans, county returns) for ingestion',
    description: 'The body is the file itself (text/csv, application/x-ndjson, or text/plain for the county fixed-field record), streamed to storage. The same bytes sent again for the same election and type are the same file: nothing is ingested twice. Follow progress at the returned Location.',
    params: ElectionParams,
    query: z.object({ type: FileTypeSchema, name: z.string().regex(/^[A-Za-z0-9._ -]{1,120}$/, 'a plain file name').optional() }),
    responses: { 202: { description: 'accepted; ingestion runs in the background' }, 200: { description: 'this file was received before' }, 404: { description: 'no such election' }, 413: { description: 'too large' } },
    handler: async ({ params, query, deps, req }) => {
      if (!(await getElection(deps.pool, params.id))) throw notFound(`election ${params.id}`);
      const dir = deps.cfg.uploadDir;
      if (!dir) throw new HttpProblem(503, 'Unavailable', 'uploads are not configured on this server');
      fs.mkdirSync(dir, { recursive: true });
      // Stream to a temporary name while hashing; the checksum then names the file, so a re-send is found. A
      // process killed mid-body leaves the temporary file behind, unregistered: sweepStaleUploads removes it.
      const tmp = path.join(dir, `${PARTIAL_PREFIX}${randomUUID()}`);
      const hash = createHash('sha256');
      let bytes = 0;
      const limit = deps.cfg.maxUploadBytes ?? 10 * 1024 ** 3;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          if (bytes > limit) return cb(new HttpProblem(413, 'Payload Too Large', `files are limited to ${limit} bytes`));
          hash.update(chunk);
          cb(null, chunk);
        },
      });
      try {
        await pipeline(req, meter, fs.createWriteStream(tmp));
      } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw e;
      }
      if (bytes === 0) { fs.rmSync(tmp, { force: true }); throw new HttpProblem(422, 'Invalid request', 'body: the file is empty'); }
      const checksum = hash.digest('hex');
      const stored = path.join(dir, `${checksum}.${query.type}`);
      fs.renameSync(tmp, stored);
      const { file, created } = await registerFile(deps.pool, { electionId: params.id, type: query.type, fileName: query.name ?? `${query.type}-${checksum.slice(0, 8)}`, path: stored, checksum, bytes });
      await startIngestion(deps, file.id);
      // The stored path is the server's business, not the caller's.
      const { path: _stored, ...shown } = file;
      return { status: created ? 202 : 200, json: shown, headers: { Location: `/api/files/${encodeURIComponent(file.id)}` } };
    },
  }),
  route({
    operationId: 'getFile', method: 'get', path: '/api/files/:id', tag: 'files',
    policy: staff(['state-admin', 'county-manager', 'vendor'], on.file()),
    summary: 'A file\'s progress (lines read, accepted, rejected, ballots signalled) and its rejects report',
    params: z.object({ id: z.string().regex(/^file:[A-Za-z0-9:._-]{1,200}$/) }),
    query: z.object({ rejects: z.coerce.number().int().min(0).max(10_000).default(100) }),
    responses: { 200: { description: 'the file' }, 404: { description: 'no such file' } },
    handler: async ({ params, query, deps }) => {
      const f = await getFile(deps.pool, params.id);
      if (!f) throw notFound(`file ${params.id}`);
      const rejects = await listRejects(deps.pool, f.id);
      const { path: _path, ...rest } = f;
      // Scans for pieces no manifest has named yet: kept, reported here, applied when the manifest arrives.
      const unmatchedScans = await countUnmatched(deps.pool, [f.id]);
      return { status: 200, json: { ...rest, unmatchedScans, rejects: rejects.slice(0, query.rejects), rejectsTotal: rejects.length } };
    },
  }),
  route({
    operationId: 'getBallot', method: 'get', path: '/api/ballots/:id', tag: 'ballots',
    policy: staff(['state-admin', 'county-manager'], on.ballot()),
    summary: 'A ballot\'s status, reasons, expected delivery window and timeline',
    params: z.object({ id: z.string().regex(/^ballot:election:[a-z-]+:\d{4}-\d{2}-\d{2}(:[a-z0-9-]+)?:[A-Za-z0-9-]{1,20}:\d{1,2}$/, 'ballot:<election id>:<voter id>:<issue>') }),
    responses: { 200: { description: 'the ballot' }, 404: { description: 'no such ballot' } },
    handler: async ({ params, deps }) => {
      const timeline = await listBallotEvents(deps.pool, params.id);
      const live = await deps.client.workflow.getHandle(params.id).query(getBallot).catch(() => undefined);
      if (!live && timeline.length === 0) throw notFound(`ballot ${params.id}`);
      const last = timeline.filter((e) => e.type === 'status-changed').at(-1);
      return { status: 200, json: { ballotId: params.id, status: live?.status ?? last?.status, reasonCodes: live?.reasonCodes ?? last?.reasonCodes ?? [], ...(live?.expectedWindow ? { expectedWindow: live.expectedWindow } : {}), timeline } };
    },
  }),
  route({
    operationId: 'listBallots', method: 'get', path: '/api/elections/:id/ballots', tag: 'ballots',
    policy: staff(['state-admin', 'county-manager'], on.election()),
    summary: 'Ballots of an election by current status, reason or voter, paged by ballot id',
    params: ElectionParams,
    query: z.object({
      status: BallotStatusSchema.optional(), reason: z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
      voterId: z.string().trim().regex(/^[A-Za-z0-9-]{1,20}$/, 'a voter id: letters, digits and dashes').optional().describe('every issue of this voter\'s ballot'),
      after: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    responses: { 200: { description: 'a page of ballots; `next` continues' } },
    handler: async ({ params, query, deps }) => {
      const page = await listBallots(deps.pool, params.id, { ...query });
      return { status: 200, json: { ballots: page, ...(page.length === query.limit ? { next: page.at(-1)!.ballotId } : {}) } };
    },
  }),
  route({
    operationId: 'electionStats', method: 'get', path: '/api/elections/:id/stats', tag: 'ballots',
    policy: staff(['state-admin', 'county-manager', 'contract-manager'], on.election()),
    summary: 'Counts of ballots by current status and by reason',
    params: ElectionParams,
    responses: { 200: { description: 'counts' } },
    handler: async ({ params, deps }) => ({ status: 200, json: { electionId: params.id, ...(await ballotStats(deps.pool, params.id)) } }),
  }),
  route({
    operationId: 'manifestReconciliation', method: 'get', path: '/api/elections/:id/reconciliation', tag: 'files',
    policy: staff(['state-admin', 'county-manager', 'vendor'], on.election()),
    summary: 'Every ballot that does not match one-to-one between the state extracts and the vendor manifests',
    description: 'The contract demands a perfect 1-to-1 match. Lists ballots issued but never mailed (latest issue of each voter), mailed but not issued, and ballots with more than one outbound piece.',
    params: ElectionParams,
    responses: { 200: { description: 'the reconciliation; `perfect` is true when nothing is listed' } },
    handler: async ({ params, deps }) => ({ status: 200, json: { electionId: params.id, ...(await reconcile(deps.pool, params.id)) } }),
  }),
];

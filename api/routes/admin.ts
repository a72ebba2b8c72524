/**
 * The state admin's audit tools (issue 5): export the audit log by time range and county, as JSON or CSV; and the
 * retention purge, the one operation that removes voters' records, refused before the retention period ends.
 */
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { purgeElectionVoters, readAudit } from '../../db/audit-export';
import { getElection } from '../../db/elections';
import { CountySchema, ElectionIdSchema } from '../../domain/ids';
import { InstantSchema, pacificDate } from '../../domain/time';
import { HttpProblem } from '../problem';
import { on, route, staff } from '../route';

/**
 * Election records are kept 22 months after the election (52 U.S.C. 20701; Elections Code 17300 keeps ballot
 * materials as long as federal law requires). The purge refuses an election younger than that.
 */
export const RETENTION_MONTHS = 22;

export function retentionEnds(electionDate: string): string {
  const [y, m, d] = electionDate.split('-').map(Number) as [number, number, number];
  const end = new Date(Date.UTC(y, m - 1 + RETENTION_MONTHS, d));
  return end.toISOString().slice(0, 10);
}

const CSV_COLUMNS = ['id', 'at', 'actor', 'role', 'county', 'action', 'target', 'requestId', 'result', 'detail'] as const;

export const adminRoutes = [
  route({
    operationId: 'exportAudit', method: 'get', path: '/api/admin/audit', tag: 'admin',
    policy: staff(['state-admin'], undefined, { auditReads: true }),
    summary: 'Export the audit log by time range and county, as JSON or CSV',
    description: 'Oldest first, at most `limit` rows a page; `after` (the last id of a page, also in the `X-Next-After` header) continues. `format=csv` answers text/csv. Each export is itself audited.',
    query: z.object({
      from: InstantSchema, to: InstantSchema,
      county: CountySchema.optional(),
      format: z.enum(['json', 'csv']).default('json'),
      after: z.string().regex(/^\d{1,19}$/, 'must be the last id of the previous page').optional(),
      limit: z.coerce.number().int().min(1).max(50_000).default(1000),
    }).refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: 'must be after from', path: ['to'] }),
    responses: { 200: { description: 'audit rows', contentType: 'application/json, text/csv' }, 422: { description: 'bad range' } },
    handler: async ({ query, deps }) => {
      const rows = await readAudit(deps.pool, { from: new Date(query.from), to: new Date(query.to), limit: query.limit, ...(query.county ? { county: query.county } : {}), ...(query.after ? { after: query.after } : {}) });
      const next = rows.length === query.limit ? rows.at(-1)!.id : undefined;
      const headers: Record<string, string> = next ? { 'X-Next-After': next } : {};
      if (query.format === 'json') return { status: 200, json: { entries: rows, ...(next ? { next } : {}) }, headers };
      const text = stringify(rows.map((r) => ({ ...r, at: r.at.toISOString(), detail: JSON.stringify(r.detail) })), { header: true, columns: [...CSV_COLUMNS] });
      return { status: 200, text, contentType: 'text/csv; charset=utf-8', headers: { ...headers, 'Content-Disposition': 'attachment; filename="ballotflow-audit.csv"' } };
    },
  }),
  route({
    operationId: 'purgeElectionVoters', method: 'post', path: '/api/admin/retention/purge', tag: 'admin',
    policy: staff(['state-admin'], on.election('body', 'electionId')),
    summary: 'Retention purge: remove the voter records of an election whose retention period has ended',
    description: `Removes the names and lookup hashes of the election's voters. Refused (409) until ${RETENTION_MONTHS} months after the election. Ballot events, consents and the audit log are append-only and stay. Nothing else in the product removes voter records.`,
    body: z.object({ electionId: ElectionIdSchema, reason: z.string().trim().min(5, 'say why, for the audit log').max(500) }),
    responses: { 200: { description: 'purged' }, 404: { description: 'no such election' }, 409: { description: 'still within the retention period' } },
    handler: async ({ body, deps }) => {
      const e = await getElection(deps.pool, body.electionId);
      if (!e) throw new HttpProblem(404, 'Not Found', `election ${body.electionId} was not found`);
      const ends = retentionEnds(e.electionDate);
      if (pacificDate(Date.now()) < ends) throw new HttpProblem(409, 'Retention period', `the records of ${body.electionId} must be kept until ${ends}`, { retentionEnds: ends });
      const removed = await purgeElectionVoters(deps.pool, body.electionId);
      return { status: 200, json: { electionId: body.electionId, votersRemoved: removed, reason: body.reason }, audit: { reason: body.reason, votersRemoved: removed } };
    },
  }),
];

/**
 * From a parsed row to the facts its ballots learn. Pure. Each fact's key is the file and line it came from,
 * so a file processed twice (a crash mid-file, a retried batch) teaches every ballot each fact once.
 */
import { ballotIdOf, type BallotFact } from '../domain/ballot';
import { pacificTime } from '../domain/time';
import type { CountyReturnRow, ExtractRow, FileType, VendorManifestRow } from './schemas';

export interface BallotFactFor { ballotId: string; fact: BallotFact }

/** Facts carry their business date (issued, mailed, status date) at noon Pacific: never ambiguous at a DST change. */
const noonOf = (date: string): number => pacificTime(date, 12);

export function factsForRow(type: FileType, row: unknown, ctx: { electionId: string; fileId: string; line: number; receivedAtMs: number }): BallotFactFor[] {
  const key = `${ctx.fileId}:${ctx.line}`;
  const at = ctx.receivedAtMs;
  switch (type) {
    // The county's fixed-field record issues ballots as the state extract does (its issue date is the file date).
    case 'state-extract':
    case 'county-fixed-field': {
      const r = row as ExtractRow;
      const id = ballotIdOf(ctx.electionId, r.voterId, r.issueNumber);
      const at = noonOf(r.issueDate);
      const out: BallotFactFor[] = [{ ballotId: id, fact: { type: 'issued', key, at, issueDate: r.issueDate, ballotType: r.ballotType, uocava: r.ballotType === 'UOCAVA' } }];
      // A reissued ballot (issue n+1) supersedes issue n: that ballot's workflow ends as superseded.
      if (r.issueNumber > 1) {
        out.push({ ballotId: ballotIdOf(ctx.electionId, r.voterId, r.issueNumber - 1), fact: { type: 'superseded', key: `${key}:supersedes`, at, by: 'reissue', detail: `issue ${r.issueNumber} dated ${r.issueDate}` } });
      }
      return out;
    }
    case 'vendor-manifest': {
      const r = row as VendorManifestRow;
      return [{ ballotId: ballotIdOf(ctx.electionId, r.voterId, r.issueNumber), fact: { type: 'mailed', key, at: noonOf(r.mailedDate), mailedDate: r.mailedDate, outboundImb: r.outboundImb.digits, returnImb: r.returnImb.digits } }];
    }
    case 'county-returns': {
      const r = row as CountyReturnRow;
      const ballotId = ballotIdOf(ctx.electionId, r.voterId, r.issueNumber);
      const statusDate = r.statusDate ?? r.receiptDate ?? new Date(at).toISOString().slice(0, 10);
      const dates = { ...(r.receiptDate ? { receiptDate: r.receiptDate } : {}), ...(r.postmarkDate ? { postmarkDate: r.postmarkDate } : {}) };
      if (r.status === 'undeliverable') return [{ ballotId, fact: { type: 'county-undeliverable', key, at: noonOf(statusDate), date: statusDate, reasonCodes: r.reasonCodes.length ? r.reasonCodes : ['undeliverable'] } }];
      if (r.status === 'not-returned' || r.status === 'cancelled') return [];
      // The cure status refines "not accepted": a notice sent means the voter can still fix it.
      const status = r.cureStatus === 'cured' ? 'cured' : r.cureStatus === 'notice-sent' ? 'cure-pending' : r.status;
      return [{ ballotId, fact: { type: 'county-status', key, at: noonOf(statusDate), status, statusDate, reasonCodes: r.reasonCodes, ...dates } }];
    }
    case 'usps-scans':
    case 'usps-scans-jsonl':
      // Scans are matched to ballots through the manifest's pieces, by the ingestion activity (it reads the map).
      return [];
    default: {
      const never: never = type;
      throw new Error(`unknown file type ${String(never)}`);
    }
  }
}

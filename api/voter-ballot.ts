/**
 * A voter's ballot as the voter sees it (the web portal's "Where is my ballot?" page and a voter account's saved
 * lookups): the current status, the reasons in English and Spanish with how to fix them, the cure form and its
 * deadline when the signature needs curing, and the status history. Nothing that identifies the voter: no name,
 * no voter or ballot id, no IMb.
 */
import type { Pool } from 'pg';
import { z } from 'zod';
import { listBallotEvents } from '../db/ballots';
import { getElection } from '../db/elections';
import { countyOverride } from '../db/notify-config';
import { electionOfBallot } from '../db/scope';
import { getVoter } from '../db/subscriptions';
import { ballotCalendar } from '../domain/ballot';
import { REASONS, ReasonCodeSchema } from '../domain/reason-codes';
import { defaultCountyName, type CountyOverride } from '../domain/notify/triggers';

const Localized = z.object({ en: z.string(), es: z.string() });
export const ExpectedWindowSchema = z.object({ from: z.string(), to: z.string(), source: z.string() });

export const VoterBallotSchema = z.object({
  county: z.string(),
  countyName: z.string(),
  electionDate: z.string().describe('YYYY-MM-DD'),
  status: z.string().describe('the current status; `issued` until the first status event'),
  reasonCodes: z.array(z.string()),
  reasons: z.array(z.object({ code: z.string(), label: Localized, howToFix: Localized, curable: z.boolean() })),
  expectedWindow: ExpectedWindowSchema.optional().describe('while the ballot is on its way to the voter'),
  cure: z.object({ formUrl: z.string().nullable(), deadline: z.string().describe('ISO 8601 instant') }).nullable().describe('only while the status is cure-pending'),
  countyPhone: z.string().nullable(),
  timeline: z.array(z.object({ status: z.string(), at: z.string(), reasonCodes: z.array(z.string()) })),
});
export type VoterBallot = z.infer<typeof VoterBallotSchema>;

/** The statuses an expected delivery window is about: the ballot is on its way to the voter. */
const OUTBOUND = new Set(['mailed', 'in-mail-stream']);

/** The county's name and phone as the voter sees them: its configured identity, else a name made from its id. */
export interface CountyFacts { countyName: string; countyPhone: string | null; cureFormUrl: string | null }

export function countyFactsOf(county: string, o: CountyOverride | undefined): CountyFacts {
  if (o) return { countyName: o.displayName, countyPhone: o.phone, cureFormUrl: o.cureFormUrl };
  return { countyName: defaultCountyName(county), countyPhone: null, cureFormUrl: null };
}

/** One lookup per county per request: a list of saved lookups often names one county several times. */
export function countyFactsCache(pool: Pool): (county: string) => Promise<CountyFacts> {
  const seen = new Map<string, Promise<CountyFacts>>();
  return (county) => {
    let f = seen.get(county);
    if (!f) seen.set(county, (f = countyOverride(pool, county).then((o) => countyFactsOf(county, o))));
    return f;
  };
}

/** The election's date as it is now (it may have moved since the id was made), else the date in the id. */
async function electionDateOf(pool: Pool, electionId: string, ballotId: string): Promise<string> {
  const e = await getElection(pool, electionId);
  if (e) return e.electionDate;
  for (const id of [electionId, electionOfBallot(ballotId)]) {
    const m = /^election:[a-z]+(?:-[a-z]+)*:(\d{4}-\d{2}-\d{2})(?::|$)/.exec(id);
    if (m) return m[1]!;
  }
  throw new Error(`no election date for ${electionId}`);
}

export interface BallotNow {
  status: string;
  reasonCodes: string[];
  expectedWindow?: { from: string; to: string; source: string };
  timeline: { status: string; at: string; reasonCodes: string[] }[];
}

/**
 * A ballot's status events in the order the ballot applied them (db/ballots.ts), the current status the last of
 * them ('issued' before the first: the voter is in the county's extract, so a ballot was issued), and the expected
 * delivery window of the latest event that has one, while the ballot is still on its way out.
 */
export async function ballotNow(pool: Pool, ballotId: string): Promise<BallotNow> {
  const events = (await listBallotEvents(pool, ballotId)).filter((e) => e.type === 'status-changed' && e.status !== null);
  const timeline = events.map((e) => ({ status: e.status!, at: e.at.toISOString(), reasonCodes: e.reasonCodes ?? [] }));
  const last = timeline.at(-1);
  const status = last?.status ?? 'issued';
  let expectedWindow: BallotNow['expectedWindow'];
  if (OUTBOUND.has(status)) {
    for (const e of [...events].reverse()) {
      const w = ExpectedWindowSchema.safeParse((e.detail as { expectedWindow?: unknown } | null)?.expectedWindow);
      if (w.success) { expectedWindow = w.data; break; }
    }
  }
  return { status, reasonCodes: last?.reasonCodes ?? [], ...(expectedWindow ? { expectedWindow } : {}), timeline };
}

/** The voter's current (latest-issue) ballot as the voter sees it; undefined when the voter has no record. */
export async function voterBallotView(pool: Pool, county: string, voterId: string): Promise<VoterBallot | undefined> {
  const voter = await getVoter(pool, county, voterId);
  if (!voter) return undefined;
  const [now, facts, electionDate] = await Promise.all([
    ballotNow(pool, voter.ballotId), countyOverride(pool, county).then((o) => countyFactsOf(county, o)), electionDateOf(pool, voter.electionId, voter.ballotId),
  ]);
  const reasons = now.reasonCodes.flatMap((code) => {
    const known = ReasonCodeSchema.safeParse(code);
    if (!known.success) return [];
    const r = REASONS[known.data];
    return [{ code: known.data, label: r.label, howToFix: r.howToFix, curable: r.curable }];
  });
  const cure = now.status === 'cure-pending'
    ? { formUrl: facts.cureFormUrl, deadline: new Date(ballotCalendar(electionDate).cureDeadlineAtMs).toISOString() }
    : null;
  return {
    county, countyName: facts.countyName, electionDate, status: now.status, reasonCodes: now.reasonCodes, reasons,
    ...(now.expectedWindow ? { expectedWindow: now.expectedWindow } : {}),
    cure, countyPhone: facts.countyPhone, timeline: now.timeline,
  };
}

/**
 * The county election calendar: every milestone from E-90 to state certification.
 *
 * Sources: the Fresno County agreement with its print/mail vendor, Exhibit A page 3 ("County Deadlines",
 * sections I and II), and the California Elections Code for the canvass. "E-29" is 29 calendar days before
 * election day. Pure: used by workflows, the API and the CLI alike.
 */
import { z } from 'zod';
import { addDays, endOfPacificDay, pacificTime, toPacificIso, type IsoDate } from './time';

export const ElectionTypeSchema = z.enum([
  'statewide-presidential-primary',
  'statewide-primary',
  'statewide-general',
  'statewide-special',
  'special',
  'udel',
  'municipal',
]);
export type ElectionType = z.infer<typeof ElectionTypeSchema>;

export const ELECTION_TYPE_LABELS: Record<ElectionType, string> = {
  'statewide-presidential-primary': 'Statewide presidential primary',
  'statewide-primary': 'Statewide primary',
  'statewide-general': 'Statewide general',
  'statewide-special': 'Statewide special',
  special: 'Special election',
  udel: 'Uniform District Election Law (UDEL) election',
  municipal: 'Municipal election',
};

export function isStatewide(type: ElectionType): boolean {
  return type.startsWith('statewide-');
}

/**
 * Whether the envelope order is due E-90 (county-wide) or E-85 (any other election), Exhibit A §II.
 * A statewide election is county-wide in every county; other types default to not county-wide unless the
 * county says so.
 */
export function resolveCountywide(type: ElectionType, countywide: boolean | undefined): { ok: true; value: boolean } | { ok: false; error: string } {
  if (isStatewide(type)) {
    if (countywide === false) return { ok: false, error: `a ${type} election is county-wide in every county` };
    return { ok: true, value: true };
  }
  return { ok: true, value: countywide ?? false };
}

export type Owner = 'county' | 'vendor' | 'state';
/** task: someone must do it; cutoff: a legal instant that simply passes (nothing to mark done). */
export type MilestoneKind = 'task' | 'cutoff';

export interface MilestoneRule {
  key: string;
  name: string;
  owner: Owner;
  kind: MilestoneKind;
  /** Days relative to election day of the due date (E-29 is -29). */
  dueOffset: (ctx: { countywide: boolean }) => number;
  /** For a range such as "E-50 to E-45", the first day of the range. */
  windowStartOffset?: number;
  /** Wall-clock due time if not the end of the day. */
  dueTime?: { hour: number; minute: number };
  /** A vendor deadline from the County Deadlines table: late days accrue liquidated damages (§12). */
  liquidatedDamages: boolean;
  /** The county input this vendor deadline waits for: the deadline moves by that input's days late. */
  countyInput?: string;
  /** Per-request deliverables (subsequent extracts, election-day orders) hang off this milestone. */
  perRequest?: 'subsequent-extract' | 'election-day-order';
  source: string;
}

/** County certification is E+30 (EC §15372); cure dates count back from it (EC §3019(d)). */
export const COUNTY_CERTIFICATION_OFFSET = 30;

export const MILESTONE_RULES: readonly MilestoneRule[] = [
  {
    key: 'envelope-order', name: 'County orders vote-by-mail envelopes', owner: 'county', kind: 'task',
    dueOffset: ({ countywide }) => (countywide ? -90 : -85), liquidatedDamages: false,
    source: 'Agreement Exh. A §II: 90 days before a county-wide election, 85 days before any other',
  },
  {
    key: 'ballot-order', name: 'County sends ballot order to vendor', owner: 'county', kind: 'task',
    dueOffset: () => -60, liquidatedDamages: false, source: 'Agreement Exh. A §I',
  },
  {
    key: 'ballot-order-proof', name: 'Vendor returns ballot order proof (quantities)', owner: 'vendor', kind: 'task',
    dueOffset: () => -58, liquidatedDamages: true, countyInput: 'ballot-order', source: 'Agreement Exh. A §I; §12',
  },
  {
    key: 'ballot-artwork', name: 'County sends ballot image files, instructions and GEMS reports', owner: 'county', kind: 'task',
    dueOffset: () => -56, liquidatedDamages: false, source: 'Agreement Exh. A §I',
  },
  {
    key: 'first-extract', name: 'County sends first vote-by-mail voter extract', owner: 'county', kind: 'task',
    dueOffset: () => -56, liquidatedDamages: false, source: 'Agreement Exh. A §II',
  },
  {
    key: 'envelopes-delivered', name: 'Vendor delivers vote-by-mail envelopes', owner: 'vendor', kind: 'task',
    dueOffset: () => -55, liquidatedDamages: true, countyInput: 'envelope-order', source: 'Agreement Exh. A §II; §12',
  },
  {
    key: 'ballot-proofs', name: 'Vendor sends ballot image proofs and paper proofs', owner: 'vendor', kind: 'task',
    dueOffset: () => -50, liquidatedDamages: true, countyInput: 'ballot-artwork', source: 'Agreement Exh. A §I; §12',
  },
  {
    // Listed in both tables of Exhibit A (print and mail; mail): one deliverable, so one late day is charged once.
    key: 'uocava-mailing', name: 'Vendor prints and mails UOCAVA (military and overseas) ballots', owner: 'vendor', kind: 'task',
    dueOffset: () => -45, windowStartOffset: -50, liquidatedDamages: true,
    source: 'Agreement Exh. A §I and §II; 52 U.S.C. §20302(a)(8): mailed by E-45',
  },
  {
    key: 'vbm-printing', name: 'Vendor prints vote-by-mail and test ballots', owner: 'vendor', kind: 'task',
    dueOffset: () => -34, windowStartOffset: -45, liquidatedDamages: true, source: 'Agreement Exh. A §I; §12',
  },
  {
    key: 'office-test-ballots', name: 'Vendor delivers office ballots and test ballots', owner: 'vendor', kind: 'task',
    dueOffset: () => -34, liquidatedDamages: true, source: 'Agreement Exh. A §I; §12',
  },
  {
    key: 'first-mailing', name: 'Vendor mails vote-by-mail packets for the first extract', owner: 'vendor', kind: 'task',
    dueOffset: () => -29, liquidatedDamages: true, countyInput: 'first-extract',
    source: 'Agreement Exh. A §II; EC §3000.5: ballots mailed no later than E-29',
  },
  {
    key: 'subsequent-mailings', name: 'Vendor assembles and mails packets for each subsequent extract', owner: 'vendor', kind: 'task',
    dueOffset: () => -6, windowStartOffset: -28, liquidatedDamages: false, perRequest: 'subsequent-extract',
    source: 'Agreement Exh. A §II (each extract: mailed within 2 days, Exh. A service levels)',
  },
  {
    key: 'polling-ballots', name: 'Vendor delivers polling place and duplicate ballots', owner: 'vendor', kind: 'task',
    dueOffset: () => -15, liquidatedDamages: true, source: 'Agreement Exh. A §I; §12',
  },
  {
    key: 'election-day-ballots', name: 'Vendor prints and delivers ballots to polling places within 2 hours of request', owner: 'vendor', kind: 'task',
    dueOffset: () => 0, windowStartOffset: 0, liquidatedDamages: false, perRequest: 'election-day-order',
    source: 'Agreement Exh. A §I; Exh. B note 8',
  },
  {
    key: 'ballot-receipt-deadline', name: 'Last day to receive a ballot postmarked by election day', owner: 'county', kind: 'cutoff',
    dueOffset: () => 7, liquidatedDamages: false, source: 'EC §3020(b)',
  },
  {
    key: 'cure-notice-deadline', name: 'County sends signature cure notices (and text/email where on file)', owner: 'county', kind: 'task',
    dueOffset: () => COUNTY_CERTIFICATION_OFFSET - 8, liquidatedDamages: false, source: 'EC §3019(d): no later than 8 days before certification',
  },
  {
    key: 'cure-statement-deadline', name: 'Last receipt of signature verification (cure) statements, 5 p.m.', owner: 'county', kind: 'cutoff',
    dueOffset: () => COUNTY_CERTIFICATION_OFFSET - 2, dueTime: { hour: 17, minute: 0 }, liquidatedDamages: false,
    source: 'EC §3019(d): 5 p.m. two days before certification',
  },
  {
    key: 'county-certification', name: 'County certifies its canvass', owner: 'county', kind: 'task',
    dueOffset: () => COUNTY_CERTIFICATION_OFFSET, liquidatedDamages: false, source: 'EC §15372',
  },
  {
    key: 'sos-certification', name: 'Secretary of State certifies statewide results', owner: 'state', kind: 'task',
    dueOffset: () => 38, liquidatedDamages: false, source: 'EC §15501',
  },
];

export const MILESTONE_KEYS = MILESTONE_RULES.map((r) => r.key);

export function ruleFor(key: string): MilestoneRule | undefined {
  return MILESTONE_RULES.find((r) => r.key === key);
}

export interface CalendarEntry {
  key: string;
  name: string;
  owner: Owner;
  kind: MilestoneKind;
  /** "E-29", "E+7": the rule as people say it. */
  offsetLabel: string;
  dueDate: IsoDate;
  dueAtMs: number;
  dueAt: string;
  windowStart?: IsoDate;
  liquidatedDamages: boolean;
  countyInput?: string;
  perRequest?: MilestoneRule['perRequest'];
  source: string;
}

export function offsetLabel(days: number): string {
  return days === 0 ? 'E' : days < 0 ? `E${days}` : `E+${days}`;
}

/** Every milestone of one election, sorted by due instant. */
export function computeCalendar(electionDate: IsoDate, countywide: boolean): CalendarEntry[] {
  return MILESTONE_RULES.map((rule): CalendarEntry => {
    const offset = rule.dueOffset({ countywide });
    const dueDate = addDays(electionDate, offset);
    const dueAtMs = rule.dueTime ? pacificTime(dueDate, rule.dueTime.hour, rule.dueTime.minute) : endOfPacificDay(dueDate);
    return {
      key: rule.key,
      name: rule.name,
      owner: rule.owner,
      kind: rule.kind,
      offsetLabel: rule.windowStartOffset !== undefined && rule.windowStartOffset !== offset
        ? `${offsetLabel(rule.windowStartOffset)}..${offsetLabel(offset)}`
        : offsetLabel(offset),
      dueDate,
      dueAtMs,
      dueAt: toPacificIso(dueAtMs),
      ...(rule.windowStartOffset !== undefined ? { windowStart: addDays(electionDate, rule.windowStartOffset) } : {}),
      liquidatedDamages: rule.liquidatedDamages,
      ...(rule.countyInput ? { countyInput: rule.countyInput } : {}),
      ...(rule.perRequest ? { perRequest: rule.perRequest } : {}),
      source: rule.source,
    };
  }).sort((a, b) => a.dueAtMs - b.dueAtMs || MILESTONE_KEYS.indexOf(a.key) - MILESTONE_KEYS.indexOf(b.key));
}

/** A subsequent extract is mailed within 2 days (Exh. A: "turnaround for a voter data file is 1 to 2 days"). */
export const SUBSEQUENT_EXTRACT_TURNAROUND_DAYS = 2;
/** Election-day ballots: "within two hours of request" (Exh. A §I, Exh. B note 8). */
export const ELECTION_DAY_TURNAROUND_MS = 2 * 60 * 60 * 1000;

/**
 * A what-if scenario for `ballotflow simulate`: one vendor contract, the elections held under it, and what
 * the county, the vendor and the state do when. docs/scenarios.md describes the format for election staff.
 *
 * Pure: parsing, time resolution and the autoComplete rule live here; cli/simulate.ts only plays the resolved
 * timeline against the workflows. Parsing returns every problem as `{ path, message }` so the CLI can say
 * `examples/x.json: events[3].at: ...`.
 */
import { z } from 'zod';
import { MILESTONE_KEYS, MILESTONE_RULES, ElectionTypeSchema, offsetLabel, computeCalendar } from './calendar';
import { ContractTermsSchema, InvoiceCommandSchema, type Contract } from './contract';
import {
  buildElectionInput, CancelSchema, ChangeDateSchema, CompleteMilestoneSchema, DelayNoticeSchema, ElectionDayOrderSchema,
  ElectionRequestSchema, SendExtractSchema, WaiverDecisionSchema, type ElectionInput,
} from './election';
import { contractIdOf, CountySchema } from './ids';
import { addDays, daysBetween, InstantSchema, IsoDateSchema, pacificDate, pacificTime, parseInstant, toPacificIso } from './time';

// ---------- time forms ----------

/** "E-52 14:00", "E 10:15", "E+3 09:30": Pacific wall-clock time on a day counted from election day. */
const RELATIVE_TIME = /^E(?:([+-])(\d{1,3}))? (\d{1,2}):(\d{2})$/;

export const TIME_FORMS =
  'must be an ISO 8601 date-time with offset such as "2028-01-15T14:00:00-08:00", or a Pacific time relative to ' +
  'election day such as "E-52 14:00", "E 10:15" or "E+3 09:30"';

function parseRelative(spec: string): { days: number; hour: number; minute: number } | undefined {
  const m = RELATIVE_TIME.exec(spec);
  if (!m) return undefined;
  const hour = Number(m[3]);
  const minute = Number(m[4]);
  if (hour > 23 || minute > 59) return undefined;
  return { days: m[1] === '-' ? -Number(m[2]) : Number(m[2] ?? 0), hour, minute };
}

export const TimeSpecSchema = z
  .string()
  .refine((s) => parseRelative(s) !== undefined || InstantSchema.safeParse(s).success, { message: TIME_FORMS });

/**
 * The instant a time form names. Relative forms count from the election's ORIGINAL date, so a scenario that
 * moves the election keeps its other events where they were written.
 */
export function resolveTimeSpec(spec: string, originalElectionDate: string): number {
  const rel = parseRelative(spec);
  if (rel) return pacificTime(addDays(originalElectionDate, rel.days), rel.hour, rel.minute);
  return parseInstant(spec);
}

// ---------- the file ----------

const Actor = z.string().min(1).max(200);
const common = {
  at: TimeSpecSchema,
  /** Which election the event belongs to (and counts "E" from): its id, its original date or its name. */
  election: z.string().min(1).max(120).optional(),
  /** Who acts; defaults by role (the county's elections office, the contract's vendor, the Secretary of State). */
  by: Actor.optional(),
  /** A comment for people reading the scenario; shown in the report. */
  note: z.string().max(2000).optional(),
};
const MilestoneKey = CompleteMilestoneSchema.shape.key;

export const ScenarioEventSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('county-complete'), ...common, key: MilestoneKey }),
  z.strictObject({ action: z.literal('vendor-complete'), ...common, key: MilestoneKey, evidence: CompleteMilestoneSchema.shape.evidence }),
  z.strictObject({ action: z.literal('state-complete'), ...common, key: MilestoneKey }),
  z.strictObject({
    action: z.literal('subsequent-extract'), ...common,
    extractId: SendExtractSchema.shape.extractId, records: SendExtractSchema.shape.records, fileRef: SendExtractSchema.shape.fileRef,
  }),
  z.strictObject({
    action: z.literal('election-day-order'), ...common,
    requestId: ElectionDayOrderSchema.shape.requestId, pollingPlace: ElectionDayOrderSchema.shape.pollingPlace, quantity: ElectionDayOrderSchema.shape.quantity,
  }),
  z.strictObject({
    action: z.literal('delay-notice'), ...common,
    noticeId: DelayNoticeSchema.shape.noticeId, deliverableKey: DelayNoticeSchema.shape.deliverableKey, kind: DelayNoticeSchema.shape.kind,
    delayStartedAt: TimeSpecSchema, description: DelayNoticeSchema.shape.description.optional(),
  }),
  z.strictObject({
    action: z.literal('waiver'), ...common,
    deliverableKey: WaiverDecisionSchema.shape.deliverableKey, noticeId: WaiverDecisionSchema.shape.noticeId,
    decision: WaiverDecisionSchema.shape.decision, throughDate: WaiverDecisionSchema.shape.throughDate, reason: WaiverDecisionSchema.shape.reason,
  }),
  z.strictObject({ action: z.literal('change-date'), ...common, newDate: ChangeDateSchema.shape.newDate, reason: ChangeDateSchema.shape.reason }),
  z.strictObject({ action: z.literal('cancel'), ...common, reason: CancelSchema.shape.reason }),
  z.strictObject({
    action: z.literal('invoice'), ...common,
    invoiceId: InvoiceCommandSchema.shape.invoiceId,
    /** Defaults to the Pacific date of `at`. */
    invoiceDate: IsoDateSchema.optional(),
    items: InvoiceCommandSchema.shape.items,
  }),
]);
export type ScenarioEvent = z.infer<typeof ScenarioEventSchema>;
export type ScenarioAction = ScenarioEvent['action'];
export const SCENARIO_ACTIONS: readonly ScenarioAction[] = [
  'county-complete', 'vendor-complete', 'state-complete', 'subsequent-extract', 'election-day-order', 'delay-notice',
  'waiver', 'change-date', 'cancel', 'invoice',
];

export const ScenarioElectionSchema = z.strictObject({
  /** Defaults to the contract's county; an election of another county cannot run under this contract. */
  county: CountySchema.optional(),
  electionDate: IsoDateSchema,
  type: ElectionTypeSchema,
  countywide: ElectionRequestSchema.shape.countywide,
  suffix: ElectionRequestSchema.shape.suffix,
  name: ElectionRequestSchema.shape.name,
});

export const ScenarioSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(4000).optional(),
  /** Complete every county and state task not named in the events on time, at noon on its due day. */
  autoComplete: z.boolean().default(false),
  contract: ContractTermsSchema,
  elections: z.array(ScenarioElectionSchema).min(1, 'a scenario needs at least one election').max(10),
  events: z.array(ScenarioEventSchema).max(5000).default([]),
});
export type Scenario = z.infer<typeof ScenarioSchema>;

// ---------- the resolved timeline ----------

type Cmd<S extends z.ZodType> = z.infer<S>;
export type ScenarioCommand =
  | { action: 'county-complete'; arg: Cmd<typeof CompleteMilestoneSchema> }
  | { action: 'vendor-complete'; arg: Cmd<typeof CompleteMilestoneSchema> }
  | { action: 'state-complete'; arg: Cmd<typeof CompleteMilestoneSchema> }
  | { action: 'subsequent-extract'; arg: Cmd<typeof SendExtractSchema> }
  | { action: 'election-day-order'; arg: Cmd<typeof ElectionDayOrderSchema> }
  | { action: 'delay-notice'; arg: Cmd<typeof DelayNoticeSchema> }
  | { action: 'waiver'; arg: Cmd<typeof WaiverDecisionSchema> }
  | { action: 'change-date'; arg: Cmd<typeof ChangeDateSchema> }
  | { action: 'cancel'; arg: Cmd<typeof CancelSchema> }
  | { action: 'invoice'; arg: Cmd<typeof InvoiceCommandSchema> };

export interface TimelineEvent {
  /** 1-based position in the timeline (file events and synthesized ones together). */
  seq: number;
  /** Position in the file's `events` array; absent for events synthesized by autoComplete. */
  index?: number;
  synthesized: boolean;
  atMs: number;
  /** The instant in Pacific time, e.g. 2028-01-15T14:00:00.000-08:00. */
  at: string;
  /** The time as written in the file (or, for synthesized events, as a relative form). */
  when: string;
  electionId: string;
  note?: string;
  command: ScenarioCommand;
}

export interface ScenarioElection {
  input: ElectionInput;
  label: string;
}

export interface ResolvedScenario {
  name?: string;
  description?: string;
  autoComplete: boolean;
  contract: Contract;
  elections: ScenarioElection[];
  timeline: TimelineEvent[];
}

export interface ScenarioIssue {
  /** e.g. "events[3].at"; empty for a problem with the whole file. */
  path: string;
  message: string;
}

export type ScenarioResult = { ok: true; value: ResolvedScenario } | { ok: false; issues: ScenarioIssue[] };

/** `events[3].at`, `contract.fiscalPeriods[0].cap`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** zod's issues, reworded for people who edit the file by hand. */
function zodIssues(error: z.ZodError, raw: unknown): ScenarioIssue[] {
  return error.issues.map((i): ScenarioIssue => {
    if (i.code === 'unrecognized_keys') {
      const where = formatPath(i.path);
      return { path: formatPath([...i.path, i.keys[0]!]), message: `unknown field${i.keys.length > 1 ? `s ${i.keys.map((k) => `"${k}"`).join(', ')}` : ''}${where ? ` in ${where}` : ''}` };
    }
    if (i.code === 'invalid_union' && 'discriminator' in i && i.discriminator === 'action') {
      const got = valueAt(raw, i.path);
      return {
        path: formatPath(i.path),
        message: `${got === undefined ? 'is required' : `${JSON.stringify(got)} is not an action`}; the actions are: ${SCENARIO_ACTIONS.join(', ')}`,
      };
    }
    if (i.code === 'invalid_type' && valueAt(raw, i.path) === undefined) return { path: formatPath(i.path), message: `is required (${i.expected})` };
    return { path: formatPath(i.path), message: i.message };
  });
}

// ---------- JSON with line and column ----------

/** Where a JSON text first goes wrong. JSON.parse on Node 20 often says only "Unexpected token". */
export function locateJsonError(text: string): { offset: number; line: number; column: number; message: string } | undefined {
  let i = 0;
  class Stop { constructor(readonly offset: number, readonly message: string) {} }
  const found = (at: number) => (at >= text.length ? 'the end of the file' : JSON.stringify(text[at]));
  const stop = (message: string, at = i): never => { throw new Stop(at, message); };
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++; };
  const str = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) stop('a string is not closed (missing ")');
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; return; }
      if (c < 0x20) stop('a line break or control character inside a string (missing closing "?)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') { if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) stop('\\u must be followed by 4 hex digits'); i += 6; continue; }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) stop(`invalid escape \\${e ?? ''} in a string`);
        i += 2; continue;
      }
      i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') stop(text[i] === '}' ? 'a comma before "}" (trailing commas are not allowed in JSON)' : `expected a property name in double quotes, found ${found(i)}`);
        str(); ws();
        if (text[i] !== ':') stop(`expected ":" after the property name, found ${found(i)}`);
        i++; value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        stop(`expected "," or "}" after a property value, found ${found(i)}`);
      }
    }
    if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        ws();
        if (text[i] === ']') stop('a comma before "]" (trailing commas are not allowed in JSON)');
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        stop(`expected "," or "]" after an array element, found ${found(i)}`);
      }
    }
    if (c === '"') return str();
    const num = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    num.lastIndex = i;
    if ((c === '-' || (c !== undefined && c >= '0' && c <= '9')) && num.test(text)) { i = num.lastIndex; return; }
    for (const lit of ['true', 'false', 'null']) if (text.startsWith(lit, i)) { i += lit.length; return; }
    stop(c === "'" ? 'strings must use double quotes' : `unexpected ${found(i)}`);
  };
  try {
    value(); ws();
    if (i < text.length) stop(`unexpected ${found(i)} after the end of the JSON document`);
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) return undefined; // e.g. nesting too deep to walk: fall back to JSON.parse's message
    const before = text.slice(0, e.offset);
    const line = before.split('\n').length;
    const column = e.offset - before.lastIndexOf('\n');
    return { offset: e.offset, line, column, message: e.message };
  }
}

// ---------- resolving ----------

function titleCase(slug: string): string {
  return slug.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

/** County and state tasks that autoComplete may complete: everything the vendor does is listed by hand. */
export const AUTO_COMPLETE_KEYS: readonly string[] = MILESTONE_RULES
  .filter((r) => r.kind === 'task' && r.owner !== 'vendor' && !r.perRequest)
  .map((r) => r.key);

/** Completed at noon Pacific on the due day: on time, and clear of any deadline at midnight. */
export const AUTO_COMPLETE_HOUR = 12;

function knownMilestone(key: string): boolean {
  return MILESTONE_KEYS.includes(key) || /^subsequent-mailing:.+/.test(key) || /^election-day-order:.+/.test(key);
}

/**
 * Parses and resolves a scenario. `nowMs` is when the simulation clock starts (the time-skipping server starts
 * at the real current time), so every election must still be ahead of its E-90 and every event in the future.
 */
export function resolveScenario(raw: unknown, nowMs: number): ScenarioResult {
  // ContractTermsSchema (shared with the API) drops unknown fields; in a hand-written file a misspelt term
  // would silently fall back to its default, so name it.
  const rawContract = valueAt(raw, ['contract']);
  const strayTerms: ScenarioIssue[] = rawContract !== null && typeof rawContract === 'object' && !Array.isArray(rawContract)
    ? Object.keys(rawContract).filter((k) => !(k in ContractTermsSchema.shape)).map((k) => ({ path: `contract.${k}`, message: 'unknown field' }))
    : [];
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: [...strayTerms, ...zodIssues(parsed.error, raw)] };
  if (strayTerms.length > 0) return { ok: false, issues: strayTerms };
  const sc = parsed.data;
  const issues: ScenarioIssue[] = [];
  const contract: Contract = { ...sc.contract, id: contractIdOf(sc.contract.county, sc.contract.number) };
  const countyName = `${titleCase(contract.county)} County`;
  const today = pacificDate(nowMs);

  // Elections.
  const elections: ScenarioElection[] = [];
  sc.elections.forEach((e, i) => {
    const county = e.county ?? contract.county;
    if (county !== contract.county) {
      issues.push({ path: `elections[${i}].county`, message: `"${county}" differs from the contract's county "${contract.county}"; a contract serves one county` });
      return;
    }
    const e90 = addDays(e.electionDate, -90);
    if (e90 <= today) {
      issues.push({
        path: `elections[${i}].electionDate`,
        message: `${e.electionDate} is too soon to simulate: its E-90 (${e90}) is not in the future. The simulation clock starts at the ` +
          `current time (${today} Pacific), so choose an election on or after ${addDays(today, 91)}`,
      });
      return;
    }
    const built = buildElectionInput(
      { county, electionDate: e.electionDate, type: e.type, contractId: contract.id, reminderOffsetsDays: [3, 1],
        ...(e.countywide !== undefined ? { countywide: e.countywide } : {}), ...(e.suffix ? { suffix: e.suffix } : {}), ...(e.name ? { name: e.name } : {}) },
      { id: contract.id, effectiveDate: contract.effectiveDate, ratePerDay: contract.liquidatedDamages.perDay, exemptions: contract.liquidatedDamages.exemptions },
    );
    if (!built.ok) { issues.push({ path: `elections[${i}].${'field' in built.error ? built.error.field : ''}`, message: built.error.message }); return; }
    const dup = elections.find((x) => x.input.id === built.value.id);
    if (dup) { issues.push({ path: `elections[${i}]`, message: `two elections have the id ${built.value.id}; give one of them a "suffix"` }); return; }
    elections.push({ input: built.value, label: e.name ?? built.value.id });
  });
  if (issues.length > 0) return { ok: false, issues };

  const findElection = (ref: string | undefined): ScenarioElection | { error: string } => {
    if (ref === undefined) return elections[0]!;
    const byId = elections.find((e) => e.input.id === ref);
    if (byId) return byId;
    const byName = elections.filter((e) => e.input.name === ref);
    const byDate = elections.filter((e) => e.input.electionDate === ref);
    const hits = byName.length > 0 ? byName : byDate;
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) return { error: `"${ref}" matches ${hits.length} elections; use the election id (${hits.map((h) => h.input.id).join(', ')})` };
    return { error: `no election "${ref}"; use an election's id, original date or name (${elections.map((e) => e.input.id).join(', ')})` };
  };

  // Explicit events.
  const explicit: TimelineEvent[] = [];
  let previous: { atMs: number; index: number } | undefined;
  sc.events.forEach((ev, index) => {
    const p = `events[${index}]`;
    const el = findElection(ev.election);
    if ('error' in el) { issues.push({ path: `${p}.election`, message: el.error }); return; }
    const E = el.input.electionDate;
    const atMs = resolveTimeSpec(ev.at, E);
    if (previous && atMs < previous.atMs) {
      issues.push({
        path: `${p}.at`,
        message: `${ev.at} (${toPacificIso(atMs)}) is before events[${previous.index}] (${toPacificIso(previous.atMs)}); list events in chronological order`,
      });
    }
    if (atMs < nowMs) issues.push({ path: `${p}.at`, message: `${ev.at} (${toPacificIso(atMs)}) is already past; the simulation clock starts at the current time (${toPacificIso(nowMs)})` });
    previous = { atMs, index };
    const county = { by: ev.by ?? `${countyName} Elections` };
    const vendor = { by: ev.by ?? contract.vendor };
    let command: ScenarioCommand;
    switch (ev.action) {
      case 'county-complete':
      case 'vendor-complete':
      case 'state-complete': {
        if (!knownMilestone(ev.key)) {
          issues.push({ path: `${p}.key`, message: `"${ev.key}" is not a milestone; the milestones are ${MILESTONE_KEYS.join(', ')}, plus subsequent-mailing:<extractId> and election-day-order:<requestId>` });
          return;
        }
        const by = ev.action === 'county-complete' ? county : ev.action === 'vendor-complete' ? vendor : { by: ev.by ?? 'California Secretary of State' };
        const evidence = ev.action === 'vendor-complete' && ev.evidence ? { evidence: ev.evidence } : {};
        command = { action: ev.action, arg: { key: ev.key, ...by, ...evidence } };
        break;
      }
      case 'subsequent-extract':
        command = { action: ev.action, arg: { extractId: ev.extractId, ...county, ...(ev.records !== undefined ? { records: ev.records } : {}), ...(ev.fileRef ? { fileRef: ev.fileRef } : {}) } };
        break;
      case 'election-day-order':
        command = { action: ev.action, arg: { requestId: ev.requestId, pollingPlace: ev.pollingPlace, quantity: ev.quantity, ...county } };
        break;
      case 'delay-notice': {
        if (!knownMilestone(ev.deliverableKey)) { issues.push({ path: `${p}.deliverableKey`, message: `"${ev.deliverableKey}" is not a milestone` }); return; }
        const started = resolveTimeSpec(ev.delayStartedAt, E);
        command = {
          action: ev.action,
          arg: { noticeId: ev.noticeId, deliverableKey: ev.deliverableKey, kind: ev.kind, delayStartedAt: toPacificIso(started), description: ev.description ?? `Delay notice ${ev.noticeId} (${ev.kind})`, ...vendor },
        };
        break;
      }
      case 'waiver':
        if (!knownMilestone(ev.deliverableKey)) { issues.push({ path: `${p}.deliverableKey`, message: `"${ev.deliverableKey}" is not a milestone` }); return; }
        command = {
          action: ev.action,
          arg: { deliverableKey: ev.deliverableKey, noticeId: ev.noticeId, decision: ev.decision, reason: ev.reason, by: ev.by ?? `${countyName} contract manager`, ...(ev.throughDate ? { throughDate: ev.throughDate } : {}) },
        };
        break;
      case 'change-date':
        command = { action: ev.action, arg: { newDate: ev.newDate, reason: ev.reason, ...county } };
        break;
      case 'cancel':
        command = { action: ev.action, arg: { reason: ev.reason, ...county } };
        break;
      case 'invoice':
        command = { action: ev.action, arg: { invoiceId: ev.invoiceId, invoiceDate: ev.invoiceDate ?? pacificDate(atMs), electionId: el.input.id, items: ev.items, ...vendor } };
        break;
      default:
        return assertNever(ev);
    }
    explicit.push({ seq: 0, index, synthesized: false, atMs, at: toPacificIso(atMs), when: ev.at, electionId: el.input.id, ...(ev.note ? { note: ev.note } : {}), command });
  });
  if (issues.length > 0) return { ok: false, issues };

  const synthesized = sc.autoComplete ? elections.flatMap((el) => autoCompleteEvents(el, explicit)) : [];
  const timeline = [...explicit, ...synthesized]
    // Chronological; at one instant the synthesized county/state work comes first, then the file's order.
    .sort((a, b) => a.atMs - b.atMs || Number(b.synthesized) - Number(a.synthesized) || (a.index ?? 0) - (b.index ?? 0))
    .map((e, i) => ({ ...e, seq: i + 1 }));
  return {
    ok: true,
    value: {
      ...(sc.name ? { name: sc.name } : {}), ...(sc.description ? { description: sc.description } : {}),
      autoComplete: sc.autoComplete, contract, elections, timeline,
    },
  };
}

/**
 * The autoComplete rule: each county or state task of the election that no `county-complete`/`state-complete`
 * event of that election names is completed at noon Pacific on its due day. The due day follows any
 * `change-date` event that comes before it (if the new date puts the due day in the past, the task is completed
 * at the moment of the change); nothing is synthesized at or after a `cancel` event.
 */
export function autoCompleteEvents(el: ScenarioElection, explicit: readonly TimelineEvent[]): TimelineEvent[] {
  const mine = explicit.filter((e) => e.electionId === el.input.id);
  const named = new Set(mine.flatMap((e) => (e.command.action === 'county-complete' || e.command.action === 'state-complete' ? [e.command.arg.key] : [])));
  const changes = mine.flatMap((e) => (e.command.action === 'change-date' ? [{ atMs: e.atMs, newDate: e.command.arg.newDate }] : []));
  const cancelAt = mine.find((e) => e.command.action === 'cancel')?.atMs;
  const original = el.input.electionDate;
  const dueDate = (electionDate: string, key: string) => computeCalendar(electionDate, el.input.countywide).find((c) => c.key === key)!.dueDate;
  const out: TimelineEvent[] = [];
  for (const key of AUTO_COMPLETE_KEYS) {
    if (named.has(key)) continue;
    let atMs = pacificTime(dueDate(original, key), AUTO_COMPLETE_HOUR);
    for (const c of changes) {
      if (atMs <= c.atMs) break;
      atMs = Math.max(pacificTime(dueDate(c.newDate, key), AUTO_COMPLETE_HOUR), c.atMs);
    }
    if (cancelAt !== undefined && atMs >= cancelAt) continue;
    const owner = MILESTONE_RULES.find((r) => r.key === key)!.owner;
    const by = owner === 'state' ? 'California Secretary of State (autoComplete)' : `${titleCase(el.input.county)} County Elections (autoComplete)`;
    const hhmm = toPacificIso(atMs).slice(11, 16);
    out.push({
      seq: 0, synthesized: true, atMs, at: toPacificIso(atMs), when: `${offsetLabel(daysBetween(original, pacificDate(atMs)))} ${hhmm}`,
      electionId: el.input.id, command: { action: owner === 'state' ? 'state-complete' : 'county-complete', arg: { key, by } },
    });
  }
  return out;
}

/** Parses a scenario file's text: JSON syntax errors come back with their line and column. */
export function parseScenarioText(text: string, nowMs: number): ScenarioResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    const at = locateJsonError(body);
    const message = at ? `line ${at.line}, column ${at.column}: not valid JSON: ${at.message}` : `not valid JSON: ${(e as Error).message}`;
    return { ok: false, issues: [{ path: '', message }] };
  }
  return resolveScenario(raw, nowMs);
}

function assertNever(x: never): never {
  throw new Error(`unhandled scenario action: ${JSON.stringify(x)}`);
}

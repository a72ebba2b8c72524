/**
 * One county election: its calendar, who did what when, delay notices, waivers and late days.
 *
 * The state is plain JSON so it survives continue-as-new. Everything here is pure: commands return
 * `{ ok: false, error }` for expected refusals (used by update validators), and `reconcile` turns the passage
 * of time into late days, reminders and SLA lines for the contract. The workflow only decides when to call it.
 */
import { z } from 'zod';
import {
  computeCalendar, ELECTION_DAY_TURNAROUND_MS, ElectionTypeSchema, resolveCountywide,
  SUBSEQUENT_EXTRACT_TURNAROUND_DAYS, type CalendarEntry, type Owner,
} from './calendar';
import { ExemptionsSchema } from './contract';
import { DelayKindSchema, type SlaLine } from './damages';
import { ContractIdSchema, CountySchema, electionIdOf } from './ids';
import {
  addDays, endOfPacificDay, InstantSchema, IsoDateSchema, lateDatesBetween, lateDayStart, lateDaysAt, pacificDate,
  pacificTime, parseInstant, toPacificIso,
} from './time';

// ---------- inputs ----------

/** What the election needs to know of its contract, copied at start so the calendar needs no lookups. */
export const ContractRefSchema = z.object({
  id: ContractIdSchema,
  effectiveDate: IsoDateSchema,
  ratePerDay: z.number().nonnegative(),
  exemptions: ExemptionsSchema,
});
export type ContractRef = z.infer<typeof ContractRefSchema>;

export const ElectionRequestSchema = z.object({
  county: CountySchema,
  electionDate: IsoDateSchema,
  type: ElectionTypeSchema,
  countywide: z.boolean().optional().describe('decides E-90 (county-wide) or E-85 for the envelope order'),
  contractId: ContractIdSchema,
  name: z.string().min(1).max(200).optional(),
  suffix: z.string().regex(/^[a-z0-9-]{1,40}$/).optional().describe('separates two elections one county holds on one day'),
  reminderOffsetsDays: z.array(z.number().int().min(1).max(60)).max(5).default([3, 1])
    .describe('days before each due date on which the responsible party is reminded'),
});
export type ElectionRequest = z.infer<typeof ElectionRequestSchema>;

export const ElectionInputSchema = ElectionRequestSchema.extend({
  id: z.string(),
  countywide: z.boolean(),
  contract: ContractRefSchema,
});
export type ElectionInput = z.infer<typeof ElectionInputSchema>;

export function buildElectionInput(req: ElectionRequest, contract: ContractRef):
  { ok: true; value: ElectionInput } | { ok: false; error: DomainError } {
  const cw = resolveCountywide(req.type, req.countywide);
  if (!cw.ok) return { ok: false, error: { type: 'invalid', field: 'countywide', message: cw.error } };
  if (req.contractId !== contract.id) return { ok: false, error: { type: 'invalid', field: 'contractId', message: 'does not match the contract given' } };
  return {
    ok: true,
    value: { ...req, id: electionIdOf(req.county, req.electionDate, req.suffix), countywide: cw.value, contract },
  };
}

// ---------- errors ----------

export type DomainError =
  | { type: 'invalid'; field: string; message: string }
  | { type: 'not-found'; field: string; message: string }
  | { type: 'conflict'; message: string }
  | { type: 'deadline-passed'; message: string }
  | { type: 'closed'; message: string };

export type Result<T = void> = { ok: true; value: T } | { ok: false; error: DomainError };
const fail = (error: DomainError): { ok: false; error: DomainError } => ({ ok: false, error });
const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

// ---------- state ----------

export interface Waiver {
  decision: 'granted' | 'denied';
  noticeId: string;
  throughDate?: string;
  reason: string;
  decidedBy: string;
  decidedAt: number;
}

export interface MilestoneState {
  key: string;
  /** Per-request deliverables only: the calendar milestone they belong to and the request. */
  parent?: string;
  request?: { id: string; atMs: number; detail: Record<string, unknown> };
  completedAtMs?: number;
  /** Days late when it was done, by the calendar then in force: a later date change does not rewrite it. */
  daysLateAtCompletion?: number;
  /** Set once a completed deliverable's late days were counted: nothing accrues after that. */
  accrualClosed?: boolean;
  completedBy?: string;
  evidence?: Record<string, unknown>;
  /** Pacific dates of accrued late days; append-only (a date change keeps them). */
  lateDates: string[];
  lateRecorded?: boolean;
  waivers: Waiver[];
}

export interface DelayNotice {
  noticeId: string;
  deliverableKey: string;
  kind: z.infer<typeof DelayKindSchema>;
  delayStartedAtMs: number;
  noticeAtMs: number;
  description: string;
  filedBy: string;
  /** §12(b): for force majeure, whether the notice came within one day of the delay. */
  timely: boolean;
}

export interface ElectionEvent {
  eventId: string;
  type: string;
  atMs: number;
  milestoneKey?: string;
  actor?: string;
  detail: Record<string, unknown>;
}

export interface ElectionState {
  input: ElectionInput;
  electionDate: string;
  status: 'active' | 'cancelled' | 'finished';
  cancelled?: { atMs: number; reason: string; by: string };
  milestones: Record<string, MilestoneState>;
  delayNotices: DelayNotice[];
  dateChanges: { from: string; to: string; atMs: number; reason: string; by: string }[];
  remindersSent: string[];
  /** Last SLA line sent to the contract per deliverable (without seq), to send only changes. */
  reported: Record<string, string>;
  seq: number;
  eventSeq: number;
  /** Events not yet written to Postgres. */
  outbox: ElectionEvent[];
}

export function initialState(input: ElectionInput, nowMs: number): ElectionState {
  const milestones: Record<string, MilestoneState> = {};
  for (const e of computeCalendar(input.electionDate, input.countywide)) milestones[e.key] = { key: e.key, lateDates: [], waivers: [] };
  const s: ElectionState = {
    input, electionDate: input.electionDate, status: 'active', milestones, delayNotices: [], dateChanges: [],
    remindersSent: [], reported: {}, seq: 0, eventSeq: 0, outbox: [],
  };
  emit(s, nowMs, 'election-started', { detail: { electionDate: input.electionDate, type: input.type, countywide: input.countywide, contractId: input.contract.id } });
  return s;
}

function emit(s: ElectionState, atMs: number, type: string, e: { milestoneKey?: string; actor?: string; detail?: Record<string, unknown> } = {}) {
  s.eventSeq += 1;
  s.outbox.push({ eventId: `${s.input.id}#${s.eventSeq}`, type, atMs, detail: e.detail ?? {}, ...(e.milestoneKey ? { milestoneKey: e.milestoneKey } : {}), ...(e.actor ? { actor: e.actor } : {}) });
}

// ---------- the calendar as it stands ----------

export type MilestoneStatus = 'pending' | 'due-soon' | 'done' | 'late' | 'waived' | 'excused' | 'cancelled';

export interface MilestoneView {
  key: string;
  name: string;
  owner: Owner;
  kind: CalendarEntry['kind'];
  offsetLabel: string;
  parent?: string;
  request?: { id: string; at: string; detail: Record<string, unknown> };
  windowStart?: string;
  baseDueDate: string;
  baseDueAt: string;
  dueDate: string;
  dueAt: string;
  dueAtMs: number;
  shift?: { days: number; reason: string };
  status: MilestoneStatus;
  completedAt?: string;
  completedBy?: string;
  evidence?: Record<string, unknown>;
  liquidatedDamages: boolean;
  daysLate: number;
  lateDates: string[];
  waivedDates: string[];
  waiver?: { decision: Waiver['decision']; reason: string; decidedBy: string; throughDate?: string };
  excusedReason?: string;
  damagesAccrued: number;
  damagesWaived: number;
  source: string;
}

function perRequestEntries(s: ElectionState): CalendarEntry[] {
  return Object.values(s.milestones).flatMap((m): CalendarEntry[] => {
    if (!m.parent || !m.request) return [];
    if (m.parent === 'subsequent-mailings') {
      const dueDate = addDays(pacificDate(m.request.atMs), SUBSEQUENT_EXTRACT_TURNAROUND_DAYS);
      const dueAtMs = endOfPacificDay(dueDate);
      return [{
        key: m.key, name: `Mail packets for subsequent extract ${m.request.id}`, owner: 'vendor', kind: 'task',
        offsetLabel: 'extract + 2 days', dueDate, dueAtMs, dueAt: toPacificIso(dueAtMs), liquidatedDamages: true,
        source: 'Agreement Exh. A §II: subsequent extracts mailed within 2 days; §12',
      }];
    }
    const dueAtMs = m.request.atMs + ELECTION_DAY_TURNAROUND_MS;
    return [{
      key: m.key, name: `Election-day ballots for ${String(m.request.detail.pollingPlace ?? m.request.id)}`, owner: 'vendor', kind: 'task',
      offsetLabel: 'request + 2 hours', dueDate: pacificDate(dueAtMs), dueAtMs, dueAt: toPacificIso(dueAtMs), liquidatedDamages: true,
      source: 'Agreement Exh. A §I: within two hours of request; §12',
    }];
  });
}

export function entries(s: ElectionState): CalendarEntry[] {
  return [...computeCalendar(s.electionDate, s.input.countywide), ...perRequestEntries(s)].sort((a, b) => a.dueAtMs - b.dueAtMs);
}

/** When the calendar now in force took effect: the last date change (or the start). */
function calendarSince(s: ElectionState): number {
  return s.dateChanges.at(-1)?.atMs ?? Number.NEGATIVE_INFINITY;
}

/** Days late of something not yet done, counting only days that began under the calendar now in force. */
function openLateDays(s: ElectionState, dueMs: number, nowMs: number): number {
  return lateDatesBetween(dueMs, calendarSince(s), nowMs).length;
}

interface Effective { dueDate: string; dueAtMs: number; shift?: { days: number; reason: string }; excusedReason?: string }

/** The deadline that binds the vendor now: moved by a late county input, excused if it precedes the contract. */
function effectiveDue(s: ElectionState, e: CalendarEntry, all: CalendarEntry[], nowMs: number): Effective {
  const ex = s.input.contract.exemptions;
  let out: Effective = { dueDate: e.dueDate, dueAtMs: e.dueAtMs };
  if (e.countyInput && ex.countyInputShift) {
    const input = all.find((x) => x.key === e.countyInput);
    const inputState = s.milestones[e.countyInput];
    if (input && inputState) {
      const days = inputState.completedAtMs !== undefined ? inputState.daysLateAtCompletion ?? 0 : openLateDays(s, input.dueAtMs, nowMs);
      if (days > 0) {
        const dueDate = addDays(e.dueDate, days);
        const pending = inputState.completedAtMs === undefined;
        out = {
          dueDate, dueAtMs: endOfPacificDay(dueDate),
          shift: { days, reason: `due date moved ${days} day(s) later because the county input "${input.name}" (${input.offsetLabel}, due ${input.dueDate}) ${pending ? 'is' : 'was'} ${days} day(s) late` },
        };
      }
    }
  }
  if (e.liquidatedDamages && ex.precedesContract && e.dueDate < s.input.contract.effectiveDate) {
    out.excusedReason = `the deadline (${e.dueDate}) precedes the execution of the contract (${s.input.contract.effectiveDate}), §12(c)`;
  }
  return out;
}

function latestWaiver(m: MilestoneState): Waiver | undefined {
  return m.waivers[m.waivers.length - 1];
}

function waivedDatesOf(m: MilestoneState): string[] {
  const w = latestWaiver(m);
  if (!w || w.decision !== 'granted') return [];
  return m.lateDates.filter((d) => !w.throughDate || d <= w.throughDate);
}

export function calendarView(s: ElectionState, nowMs: number): MilestoneView[] {
  const all = entries(s);
  const dueSoonMs = Math.max(...s.input.reminderOffsetsDays, 0) * 86_400_000;
  return all.map((e): MilestoneView => {
    const m = s.milestones[e.key] ?? { key: e.key, lateDates: [], waivers: [] };
    const eff = effectiveDue(s, e, all, nowMs);
    const waived = waivedDatesOf(m);
    const w = latestWaiver(m);
    const done = m.completedAtMs !== undefined;
    const lateNow = e.kind === 'cutoff' ? 0
      : e.liquidatedDamages ? m.lateDates.length
      : done ? m.daysLateAtCompletion ?? 0 : openLateDays(s, eff.dueAtMs, nowMs);
    const children = e.perRequest ? Object.values(s.milestones).filter((c) => c.parent === e.key) : [];
    let status: MilestoneStatus;
    if (e.kind === 'cutoff') status = nowMs > eff.dueAtMs ? 'done' : nowMs >= eff.dueAtMs - dueSoonMs ? 'due-soon' : 'pending';
    // A window of per-request deliverables is done when its window has closed and every request was delivered.
    else if (e.perRequest && !done && nowMs > eff.dueAtMs) status = children.every((c) => c.completedAtMs !== undefined) ? 'done' : s.status === 'cancelled' ? 'cancelled' : 'late';
    else if (done || nowMs > eff.dueAtMs) {
      const lateDays = e.liquidatedDamages ? m.lateDates.length : lateNow;
      if (lateDays > 0 && eff.excusedReason) status = 'excused';
      else if (lateDays > 0 && waived.length === lateDays && w?.decision === 'granted') status = 'waived';
      else status = done ? 'done' : s.status === 'cancelled' ? 'cancelled' : 'late';
    } else if (s.status === 'cancelled') status = 'cancelled';
    else status = nowMs >= eff.dueAtMs - dueSoonMs ? 'due-soon' : 'pending';
    const rate = s.input.contract.ratePerDay;
    return {
      key: e.key, name: e.name, owner: e.owner, kind: e.kind, offsetLabel: e.offsetLabel,
      ...(m.parent ? { parent: m.parent } : {}),
      ...(m.request ? { request: { id: m.request.id, at: toPacificIso(m.request.atMs), detail: m.request.detail } } : {}),
      ...(e.windowStart ? { windowStart: e.windowStart } : {}),
      baseDueDate: e.dueDate, baseDueAt: e.dueAt, dueDate: eff.dueDate, dueAt: toPacificIso(eff.dueAtMs), dueAtMs: eff.dueAtMs,
      ...(eff.shift ? { shift: eff.shift } : {}),
      status,
      ...(done ? { completedAt: toPacificIso(m.completedAtMs!), completedBy: m.completedBy } : {}),
      ...(m.evidence ? { evidence: m.evidence } : {}),
      liquidatedDamages: e.liquidatedDamages,
      daysLate: lateNow,
      lateDates: m.lateDates,
      waivedDates: waived,
      ...(w ? { waiver: { decision: w.decision, reason: w.reason, decidedBy: w.decidedBy, ...(w.throughDate ? { throughDate: w.throughDate } : {}) } } : {}),
      ...(eff.excusedReason ? { excusedReason: eff.excusedReason } : {}),
      damagesAccrued: e.liquidatedDamages ? m.lateDates.length * rate : 0,
      damagesWaived: waived.length * rate,
      source: e.source,
    };
  });
}

export interface SlaSummary {
  electionId: string;
  status: ElectionState['status'];
  ratePerDay: number;
  deliverables: number;
  onTime: number;
  late: number;
  daysLate: number;
  damagesAccrued: number;
  damagesWaived: number;
  damagesExcused: number;
  /** Before the contract cap, which the contract workflow applies across all its elections. */
  damagesNet: number;
  note: string;
}

export function slaSummary(s: ElectionState, nowMs: number): SlaSummary {
  const ld = calendarView(s, nowMs).filter((v) => v.liquidatedDamages);
  const rate = s.input.contract.ratePerDay;
  const excused = ld.filter((v) => v.excusedReason).reduce((n, v) => n + v.lateDates.length * rate, 0);
  const accrued = ld.reduce((n, v) => n + v.damagesAccrued, 0);
  const waived = ld.filter((v) => !v.excusedReason).reduce((n, v) => n + v.damagesWaived, 0);
  return {
    electionId: s.input.id, status: s.status, ratePerDay: rate, deliverables: ld.length,
    onTime: ld.filter((v) => v.completedAt && v.lateDates.length === 0).length,
    late: ld.filter((v) => v.lateDates.length > 0).length,
    daysLate: ld.reduce((n, v) => n + v.lateDates.length, 0),
    damagesAccrued: accrued, damagesWaived: waived, damagesExcused: excused, damagesNet: accrued - waived - excused,
    note: `the contract's cap on liquidated damages applies across all its elections: see the contract's SLA report (${s.input.contract.id})`,
  };
}

// ---------- commands ----------

const Actor = z.string().min(1).max(200);
const Evidence = z.record(z.string().max(60), z.union([z.string().max(2000), z.number(), z.boolean()])).refine((o) => Object.keys(o).length <= 30, 'at most 30 evidence fields');

export const CompleteMilestoneSchema = z.object({ key: z.string().min(1).max(120), by: Actor, evidence: Evidence.optional() });
export const SendExtractSchema = z.object({ extractId: z.string().regex(/^[A-Za-z0-9._-]{1,60}$/, 'letters, digits, dot, dash, underscore'), records: z.number().int().nonnegative().optional(), fileRef: z.string().max(500).optional(), by: Actor });
export const ElectionDayOrderSchema = z.object({ requestId: z.string().regex(/^[A-Za-z0-9._-]{1,60}$/), pollingPlace: z.string().min(1).max(200), quantity: z.number().int().positive().max(100_000), by: Actor });
export const DelayNoticeSchema = z.object({
  noticeId: z.string().regex(/^[A-Za-z0-9._-]{1,60}$/, 'letters, digits, dot, dash, underscore'),
  deliverableKey: z.string().min(1).max(120),
  kind: DelayKindSchema,
  delayStartedAt: InstantSchema,
  description: z.string().min(1).max(4000),
  by: Actor,
});
export const WaiverDecisionSchema = z.object({
  deliverableKey: z.string().min(1).max(120),
  noticeId: z.string().min(1).max(60),
  decision: z.enum(['granted', 'denied']),
  throughDate: IsoDateSchema.optional().describe('waive late days up to and including this date; all late days if omitted'),
  reason: z.string().min(1).max(4000),
  by: Actor,
});
export const ChangeDateSchema = z.object({ newDate: IsoDateSchema, reason: z.string().min(1).max(2000), by: Actor });
export const CancelSchema = z.object({ reason: z.string().min(1).max(2000), by: Actor });

function ensureActive(s: ElectionState): Result {
  if (s.status !== 'active') return fail({ type: 'closed', message: `the election is ${s.status}` });
  return ok(undefined);
}

export function completeMilestone(s: ElectionState, cmd: z.infer<typeof CompleteMilestoneSchema>, role: Owner, nowMs: number, apply: boolean): Result<{ alreadyDone: boolean }> {
  const a = ensureActive(s); if (!a.ok) return a;
  const e = entries(s).find((x) => x.key === cmd.key);
  if (!e) return fail({ type: 'not-found', field: 'key', message: `no milestone "${cmd.key}" in this election` });
  if (e.kind === 'cutoff') return fail({ type: 'invalid', field: 'key', message: `"${cmd.key}" is a legal cutoff that passes by itself; nothing to mark done` });
  if (e.owner !== role) return fail({ type: 'invalid', field: 'key', message: `"${cmd.key}" belongs to the ${e.owner}, not the ${role}` });
  const m = s.milestones[cmd.key]!;
  if (m.completedAtMs !== undefined) return ok({ alreadyDone: true });
  if (apply) {
    const eff = effectiveDue(s, e, entries(s), nowMs);
    m.completedAtMs = nowMs;
    if (e.liquidatedDamages) accrue(s, e, m, eff, Math.min(nowMs, s.cancelled?.atMs ?? nowMs), nowMs);
    else m.daysLateAtCompletion = openLateDays(s, eff.dueAtMs, nowMs);
    m.completedBy = cmd.by;
    if (cmd.evidence) m.evidence = cmd.evidence;
    emit(s, nowMs, 'milestone-completed', { milestoneKey: cmd.key, actor: cmd.by, detail: { dueAt: e.dueAt, ...(cmd.evidence ? { evidence: cmd.evidence } : {}) } });
  }
  return ok({ alreadyDone: false });
}

export function sendExtract(s: ElectionState, cmd: z.infer<typeof SendExtractSchema>, nowMs: number, apply: boolean): Result<{ deliverableKey: string; alreadyRecorded: boolean }> {
  const a = ensureActive(s); if (!a.ok) return a;
  const key = `subsequent-mailing:${cmd.extractId}`;
  if (s.milestones[key]) return ok({ deliverableKey: key, alreadyRecorded: true });
  const win = entries(s).find((x) => x.key === 'subsequent-mailings')!;
  const today = pacificDate(nowMs);
  if (today < win.windowStart! || today > win.dueDate) {
    return fail({ type: 'invalid', field: 'extractId', message: `subsequent extracts are sent ${win.offsetLabel} (${win.windowStart} to ${win.dueDate}); today is ${today}. The first extract is the milestone "first-extract".` });
  }
  if (apply) {
    s.milestones[key] = { key, parent: 'subsequent-mailings', request: { id: cmd.extractId, atMs: nowMs, detail: { ...(cmd.records !== undefined ? { records: cmd.records } : {}), ...(cmd.fileRef ? { fileRef: cmd.fileRef } : {}) } }, lateDates: [], waivers: [] };
    emit(s, nowMs, 'extract-received', { milestoneKey: key, actor: cmd.by, detail: { extractId: cmd.extractId, ...(cmd.records !== undefined ? { records: cmd.records } : {}) } });
  }
  return ok({ deliverableKey: key, alreadyRecorded: false });
}

export function orderElectionDayBallots(s: ElectionState, cmd: z.infer<typeof ElectionDayOrderSchema>, nowMs: number, apply: boolean): Result<{ deliverableKey: string; alreadyRecorded: boolean }> {
  const a = ensureActive(s); if (!a.ok) return a;
  const key = `election-day-order:${cmd.requestId}`;
  if (s.milestones[key]) return ok({ deliverableKey: key, alreadyRecorded: true });
  if (pacificDate(nowMs) !== s.electionDate) {
    return fail({ type: 'invalid', field: 'requestId', message: `election-day ballot orders are taken on election day (${s.electionDate}); today is ${pacificDate(nowMs)}` });
  }
  if (apply) {
    s.milestones[key] = { key, parent: 'election-day-ballots', request: { id: cmd.requestId, atMs: nowMs, detail: { pollingPlace: cmd.pollingPlace, quantity: cmd.quantity } }, lateDates: [], waivers: [] };
    emit(s, nowMs, 'election-day-order', { milestoneKey: key, actor: cmd.by, detail: { pollingPlace: cmd.pollingPlace, quantity: cmd.quantity } });
  }
  return ok({ deliverableKey: key, alreadyRecorded: false });
}

function ldDeliverable(s: ElectionState, key: string): Result<CalendarEntry> {
  const e = entries(s).find((x) => x.key === key);
  if (!e) return fail({ type: 'not-found', field: 'deliverableKey', message: `no deliverable "${key}" in this election` });
  if (!e.liquidatedDamages) return fail({ type: 'invalid', field: 'deliverableKey', message: `"${key}" is not a vendor deadline that accrues liquidated damages` });
  return ok(e);
}

export function fileDelayNotice(s: ElectionState, cmd: z.infer<typeof DelayNoticeSchema>, nowMs: number, apply: boolean): Result<{ timely: boolean; alreadyFiled: boolean }> {
  const a = ensureActive(s); if (!a.ok) return a;
  const existing = s.delayNotices.find((n) => n.noticeId === cmd.noticeId);
  if (existing) {
    if (existing.deliverableKey !== cmd.deliverableKey || existing.kind !== cmd.kind) return fail({ type: 'conflict', message: `notice "${cmd.noticeId}" was already filed for ${existing.deliverableKey} (${existing.kind})` });
    return ok({ timely: existing.timely, alreadyFiled: true });
  }
  const d = ldDeliverable(s, cmd.deliverableKey); if (!d.ok) return d;
  const started = parseInstant(cmd.delayStartedAt);
  if (started > nowMs) return fail({ type: 'invalid', field: 'delayStartedAt', message: 'a delay notice reports a delay that has begun; this time is in the future' });
  const hours = s.input.contract.exemptions.forceMajeureNoticeHours;
  // §12(b): the vendor must notify the County Clerk "within one day of such delay".
  const timely = cmd.kind !== 'force-majeure' || nowMs - started <= hours * 3_600_000;
  if (apply) {
    s.delayNotices.push({ noticeId: cmd.noticeId, deliverableKey: cmd.deliverableKey, kind: cmd.kind, delayStartedAtMs: started, noticeAtMs: nowMs, description: cmd.description, filedBy: cmd.by, timely });
    emit(s, nowMs, 'delay-notice-filed', { milestoneKey: cmd.deliverableKey, actor: cmd.by, detail: { noticeId: cmd.noticeId, kind: cmd.kind, delayStartedAt: cmd.delayStartedAt, timely } });
  }
  return ok({ timely, alreadyFiled: false });
}

export function decideWaiver(s: ElectionState, cmd: z.infer<typeof WaiverDecisionSchema>, nowMs: number, apply: boolean): Result<{ waivedDays: number }> {
  if (s.status === 'finished') return fail({ type: 'closed', message: 'the election is finished' });
  const d = ldDeliverable(s, cmd.deliverableKey); if (!d.ok) return d;
  const notice = s.delayNotices.find((n) => n.noticeId === cmd.noticeId);
  if (!notice || notice.deliverableKey !== cmd.deliverableKey) return fail({ type: 'not-found', field: 'noticeId', message: `no delay notice "${cmd.noticeId}" filed for "${cmd.deliverableKey}"` });
  const ex = s.input.contract.exemptions;
  if (cmd.decision === 'granted') {
    if (notice.kind === 'other') return fail({ type: 'invalid', field: 'decision', message: 'contract §12 excuses only a county priority (a) or an unforeseen cause beyond the vendor\'s control (b); this notice is "other"' });
    if (notice.kind === 'county-priority' && !ex.countyPriority) return fail({ type: 'invalid', field: 'decision', message: 'this contract does not exempt county-priority delays' });
    if (notice.kind === 'force-majeure' && !ex.forceMajeure) return fail({ type: 'invalid', field: 'decision', message: 'this contract does not exempt force majeure' });
    if (notice.kind === 'force-majeure' && !notice.timely) {
      const hrs = Math.round((notice.noticeAtMs - notice.delayStartedAtMs) / 360_000) / 10;
      return fail({ type: 'invalid', field: 'noticeId', message: `the force-majeure notice came ${hrs} hours after the delay began; §12(b) requires notice within ${ex.forceMajeureNoticeHours} hours, so no waiver can be granted` });
    }
  }
  const m = s.milestones[cmd.deliverableKey]!;
  const w: Waiver = { decision: cmd.decision, noticeId: cmd.noticeId, reason: cmd.reason, decidedBy: cmd.by, decidedAt: nowMs, ...(cmd.throughDate ? { throughDate: cmd.throughDate } : {}) };
  if (apply) {
    m.waivers.push(w);
    emit(s, nowMs, 'waiver-decided', { milestoneKey: cmd.deliverableKey, actor: cmd.by, detail: { noticeId: cmd.noticeId, decision: cmd.decision, reason: cmd.reason, ...(cmd.throughDate ? { throughDate: cmd.throughDate } : {}) } });
  }
  return ok({ waivedDays: cmd.decision === 'granted' ? m.lateDates.filter((x) => !cmd.throughDate || x <= cmd.throughDate).length : 0 });
}

export function changeDate(s: ElectionState, cmd: z.infer<typeof ChangeDateSchema>, nowMs: number, apply: boolean): Result<{ from: string; to: string }> {
  const a = ensureActive(s); if (!a.ok) return a;
  if (cmd.newDate === s.electionDate) return fail({ type: 'invalid', field: 'newDate', message: `the election is already on ${cmd.newDate}` });
  if (cmd.newDate <= pacificDate(nowMs)) return fail({ type: 'invalid', field: 'newDate', message: 'must be after today' });
  const from = s.electionDate;
  if (apply) {
    s.electionDate = cmd.newDate;
    s.dateChanges.push({ from, to: cmd.newDate, atMs: nowMs, reason: cmd.reason, by: cmd.by });
    emit(s, nowMs, 'date-changed', { actor: cmd.by, detail: { from, to: cmd.newDate, reason: cmd.reason } });
  }
  return ok({ from, to: cmd.newDate });
}

export function cancel(s: ElectionState, cmd: z.infer<typeof CancelSchema>, nowMs: number, apply: boolean): Result {
  const a = ensureActive(s); if (!a.ok) return a;
  if (apply) {
    s.status = 'cancelled';
    s.cancelled = { atMs: nowMs, reason: cmd.reason, by: cmd.by };
    emit(s, nowMs, 'election-cancelled', { actor: cmd.by, detail: { reason: cmd.reason } });
  }
  return ok(undefined);
}

// ---------- time passing ----------

export interface Reminder {
  reminderKey: string;
  electionId: string;
  milestoneKey: string;
  milestoneName: string;
  owner: Owner;
  dueAt: string;
  daysBefore: number;
}

/** Reminders go out at 9 a.m. Pacific on the day `offset` days before the due date. */
const REMINDER_HOUR = 9;

export interface Reconciled {
  reminders: Reminder[];
  lines: SlaLine[];
  finished: boolean;
}

/**
 * Brings the state up to `nowMs`: accrues late days, records first lateness, picks reminders that are due,
 * and produces the SLA lines that changed since the contract last heard. Mutates `s`; deterministic.
 */
export function reconcile(s: ElectionState, nowMs: number): Reconciled {
  const all = entries(s);
  const reminders: Reminder[] = [];
  const sos = all.find((x) => x.key === 'sos-certification')!;
  // Late days stop at cancellation, or at the end of the election (state certification, E+38).
  const stopMs = Math.min(s.cancelled?.atMs ?? nowMs, nowMs, sos.dueAtMs);
  for (const e of all) {
    const m = s.milestones[e.key];
    if (!m) continue;
    const eff = effectiveDue(s, e, all, nowMs);
    if (e.liquidatedDamages) accrue(s, e, m, eff, Math.min(m.completedAtMs ?? stopMs, stopMs), nowMs);
    if (e.kind === 'task' && !e.perRequest && !m.lateRecorded && m.completedAtMs === undefined && s.status === 'active' && nowMs > eff.dueAtMs) {
      m.lateRecorded = true;
      emit(s, nowMs, 'milestone-late', { milestoneKey: e.key, detail: { owner: e.owner, dueAt: toPacificIso(eff.dueAtMs) } });
    }
    if (e.kind === 'task' && m.completedAtMs === undefined && s.status === 'active' && nowMs <= eff.dueAtMs && !m.parent) {
      for (const days of s.input.reminderOffsetsDays) {
        const at = pacificTime(addDays(eff.dueDate, -days), REMINDER_HOUR);
        const reminderKey = `${s.input.id}/${e.key}/${eff.dueDate}/${days}`;
        if (at <= nowMs && !s.remindersSent.includes(reminderKey)) {
          s.remindersSent.push(reminderKey);
          reminders.push({ reminderKey, electionId: s.input.id, milestoneKey: e.key, milestoneName: e.name, owner: e.owner, dueAt: toPacificIso(eff.dueAtMs), daysBefore: days });
        }
      }
    }
  }
  // Reminders for days that already passed when the election started are not worth sending: drop all but
  // the nearest one per milestone.
  const nearest = new Map<string, Reminder>();
  for (const r of reminders) {
    const prev = nearest.get(r.milestoneKey);
    if (!prev || r.daysBefore < prev.daysBefore) nearest.set(r.milestoneKey, r);
  }
  const lines: SlaLine[] = [];
  for (const v of calendarView(s, nowMs).filter((x) => x.liquidatedDamages)) {
    const line: Omit<SlaLine, 'seq'> = {
      electionId: s.input.id, electionDate: s.electionDate, deliverableKey: v.key, name: v.name,
      baseDueAt: v.baseDueAt, dueAt: v.dueAt, ...(v.shift ? { shift: v.shift } : {}),
      ...(v.completedAt ? { deliveredAt: v.completedAt } : {}),
      lateDates: v.lateDates, waivedDates: v.waivedDates,
      ...(v.waiver?.decision === 'granted' ? { waiverReason: v.waiver.reason } : {}),
      ...(v.excusedReason ? { excusedReason: v.excusedReason } : {}),
    };
    const text = JSON.stringify(line);
    if (s.reported[v.key] !== text) {
      s.reported[v.key] = text;
      s.seq += 1;
      lines.push({ ...line, seq: s.seq });
    }
  }
  const finished = s.status === 'cancelled' || s.milestones['sos-certification']?.completedAtMs !== undefined || nowMs > sos.dueAtMs;
  return { reminders: [...nearest.values()], lines, finished };
}

/**
 * Adds the late days of a vendor deliverable up to `untilMs` (append-only), judged by the calendar in force.
 * A completed deliverable is counted once, at completion, and closed: a later date change cannot rewrite it.
 */
function accrue(s: ElectionState, e: CalendarEntry, m: MilestoneState, eff: Effective, untilMs: number, nowMs: number): void {
  if (m.accrualClosed) return;
  const fresh = lateDatesBetween(eff.dueAtMs, calendarSince(s), untilMs).filter((d) => !m.lateDates.includes(d));
  if (m.completedAtMs !== undefined) m.accrualClosed = true;
  if (fresh.length > 0) {
    m.lateDates = [...m.lateDates, ...fresh].sort();
    emit(s, nowMs, 'damages-accrued', { milestoneKey: e.key, detail: { dates: fresh, dueAt: toPacificIso(eff.dueAtMs), ...(eff.excusedReason ? { excused: eff.excusedReason } : {}) } });
  }
}

/** The next instant something can change by itself: a deadline, a late day, a reminder. */
export function nextWakeAt(s: ElectionState, nowMs: number): number {
  const all = entries(s);
  let next = Number.POSITIVE_INFINITY;
  const consider = (t: number) => { if (t > nowMs && t < next) next = t; };
  for (const e of all) {
    const m = s.milestones[e.key];
    if (!m) continue;
    const eff = effectiveDue(s, e, all, nowMs);
    consider(eff.dueAtMs + 1);
    if (e.liquidatedDamages && m.completedAtMs === undefined && s.status === 'active') {
      consider(lateDayStart(eff.dueAtMs, lateDaysAt(eff.dueAtMs, nowMs) + 1));
    }
    if (e.countyInput && m.completedAtMs === undefined) {
      const input = all.find((x) => x.key === e.countyInput);
      if (input && s.milestones[input.key]?.completedAtMs === undefined) consider(lateDayStart(input.dueAtMs, lateDaysAt(input.dueAtMs, nowMs) + 1));
    }
    if (e.kind === 'task' && m.completedAtMs === undefined && !m.parent) {
      for (const days of s.input.reminderOffsetsDays) consider(pacificTime(addDays(eff.dueDate, -days), REMINDER_HOUR));
    }
  }
  return next;
}

/** The election's end: after SOS certification, or at cancellation. Returns the final status. */
export function finish(s: ElectionState, nowMs: number): 'finished' | 'cancelled' {
  if (s.status === 'active') s.status = 'finished';
  const status = s.status === 'cancelled' ? 'cancelled' : 'finished';
  emit(s, nowMs, 'election-closed', { detail: { status } });
  return status;
}

/**
 * One vote-by-mail ballot, from issuance to counted or not counted (issue 3). Pure and deterministic: the
 * ballot workflow feeds it facts from the four files (extract, manifest, USPS scans, county returns) and asks
 * it when to wake; it answers with the transitions and the alerts that silence should turn into.
 *
 * State is plain JSON so it survives continue-as-new. Facts are idempotent: each carries a key, and a fact
 * seen before changes nothing. Facts may arrive out of order (a scan before the manifest, a county receipt
 * before the last inbound scan): the status is derived from everything known, not from arrival order.
 *
 * No zod here (the schemas are in domain/ballot and domain/ballot-facts): the ballot worker shares this module
 * between every workflow of a thread, and the SDK deep-freezes what a shared module exports.
 */
import type { BallotSettings, BallotStatus } from './ballot';
import type { BallotFact } from './ballot-facts';
import { addDays, endOfPacificDay, pacificDate, pacificTime, toPacificIso } from './dates';

/** `ballot:<election>:<voter id>:<issue number>`: a reissue (issue n+1) is another ballot that supersedes this one. */
export function ballotIdOf(electionId: string, voterId: string, issue: number): string {
  return `ballot:${electionId}:${voterId}:${issue}`;
}

export interface BallotCalendar {
  electionDate: string;
  /** E+7: last day a ballot postmarked by E may be received (EC §3020). */
  receiptDeadline: string;
  /** 5 p.m. two days before certification (EC §3019(d)). */
  cureDeadlineAtMs: number;
}

export function ballotCalendar(electionDate: string, certificationOffsetDays = 30): BallotCalendar {
  return {
    electionDate,
    receiptDeadline: addDays(electionDate, 7),
    cureDeadlineAtMs: pacificTime(addDays(electionDate, certificationOffsetDays - 2), 17),
  };
}

export interface BallotEvent {
  type: string;
  atMs: number;
  status?: BallotStatus;
  reasonCodes?: string[];
  detail: Record<string, unknown>;
}

export interface BallotState {
  ballotId: string;
  calendar: BallotCalendar;
  settings: BallotSettings;
  status: BallotStatus;
  reasonCodes: string[];
  uocava: boolean;
  issueDate?: string;
  mailedDate?: string;
  outboundImb?: string;
  returnImb?: string;
  firstOutboundScanAtMs?: number;
  predictedDeliveryDate?: string;
  deliveredAtMs?: number;
  returnToSenderAtMs?: number;
  firstInboundScanAtMs?: number;
  receiptDate?: string;
  postmarkDate?: string;
  countyStatus?: { status: string; statusDate: string; reasonCodes: string[] };
  undeliverable?: { date: string; reasonCodes: string[] };
  superseded?: { by: 'reissue' | 'in-person'; atMs: number };
  /** The cure deadline passed with the signature problem not cured. */
  cureExpired?: boolean;
  /** Fact keys already applied: re-sent files and repeated scans change nothing. */
  seen: string[];
  /** Alerts already raised, by key. */
  alerts: string[];
  /** Events not yet written out. */
  outbox: BallotEvent[];
  /** Events written so far: the next one is numbered eventCount + 1. */
  eventCount: number;
}

export function initialBallot(ballotId: string, calendar: BallotCalendar, settings: BallotSettings): BallotState {
  return { ballotId, calendar, settings, status: 'issued', reasonCodes: [], uocava: false, seen: [], alerts: [], outbox: [], eventCount: 0 };
}

/** A ballot postmarked after election day, or received after E+7, is not counted (EC §3020(b)). */
export const LATE_REASON = 'not-received-on-time';
/** A signature problem not cured by the cure deadline (EC §3019(d)). */
export const NOT_CURED_REASON = 'not-cured';

export function expectedWindow(s: BallotState): { from: string; to: string; source: 'usps-prediction' | 'service-standard' } | undefined {
  if (s.predictedDeliveryDate) return { from: s.predictedDeliveryDate, to: s.predictedDeliveryDate, source: 'usps-prediction' };
  if (!s.mailedDate) return undefined;
  return { from: addDays(s.mailedDate, s.settings.serviceStandardDays.min), to: addDays(s.mailedDate, s.settings.serviceStandardDays.max), source: 'service-standard' };
}

/** The status from everything known, most advanced evidence first; out-of-order facts land in the same place. */
export function deriveStatus(s: BallotState): { status: BallotStatus; reasonCodes: string[] } {
  if (s.superseded) return { status: 'superseded', reasonCodes: [] };
  const c = s.countyStatus;
  const late = isLate(s);
  if (c && (c.status === 'accepted' || c.status === 'not-accepted' || c.status === 'cured')) {
    if (late) return { status: 'not-accepted', reasonCodes: uniq([...c.reasonCodes, LATE_REASON]) };
    if (c.status === 'cured') return { status: 'accepted', reasonCodes: [] };
    return { status: c.status, reasonCodes: c.status === 'accepted' ? [] : c.reasonCodes };
  }
  if (late && s.receiptDate) return { status: 'not-accepted', reasonCodes: [LATE_REASON] };
  if (c?.status === 'cure-pending' && s.cureExpired) return { status: 'not-accepted', reasonCodes: uniq([...c.reasonCodes, NOT_CURED_REASON]) };
  if (c?.status === 'cure-pending') return { status: 'cure-pending', reasonCodes: c.reasonCodes };
  if (c?.status === 'in-review') return { status: 'in-review', reasonCodes: c.reasonCodes };
  if (c?.status === 'received' || s.receiptDate) return { status: 'received', reasonCodes: [] };
  if (s.firstInboundScanAtMs !== undefined) return { status: 'returned', reasonCodes: [] };
  if (s.undeliverable || s.returnToSenderAtMs !== undefined) return { status: 'undeliverable', reasonCodes: s.undeliverable?.reasonCodes ?? ['undeliverable'] };
  if (s.deliveredAtMs !== undefined) return { status: 'delivered', reasonCodes: [] };
  if (s.firstOutboundScanAtMs !== undefined) return { status: 'in-mail-stream', reasonCodes: [] };
  if (s.mailedDate) return { status: 'mailed', reasonCodes: [] };
  return { status: 'issued', reasonCodes: [] };
}

function isLate(s: BallotState): boolean {
  if (s.postmarkDate && s.postmarkDate > s.calendar.electionDate) return true;
  return !!s.receiptDate && s.receiptDate > s.calendar.receiptDeadline;
}

const uniq = (xs: string[]) => [...new Set(xs)];
const FINAL: BallotStatus[] = ['accepted', 'not-accepted', 'superseded'];
export const isFinal = (s: BallotState) => FINAL.includes(s.status);

/** Applies one fact. Returns false when it was seen before (nothing changes). Mutates `s`. */
export function applyFact(s: BallotState, f: BallotFact): boolean {
  if (s.seen.includes(f.key)) return false;
  s.seen.push(f.key);
  switch (f.type) {
    case 'issued': s.issueDate = f.issueDate; s.uocava = f.uocava; break;
    case 'mailed': s.mailedDate = f.mailedDate; s.outboundImb = f.outboundImb; s.returnImb = f.returnImb; break;
    case 'outbound-scan':
      s.firstOutboundScanAtMs = Math.min(s.firstOutboundScanAtMs ?? f.scannedAt, f.scannedAt);
      if (f.predictedDeliveryDate) s.predictedDeliveryDate = f.predictedDeliveryDate;
      if (f.milestone === 'delivered') s.deliveredAtMs = Math.min(s.deliveredAtMs ?? f.scannedAt, f.scannedAt);
      if (f.milestone === 'return-to-sender') s.returnToSenderAtMs = f.scannedAt;
      break;
    case 'inbound-scan': s.firstInboundScanAtMs = Math.min(s.firstInboundScanAtMs ?? f.scannedAt, f.scannedAt); break;
    case 'county-undeliverable': s.undeliverable = { date: f.date, reasonCodes: f.reasonCodes }; break;
    case 'county-status':
      // A later status date wins; an older file re-sent after a newer one does not roll the ballot back.
      if (!s.countyStatus || f.statusDate >= s.countyStatus.statusDate) s.countyStatus = { status: f.status, statusDate: f.statusDate, reasonCodes: f.reasonCodes };
      if (f.receiptDate) s.receiptDate = f.receiptDate;
      if (f.postmarkDate) s.postmarkDate = f.postmarkDate;
      break;
    case 'superseded': s.superseded = { by: f.by, atMs: f.at }; break;
    default: { const never: never = f; throw new Error(`unknown fact ${String(never)}`); }
  }
  const next = deriveStatus(s);
  // Issuance is recorded once, so every ballot has at least one event (counts by status include it).
  if (f.type === 'issued' && next.status === 'issued' && s.eventCount === 0 && s.outbox.length === 0) {
    s.outbox.push({ type: 'status-changed', atMs: f.at, status: 'issued', reasonCodes: [], detail: { from: null, fact: 'issued' } });
  }
  if (next.status !== s.status || next.reasonCodes.join('|') !== s.reasonCodes.join('|')) {
    const from = s.status;
    s.status = next.status;
    s.reasonCodes = next.reasonCodes;
    s.outbox.push({ type: 'status-changed', atMs: f.at, status: next.status, reasonCodes: next.reasonCodes, detail: { from, fact: f.type, ...(next.status === 'mailed' || next.status === 'in-mail-stream' ? { expectedWindow: expectedWindow(s) } : {}) } });
  }
  return true;
}

// ---------- silence turned into action ----------

export interface BallotAlert { key: string; type: 'no-scan' | 'delayed' | 'return-reminder' | 'receipt-escalation' | 'cure-reminder'; atMs: number; detail: Record<string, unknown> }

/** Every alert this ballot could raise, with the instant it becomes due, given what is known now. */
export function pendingAlerts(s: BallotState): BallotAlert[] {
  if (isFinal(s) || s.status === 'undeliverable') return [];
  const st = s.settings;
  const out: BallotAlert[] = [];
  // A ballot the county already holds needs no scan to prove it travelled (the county file may come first).
  if (s.mailedDate && s.firstOutboundScanAtMs === undefined && s.firstInboundScanAtMs === undefined && !s.receiptDate) {
    out.push({ key: 'no-scan', type: 'no-scan', atMs: endOfPacificDay(addDays(s.mailedDate, st.noScanAlertDays)), detail: { mailedDate: s.mailedDate } });
  }
  const w = expectedWindow(s);
  if (w && s.deliveredAtMs === undefined && s.firstInboundScanAtMs === undefined && !s.receiptDate) {
    out.push({ key: `delayed:${w.to}`, type: 'delayed', atMs: endOfPacificDay(addDays(w.to, st.delayedAfterWindowDays)), detail: { expectedWindow: w } });
  }
  const returned = s.firstInboundScanAtMs !== undefined || !!s.receiptDate || !!s.countyStatus;
  if (s.mailedDate && !returned) {
    out.push({ key: 'return-reminder', type: 'return-reminder', atMs: pacificTime(addDays(s.calendar.electionDate, -st.returnReminderDaysBefore), 9), detail: { electionDate: s.calendar.electionDate } });
  }
  if (s.firstInboundScanAtMs !== undefined && !s.receiptDate && !s.countyStatus) {
    out.push({ key: 'receipt-escalation', type: 'receipt-escalation', atMs: endOfPacificDay(addDays(pacificDate(s.firstInboundScanAtMs), st.receiptEscalationDays)), detail: { firstInboundScan: toPacificIso(s.firstInboundScanAtMs) } });
  }
  if (s.status === 'cure-pending') {
    for (const d of st.cureReminderDaysBefore) {
      out.push({ key: `cure-reminder:${d}`, type: 'cure-reminder', atMs: pacificTime(addDays(pacificDate(s.calendar.cureDeadlineAtMs), -d), 9), detail: { cureDeadline: toPacificIso(s.calendar.cureDeadlineAtMs), daysBefore: d } });
    }
  }
  return out.filter((a) => !s.alerts.includes(a.key));
}

/**
 * Brings the ballot up to `nowMs`: a cure still pending at the cure deadline becomes not accepted, then the
 * alerts due are raised (once each). Mutates `s`; returns the alerts raised.
 */
export function reconcileBallot(s: BallotState, nowMs: number): BallotAlert[] {
  if (s.status === 'cure-pending' && !s.cureExpired && nowMs > s.calendar.cureDeadlineAtMs) {
    s.cureExpired = true;
    const next = deriveStatus(s);
    s.outbox.push({ type: 'status-changed', atMs: nowMs, status: next.status, reasonCodes: next.reasonCodes, detail: { from: s.status, fact: 'cure-deadline-passed' } });
    s.status = next.status;
    s.reasonCodes = next.reasonCodes;
  }
  return dueAlerts(s, nowMs);
}

/**
 * Raises the alerts due by `nowMs` (once each) and returns them. Alerts whose moment passed long before the
 * ballot learned the relevant fact are still raised once: late news is still news to the county.
 */
export function dueAlerts(s: BallotState, nowMs: number): BallotAlert[] {
  const due = pendingAlerts(s).filter((a) => a.atMs <= nowMs);
  for (const a of due) {
    s.alerts.push(a.key);
    s.outbox.push({ type: `alert:${a.type}`, atMs: nowMs, status: s.status, detail: a.detail });
  }
  return due;
}

/** When the ballot should wake next by itself (undefined: nothing to wait for). */
export function nextAlertAt(s: BallotState, nowMs: number): number | undefined {
  const future = pendingAlerts(s).map((a) => a.atMs).filter((t) => t > nowMs);
  if (s.status === 'cure-pending' && !s.cureExpired && s.calendar.cureDeadlineAtMs >= nowMs) future.push(s.calendar.cureDeadlineAtMs + 1);
  return future.length ? Math.min(...future) : undefined;
}

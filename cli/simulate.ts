/**
 * `ballotflow simulate FILE [--json]`: plays an election scenario (docs/scenarios.md) against the real election
 * and contract workflows under Temporal's time-skipping test server, so months of calendar pass in seconds, and
 * prints each election's calendar and the contract's SLA report.
 *
 * A what-if tool, not the system of record: results stay in memory (MemoryStore); nothing touches Postgres.
 * A command the workflow refuses (an update validator's rejection) is part of the outcome, not a failure.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Command } from 'commander';
import pino from 'pino';
import { MemoryStore } from '../activities/memory-store';
import { ELECTION_TYPE_LABELS } from '../domain/calendar';
import type { Ledger } from '../domain/damages';
import type { MilestoneView } from '../domain/election';
import { parseScenarioText, type ResolvedScenario, type ScenarioIssue, type TimelineEvent } from '../domain/scenario';
import { toPacificIso } from '../domain/time';
import { startContractWorkflow, startElectionWorkflow, testServerLauncher } from '../runtime/temporal';
import { createWorker } from '../workers/worker';
import { getContract, recordInvoice, type ContractSnapshot } from '../workflows/contract/messages';
import * as em from '../workflows/election/messages';
import type { ElectionReport } from '../workflows/election/workflow';

export interface EventOutcome {
  seq: number;
  /** Position in the file's `events` array; absent for autoComplete events. */
  index?: number;
  synthesized: boolean;
  when: string;
  at: string;
  electionId: string;
  action: string;
  summary: string;
  note?: string;
  outcome: 'applied' | 'refused';
  result?: unknown;
  refusal?: { type: string; message: string; field?: string };
}

export interface SimulationResult {
  file: string;
  name?: string;
  description?: string;
  autoComplete: boolean;
  /** The test server's clock when the workflows started and when the last election closed. */
  startedAt: string;
  finishedAt: string;
  elections: ElectionReport[];
  contract: ContractSnapshot;
  events: EventOutcome[];
  refused: EventOutcome[];
}

/** A scenario file that cannot be simulated; the message names the file and the field. */
export class ScenarioFileError extends Error {
  constructor(readonly file: string, readonly issues: ScenarioIssue[]) {
    super(issues.map((i) => `${file}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    this.name = 'ScenarioFileError';
  }
}

export async function loadScenario(file: string, nowMs: number): Promise<ResolvedScenario> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new ScenarioFileError(file, [{ path: '', message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  const r = parseScenarioText(text, nowMs);
  if (!r.ok) throw new ScenarioFileError(file, r.issues);
  return r.value;
}

/** Core logs would otherwise go to stdout and spoil --json; keep errors only, on stderr. */
function quietRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // Already installed by the host process (the CLI entry or a test): keep its choice.
  }
}

export async function simulate(file: string, opts: { json: boolean; out?: NodeJS.WritableStream }): Promise<SimulationResult> {
  const out = opts.out ?? process.stdout;
  const progress = (line: string) => { if (!opts.json) process.stderr.write(`${line}\n`); };
  // The time-skipping server's clock starts at the real current time; check the file against it first.
  const sc = await loadScenario(file, Date.now());

  quietRuntime();
  progress(`starting the time-skipping test server for ${file}`);
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerLauncher() } } });
  const dog = watchdog();
  try {
    const taskQueue = `simulate-${randomUUID()}`;
    const worker = await createWorker({
      connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, store: new MemoryStore(), logger: pino({ level: 'silent' }),
    });
    const playing = play(env, sc, file, taskQueue, progress, dog);
    playing.catch(() => undefined); // if the watchdog wins, this settles (rejected) once the server is gone
    const result = await worker.runUntil(Promise.race([playing, dog.stalled]));
    out.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatReport(result));
    return result;
  } finally {
    dog.stop();
    await env.teardown();
  }
}

/** No step (one event, one election's end) takes anywhere near this long unless the server or worker is stuck. */
const STALL_MS = 60_000;

interface Watchdog { stalled: Promise<never>; step(what: string): void; stop(): void }

/** Turns a stuck simulation into an error naming the step, instead of a command that never returns. */
function watchdog(): Watchdog {
  let what = 'starting the workflows';
  let since = Date.now();
  let fail: (e: Error) => void = () => undefined;
  const stalled = new Promise<never>((_, reject) => { fail = reject; });
  const timer = setInterval(() => {
    if (Date.now() - since > STALL_MS) fail(new Error(`the simulation made no progress for ${STALL_MS / 1000} s while ${what}`));
  }, 1_000);
  timer.unref();
  return { stalled, step: (w) => { what = w; since = Date.now(); }, stop: () => clearInterval(timer) };
}

async function play(
  env: TestWorkflowEnvironment, sc: ResolvedScenario, file: string, taskQueue: string, progress: (l: string) => void, dog: Watchdog,
): Promise<SimulationResult> {
  const startedAt = await env.currentTimeMs();
  await startContractWorkflow(env.client, sc.contract, { taskQueue });
  for (const e of sc.elections) await startElectionWorkflow(env.client, e.input, { taskQueue });
  const contract = env.client.workflow.getHandle(sc.contract.id);

  const events: EventOutcome[] = [];
  const n = sc.timeline.length;
  for (const ev of sc.timeline) {
    dog.step(`advancing the clock to event ${ev.seq}/${n} at ${ev.when}`);
    const now = await env.currentTimeMs();
    if (ev.atMs > now) await env.sleep(ev.atMs - now);
    const step = `applying event ${ev.seq}/${n} at ${ev.when} (${ev.at})${ev.synthesized ? ' [autoComplete]' : ''}: ${summarize(ev)}`;
    dog.step(step);
    progress(step);
    const o = await apply(env, contract, ev);
    if (o.outcome === 'refused') progress(`  refused: ${o.refusal!.message}`);
    events.push(o);
  }

  progress('running every election to its end (state certification)');
  const elections: ElectionReport[] = [];
  for (const e of sc.elections) {
    dog.step(`running ${e.input.id} to its end`);
    elections.push(await env.client.workflow.getHandle(e.input.id).result() as ElectionReport);
  }
  dog.step('reading the contract ledger');
  const finishedAt = await env.currentTimeMs();

  // Each election's last signal (electionClosed) follows its last SLA lines: once the contract shows every
  // election closed, its ledger is complete.
  let snap = await contract.query(getContract);
  for (let i = 0; i < 100 && snap.elections.some((e) => e.status === 'active'); i++) {
    await new Promise((r) => setTimeout(r, 50));
    snap = await contract.query(getContract);
  }
  return {
    file,
    ...(sc.name ? { name: sc.name } : {}),
    ...(sc.description ? { description: sc.description } : {}),
    autoComplete: sc.autoComplete,
    startedAt: toPacificIso(startedAt),
    finishedAt: toPacificIso(finishedAt),
    elections,
    contract: snap,
    events,
    refused: events.filter((e) => e.outcome === 'refused'),
  };
}

function summarize(ev: TimelineEvent): string {
  const c = ev.command;
  switch (c.action) {
    case 'county-complete':
    case 'vendor-complete':
    case 'state-complete':
      return `${c.action} ${c.arg.key}`;
    case 'subsequent-extract': return `subsequent-extract ${c.arg.extractId}${c.arg.records !== undefined ? ` (${c.arg.records} records)` : ''}`;
    case 'election-day-order': return `election-day-order ${c.arg.requestId} (${c.arg.quantity} ballots for ${c.arg.pollingPlace})`;
    case 'delay-notice': return `delay-notice ${c.arg.noticeId} (${c.arg.kind}) on ${c.arg.deliverableKey}`;
    case 'waiver': return `waiver ${c.arg.decision} on ${c.arg.deliverableKey} (notice ${c.arg.noticeId})`;
    case 'change-date': return `change-date to ${c.arg.newDate}`;
    case 'cancel': return 'cancel';
    case 'invoice': return `invoice ${c.arg.invoiceId} dated ${c.arg.invoiceDate}`;
    default: return assertNever(c);
  }
}

type Handle = ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;

async function apply(env: TestWorkflowEnvironment, contract: Handle, ev: TimelineEvent): Promise<EventOutcome> {
  const base = {
    seq: ev.seq, ...(ev.index !== undefined ? { index: ev.index } : {}), synthesized: ev.synthesized, when: ev.when, at: ev.at,
    electionId: ev.electionId, action: ev.command.action, summary: summarize(ev), ...(ev.note ? { note: ev.note } : {}),
  };
  const el = env.client.workflow.getHandle(ev.electionId);
  const c = ev.command;
  try {
    let result: unknown;
    switch (c.action) {
      case 'county-complete': result = await el.executeUpdate(em.completeCountyMilestone, { args: [c.arg] }); break;
      case 'vendor-complete': result = await el.executeUpdate(em.completeDeliverable, { args: [c.arg] }); break;
      case 'state-complete': result = await el.executeUpdate(em.completeStateMilestone, { args: [c.arg] }); break;
      case 'subsequent-extract': result = await el.executeUpdate(em.sendSubsequentExtract, { args: [c.arg] }); break;
      case 'election-day-order': result = await el.executeUpdate(em.orderElectionDayBallots, { args: [c.arg] }); break;
      case 'delay-notice': result = await el.executeUpdate(em.fileDelayNotice, { args: [c.arg] }); break;
      case 'waiver': result = await el.executeUpdate(em.decideWaiver, { args: [c.arg] }); break;
      case 'change-date': result = await el.executeUpdate(em.changeElectionDate, { args: [c.arg] }); break;
      case 'cancel': result = await el.executeUpdate(em.cancelElection, { args: [c.arg] }); break;
      case 'invoice': result = await contract.executeUpdate(recordInvoice, { args: [c.arg] }); break;
      default: return assertNever(c);
    }
    return { ...base, outcome: 'applied', ...(result !== undefined ? { result } : {}) };
  } catch (e) {
    const refusal = refusalOf(e, c.action === 'invoice' ? 'contract' : 'election');
    if (!refusal) throw e;
    return { ...base, outcome: 'refused', refusal };
  }
}

/** A validator's refusal or a closed workflow; anything else is a real failure and propagates. */
function refusalOf(e: unknown, target: string): EventOutcome['refusal'] | undefined {
  if (e instanceof WorkflowUpdateFailedError) {
    const cause = e.cause;
    if (cause instanceof ApplicationFailure) {
      const detail = cause.details?.[0] as { field?: unknown } | undefined;
      return { type: cause.type ?? 'refused', message: cause.message, ...(typeof detail?.field === 'string' ? { field: detail.field } : {}) };
    }
    return { type: 'refused', message: cause?.message ?? e.message };
  }
  if (e instanceof WorkflowNotFoundError || (e instanceof Error && /already completed|workflow execution.*(completed|closed)/i.test(e.message))) {
    return { type: 'closed', message: `the ${target} workflow has already closed` };
  }
  return undefined;
}

// ---------- the text report ----------

const money = (x: number) => `$${x.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;
const money2 = (x: number) => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
/** "2028-01-15T14:00:00.000-08:00" -> "2028-01-15 14:00" (already Pacific). */
const wall = (iso: string | undefined) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '-');
const endOfDay = (iso: string) => iso.slice(11, 16) === '23:59';

function table(rows: string[][], right: number[] = []): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (right.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

function calendarRows(calendar: MilestoneView[]): string[] {
  const rows: string[][] = [['Milestone', 'Owner', 'Rule', 'Due', 'Done at', 'Status', 'Days late', 'Damages']];
  const notes: Map<number, string[]> = new Map();
  calendar.forEach((m) => {
    const due = endOfDay(m.dueAt) ? m.dueDate : wall(m.dueAt);
    rows.push([
      m.key, m.owner, m.offsetLabel, m.shift ? `${due} (+${m.shift.days}d)` : due, m.kind === 'cutoff' ? '-' : wall(m.completedAt), m.status,
      // A cutoff passes by itself; it is never late (the view's daysLate keeps counting for it).
      m.kind === 'cutoff' ? '-' : String(m.daysLate), m.liquidatedDamages ? money(m.damagesAccrued) : '-',
    ]);
    const n: string[] = [];
    if (m.shift) n.push(m.shift.reason);
    if (m.waiver) n.push(`waiver ${m.waiver.decision}${m.waiver.throughDate ? ` through ${m.waiver.throughDate}` : ''} by ${m.waiver.decidedBy}: ${m.waiver.reason}`);
    if (m.excusedReason) n.push(`excused: ${m.excusedReason}`);
    if (n.length > 0) notes.set(rows.length - 1, n);
  });
  return table(rows, [6, 7]).flatMap((line, i) => [line, ...(notes.get(i) ?? []).map((t) => `      note: ${t}`)]);
}

function slaRows(ledger: Ledger, elections: ElectionReport[]): string[] {
  const label = (id: string) => elections.find((e) => e.id === id)?.originalElectionDate ?? id;
  const rows: string[][] = [['Election', 'Deliverable', 'Due', 'Delivered', 'Days late', 'Accrued', 'Charged', 'Capped', 'Waived', 'Excused']];
  const notes: Map<number, string[]> = new Map();
  for (const l of ledger.lines) {
    rows.push([
      label(l.electionId), l.deliverableKey, endOfDay(l.dueAt) ? l.dueAt.slice(0, 10) : wall(l.dueAt), wall(l.deliveredAt), String(l.daysLate),
      money(l.damagesAccrued), money(l.damagesCharged), money(l.damagesCapped), money(l.damagesWaived), money(l.damagesExcused),
    ]);
    if (l.why.length > 0) notes.set(rows.length - 1, l.why);
  }
  return table(rows, [4, 5, 6, 7, 8, 9]).flatMap((line, i) => [line, ...(notes.get(i) ?? []).map((t) => `      why: ${t}`)]);
}

export function formatReport(r: SimulationResult): string {
  const L: string[] = [];
  const ledger = r.contract.ledger;
  L.push(`Scenario ${r.name ?? r.file}${r.name ? ` (${r.file})` : ''}`);
  if (r.description) L.push(r.description);
  L.push(`Contract ${r.contract.id}: ${r.contract.terms.vendor}, ${r.contract.terms.effectiveDate} to ${r.contract.termEnd}`);
  L.push(`Simulated from ${r.startedAt} to ${r.finishedAt} on the time-skipping test server; autoComplete ${r.autoComplete ? 'on' : 'off'}.`);

  L.push('', 'Events');
  for (const e of r.events.filter((x) => !x.synthesized || x.outcome === 'refused')) {
    const where = e.index !== undefined ? `events[${e.index}]` : 'autoComplete';
    L.push(`  ${where.padEnd(12)} ${e.when.padEnd(12)} ${e.summary}${e.outcome === 'refused' ? `  -> REFUSED: ${e.refusal!.message}` : ''}`);
    if (e.note) L.push(`  ${''.padEnd(12)} ${''.padEnd(12)} (${e.note})`);
  }
  const auto = r.events.filter((x) => x.synthesized && x.outcome === 'applied').length;
  if (auto > 0) L.push(`  ${auto} county and state task(s) completed on time by autoComplete (noon on the due day).`);

  for (const e of r.elections) {
    L.push('', `Election ${e.id}: ${ELECTION_TYPE_LABELS[e.type as keyof typeof ELECTION_TYPE_LABELS] ?? e.type}, ${e.electionDate}${e.electionDate !== e.originalElectionDate ? ` (moved from ${e.originalElectionDate})` : ''} - ${e.finalStatus}`);
    if (e.cancelled) L.push(`  cancelled ${wall(e.cancelled.at)} by ${e.cancelled.by}: ${e.cancelled.reason}`);
    L.push(...calendarRows(e.calendar).map((l) => `  ${l}`));
    L.push(`  ${e.sla.deliverables} vendor deliverables, ${e.sla.late} late, ${e.sla.daysLate} day(s) late; accrued ${money(e.sla.damagesAccrued)}, waived ${money(e.sla.damagesWaived)}, excused ${money(e.sla.damagesExcused)} (before the contract cap)`);
  }

  L.push('', `Contract SLA report (${money(ledger.ratePerDay)} per day late, cap ${money(ledger.cap)} for the whole agreement, §12)`);
  L.push(...slaRows(ledger, r.elections).map((l) => `  ${l}`));
  const t = ledger.totals;
  L.push('', 'Totals', ...table([
    ['Days late', String(t.daysLate)], ['Accrued', money(t.damagesAccrued)], ['Charged', money(t.damagesCharged)],
    ['Capped', money(t.damagesCapped)], ['Waived', money(t.damagesWaived)], ['Excused', money(t.damagesExcused)], ['Cap remaining', money(t.capRemaining)],
  ], [1]).map((l) => `  ${l}`));

  const s = ledger.spend;
  L.push('', 'Spend per fiscal period', ...table([
    ['Period', 'From', 'To', 'Cap', 'Spent', 'Remaining', ''],
    ...s.periods.map((p) => [p.label, p.start, p.end, money2(p.cap), money2(p.spent), money2(p.remaining), p.overCap ? 'OVER CAP' : '']),
  ], [3, 4, 5]).map((l) => `  ${l}`));
  if (s.outsidePeriods > 0) L.push(`  Invoiced outside every fiscal period: ${money2(s.outsidePeriods)}`);
  L.push(`  Total invoiced ${money2(s.total)} of ${money2(s.totalCap)} (remaining ${money2(s.totalRemaining)})${s.overCap ? ' - OVER THE CONTRACT MAXIMUM' : ''}`);
  L.push(`  Net payable after liquidated damages are deducted: ${money2(ledger.netPayable)}`);

  if (r.refused.length > 0) {
    L.push('', `Refused events (${r.refused.length})`);
    for (const e of r.refused) L.push(`  ${e.index !== undefined ? `events[${e.index}]` : 'autoComplete'} ${e.when}: ${e.summary}: ${e.refusal!.type}: ${e.refusal!.message}`);
  }
  return `${L.join('\n')}\n`;
}

// ---------- the command ----------

export function registerSimulate(program: Command): Command {
  return program
    .command('simulate <file>')
    .description('play an election scenario (JSON, see docs/scenarios.md) to the end on the time-skipping test server and print the calendar and the SLA report')
    .option('--json', 'print the outcome as JSON instead of text')
    .action(async (file: string, o: { json?: boolean }) => {
      try {
        await simulate(file, { json: o.json === true });
      } catch (e) {
        if (!(e instanceof ScenarioFileError)) throw e;
        process.stderr.write(`${e.message}\n`);
        process.exitCode = 2;
      }
    });
}

function assertNever(x: never): never {
  throw new Error(`unhandled scenario action: ${JSON.stringify(x)}`);
}

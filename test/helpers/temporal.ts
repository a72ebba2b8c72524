/** Real Temporal for tests: the Java time-skipping test server from Maven Central, and a worker on it. */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import pino from 'pino';
import type { ActivityStore } from '../../activities';
import { MemoryStore } from '../../activities/memory-store';
import { ContractTermsSchema, type Contract, type ContractTermsInput } from '../../domain/contract';
import { buildElectionInput, ElectionRequestSchema, type ElectionInput } from '../../domain/election';
import { contractIdOf } from '../../domain/ids';
import { addDays, pacificDate, pacificTime } from '../../domain/time';
import type { WorkflowHandle } from '@temporalio/client';
import * as em from '../../workflows/election/messages';
import { findTemporalCli, startContractWorkflow, startElectionWorkflow, testServerLauncher } from '../../runtime/temporal';
import { createWorker } from '../../workers/worker';

let runtimeInstalled = false;
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try { Runtime.install({ logger: new DefaultLogger('WARN') }); } catch { /* already installed */ }
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerLauncher() } } });
}

export const silentLogger = pino({ level: 'silent' });

export async function testWorker(env: TestWorkflowEnvironment, store: ActivityStore = new MemoryStore()): Promise<{ worker: Worker; taskQueue: string; store: ActivityStore }> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await createWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, store, logger: silentLogger });
  return { worker, taskQueue, store };
}

/** Advance the test server's clock to an instant (time-skipping: no real waiting). */
export async function sleepUntil(env: TestWorkflowEnvironment, atMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (atMs > now) await env.sleep(atMs - now);
}

let seq = 0;
/** A contract like Fresno's 15-584, but in force now (the test server's clock is today's date). */
export function testContract(nowMs: number, overrides: Partial<ContractTermsInput> = {}): Contract {
  const today = pacificDate(nowMs);
  const number = `T-${Date.now().toString(36)}-${++seq}`;
  const terms = ContractTermsSchema.parse({
    county: 'fresno',
    number,
    vendor: 'Integrated Voting Solutions, Inc.',
    effectiveDate: addDays(today, -30),
    termEnd: addDays(today, 700),
    fiscalPeriods: [
      { label: 'Year 1', start: addDays(today, -30), end: addDays(today, 334), cap: 1_565_000 },
      { label: 'Year 2', start: addDays(today, 335), end: addDays(today, 700), cap: 455_000 },
    ],
    totalCap: 2_020_000,
    priceList: [{ code: 'vbm-assembly', description: 'VBM assembly', unit: 'piece', unitPrice: 0.26 }],
    ...overrides,
  });
  return { ...terms, id: contractIdOf(terms.county, terms.number) };
}

export function electionFor(contract: Contract, electionDate: string, extra: Partial<{ type: string; countywide: boolean; suffix: string }> = {}): ElectionInput {
  const req = ElectionRequestSchema.parse({ county: contract.county, electionDate, type: extra.type ?? 'statewide-general', contractId: contract.id, ...extra });
  const built = buildElectionInput(req, { id: contract.id, effectiveDate: contract.effectiveDate, ratePerDay: contract.liquidatedDamages.perDay, exemptions: contract.liquidatedDamages.exemptions });
  if (!built.ok) throw new Error(built.error.message);
  return built.value;
}

export async function startBoth(env: TestWorkflowEnvironment, taskQueue: string, contract: Contract, elections: ElectionInput[], maxHistoryEvents?: number) {
  const o = { taskQueue, ...(maxHistoryEvents ? { maxHistoryEvents } : {}) };
  await startContractWorkflow(env.client, contract, o);
  for (const e of elections) await startElectionWorkflow(env.client, e, { taskQueue });
  return {
    contract: env.client.workflow.getHandle(contract.id),
    elections: elections.map((e) => env.client.workflow.getHandle(e.id)),
  };
}

/** Completes every task of an election at noon on its due day, in calendar order (everyone on time). */
export async function completeAllOnTime(env: TestWorkflowEnvironment, el: WorkflowHandle): Promise<void> {
  const cal = (await el.query(em.getElection)).calendar.filter((m) => m.kind === 'task' && !m.parent);
  for (const m of cal) {
    await sleepUntil(env, pacificTime(m.dueDate, 12));
    const def = m.owner === 'vendor' ? em.completeDeliverable : m.owner === 'state' ? em.completeStateMilestone : em.completeCountyMilestone;
    await el.executeUpdate(def, { args: [{ key: m.key, by: m.owner }] });
  }
}

export interface ServerPerTest { env: TestWorkflowEnvironment; taskQueue: string; store: MemoryStore }

/**
 * A fresh time-skipping server and worker for every test of the calling file: nothing a test leaves running
 * can fire while the next one skips time, and no workflow has to be terminated mid-task (the Java test server
 * can stall after that: sdk-java#3088). Read the fields inside tests; they change before each one.
 */
export function serverPerTest(): ServerPerTest {
  const ctx = {} as ServerPerTest;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeEach(async () => {
    ctx.env = await timeSkippingEnv();
    ctx.store = new MemoryStore();
    const w = await testWorker(ctx.env, ctx.store);
    worker = w.worker;
    ctx.taskQueue = w.taskQueue;
    running = worker.run();
  });
  afterEach(async () => {
    worker?.shutdown();
    await running;
    await ctx.env?.teardown();
  });
  return ctx;
}

/** The Temporal CLI dev server in real time (no skipping), for work like file ingestion that waits on nothing. */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: findTemporalCli() } } });
}

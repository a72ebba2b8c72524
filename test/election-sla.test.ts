/**
 * ElectionWorkflow + ContractWorkflow under Temporal's time-skipping test server: months of calendar pass in
 * seconds, and every figure is checked against the contract's rule ($10,000 per calendar day late, §12).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { ContractSnapshot } from '../workflows/contract/messages';
import * as em from '../workflows/election/messages';
import { getContract } from '../workflows/contract/messages';
import { addDays, pacificDate, pacificTime } from '../domain/time';
import { electionFor, sleepUntil, startBoth, testContract, testWorker, timeSkippingEnv } from './helpers/temporal';

let env: TestWorkflowEnvironment;
let worker: Worker;
let taskQueue: string;
let running: Promise<void>;

beforeAll(async () => {
  env = await timeSkippingEnv();
  ({ worker, taskQueue } = await testWorker(env));
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

/** An election far enough ahead that E-90 is still to come on the test server's clock. */
async function upcoming(daysAhead = 100) {
  const now = await env.currentTimeMs();
  const E = addDays(pacificDate(now), daysAhead);
  const at = (offset: number, hour = 12) => pacificTime(addDays(E, offset), hour);
  return { now, E, at };
}

const county = { by: 'Fresno County Elections' };
const vendor = { by: 'Integrated Voting Solutions' };

async function ledgerOf(h: { query: (q: typeof getContract) => Promise<ContractSnapshot> }) {
  return (await h.query(getContract)).ledger;
}

test('envelopes delivered 3 days late accrue $30,000 on the election and the contract', async () => {
  const { now, E, at } = await upcoming();
  const contract = testContract(now);
  const election = electionFor(contract, E);
  const h = await startBoth(env, taskQueue, contract, [election]);
  const el = h.elections[0]!;
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'envelope-order', ...county }] });
  await sleepUntil(env, at(-52));
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'envelopes-delivered', ...vendor, evidence: { envelopes: 412000 } }] });
  const snap = await el.query(em.getElection);
  const env55 = snap.calendar.find((m) => m.key === 'envelopes-delivered')!;
  expect(env55.dueDate).toBe(addDays(E, -55));
  expect(env55.lateDates).toEqual([addDays(E, -54), addDays(E, -53), addDays(E, -52)]);
  expect(env55.damagesAccrued).toBe(30_000);
  expect(env55.status).toBe('done');
  await sleepUntil(env, at(-51));
  const ledger = await ledgerOf(h.contract);
  const line = ledger.lines.find((l) => l.deliverableKey === 'envelopes-delivered')!;
  expect(line.daysLate).toBe(3);
  expect(line.damagesCharged).toBe(30_000);
  expect(ledger.totals.damagesCharged).toBe(30_000);
});

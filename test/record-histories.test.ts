/**
 * Records workflow histories for test/replay.test.ts. Runs only with RECORD_HISTORIES=1
 * (`npm run record-histories`); commit the files it writes. Re-record only when a change to workflow code
 * is deliberate and guarded by `patched(...)` for workflows already running in production.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { ballotCalendar, ballotIdOf, BallotSettingsSchema, type BallotFact } from '../domain/ballot';
import { addDays, pacificDate, pacificTime } from '../domain/time';
import { factsReported } from '../workflows/ballot/messages';
import type { ballotWorkflow } from '../workflows/ballot/workflow';
import { recordInvoice } from '../workflows/contract/messages';
import * as em from '../workflows/election/messages';
import { completeAllOnTime, electionFor, sleepUntil, startBoth, testContract, testWorker, timeSkippingEnv } from './helpers/temporal';

const record = process.env.RECORD_HISTORIES === '1';
const maybe = record ? test : test.skip;

let env: TestWorkflowEnvironment;
let worker: Worker;
let taskQueue: string;
let running: Promise<void>;

beforeAll(async () => {
  if (!record) return;
  env = await timeSkippingEnv();
  ({ worker, taskQueue } = await testWorker(env));
  running = worker.run();
});
afterAll(async () => {
  if (!record) return;
  worker.shutdown();
  await running;
  await env.teardown();
});

async function save(name: string, h: WorkflowHandle) {
  // Binary protobuf: exactly what the server sent, no JSON conversion in between.
  const file = path.join(__dirname, 'histories', `${name}.history.pb`);
  fs.writeFileSync(file, temporal.api.history.v1.History.encode(await h.fetchHistory()).finish());
}

maybe('record: an election with late deliverables, a county shift, a waiver, a date change and a contract that continues as new', async () => {
  const now = await env.currentTimeMs();
  const E = addDays(pacificDate(now), 100);
  const at = (o: number, hour = 12) => pacificTime(addDays(E, o), hour);
  const contract = testContract(now);
  const h = await startBoth(env, taskQueue, contract, [electionFor(contract, E)], 60);
  const el = h.elections[0]!;
  const by = { by: 'recorder' };
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'envelope-order', ...by }] });
  await sleepUntil(env, at(-57));
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'ballot-order', ...by }] });
  await sleepUntil(env, at(-56, 10));
  await el.executeUpdate(em.fileDelayNotice, { args: [{ noticeId: 'FM-1', deliverableKey: 'envelopes-delivered', kind: 'force-majeure', delayStartedAt: new Date(at(-56, 8)).toISOString(), description: 'fire', ...by }] });
  await sleepUntil(env, at(-52));
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'envelopes-delivered', ...by }] });
  await el.executeUpdate(em.decideWaiver, { args: [{ deliverableKey: 'envelopes-delivered', noticeId: 'FM-1', decision: 'granted', reason: 'fire', ...by }] });
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'ballot-order-proof', ...by }] });
  for (let i = 0; i < 12; i++) {
    await h.contract.executeUpdate(recordInvoice, { args: [{ invoiceId: `R-${i}`, invoiceDate: pacificDate(now), items: [{ code: 'vbm-assembly', quantity: 100 }], by: 'recorder' }] });
  }
  await el.executeUpdate(em.changeElectionDate, { args: [{ newDate: addDays(E, 7), reason: 'moved', ...by }] });
  await sleepUntil(env, at(-20, 9));
  await el.executeUpdate(em.sendSubsequentExtract, { args: [{ extractId: 'X1', ...by }] });
  await sleepUntil(env, at(-10));
  await el.executeUpdate(em.cancelElection, { args: [{ reason: 'recorded', ...by }] });
  await el.result();
  await save('election-late-waiver-shift-datechange-cancel', el);
  await save('contract-continued-as-new', h.contract); // the latest run: it started from continue-as-new
});

maybe('record: an election where everyone is on time, to certification', async () => {
  const now = await env.currentTimeMs();
  const E = addDays(pacificDate(now), 100);
  const contract = testContract(now);
  const h = await startBoth(env, taskQueue, contract, [electionFor(contract, E, { type: 'municipal' })]);
  const el = h.elections[0]!;
  await completeAllOnTime(env, el);
  await el.result();
  await save('election-on-time', el);
});

maybe('record: a ballot mailed, silent for days (alert), scanned, returned, received and counted', async () => {
  const now = await env.currentTimeMs();
  const E = addDays(pacificDate(now), 60);
  const electionId = `election:fresno:${E}`;
  const ballotId = ballotIdOf(electionId, 'REC-0001', 1);
  const at = (o: number, hour = 12) => pacificTime(addDays(E, o), hour);
  const send = (facts: BallotFact[]) => env.client.workflow.signalWithStart<typeof ballotWorkflow, [{ facts: BallotFact[] }]>('ballotWorkflow', {
    workflowId: ballotId, taskQueue, workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{ ballotId, electionId, calendar: ballotCalendar(E), settings: BallotSettingsSchema.parse({}) }],
    signal: factsReported, signalArgs: [{ facts }],
  });
  await send([{ type: 'issued', key: 'x:2', at: at(-40), issueDate: addDays(E, -40), ballotType: 'VBM', uocava: false }]);
  await send([{ type: 'mailed', key: 'm:2', at: at(-29), mailedDate: addDays(E, -29), outboundImb: '00700900012345000001', returnImb: '00702900012345000001' }]);
  await sleepUntil(env, at(-25));
  await send([{ type: 'outbound-scan', key: 'scan:a', at: at(-25), milestone: 'in-transit', scannedAt: at(-25, 7), predictedDeliveryDate: addDays(E, -23) }]);
  await send([{ type: 'inbound-scan', key: 'scan:b', at: at(-15), scannedAt: at(-15, 4) }]);
  await send([{ type: 'county-status', key: 'r:9', at: at(-13), status: 'received', receiptDate: addDays(E, -13), postmarkDate: addDays(E, -15), statusDate: addDays(E, -13), reasonCodes: [] }]);
  await send([{ type: 'county-status', key: 'r2:9', at: at(1), status: 'accepted', statusDate: addDays(E, 1), reasonCodes: [] }]);
  const h = env.client.workflow.getHandle(ballotId);
  await h.result();
  await save('ballot-lifecycle', h);
});

/**
 * BallotWorkflow under the time-skipping server: started by whichever file arrives first (signalWithStart),
 * silence turned into alerts, and a whole lifecycle in a small history.
 */
import { ballotCalendar, ballotIdOf, BallotSettingsSchema, type BallotFact } from '../domain/ballot';
import { addDays, pacificDate, pacificTime } from '../domain/time';
import { factsReported, getBallot } from '../workflows/ballot/messages';
import type { ballotWorkflow } from '../workflows/ballot/workflow';
import { serverPerTest, sleepUntil } from './helpers/temporal';
import { retryOnTestServerStalls } from './helpers/flaky-server';

retryOnTestServerStalls();

const server = serverPerTest();

async function setup(voterId: string) {
  const now = await server.env.currentTimeMs();
  const E = addDays(pacificDate(now), 60);
  const electionId = `election:fresno:${E}`;
  const ballotId = ballotIdOf(electionId, voterId, 1);
  const at = (offset: number, hour = 12) => pacificTime(addDays(E, offset), hour);
  const send = (facts: BallotFact[]) => server.env.client.workflow.signalWithStart<typeof ballotWorkflow, [{ facts: BallotFact[] }]>('ballotWorkflow', {
    workflowId: ballotId, taskQueue: server.taskQueue, workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{ ballotId, electionId, calendar: ballotCalendar(E), settings: BallotSettingsSchema.parse({}) }],
    signal: factsReported, signalArgs: [{ facts }],
  });
  return { E, electionId, ballotId, at, send, handle: server.env.client.workflow.getHandle(ballotId) };
}

const events = (ballotId: string) => [...server.store.ballotEvents.values()].filter((e) => e.ballotId === ballotId);

test('a ballot mailed and never scanned alerts the county after 3 days, then runs to accepted in a small history', async () => {
  const { E, ballotId, at, send, handle } = await setup('CA-004417');
  await send([
    { type: 'issued', key: 'extract-1:line-2', at: at(-40), issueDate: addDays(E, -40), ballotType: 'VBM', uocava: false },
    { type: 'mailed', key: 'manifest-1:line-2', at: at(-29), mailedDate: addDays(E, -29), outboundImb: '00700900012345000417', returnImb: '00702900012345000417' },
  ]);
  await sleepUntil(server.env, at(-25)); // mailed E-29: the alert is due at the end of E-26
  expect(events(ballotId).map((e) => e.type)).toEqual(['status-changed', 'status-changed', 'alert:no-scan']);
  await send([
    { type: 'outbound-scan', key: 'scan:a', at: at(-25), milestone: 'delivered', scannedAt: at(-27, 7) },
    { type: 'inbound-scan', key: 'scan:b', at: at(-20), scannedAt: at(-20, 4) },
  ]);
  await send([{ type: 'outbound-scan', key: 'scan:a', at: at(-25), milestone: 'delivered', scannedAt: at(-27, 7) }]); // repeated scan
  await send([{ type: 'county-status', key: 'returns-1:line-9', at: at(-18), status: 'received', receiptDate: addDays(E, -18), postmarkDate: addDays(E, -20), statusDate: addDays(E, -18), reasonCodes: [] }]);
  await send([{ type: 'county-status', key: 'returns-2:line-9', at: at(1), status: 'accepted', statusDate: addDays(E, 1), reasonCodes: [] }]);
  const final = await handle.result();
  expect(final.status).toBe('accepted');
  expect(events(ballotId).map((e) => e.status ?? e.type)).toEqual(['issued', 'mailed', 'mailed', 'delivered', 'returned', 'received', 'accepted']);
  expect(events(ballotId).map((e) => e.eventId)).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `${ballotId}#${i}`));
  const history = await handle.fetchHistory();
  // A whole lifecycle, with five file batches and one alert, stays tiny next to the 10,240-event warning.
  expect(history.events!.length).toBeLessThan(80);
});

test('the county file may arrive first: the ballot exists, shows received, and the manifest later does not move it back', async () => {
  const { E, at, send, handle } = await setup('CA-009921');
  await send([{ type: 'county-status', key: 'returns-1:line-3', at: at(-10), status: 'received', receiptDate: addDays(E, -10), postmarkDate: addDays(E, -12), statusDate: addDays(E, -10), reasonCodes: [] }]);
  await send([{ type: 'mailed', key: 'manifest-1:line-40', at: at(-9), mailedDate: addDays(E, -29), outboundImb: '00700900012345009921', returnImb: '00702900012345009921' }]);
  const snap = await handle.query(getBallot);
  expect(snap.status).toBe('received');
  expect(snap.pendingAlerts).toEqual([]);
});

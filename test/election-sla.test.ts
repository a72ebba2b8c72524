/**
 * ElectionWorkflow + ContractWorkflow under Temporal's time-skipping test server: months of calendar pass in
 * seconds, and every figure is checked against the contract's rule ($10,000 per calendar day late, §12).
 * Elections are placed ~100 days after the test server's "now" so that E-90 is still ahead.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Contract } from '../domain/contract';
import type { ElectionInput } from '../domain/election';
import { addDays, pacificDate, pacificTime } from '../domain/time';
import { getContract, recordInvoice, type ContractSnapshot } from '../workflows/contract/messages';
import * as em from '../workflows/election/messages';
import type { ElectionReport } from '../workflows/election/workflow';
import { completeAllOnTime, electionFor, serverPerTest, sleepUntil, startBoth, testContract } from './helpers/temporal';
import { retryOnTestServerStalls } from './helpers/flaky-server';

retryOnTestServerStalls();

const server = serverPerTest();

/** An election far enough ahead that E-90 is still to come on the test server's clock. */
async function upcoming(daysAhead = 100) {
  const now = await server.env.currentTimeMs();
  const E = addDays(pacificDate(now), daysAhead);
  const at = (offset: number, hour = 12, minute = 0) => pacificTime(addDays(E, offset), hour, minute);
  return { now, E, at };
}

async function launch(contract: Contract, elections: ElectionInput[], maxHistoryEvents?: number) {
  return startBoth(server.env, server.taskQueue, contract, elections, maxHistoryEvents);
}

const county = { by: 'Fresno County Elections' };
const vendor = { by: 'Integrated Voting Solutions' };

const ledgerOf = async (h: WorkflowHandle) => (await h.query(getContract) as ContractSnapshot).ledger;
const milestone = async (h: WorkflowHandle, key: string) => (await h.query(em.getElection)).calendar.find((m) => m.key === key)!;
/** Let the election's SLA lines reach the contract: a little server time passes, nothing is due. */
const settle = async (atMs: number) => sleepUntil(server.env, atMs);

test('an election where everyone is on time finishes after SOS certification with $0 in damages and sends 3- and 1-day reminders', async () => {
  const { now, E } = await upcoming();
  const contract = testContract(now);
  const h = await launch(contract, [electionFor(contract, E)]);
  const el = h.elections[0]!;
  await completeAllOnTime(server.env, el);
  const report = await el.result() as ElectionReport;
  expect(report.finalStatus).toBe('finished');
  expect(report.sla.damagesNet).toBe(0);
  expect(report.sla.late).toBe(0);
  expect(report.calendar.filter((m) => m.kind === 'task').every((m) => m.status === 'done')).toBe(true);
  expect(report.calendar.find((m) => m.key === 'cure-statement-deadline')!.status).toBe('done');
  expect(server.store.reports.get(report.id)!.finalStatus).toBe('finished');
  const reminders = [...server.store.reminders.values()].filter((r) => r.electionId === report.id && r.milestoneKey === 'first-mailing');
  expect(reminders.map((r) => r.daysBefore).sort()).toEqual([1, 3]);
  const events = [...server.store.events.values()].filter((e) => e.electionId === report.id).map((e) => e.type);
  expect(events[0]).toBe('election-started');
  expect(events.at(-1)).toBe('election-closed');
  expect(events.filter((t) => t === 'milestone-completed')).toHaveLength(report.calendar.filter((m) => m.kind === 'task' && !m.parent).length);
  const ledger = await ledgerOf(h.contract);
  expect(ledger.totals.damagesCharged).toBe(0);
});

test('a deliverable 1 day late accrues $10,000; 3 days late accrues $30,000', async () => {
  const { now, E, at } = await upcoming();
  const contract = testContract(now);
  const h = await launch(contract, [electionFor(contract, E)]);
  const el = h.elections[0]!;
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'envelope-order', ...county }] });
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'ballot-order', ...county }] });
  // Ballot order proof due E-58: delivered E-57 at 08:00 -> 1 late day.
  await sleepUntil(server.env, at(-57, 8));
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'ballot-order-proof', ...vendor }] });
  // Envelopes due E-55: delivered E-52 at noon -> E-54, E-53, E-52.
  await sleepUntil(server.env, at(-52));
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'envelopes-delivered', ...vendor, evidence: { envelopes: 412000 } }] });
  const proof = await milestone(el, 'ballot-order-proof');
  expect(proof.lateDates).toEqual([addDays(E, -57)]);
  expect(proof.damagesAccrued).toBe(10_000);
  const envl = await milestone(el, 'envelopes-delivered');
  expect(envl.lateDates).toEqual([addDays(E, -54), addDays(E, -53), addDays(E, -52)]);
  expect(envl.damagesAccrued).toBe(30_000);
  expect(envl.status).toBe('done');
  await settle(at(-51));
  const ledger = await ledgerOf(h.contract);
  expect(ledger.lines.find((l) => l.deliverableKey === 'envelopes-delivered')!.damagesCharged).toBe(30_000);
  expect(ledger.lines.find((l) => l.deliverableKey === 'ballot-order-proof')!.damagesCharged).toBe(10_000);
  expect(ledger.totals.damagesCharged).toBe(40_000);
});

test('deliverables never delivered accrue every day to the end of the election, and the contract charges no more than the $100,000 cap', async () => {
  const { now, E } = await upcoming();
  const contract = testContract(now);
  const h = await launch(contract, [electionFor(contract, E)]);
  const el = h.elections[0]!;
  const report = await el.result() as ElectionReport;
  // County inputs never came, so the four vendor deadlines that wait for them kept moving and never went late.
  for (const key of ['ballot-order-proof', 'envelopes-delivered', 'ballot-proofs', 'first-mailing']) {
    const m = report.calendar.find((x) => x.key === key)!;
    expect(m.daysLate).toBe(0);
    expect(m.shift!.reason).toMatch(/\) is \d+ day\(s\) late$/); // still pending, still moving
  }
  // The others ran late from the day after their deadline through E+38: UOCAVA E-44..E+38 = 83 days,
  // VBM printing and office/test ballots E-33..E+38 = 72 each, polling place ballots E-14..E+38 = 53.
  const days = Object.fromEntries(report.calendar.filter((m) => m.liquidatedDamages).map((m) => [m.key, m.lateDates.length]));
  expect(days).toEqual({
    'ballot-order-proof': 0, 'envelopes-delivered': 0, 'ballot-proofs': 0, 'uocava-mailing': 83, 'vbm-printing': 72,
    'office-test-ballots': 72, 'first-mailing': 0, 'polling-ballots': 53,
  });
  expect(report.sla.damagesAccrued).toBe(2_800_000);
  const ledger = await ledgerOf(h.contract);
  expect(ledger.totals.damagesAccrued).toBe(2_800_000);
  expect(ledger.totals.damagesCharged).toBe(100_000);
  expect(ledger.totals.damagesCapped).toBe(2_700_000);
  expect(ledger.totals.capRemaining).toBe(0);
  // The cap is consumed by the earliest late days: UOCAVA's first ten.
  expect(ledger.lines.find((l) => l.deliverableKey === 'uocava-mailing')!.damagesCharged).toBe(100_000);
});

test('force majeure noticed within a day and waived by the contract manager charges nothing; noticed late, the waiver is refused', async () => {
  const { now, E, at } = await upcoming();
  const contract = testContract(now);
  const h = await launch(contract, [electionFor(contract, E)]);
  const el = h.elections[0]!;
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'envelope-order', ...county }] });
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'ballot-artwork', ...county }] });
  // Envelopes: the delay began E-56 08:00 and was noticed at 10:00 the same day (timely).
  await sleepUntil(server.env, at(-56, 10));
  const timely = await el.executeUpdate(em.fileDelayNotice, { args: [{ noticeId: 'FM-ENV', deliverableKey: 'envelopes-delivered', kind: 'force-majeure', delayStartedAt: new Date(at(-56, 8)).toISOString(), description: 'Wildfire closed the envelope plant', ...vendor }] });
  expect(timely.timely).toBe(true);
  await sleepUntil(server.env, at(-52));
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'envelopes-delivered', ...vendor }] });
  await el.executeUpdate(em.decideWaiver, { args: [{ deliverableKey: 'envelopes-delivered', noticeId: 'FM-ENV', decision: 'granted', reason: 'Wildfire: §12(b), noticed the same day', by: 'contract manager' }] });
  const envl = await milestone(el, 'envelopes-delivered');
  expect(envl.status).toBe('waived');
  expect(envl.damagesWaived).toBe(30_000);
  // Ballot proofs (due E-50): the delay began E-51 09:00, noticed E-49 10:00, 49 hours later: not timely.
  await sleepUntil(server.env, at(-49, 10));
  const late = await el.executeUpdate(em.fileDelayNotice, { args: [{ noticeId: 'FM-PROOF', deliverableKey: 'ballot-proofs', kind: 'force-majeure', delayStartedAt: new Date(at(-51, 9)).toISOString(), description: 'Press breakdown', ...vendor }] });
  expect(late.timely).toBe(false);
  await sleepUntil(server.env, at(-48));
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'ballot-proofs', ...vendor }] });
  const refused = el.executeUpdate(em.decideWaiver, { args: [{ deliverableKey: 'ballot-proofs', noticeId: 'FM-PROOF', decision: 'granted', reason: 'press', by: 'contract manager' }] });
  await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  await expect(refused).rejects.toMatchObject({ cause: { message: expect.stringContaining('§12(b) requires notice within 24 hours') } });
  await settle(at(-47));
  const ledger = await ledgerOf(h.contract);
  const env55 = ledger.lines.find((l) => l.deliverableKey === 'envelopes-delivered')!;
  expect([env55.daysLate, env55.damagesCharged, env55.damagesWaived]).toEqual([3, 0, 30_000]);
  expect(env55.why.join(' ')).toContain('Wildfire');
  const proofs = ledger.lines.find((l) => l.deliverableKey === 'ballot-proofs')!;
  expect([proofs.daysLate, proofs.damagesCharged]).toEqual([2, 20_000]);
  expect(ledger.totals.damagesCharged).toBe(20_000);
});

test('a county ballot order 3 days late moves the vendor proof deadline 3 days, and the report says why', async () => {
  const { now, E, at } = await upcoming();
  const contract = testContract(now);
  const h = await launch(contract, [electionFor(contract, E)]);
  const el = h.elections[0]!;
  // Ballot order due E-60, sent E-57: 3 days late. The proof (base E-58) is now due E-55.
  await sleepUntil(server.env, at(-57));
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'ballot-order', ...county }] });
  const order = await milestone(el, 'ballot-order');
  expect([order.status, order.daysLate]).toEqual(['done', 3]);
  let proof = await milestone(el, 'ballot-order-proof');
  expect(proof.baseDueDate).toBe(addDays(E, -58));
  expect(proof.dueDate).toBe(addDays(E, -55));
  expect(proof.status).not.toBe('late');
  // Delivered E-54 at noon: one day after the moved deadline.
  await sleepUntil(server.env, at(-54));
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'ballot-order-proof', ...vendor }] });
  proof = await milestone(el, 'ballot-order-proof');
  expect(proof.lateDates).toEqual([addDays(E, -54)]);
  await settle(at(-53));
  const line = (await ledgerOf(h.contract)).lines.find((l) => l.deliverableKey === 'ballot-order-proof')!;
  expect(line.damagesCharged).toBe(10_000);
  expect(line.why[0]).toBe(`due date moved 3 day(s) later because the county input "County sends ballot order to vendor" (E-60, due ${addDays(E, -60)}) was 3 day(s) late`);
});

test('moving the election date recomputes the calendar but keeps the damages already accrued', async () => {
  const { now, E, at } = await upcoming();
  const contract = testContract(now);
  const h = await launch(contract, [electionFor(contract, E)]);
  const el = h.elections[0]!;
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'envelope-order', ...county }] });
  await sleepUntil(server.env, at(-53)); // envelopes (due E-55) are 2 days late
  expect((await milestone(el, 'envelopes-delivered')).lateDates).toHaveLength(2);
  const newDate = addDays(E, 14);
  await el.executeUpdate(em.changeElectionDate, { args: [{ newDate, reason: 'Governor moved the special election', ...county }] });
  const snap = await el.query(em.getElection);
  expect(snap.electionDate).toBe(newDate);
  expect(snap.originalElectionDate).toBe(E);
  const envl = snap.calendar.find((m) => m.key === 'envelopes-delivered')!;
  expect(envl.dueDate).toBe(addDays(newDate, -55));
  expect(envl.lateDates).toEqual([addDays(E, -54), addDays(E, -53)]);
  // Delivered before the new deadline: no further late days; the two accrued stay.
  await sleepUntil(server.env, pacificTime(addDays(newDate, -56), 12));
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'envelopes-delivered', ...vendor }] });
  await settle(pacificTime(addDays(newDate, -55), 12));
  const after = await milestone(el, 'envelopes-delivered');
  expect([after.daysLate, after.damagesAccrued]).toEqual([2, 20_000]);
  const line = (await ledgerOf(h.contract)).lines.find((l) => l.deliverableKey === 'envelopes-delivered')!;
  expect([line.electionDate, line.damagesCharged]).toEqual([newDate, 20_000]);
  const refused = el.executeUpdate(em.changeElectionDate, { args: [{ newDate: pacificDate(await server.env.currentTimeMs()), reason: 'x', ...county }] });
  await expect(refused).rejects.toMatchObject({ cause: { message: 'must be after today' } });
});

test('one $100,000 cap is shared by two elections under one contract: the earliest late days are charged first', async () => {
  const { now, E } = await upcoming();
  const contract = testContract(now);
  // One day apart, so no other deadline of either election has passed when the ledger is read.
  const E2 = addDays(E, 1);
  const a = electionFor(contract, E), b = electionFor(contract, E2, { suffix: 'clovis' });
  const h = await launch(contract, [a, b]);
  for (const el of h.elections) await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'envelope-order', ...county }] });
  // Each election's envelopes (due E-55) arrive 6 days late.
  await sleepUntil(server.env, pacificTime(addDays(E, -49), 12));
  await h.elections[0]!.executeUpdate(em.completeDeliverable, { args: [{ key: 'envelopes-delivered', ...vendor }] });
  await sleepUntil(server.env, pacificTime(addDays(E2, -49), 12));
  await h.elections[1]!.executeUpdate(em.completeDeliverable, { args: [{ key: 'envelopes-delivered', ...vendor }] });
  await settle(pacificTime(addDays(E2, -48), 12));
  const ledger = await ledgerOf(h.contract);
  const lineA = ledger.lines.find((l) => l.electionId === a.id && l.deliverableKey === 'envelopes-delivered')!;
  const lineB = ledger.lines.find((l) => l.electionId === b.id && l.deliverableKey === 'envelopes-delivered')!;
  expect([lineA.damagesAccrued, lineA.damagesCharged, lineA.damagesCapped]).toEqual([60_000, 60_000, 0]);
  expect([lineB.damagesAccrued, lineB.damagesCharged, lineB.damagesCapped]).toEqual([60_000, 40_000, 20_000]);
  expect(ledger.totals).toMatchObject({ damagesAccrued: 120_000, damagesCharged: 100_000, damagesCapped: 20_000, capRemaining: 0 });
  const snap = await h.contract.query(getContract);
  expect(snap.elections.map((e) => e.electionId).sort()).toEqual([a.id, b.id].sort());
});

test('subsequent extracts open a mailing due 2 days later; election-day orders a delivery due within 2 hours', async () => {
  const { now, E, at } = await upcoming();
  const contract = testContract(now);
  const h = await launch(contract, [electionFor(contract, E)]);
  const el = h.elections[0]!;
  await sleepUntil(server.env, at(-40));
  const early = el.executeUpdate(em.sendSubsequentExtract, { args: [{ extractId: 'X0', ...county }] });
  await expect(early).rejects.toMatchObject({ cause: { message: expect.stringContaining('E-28..E-6') } });
  await sleepUntil(server.env, at(-20, 9));
  const r = await el.executeUpdate(em.sendSubsequentExtract, { args: [{ extractId: 'X2', records: 1834, ...county }] });
  expect(r.deliverableKey).toBe('subsequent-mailing:X2');
  await sleepUntil(server.env, at(-17, 12)); // due end of E-18: one day late
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'subsequent-mailing:X2', ...vendor }] });
  const x2 = await milestone(el, 'subsequent-mailing:X2');
  expect([x2.dueDate, x2.lateDates]).toEqual([addDays(E, -18), [addDays(E, -17)]]);
  await sleepUntil(server.env, at(0, 9));
  await el.executeUpdate(em.orderElectionDayBallots, { args: [{ requestId: 'ED-1', pollingPlace: 'Kerman Community Center', quantity: 250, ...county }] });
  await sleepUntil(server.env, at(0, 10, 45));
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'election-day-order:ED-1', ...vendor }] });
  await el.executeUpdate(em.orderElectionDayBallots, { args: [{ requestId: 'ED-2', pollingPlace: 'Selma Library', quantity: 120, ...county }] });
  await sleepUntil(server.env, at(0, 13, 30)); // ordered 10:45, due 12:45: delivered 45 minutes late -> one late day
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'election-day-order:ED-2', ...vendor }] });
  const ed1 = await milestone(el, 'election-day-order:ED-1');
  const ed2 = await milestone(el, 'election-day-order:ED-2');
  expect([ed1.status, ed1.daysLate]).toEqual(['done', 0]);
  expect([ed2.status, ed2.daysLate, ed2.damagesAccrued]).toEqual(['done', 1, 10_000]);
  expect(new Date(ed2.dueAt).getTime() - new Date(ed2.request!.at).getTime()).toBe(2 * 60 * 60 * 1000);
});

test('cancelling an election stops accrual and closes it; deadlines that precede the contract are excused (§12(c))', async () => {
  const { now, E, at } = await upcoming();
  // The contract is executed at E-50, after the envelope deadline (E-55).
  const contract = testContract(now, { effectiveDate: addDays(pacificDate(now), 50) });
  expect(contract.effectiveDate).toBe(addDays(E, -50));
  const h = await launch(contract, [electionFor(contract, E)]);
  const el = h.elections[0]!;
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'envelope-order', ...county }] });
  await sleepUntil(server.env, at(-53));
  await el.executeUpdate(em.cancelElection, { args: [{ reason: 'Recall petition withdrawn', ...county }] });
  const report = await el.result() as ElectionReport;
  expect(report.finalStatus).toBe('cancelled');
  const envl = report.calendar.find((m) => m.key === 'envelopes-delivered')!;
  expect(envl.lateDates).toEqual([addDays(E, -54), addDays(E, -53)]);
  expect(envl.status).toBe('excused');
  expect(envl.excusedReason).toContain('§12(c)');
  expect(report.calendar.find((m) => m.key === 'first-mailing')!.status).toBe('cancelled');
  const ledger = await ledgerOf(h.contract);
  expect(ledger.totals).toMatchObject({ damagesCharged: 0, damagesExcused: 20_000 });
  expect((await h.contract.query(getContract)).elections[0]!.status).toBe('cancelled');
});

test('the contract continues as new when its history grows, keeping invoices and the ledger', async () => {
  const { now, E, at } = await upcoming();
  const contract = testContract(now);
  const h = await launch(contract, [electionFor(contract, E)], 40);
  const el = h.elections[0]!;
  await el.executeUpdate(em.completeCountyMilestone, { args: [{ key: 'envelope-order', ...county }] });
  const firstRun = (await h.contract.describe()).runId;
  for (let i = 1; i <= 12; i++) {
    await h.contract.executeUpdate(recordInvoice, { args: [{ invoiceId: `INV-${i}`, invoiceDate: pacificDate(now), items: [{ code: 'vbm-assembly', quantity: 1000 }], by: 'ap@fresno' }] });
  }
  await sleepUntil(server.env, at(-54));
  await el.executeUpdate(em.completeDeliverable, { args: [{ key: 'envelopes-delivered', ...vendor }] });
  await settle(at(-53));
  const snap = await h.contract.query(getContract);
  expect(snap.continuedAsNew).toBeGreaterThanOrEqual(1);
  expect((await h.contract.describe()).runId).not.toBe(firstRun);
  expect(snap.invoices).toHaveLength(12);
  expect(snap.ledger.spend.total).toBe(12 * 260);
  expect(snap.ledger.totals.damagesCharged).toBe(10_000);
  // A retried invoice after continue-as-new is still recognised (idempotent on the invoice id).
  const again = await h.contract.executeUpdate(recordInvoice, { args: [{ invoiceId: 'INV-3', invoiceDate: pacificDate(now), items: [{ code: 'vbm-assembly', quantity: 1000 }], by: 'ap@fresno' }] });
  expect(again.alreadyRecorded).toBe(true);
});

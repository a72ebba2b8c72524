/**
 * The API against real parts: Postgres (own database), the time-skipping Temporal server and a real worker
 * writing through the Postgres activities. Time is moved forward on the server to make deadlines pass.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import request from 'supertest';
import type { Express } from 'express';
import { pgStore } from '../activities/pg-store';
import { createApp } from '../api/app';
import { createApiKey } from '../db/api-keys';
import type { StaffRole } from '../domain/access';
import { FRESNO_15_584 } from '../domain/contract';
import { addDays, pacificDate, pacificTime } from '../domain/time';
import { adminAgent, as } from './helpers/auth';
import { createTestDb, type TestDb } from './helpers/db';
import { silentLogger, sleepUntil, testWorker, timeSkippingEnv } from './helpers/temporal';

let env: TestWorkflowEnvironment;
let db: TestDb;
let worker: Worker;
let running: Promise<void>;
let app: Express;
let today: string;
/** The state admin: every staff route, every county. */
let admin: ReturnType<typeof as>;

beforeAll(async () => {
  [env, db] = await Promise.all([timeSkippingEnv(), createTestDb()]);
  let taskQueue: string;
  ({ worker, taskQueue } = await testWorker(env, pgStore(db.pool)));
  running = worker.run();
  app = createApp({ pool: db.pool, client: env.client, logger: silentLogger, cfg: { TASK_QUEUE: taskQueue, searchAttributes: false } });
  today = pacificDate(await env.currentTimeMs());
  admin = await adminAgent(app, db.pool);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await db?.drop();
});

function contractBody(number: string) {
  return {
    ...FRESNO_15_584,
    number,
    effectiveDate: addDays(today, -30),
    termEnd: addDays(today, 700),
    renewals: [{ start: addDays(today, 701), end: addDays(today, 1065), noticeBy: addDays(today, 640) }],
    fiscalPeriods: [
      { label: 'Initial term', start: addDays(today, -30), end: addDays(today, 700), cap: 1_565_000 },
      { label: 'Renewal 1', start: addDays(today, 701), end: addDays(today, 1065), cap: 455_000 },
    ],
    totalCap: 2_020_000,
  };
}

const json = (r: request.Response) => r.body as Record<string, any>;

/**
 * A key held by someone named: requests with it are made as `key:<id> (<label>)`, the subject the audit log and the
 * election events record.
 */
async function staff(role: StaffRole, label: string, scope: { county?: string; contracts?: string[] } = {}) {
  const { id, key } = await createApiKey(db.pool, {
    role, label, ...(scope.county ? { county: scope.county } : {}), contracts: scope.contracts ?? [], createdBy: 'test', expiresAt: new Date(Date.now() + 86_400_000),
  });
  return { agent: as(app, key), subject: `key:${id} (${label})` };
}

describe('contracts', () => {
  test('registering a contract starts its workflow; a retry is harmless and other terms conflict', async () => {
    const body = contractBody('A-1');
    // Fresno's contracts office: a county manager, for Fresno only.
    const { agent: fresno } = await staff('county-manager', 'contracts@fresno', { county: 'fresno' });
    const first = await fresno.post('/api/contracts').send(body);
    expect(first.status).toBe(201);
    expect(json(first).id).toBe('contract:fresno:A-1');
    const again = await fresno.post('/api/contracts').send(body);
    expect(again.status).toBe(200);
    const other = await fresno.post('/api/contracts').send({ ...body, vendor: 'Someone Else Printing' });
    expect(other.status).toBe(409);
    expect(other.headers['content-type']).toMatch(/application\/problem\+json/);
    const got = await fresno.get('/api/contracts/contract:fresno:A-1');
    expect(got.status).toBe(200);
    expect(json(got).ledger.cap).toBe(100_000);
    expect(json(got).terms.vendor).toBe('Integrated Voting Solutions, Inc.');
  });

  test('a malformed contract is refused with a message naming the field', async () => {
    const r = await admin.post('/api/contracts').send({ ...contractBody('A-2'), effectiveDate: '2026-02-30' });
    expect(r.status).toBe(422);
    expect(json(r).detail).toContain('body.effectiveDate');
    expect(json(r).errors[0].field).toBe('body.effectiveDate');
  });

  test('invoices are priced from Exhibit B and counted against the fiscal-period cap; a retried Idempotency-Key is replayed', async () => {
    await admin.post('/api/contracts').send(contractBody('A-3')).expect(201);
    const inv = { invoiceId: 'INV-0001', invoiceDate: today, items: [{ code: 'vbm-assembly', quantity: 412_000 }, { code: 'envelope-over-100k', quantity: 450_000 }] };
    const r1 = await admin.post('/api/contracts/contract:fresno:A-3/invoices').set('Idempotency-Key', 'inv-0001-attempt').send(inv);
    expect(r1.status).toBe(201);
    // 412,000 x $0.26 + 450,000 x $0.055 = $107,120 + $24,750
    expect(json(r1).invoice.amount).toBe(131_870);
    const r2 = await admin.post('/api/contracts/contract:fresno:A-3/invoices').set('Idempotency-Key', 'inv-0001-attempt').send(inv);
    expect(r2.status).toBe(201);
    expect(r2.headers['idempotent-replayed']).toBe('true');
    const bad = await admin.post('/api/contracts/contract:fresno:A-3/invoices').send({ ...inv, invoiceId: 'INV-2', items: [{ code: 'gold-leaf', quantity: 1 }] });
    expect(bad.status).toBe(422);
    expect(json(bad).detail).toContain('gold-leaf');
    const report = await admin.get('/api/contracts/contract:fresno:A-3/sla-report');
    const period = json(report).spend.periods[0];
    expect(period.spent).toBe(131_870);
    expect(period.remaining).toBe(1_565_000 - 131_870);
    expect(json(report).spend.total).toBe(131_870);
  });
});

describe('elections', () => {
  test('an election starts with its calendar; the same start again is harmless; a bad date names the field', async () => {
    await admin.post('/api/contracts').send(contractBody('B-1')).expect(201);
    const E = addDays(today, 120);
    const body = { county: 'fresno', electionDate: E, type: 'municipal', contractId: 'contract:fresno:B-1' };
    const r = await admin.post('/api/elections').send(body);
    expect(r.status).toBe(201);
    expect(json(r).id).toBe(`election:fresno:${E}`);
    const envelope = json(r).calendar.find((m: { key: string }) => m.key === 'envelope-order');
    expect(envelope.dueDate).toBe(addDays(E, -85)); // not county-wide
    expect((await admin.post('/api/elections').send(body)).status).toBe(200);
    expect((await admin.post('/api/elections').send({ ...body, type: 'special' })).status).toBe(409);
    const bad = await admin.post('/api/elections').send({ ...body, electionDate: 'next tuesday' });
    expect(bad.status).toBe(422);
    expect(json(bad).errors[0].field).toBe('body.electionDate');
    const unknown = await admin.post('/api/elections').send({ ...body, electionDate: addDays(E, 1), contractId: 'contract:fresno:NOPE' });
    expect(unknown.status).toBe(422);
    expect(json(unknown).detail).toContain('body.contractId');
  });

  test('a vendor deliverable one day late accrues $10,000 and the CSV report says so', async () => {
    await admin.post('/api/contracts').send(contractBody('C-1')).expect(201);
    const E = addDays(today, 95);
    const id = `election:fresno:${E}`;
    await admin.post('/api/elections').send({ county: 'fresno', electionDate: E, type: 'statewide-general', contractId: 'contract:fresno:C-1' }).expect(201);
    const url = `/api/elections/${id}`;
    // Fresno's clerk (a county manager) and the vendor, IVS, with a key for this contract.
    const clerk = await staff('county-manager', 'clerk@fresno', { county: 'fresno' });
    const ivs = await staff('vendor', 'ivs', { contracts: ['contract:fresno:C-1'] });
    await clerk.agent.post(`${url}/milestones/envelope-order/complete`).send({}).expect(200);
    const wrongRole = await clerk.agent.post(`${url}/milestones/envelopes-delivered/complete`).send({});
    expect(wrongRole.status).toBe(422);
    expect(json(wrongRole).detail).toContain('belongs to the vendor');
    // Envelopes are due E-55; delivered at noon on E-54: one calendar day late.
    await sleepUntil(env, pacificTime(addDays(E, -54), 12));
    const done = await ivs.agent.post(`${url}/deliverables/envelopes-delivered/complete`).send({ evidence: { envelopes: 612000, file: 'IVS-envelopes.pdf' } });
    expect(done.status).toBe(200);
    expect(json(done).alreadyDone).toBe(false);
    const again = await ivs.agent.post(`${url}/deliverables/envelopes-delivered/complete`).send({});
    expect(json(again).alreadyDone).toBe(true);
    const el = json(await ivs.agent.get(url));
    const m = el.calendar.find((x: { key: string }) => x.key === 'envelopes-delivered');
    expect(m.daysLate).toBe(1);
    expect(m.damagesAccrued).toBe(10_000);
    expect(el.sla.damagesNet).toBe(10_000);
    // The contract hears from the election asynchronously; give the workflows a moment of server time.
    await sleepUntil(env, pacificTime(addDays(E, -54), 13));
    const csv = await admin.get('/api/contracts/contract:fresno:C-1/sla-report').set('Accept', 'text/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const line = csv.text.split('\n').find((l) => l.includes(`${id},`) && l.includes('envelopes-delivered'))!;
    expect(line).toContain(',1,10000,10000,0,0,0,');
    const events = json(await admin.get(`${url}/events`)).events as { type: string; milestoneKey: string | null; actor: string | null }[];
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['election-started', 'milestone-completed', 'milestone-late', 'damages-accrued']));
    // Each completion names who did it: the key's subject.
    expect(events.filter((e) => e.type === 'milestone-completed').map((e) => [e.milestoneKey, e.actor])).toEqual(expect.arrayContaining([
      ['envelope-order', clerk.subject], ['envelopes-delivered', ivs.subject],
    ]));
    const audit = await db.pool.query(`SELECT action, actor, result FROM audit_log WHERE target = $1 ORDER BY id`, [id]);
    expect(audit.rows).toEqual(expect.arrayContaining([
      { action: 'completeMilestone', actor: clerk.subject, result: '200' },
      { action: 'completeMilestone', actor: clerk.subject, result: '422' },
      { action: 'completeDeliverable', actor: ivs.subject, result: '200' },
    ]));
  });

  test('a force-majeure notice filed late cannot be waived; the refusal explains §12(b)', async () => {
    await admin.post('/api/contracts').send(contractBody('D-1')).expect(201);
    const E = addDays(today, 100);
    const url = `/api/elections/election:fresno:${E}`;
    await admin.post('/api/elections').send({ county: 'fresno', electionDate: E, type: 'statewide-general', contractId: 'contract:fresno:D-1' }).expect(201);
    await sleepUntil(env, pacificTime(addDays(E, -56), 10));
    const delayStartedAt = new Date(pacificTime(addDays(E, -58), 8)).toISOString();
    // The vendor files the notice; the contract manager decides the waiver.
    const { agent: vendor } = await staff('vendor', 'ivs', { contracts: ['contract:fresno:D-1'] });
    const { agent: manager } = await staff('contract-manager', 'contracts@fresno', { contracts: ['contract:fresno:D-1'] });
    const n = await vendor.post(`${url}/delay-notices`).send({ noticeId: 'FM-1', deliverableKey: 'envelopes-delivered', kind: 'force-majeure', delayStartedAt, description: 'Paper mill fire' });
    expect(n.status).toBe(201);
    expect(json(n).timely).toBe(false);
    const w = await manager.post(`${url}/waivers`).send({ deliverableKey: 'envelopes-delivered', noticeId: 'FM-1', decision: 'granted', reason: 'fire' });
    expect(w.status).toBe(422);
    expect(json(w).detail).toMatch(/§12\(b\) requires notice within 24 hours/);
    const audit = await db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'decideWaiver' AND result = '422'`);
    expect(audit.rows[0].n).toBe(1);
  });

  test('a county sends an election update once per update id; a text over 70 characters is refused by field', async () => {
    await admin.post('/api/contracts').send(contractBody('U-1')).expect(201);
    const E = addDays(today, 110);
    const url = `/api/elections/election:fresno:${E}`;
    await admin.post('/api/elections').send({ county: 'fresno', electionDate: E, type: 'statewide-general', contractId: 'contract:fresno:U-1' }).expect(201);
    const { agent: clerk } = await staff('county-manager', 'clerk@fresno', { county: 'fresno' });
    const body = { updateId: 'vote-centers', text: { en: 'Vote centers open Saturday at 10 a.m.', es: 'Los centros de votación abren el sábado a las 10 a. m.' } };
    const first = await clerk.post(`${url}/updates`).send(body);
    expect(first.status).toBe(202);
    expect(json(first)).toEqual({ workflowId: `election-update:election:fresno:${E}:vote-centers`, alreadySent: false });
    const again = await clerk.post(`${url}/updates`).send(body);
    expect(again.status).toBe(200);
    expect(json(again).alreadySent).toBe(true);
    // Still once after the first run has closed.
    await env.client.workflow.getHandle(json(first).workflowId).terminate('closed for the test');
    const afterClose = await clerk.post(`${url}/updates`).send(body);
    expect([afterClose.status, json(afterClose).alreadySent]).toEqual([200, true]);
    const long = await clerk.post(`${url}/updates`).send({ updateId: 'long', text: { en: 'x'.repeat(71) } });
    expect(long.status).toBe(422);
    expect(json(long).errors[0].field).toBe('body.text.en');
    const noEnglish = await clerk.post(`${url}/updates`).send({ updateId: 'es-only', text: { es: 'Hola' } });
    expect(noEnglish.status).toBe(422);
  });

  test('unknown elections answer 404 problem+json; health and readiness answer', async () => {
    const r = await admin.get('/api/elections/election:fresno:2031-01-01');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await request(app).get('/healthz')).status).toBe(200);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(json(ready).checks).toEqual({ postgres: 'ok', temporal: 'ok' });
    const doc = json(await request(app).get('/api/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/elections/{id}/waivers', '/api/contracts/{id}/sla-report']));
  });

  test('browsers get CORS headers only for the configured origins', async () => {
    const corsApp = createApp({ pool: db.pool, client: env.client, logger: silentLogger, cfg: { TASK_QUEUE: 'unused', searchAttributes: false }, corsOrigins: ['https://portal.sos.ca.gov'] });
    const ok = await request(corsApp).get('/healthz').set('Origin', 'https://portal.sos.ca.gov');
    expect(ok.headers['access-control-allow-origin']).toBe('https://portal.sos.ca.gov');
    const other = await request(corsApp).get('/healthz').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('the append-only tables refuse UPDATE and DELETE', async () => {
    await db.pool.query(`INSERT INTO audit_log (actor, action, result) VALUES ('t', 'probe', '200')`);
    await expect(db.pool.query(`UPDATE audit_log SET result = '500'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await db.pool.query(`INSERT INTO election_events (event_id, election_id, type, at) VALUES ('probe#1', 'probe', 'probe', now())`);
    await expect(db.pool.query(`UPDATE election_events SET type = 'x' WHERE event_id = 'probe#1'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`DELETE FROM election_events WHERE event_id = 'probe#1'`)).rejects.toThrow(/append-only/);
  });
});

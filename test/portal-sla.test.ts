/**
 * The vendor and contract-manager pages in a real browser, on a stack whose clock can be moved: the API (serving
 * the pages) on a local port, its own Postgres database, a real worker and Temporal's time-skipping test server.
 * Deadlines pass in seconds, so a vendor can deliver a day late and the contract manager can see what it cost.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { pgStore } from '../activities/pg-store';
import { createApp } from '../api/app';
import { FRESNO_15_584 } from '../domain/contract';
import { addDays, pacificDate, pacificTime } from '../domain/time';
import { keyFor } from './helpers/auth';
import { checkPage, launchBrowser, openPage, staffSignIn, type Watched } from './helpers/browser';
import { createTestDb, type TestDb } from './helpers/db';
import { silentLogger, sleepUntil, testWorker, timeSkippingEnv } from './helpers/temporal';

let env: TestWorkflowEnvironment;
let db: TestDb;
let worker: Worker;
let running: Promise<void>;
let server: http.Server;
let origin: string;
let browser: Browser;
let E: string;
let electionId: string;
const contractId = 'contract:fresno:S-1';
const opened: Watched[] = [];

async function call(key: string, method: string, url: string, body?: unknown) {
  const r = await fetch(`${origin}${url}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<Record<string, any>>;
}

beforeAll(async () => {
  [env, db] = await Promise.all([timeSkippingEnv(), createTestDb()]);
  let taskQueue: string;
  ({ worker, taskQueue } = await testWorker(env, pgStore(db.pool)));
  running = worker.run();
  const app = createApp({ pool: db.pool, client: env.client, logger: silentLogger, cfg: { TASK_QUEUE: taskQueue, searchAttributes: false } });
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const today = pacificDate(await env.currentTimeMs());
  const admin = await keyFor(db.pool, 'state-admin');
  await call(admin, 'POST', '/api/contracts', {
    ...FRESNO_15_584, number: 'S-1', effectiveDate: addDays(today, -30), termEnd: addDays(today, 700), renewals: [],
    fiscalPeriods: [{ label: 'Initial term', start: addDays(today, -30), end: addDays(today, 700), cap: 1_565_000 }], totalCap: 1_565_000,
  });
  E = addDays(today, 95);
  electionId = `election:fresno:${E}`;
  await call(admin, 'POST', '/api/elections', { county: 'fresno', electionDate: E, type: 'statewide-general', contractId });
  // The county orders its envelopes on time; the vendor's envelopes are due at E-55.
  await call(admin, 'POST', `/api/elections/${electionId}/milestones/envelope-order/complete`, { evidence: {} });
  // And sends the ballot artwork on time, so the vendor's proofs (E-50) are due when the contract says.
  await call(admin, 'POST', `/api/elections/${electionId}/milestones/ballot-artwork/complete`, { evidence: {} });
  // Noon on E-54: the envelopes are a day late.
  await sleepUntil(env, pacificTime(addDays(E, -54), 12));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  worker?.shutdown();
  await running;
  await env?.teardown();
  await db?.drop();
});

afterEach(() => {
  for (const w of opened.splice(0)) {
    expect(w.offsite).toEqual([]);
    expect(w.problems).toEqual([]);
  }
});

async function page(): Promise<Watched> {
  const w = await openPage(browser, origin);
  opened.push(w);
  return w;
}

test('a vendor marks a deliverable done, and the calendar shows it', async () => {
  const vendor = await keyFor(db.pool, 'vendor', { contracts: [contractId] });
  const { page: p } = await page();
  await staffSignIn(p, origin, vendor);
  await p.getByRole('heading', { level: 1, name: 'My deadlines' }).waitFor();
  await checkPage(p, '40-vendor-deadlines');
  await p.getByRole('button', { name: /^Mark delivered: Vendor delivers vote-by-mail envelopes/ }).click();
  await checkPage(p, '41-vendor-mark-delivered');
  await p.locator('form').filter({ has: p.getByRole('heading', { name: /Mark delivered: Vendor delivers vote-by-mail envelopes/ }) }).getByRole('button', { name: 'Mark delivered' }).click();
  await p.getByRole('heading', { name: 'Delivered', exact: true }).waitFor();
  await p.getByRole('row').filter({ hasText: 'Vendor delivers vote-by-mail envelopes' }).filter({ hasText: 'done' }).waitFor();

  // The ballot proofs (due E-50) will be late: the county asked for other work first. The vendor says so.
  await p.getByRole('button', { name: /^File a delay notice: Vendor sends ballot image proofs and paper proofs/ }).click();
  const notice = p.locator('form').filter({ has: p.getByRole('heading', { name: /File a delay notice: Vendor sends ballot image proofs/ }) });
  await notice.getByLabel('Notice id').fill('DN-PROOFS-1');
  await notice.getByLabel('Kind of delay').selectOption('county-priority');
  await notice.getByLabel('Description').fill('The county moved the ballot proof run behind its own reprint of sample ballots.');
  await checkPage(p, '43-vendor-delay-notice');
  await notice.getByRole('button', { name: 'File the delay notice' }).click();
  await p.getByRole('status').filter({ hasText: /DN-PROOFS-1/ }).waitFor();

  // The election's calendar shows it done, one day late: $10,000.
  await p.goto(`${origin}/staff/#/elections/${encodeURIComponent(electionId)}`);
  const row = p.locator('#calendar tr[data-key="envelopes-delivered"]');
  await row.locator('.pill', { hasText: 'done' }).waitFor();
  expect(await row.locator('td.num').allInnerTexts()).toEqual(['1', '$10,000']);
  await checkPage(p, '42-vendor-calendar');
  // The vendor may not decide its own waivers: the page offers no waiver form.
  await p.goto(`${origin}/staff/#/contracts/${encodeURIComponent(contractId)}`);
  await p.getByRole('heading', { name: 'Late days and damages by deliverable' }).waitFor();
  expect(await p.getByRole('button', { name: /waiver/i }).count()).toBe(0);
}, 120_000);

test('a contract manager sees a late deliverable\'s damages on the chart, against the cap, and can download the CSV', async () => {
  // Noon on E-48: the proofs are late too, and the contract has heard from the election.
  await sleepUntil(env, pacificTime(addDays(E, -48), 12));
  const manager = await keyFor(db.pool, 'contract-manager', { contracts: [contractId] });
  const { page: p } = await page();
  await staffSignIn(p, origin, manager);
  await p.getByRole('link', { name: /S-1/ }).first().click();
  const chart = p.locator('figure.chart').filter({ has: p.locator('#late-days-chart') });
  await chart.waitFor();
  // The chart's own table carries the figures: the envelopes' $10,000.
  const envelopes = chart.locator('tbody tr').filter({ hasText: 'Vendor delivers vote-by-mail envelopes' });
  expect(await envelopes.textContent()).toContain('$10,000');
  // And the canvas was drawn: some pixels are the charged-damages colour, not blank.
  const painted = await p.evaluate(() => {
    // In the page (this file is compiled without the DOM library).
    const c = (globalThis as any).document.getElementById('late-days-chart');
    const d: Uint8ClampedArray = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
    return n;
  });
  expect(painted).toBeGreaterThan(1000);
  expect(await p.getByRole('img', { name: /Damages charged \$[1-9][\d,]*/ }).count()).toBeGreaterThan(0);
  await checkPage(p, '50-contract-sla');

  const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: /Download CSV/ }).click()]);
  const csv = await download.createReadStream().then(async (s) => {
    let text = '';
    for await (const chunk of s) text += String(chunk);
    return text;
  });
  const line = csv.split('\n').find((l) => l.includes(electionId) && l.includes('envelopes-delivered'));
  expect(line).toContain(',1,10000,10000,');

  // The county did ask for other work first: the contract manager grants the vendor's waiver for the proofs.
  const waiver = p.locator('form').filter({ has: p.getByLabel('Delay notice') });
  await waiver.getByLabel('Deliverable').selectOption('ballot-proofs');
  await waiver.getByLabel('Delay notice').selectOption('DN-PROOFS-1');
  await waiver.getByLabel('Decision').selectOption('granted');
  await waiver.getByLabel('Reason').fill('Confirmed with the county: its reprint came first (§12(a)).');
  await checkPage(p, '51-contract-waiver');
  await waiver.getByRole('button', { name: 'Record the decision' }).click();
  await p.getByRole('status').filter({ hasText: /granted|recorded/i }).first().waitFor();
  await sleepUntil(env, pacificTime(addDays(E, -48), 13));
  await p.reload();
  const proofs = p.locator('figure.chart').filter({ has: p.locator('#late-days-chart') }).locator('tbody tr').filter({ hasText: 'Vendor sends ballot image proofs' });
  await proofs.waitFor({ state: 'attached' });
  // Nothing charged for the proofs: every late day is waived ($10,000 a day).
  const [charged, waived] = await proofs.locator('td').allTextContents();
  expect(charged).toBe('$0');
  expect(waived).toMatch(/^\$[1-9]0,000$/);
}, 120_000);

test('a contract manager of another contract sees none of this one', async () => {
  const other = await keyFor(db.pool, 'contract-manager', { contracts: ['contract:kern:K-9'] });
  const { page: p } = await page();
  await staffSignIn(p, origin, other);
  await p.getByRole('heading', { level: 1, name: 'Contracts' }).waitFor();
  await p.locator('main').filter({ hasNotText: 'S-1' }).waitFor();
  await p.goto(`${origin}/staff/#/contracts/${encodeURIComponent(contractId)}`);
  await p.getByRole('alert').waitFor();
  expect(await p.locator('#late-days-chart').count()).toBe(0);
}, 60_000);

/**
 * The portals in a real browser against the whole system as `npm start` runs it: the compiled `ballotflow start`
 * (embedded Postgres, the Temporal dev server, the workers and the API serving the pages), with texts going to the
 * local Twilio endpoint through the real twilio SDK and email to a local SMTP server, both started here.
 *
 * Every page visited is checked with axe-core (WCAG 2.1 AA) and saved as a screenshot in
 * test-results/screenshots; no page may fetch anything from another origin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { Pool } from 'pg';
import { generate } from '../bench/synthetic';
import { createApiKey } from '../db/api-keys';
import { createPool } from '../db/pool';
import type { StaffRole } from '../domain/access';
import { addDays, pacificDate } from '../domain/time';
import { startFakeTwilio, type FakeSms, type FakeTwilio } from '../runtime/fake-twilio';
import { embeddedPostgresUrl } from '../runtime/postgres';
import { startSmtpCapture, type SmtpCapture } from '../runtime/smtp-capture';
import { checkPage, launchBrowser, openPage, staffSignIn, tabTo, type Watched } from './helpers/browser';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'ballotflow.js');
const base = 20000 + Math.floor(Math.random() * 20000);
const ports = { PORT: base, TEMPORAL_DEV_PORT: base + 1, TEMPORAL_UI_PORT: base + 2, EMBEDDED_PG_PORT: base + 3 };
const origin = `http://127.0.0.1:${ports.PORT}`;
const accountSid = `AC${crypto.randomBytes(16).toString('hex')}`;
const authToken = crypto.randomBytes(16).toString('hex');
const COUNTY_NUMBER = '+15595550100';
const VOTER_PHONE = '+15595550143';

let dataDir: string;
let proc: ChildProcess;
let output = '';
let fake: FakeTwilio;
let smtp: SmtpCapture;
let pool: Pool;
let browser: Browser;
let adminKey: string;
let electionId: string;
const opened: Watched[] = [];

async function apiCall(method: string, url: string, body?: unknown, key = adminKey) {
  const r = await fetch(`${origin}${url}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text}`);
  return JSON.parse(text) as Record<string, any>;
}

async function key(role: StaffRole, scope: { county?: string; contracts?: string[] } = {}): Promise<string> {
  const { key: k } = await createApiKey(pool, { role, ...(scope.county ? { county: scope.county } : {}), contracts: scope.contracts ?? [], label: `portal test ${role}`, createdBy: 'test', expiresAt: new Date(Date.now() + 86_400_000) });
  return k;
}

async function page(opts: { mobile?: boolean } = {}): Promise<Watched> {
  const w = await openPage(browser, origin, opts);
  opened.push(w);
  return w;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballotflow-portal-'));
  fs.chmodSync(dataDir, 0o755);
  [fake, smtp] = await Promise.all([startFakeTwilio({ accountSid, authToken }), startSmtpCapture()]);
  proc = spawn(process.execPath, [cli, 'start'], {
    env: {
      ...process.env, BALLOTFLOW_DATA_DIR: dataDir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      DATABASE_URL: '', TEMPORAL_ADDRESS: '', LOG_LEVEL: 'warn', PUBLIC_BASE_URL: origin,
      // Small batches, so a 500-voter file shows its progress on the way to 100%.
      INGEST_BATCH_SIZE: '100',
      SMTP_URL: smtp.url, TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_API_URL: fake.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes('[ballotflow] ready.')) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`start exited early (${code}):\n${output}`)));
  });
  adminKey = fs.readFileSync(path.join(dataDir, 'state-admin.key'), 'utf8').trim();
  pool = createPool(embeddedPostgresUrl(ports.EMBEDDED_PG_PORT));

  const today = pacificDate(Date.now());
  const contract = await apiCall('POST', '/api/contracts', {
    county: 'fresno', number: 'P-1', vendor: 'Integrated Voting Solutions, Inc.', effectiveDate: addDays(today, -30), termEnd: addDays(today, 900),
    fiscalPeriods: [{ label: 'Term', start: addDays(today, -30), end: addDays(today, 900), cap: 1_000_000 }], totalCap: 1_000_000,
  });
  const election = await apiCall('POST', '/api/elections', { county: 'fresno', electionDate: addDays(today, 120), type: 'statewide-general', contractId: contract.id });
  electionId = election.id;
  await apiCall('PUT', '/api/admin/notify/counties/fresno', {
    displayName: 'Fresno County Elections', displayNameByLanguage: { es: 'Elecciones Condado de Fresno' },
    phone: '+15596008683', websiteUrl: 'https://votes.fresnocountyca.gov', lookupUrl: 'https://votes.fresnocountyca.gov/ballot', cureFormUrl: 'https://votes.fresnocountyca.gov/cure',
    sender: { email: { fromName: 'Fresno County Elections', fromAddress: 'elections@fresnocountyca.gov' }, sms: { numbers: [COUNTY_NUMBER] }, voice: { callerId: COUNTY_NUMBER } },
  });
  // The voters of the fixture extract, ingested through the API as the state's feed would send them.
  const extract = await fetch(`${origin}/api/elections/${encodeURIComponent(electionId)}/files?type=state-extract&name=fixture.csv`, {
    method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/csv' }, body: fs.readFileSync(path.join(root, 'test/fixtures/ingest/state-extract.csv')),
  }).then((r) => r.json() as Promise<{ id: string }>);
  for (let i = 0; i < 120; i++) {
    const f = await apiCall('GET', `/api/files/${encodeURIComponent(extract.id)}`);
    if (f.status === 'done') break;
    if (f.status === 'failed') throw new Error(`fixture extract failed: ${f.error}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await pool?.end();
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGINT');
    await exited;
  }
  await fake?.stop();
  await smtp?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

afterEach(() => {
  // No page may reach another origin, and none may throw.
  for (const w of opened.splice(0)) {
    expect(w.offsite).toEqual([]);
    expect(w.problems).toEqual([]);
  }
});

test('the landing page links the voter and staff portals, and every asset is served by the product', async () => {
  const { page: p } = await page();
  await p.goto(origin);
  await checkPage(p, '00-landing');
  await p.getByRole('link', { name: 'Where\'s my ballot?' }).click();
  await p.getByRole('heading', { level: 1, name: 'Where\'s my ballot?' }).waitFor();
  // The stylesheet and the script came from the product itself.
  const sources = await p.evaluate(() => Array.from((globalThis as any).document.querySelectorAll('script[src], link[rel=stylesheet], link[rel=icon]'), (e: any) => String(e.src || e.href)));
  expect(sources.length).toBeGreaterThanOrEqual(2);
  for (const s of sources) expect(s.startsWith(origin)).toBe(true);
});

test('a county manager uploads an extract and watches the progress reach 100%; counts and a ballot\'s timeline follow', async () => {
  const clerk = await key('county-manager', { county: 'fresno' });
  const { page: p } = await page();
  await staffSignIn(p, origin, clerk);
  await checkPage(p, '10-county-elections');
  await p.getByRole('link', { name: electionId.split(':')[2]! }).click();
  await p.getByRole('heading', { name: 'Calendar' }).waitFor();
  await p.getByLabel('File type').selectOption('state-extract');
  // A synthetic county extract big enough to watch: 500 voters with UOCAVA voters and reissues.
  const big = path.join(dataDir, 'county-extract.csv');
  await generate(big, 500, 7, false, { electionDate: electionId.split(':')[2]! });
  await p.getByLabel('File', { exact: true }).setInputFiles(big);
  await p.getByRole('button', { name: 'Send file' }).click();
  // The bar moves through the file (bytes read of its size) and reaches 100% when the last row is counted.
  const seen = new Set<string>();
  for (let i = 0; i < 600 && !seen.has('100%'); i++) {
    seen.add(await p.locator('#ingest-percent').innerText().catch(() => ''));
    await p.waitForTimeout(200);
  }
  expect(seen).toContain('100%');
  expect([...seen].some((t) => /^[1-9]\d?%$/.test(t))).toBe(true);
  const summary = await p.locator('.file-status [role=status]').innerText();
  const [, lines, accepted, rejected] = /Done: ([\d,]+) lines read, ([\d,]+) accepted, ([\d,]+) rejected/.exec(summary) ?? [];
  expect({ lines, accepted, rejected }).toEqual({ lines: '501', accepted: '500', rejected: '0' }); // the header is line 1
  await checkPage(p, '11-county-upload-done');

  // The counts chart, with its table for those who would rather read.
  await p.getByRole('button', { name: 'Refresh counts' }).click();
  await p.getByRole('heading', { name: /Ballots by status \(\d+ in all\)/ }).waitFor();
  await p.locator('#status-chart').waitFor();
  // Mark a county milestone done: the calendar shows it.
  const row = p.locator('#calendar tr[data-key="first-extract"]');
  await row.getByRole('button', { name: /Mark done/ }).click();
  await row.locator('.pill', { hasText: 'done' }).waitFor();
  await checkPage(p, '12-county-election');
  // News for every subscribed voter of the election, sent once per update id.
  await p.getByLabel('News in English').fill('Vote centers open Saturday at 10 a.m.');
  await p.getByRole('button', { name: 'Send the update' }).click();
  await p.getByRole('status').filter({ hasText: 'is on its way to every subscribed voter' }).waitFor();
  await p.getByRole('button', { name: 'Send the update' }).click();
  await p.getByRole('status').filter({ hasText: 'was already sent: nothing was sent again' }).waitFor();

  // One ballot's timeline, found by voter id.
  await p.getByLabel('Voter ID').fill('OOF123456');
  await p.getByRole('button', { name: 'Search' }).click();
  await p.getByRole('heading', { level: 2, name: 'Timeline' }).waitFor();
  await checkPage(p, '13-county-ballot');

  // A rejects report names the line and field of every bad row.
  await p.goto(`${origin}/staff/#/elections/${encodeURIComponent(electionId)}`);
  await p.getByLabel('File type').selectOption('state-extract');
  await p.getByLabel('File', { exact: true }).setInputFiles(path.join(root, 'test/fixtures/ingest/state-extract-bad-values.csv'));
  await p.getByRole('button', { name: 'Send file' }).click();
  await p.locator('#ingest-percent', { hasText: '100%' }).waitFor({ timeout: 60_000 });
  const rejects = p.getByRole('table').filter({ has: p.getByRole('columnheader', { name: 'Reason' }) });
  await rejects.waitFor();
  expect(await rejects.locator('tbody tr').count()).toBeGreaterThan(0);
  await checkPage(p, '14-county-rejects');
}, 180_000);

test('a voter looks up a ballot, signs up by SMS, and receives the code through the local Twilio endpoint', async () => {
  const { page: p } = await page({ mobile: true });
  await p.goto(`${origin}/voter/?lang=en`);
  await checkPage(p, '20-voter-lookup');
  // Typed as a voter would: accents and case need not match the extract.
  await p.getByLabel('First name').fill('jose');
  await p.getByLabel('Last name').fill('NUNEZ');
  await p.getByLabel('Date of birth').fill('1958-11-23');
  await p.getByLabel('ZIP code of your home address').fill('93702');
  await p.getByRole('button', { name: 'Find my ballot' }).click();
  await p.getByRole('heading', { name: 'Your ballot', exact: true }).waitFor();
  await expectText(p, 'dl.facts', /Fresno County Elections/);
  await p.getByRole('heading', { name: 'What has happened' }).waitFor();
  await checkPage(p, '21-voter-ballot-mobile');

  // Sign up for texts; the code arrives at the local Twilio endpoint.
  await p.getByLabel('Text message (SMS)').check();
  await p.getByLabel('Mobile phone number').fill('(559) 555-0143');
  await p.getByLabel('I agree to the text above').check();
  await p.getByRole('button', { name: 'Sign up' }).click();
  const sms = (await fake.waitFor((e): e is FakeSms => e.kind === 'sms' && e.to === VOTER_PHONE, 60_000)) as FakeSms;
  const code = /\b(\d{4,8})\b/.exec(sms.body)?.[1];
  expect(code).toBeDefined();
  await p.getByLabel(`Code sent to ${VOTER_PHONE}`).fill(code!);
  await checkPage(p, '22-voter-code');
  await p.getByRole('button', { name: 'Confirm' }).click();
  await p.getByText(`${VOTER_PHONE} is confirmed`).waitFor();
  const confirmed = await pool.query(`SELECT confirmed_at IS NOT NULL AS confirmed FROM subscription_channels WHERE channel = 'sms' AND address = $1`, [VOTER_PHONE]);
  expect(confirmed.rows.map((r) => r.confirmed)).toEqual([true]);

  // The manage link opens a page where the voter can change or stop the notices, in Spanish too.
  const manage = await p.getByRole('link', { name: 'Manage my notices' }).getAttribute('href');
  await p.goto(`${origin}${manage}`);
  await p.getByRole('heading', { level: 1, name: 'Manage my ballot notices' }).waitFor();
  await checkPage(p, '23-voter-manage');
  await p.getByRole('button', { name: 'Español' }).click();
  await p.getByRole('heading', { level: 1, name: 'Administrar mis avisos de boleta' }).waitFor();
  expect(await p.evaluate(() => (globalThis as any).document.documentElement.lang)).toBe('es');
  await checkPage(p, '24-voter-manage-es');
  // The voter wants the notices in Spanish and texts only until 8 p.m.; then stops them all.
  await p.getByLabel('Idioma de los avisos').selectOption('es');
  await p.getByLabel('Hasta').fill('20:00');
  await p.getByRole('button', { name: 'Guardar cambios' }).click();
  await p.getByRole('status').filter({ hasText: 'Sus cambios están guardados.' }).waitFor();
  const sub = async () => (await pool.query(`SELECT s.language, s.window_end, s.status FROM subscriptions s JOIN subscription_channels c ON c.subscription_id = s.id WHERE c.address = $1`, [VOTER_PHONE])).rows[0];
  expect(await sub()).toEqual({ language: 'es', window_end: '20:00', status: 'active' });
  await p.getByRole('button', { name: 'Cancelar todos los avisos' }).click();
  await p.getByText('Estos avisos fueron cancelados.').waitFor();
  expect((await sub()).status).toBe('cancelled');
}, 180_000);

test('a voter whose signature does not match sees the reason, how to fix it, the cure form and the deadline', async () => {
  // The county's return file: Kou Vang's envelope arrived today and the signature does not match.
  const today = pacificDate(Date.now());
  const returns = `voter_id,issue_number,receipt_date,postmark_date,status,reason_codes,cure_status,status_date\nOOF123461,1,${today},${today},not-accepted,signature-mismatch,notice-sent,${today}\n`;
  const sent = await fetch(`${origin}/api/elections/${encodeURIComponent(electionId)}/files?type=county-returns&name=returns.csv`, {
    method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/csv' }, body: returns,
  }).then((r) => r.json() as Promise<{ id: string }>);
  for (let i = 0; i < 120 && (await apiCall('GET', `/api/files/${encodeURIComponent(sent.id)}`)).status !== 'done'; i++) await new Promise((r) => setTimeout(r, 500));

  const { page: p } = await page({ mobile: true });
  await p.goto(`${origin}/voter/?lang=en`);
  await p.getByLabel('First name').fill('Kou');
  await p.getByLabel('Last name').fill('Vang');
  await p.getByLabel('Date of birth').fill('1979-12-01');
  await p.getByLabel('ZIP code of your home address').fill('93726');
  await p.getByRole('button', { name: 'Find my ballot' }).click();
  const cure = p.getByRole('region', { name: 'Action needed: your ballot cannot be counted yet' });
  await cure.waitFor({ timeout: 30_000 });
  const text = await cure.innerText();
  expect(text).toContain('Your signature does not match the one on file');
  expect(text).toContain('signature verification statement');
  expect(text).toMatch(/Deadline: \w+ \d{1,2}, \d{4}/);
  expect(await cure.getByRole('link', { name: 'Open the cure form' }).getAttribute('href')).toBe('https://votes.fresnocountyca.gov/cure');
  await checkPage(p, '27-voter-cure-mobile');
  await p.getByRole('button', { name: 'Español' }).click();
  await p.getByRole('region', { name: 'Acción necesaria: su boleta todavía no puede contarse' }).getByText('Su firma no coincide con la de su registro').waitFor();
  await checkPage(p, '28-voter-cure-es');
}, 120_000);

test('the voter page works in Spanish and by keyboard alone, and an optional account remembers the lookup', async () => {
  const { page: p } = await page();
  await p.goto(`${origin}/voter/?lang=es`);
  await p.getByRole('heading', { level: 1, name: '¿Dónde está mi boleta?' }).waitFor();
  // Keyboard only: Tab reaches the first field, the language switch and the lookup button.
  await tabTo(p, () => (globalThis as any).document.activeElement?.getAttribute('name') === 'firstName');
  await p.keyboard.type('José');
  await p.keyboard.press('Tab');
  await p.keyboard.type('Núñez');
  await p.getByLabel('Fecha de nacimiento').fill('1958-11-23');
  await p.getByLabel('Código postal de su domicilio').fill('93702');
  await p.getByLabel('Código postal de su domicilio').press('Enter');
  await p.getByRole('heading', { name: 'Su boleta', exact: true }).waitFor();
  await checkPage(p, '25-voter-ballot-es');

  await p.getByRole('textbox', { name: 'Correo electrónico' }).fill('jose.nunez@example.com');
  await p.getByLabel('Contraseña').fill('a long voter passphrase');
  await p.getByRole('button', { name: 'Crear cuenta' }).click();
  await p.getByText('Sesión iniciada como jose.nunez@example.com').waitFor();
  await p.getByRole('button', { name: 'Guardar esta boleta en mi cuenta' }).click();
  await p.getByText('Guardada en su cuenta.').waitFor();
  await checkPage(p, '26-voter-account-es');

  // A new visit: sign in, and the saved ballot opens without typing the voter's details again.
  const { page: q } = await page();
  await q.goto(`${origin}/voter/?lang=en`);
  await q.getByRole('textbox', { name: 'Email' }).fill('jose.nunez@example.com');
  await q.getByLabel('Password').fill('a long voter passphrase');
  await q.getByRole('button', { name: 'Sign in' }).click();
  await q.getByRole('heading', { name: 'Your saved ballots' }).waitFor();
  await q.getByRole('button', { name: /^View/ }).first().click();
  await q.getByRole('heading', { name: 'Your ballot', exact: true }).waitFor();
}, 120_000);

test('the state admin pages: triggers, templates with a live preview, county settings and the audit log', async () => {
  const { page: p } = await page();
  await staffSignIn(p, origin, adminKey, '#/admin/triggers');
  await p.getByRole('heading', { level: 1, name: 'Notice triggers' }).waitFor();
  await p.locator('main table').first().waitFor();
  await checkPage(p, '30-admin-triggers');
  // Mailed notices stop going by voice: saved through the API as a new version.
  await p.getByRole('checkbox', { name: 'mailed by voice' }).uncheck();
  await p.getByRole('button', { name: 'Save as a new version' }).click();
  await p.getByRole('status').filter({ hasText: /Saved as version \d+/ }).waitFor();
  expect((await apiCall('GET', '/api/admin/notify/triggers')).config.notices.mailed).toEqual(['email', 'sms']);

  await p.goto(`${origin}/staff/#/admin/templates`);
  await p.getByRole('heading', { level: 1, name: 'Notice templates' }).waitFor();
  await p.locator('pre.preview').first().waitFor({ timeout: 30_000 });
  const body = p.getByLabel('Email body');
  await body.fill('Hello {{voterFirstName}}, your ballot is on its way. {{countyName}}');
  await p.locator('pre.preview', { hasText: /Hello .+, your ballot is on its way\./ }).waitFor({ timeout: 15_000 });
  await checkPage(p, '31-admin-templates');
  // An email must carry its unsubscribe link before it can be saved; with it, the new version is saved.
  const text = 'Hello {{voterFirstName}}, your ballot is on its way. {{countyName}}\n\nStop these emails: {{unsubscribeUrl}}\n';
  await body.fill(text);
  await p.getByRole('button', { name: 'Save as a new version' }).click();
  await p.getByRole('status').filter({ hasText: /as version 2\./ }).waitFor();
  const saved = await apiCall('GET', '/api/admin/notify/templates?kind=mailed&channel=email&language=en');
  expect(saved.templates[0].template).toMatchObject({ version: 2, body: text });

  await p.goto(`${origin}/staff/#/admin/counties`);
  await p.getByRole('link', { name: /fresno/i }).first().waitFor();
  await checkPage(p, '32-admin-counties');
  await p.getByRole('link', { name: /fresno/i }).first().click();
  await p.getByLabel('Elections office phone').fill('+15596008684');
  await p.getByRole('button', { name: /^Save/ }).click();
  await p.getByRole('status').filter({ hasText: 'Saved the settings of fresno' }).waitFor();
  expect((await apiCall('GET', '/api/admin/notify/counties/fresno')).override.phone).toBe('+15596008684');

  await p.goto(`${origin}/staff/#/admin/audit`);
  await p.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  await p.locator('main table').first().waitFor({ timeout: 30_000 });
  await checkPage(p, '33-admin-audit');
}, 120_000);

test('a page for one county shows nothing of another: the API refuses what the page would show', async () => {
  const kern = await key('county-manager', { county: 'kern' });
  const { page: p } = await page();
  await staffSignIn(p, origin, kern);
  await p.getByRole('heading', { name: 'Elections in kern' }).waitFor();
  await p.getByText('No elections yet.').waitFor();
  await p.goto(`${origin}/staff/#/elections/${encodeURIComponent(electionId)}`);
  await p.getByRole('alert').filter({ hasText: /not found|no election/i }).waitFor();
  expect(await p.locator('#calendar').count()).toBe(0);
  // The state admin menu is not offered, and the admin API answers 403 to this key.
  expect(await p.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
  const r = await fetch(`${origin}/api/admin/audit?from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z`, { headers: { authorization: `Bearer ${kern}` } });
  expect(r.status).toBe(403);
}, 60_000);

async function expectText(p: Watched['page'], selector: string, re: RegExp): Promise<void> {
  await p.locator(selector, { hasText: re }).first().waitFor({ timeout: 30_000 });
}

/**
 * `npm start` for real: the compiled `ballotflow start` brings up embedded Postgres, the Temporal dev server
 * (SQLite file), the worker and the API; the workflows show in Temporal; Ctrl-C stops every process; a
 * restart on the same data directory still has the election.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { addDays, pacificDate } from '../domain/time';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'ballotflow.js');
const base = 20000 + Math.floor(Math.random() * 20000);
const ports = { PORT: base, TEMPORAL_DEV_PORT: base + 1, TEMPORAL_UI_PORT: base + 2, EMBEDDED_PG_PORT: base + 3 };
const api = `http://127.0.0.1:${ports.PORT}`;
let dataDir: string;

function startSystem(): { proc: ChildProcess; output: () => string; ready: Promise<void> } {
  let out = '';
  const proc = spawn(process.execPath, [cli, 'start'], {
    env: { ...process.env, BALLOTFLOW_DATA_DIR: dataDir, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DATABASE_URL: '', TEMPORAL_ADDRESS: '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('[ballotflow] ready.')) resolve();
      if (out.includes('failed to start')) reject(new Error(out));
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`start exited early (${code}):\n${out}`)));
  });
  return { proc, output: () => out, ready };
}

function exitOf(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (proc.exitCode !== null ? resolve(proc.exitCode) : proc.once('exit', (code) => resolve(code))));
}

/** The state admin key `npm start` created on the fresh data directory and saved there (issue 5). */
function savedKey(): string {
  return fs.readFileSync(path.join(dataDir, 'state-admin.key'), 'utf8').trim();
}

async function post(url: string, body: unknown) {
  const r = await fetch(`${api}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${savedKey()}` }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** A TCP connect, not HTTP: Postgres and gRPC ports must count as open too. */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

beforeAll(() => {
  // As root, embedded Postgres runs as the `postgres` user, who must reach the data directory.
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballotflow-start-'));
  fs.chmodSync(dataDir, 0o755);
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('npm start runs the whole system, shows the workflows in Temporal, stops cleanly on Ctrl-C and keeps data across restarts', async () => {
  const first = startSystem();
  await first.ready;
  expect((await fetch(`${api}/readyz`)).status).toBe(200);
  // A fresh data directory gets a state admin key, printed once and saved for the CLI, readable by its owner only.
  const key = savedKey();
  expect(key).toMatch(/^bfk_/);
  expect(first.output()).toContain(key);
  expect(fs.statSync(path.join(dataDir, 'state-admin.key')).mode & 0o077).toBe(0);
  const today = pacificDate(Date.now());
  const contract = await post('/api/contracts', {
    county: 'fresno', number: 'S-1', vendor: 'Integrated Voting Solutions, Inc.', effectiveDate: addDays(today, -10), termEnd: addDays(today, 900),
    fiscalPeriods: [{ start: addDays(today, -10), end: addDays(today, 900), cap: 1_000_000 }], totalCap: 1_000_000,
  });
  expect(contract.status).toBe(201);
  const E = addDays(today, 150);
  const election = await post('/api/elections', { county: 'fresno', electionDate: E, type: 'statewide-general', contractId: 'contract:fresno:S-1' });
  expect(election.status).toBe(201);

  // The Temporal dev server holds both workflows, findable by the search attributes the Web UI filters on.
  const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_DEV_PORT}` });
  const client = new Client({ connection });
  const ids: string[] = [];
  for (let i = 0; i < 30 && ids.length < 2; i++) {
    ids.length = 0;
    for await (const w of client.workflow.list({ query: 'BallotflowCounty = "fresno" AND ExecutionStatus = "Running"' })) ids.push(w.workflowId);
    if (ids.length < 2) await new Promise((r) => setTimeout(r, 500));
  }
  await connection.close();
  expect(ids.sort()).toEqual(['contract:fresno:S-1', `election:fresno:${E}`]);
  // The Web UI answers on its port.
  expect(await portOpen(ports.TEMPORAL_UI_PORT)).toBe(true);

  first.proc.kill('SIGINT');
  expect(await exitOf(first.proc)).toBe(0);
  expect(first.output()).toContain('[ballotflow] stopped');
  for (const p of Object.values(ports)) expect(await portOpen(p)).toBe(false);

  const second = startSystem();
  await second.ready;
  // The restart keeps the key: no new one is made, and the saved one still works.
  expect(second.output()).not.toContain('created a state admin API key');
  expect(savedKey()).toBe(key);
  const again = await fetch(`${api}/api/elections/election:fresno:${E}`, { headers: { authorization: `Bearer ${key}` } });
  expect(again.status).toBe(200);
  const body = (await again.json()) as { status: string; calendar: { key: string; dueDate: string }[] };
  expect(body.status).toBe('active');
  expect(body.calendar.find((m) => m.key === 'envelope-order')!.dueDate).toBe(addDays(E, -90));
  second.proc.kill('SIGTERM');
  expect(await exitOf(second.proc)).toBe(0);
}, 180_000);

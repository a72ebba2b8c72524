/**
 * Notification benchmark (issue 4): latency from a ballot event's notice being planned to the provider
 * accepting it (p50, p95, p99 per channel), messages per second, and the highest rate any SMS sending number
 * saw in one second (it must never pass its limit). Real stack: embedded Postgres, the Temporal dev server,
 * the notices workflows and rate-limited sender queues, nodemailer to an in-process SMTP server and the twilio
 * SDK to the local Twilio endpoint.
 *
 *   npm run build && npm run bench:notify -- --subscribers 1000 --numbers 10
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { positiveInt } from './args';
import pino from 'pino';
import { createNotifyActivities, queueFor, type NotifySettings } from '../activities/notify';
import { MemoryStore } from '../activities/memory-store';
import { createEmailProvider } from '../activities/providers/email';
import { createTwilioProvider } from '../activities/providers/twilio';
import { insertContract } from '../db/contracts';
import { insertElection } from '../db/elections';
import { createPool, migrate } from '../db/pool';
import { ContractTermsSchema } from '../domain/contract';
import { ElectionRequestSchema } from '../domain/election';
import { contractIdOf } from '../domain/ids';
import type { PlannedNotice } from '../domain/notify/queue';
import { addDays, pacificDate } from '../domain/time';
import { startFakeTwilio } from '../runtime/fake-twilio';
import { startEmbeddedPostgres } from '../runtime/postgres';
import { startSmtpCapture } from '../runtime/smtp-capture';
import { startDevServer } from '../runtime/temporal';
import { noticesPlanned } from '../workflows/notices/messages';
import { createNotifyWorkers, createWorker } from '../workers/worker';
import { mapConcurrent } from '../activities/concurrency';

const SID = `AC${'9'.repeat(32)}`;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
}

async function main(o: { subscribers: number; numbers: number; rate?: number; notified?: number }) {
  const notified = Math.min(o.notified ?? o.subscribers, o.subscribers);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const logger = pino({ level: 'warn' });
  const say = (m: string) => process.stderr.write(`${m}\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-bench-notify-'));
  fs.chmodSync(dir, 0o755);
  const base = 40000 + Math.floor(Math.random() * 10000);
  say(`starting embedded Postgres, the Temporal dev server, SMTP capture and the Twilio stand-in in ${dir}`);
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: base });
  const temporal = await startDevServer({ dataDir: dir, port: base + 1, uiPort: base + 2, namespace: 'default' });
  const smtp = await startSmtpCapture({});
  const fake = await startFakeTwilio({ accountSid: SID, authToken: 't' });
  const pool = createPool(pg.url, 20);
  try {
    await migrate(pg.url);
    const electionDate = addDays(pacificDate(Date.now()), 23);
    const electionId = `election:fresno:${electionDate}`;
    const terms = ContractTermsSchema.parse({ county: 'fresno', number: 'B-9', vendor: 'IVS', effectiveDate: '2025-07-01', termEnd: '2030-06-30', fiscalPeriods: [{ start: '2025-07-01', end: '2030-06-30', cap: 1_000_000 }], totalCap: 1_000_000 });
    await insertContract(pool, { ...terms, id: contractIdOf('fresno', 'B-9') });
    await insertElection(pool, { id: electionId, countywide: true, request: ElectionRequestSchema.parse({ county: 'fresno', electionDate, type: 'statewide-primary', contractId: 'contract:fresno:B-9' }) });
    say(`subscribing ${o.subscribers} voters by email and text`);
    const ids = Array.from({ length: o.subscribers }, (_, i) => i);
    for (let i = 0; i < ids.length; i += 5000) {
      const chunk = ids.slice(i, i + 5000);
      const rows = JSON.stringify(chunk.map((n) => ({ v: `V${n}`, b: `ballot:${electionId}:V${n}:1`, s: `sub-${n}`, p: `+1559${String(2000000 + n).padStart(7, '0')}`, e: `voter${n}@example.com` })));
      await pool.query(`INSERT INTO extract_ballots (election_id, ballot_id, voter_id, issue, file_id, line) SELECT $1, b, v, 1, 'bench', 2 FROM jsonb_to_recordset($2::jsonb) AS x(v text, b text)`, [electionId, rows]);
      await pool.query(`INSERT INTO voters (county, voter_id, first_name, last_name, lookup_hash, election_id, ballot_id) SELECT 'fresno', v, 'Ana', 'Núñez', 'x', $1, b FROM jsonb_to_recordset($2::jsonb) AS x(v text, b text)`, [electionId, rows]);
      await pool.query(`INSERT INTO subscriptions (id, county, voter_id, language, window_start, window_end, window_zone, status) SELECT s, 'fresno', v, 'en', '00:00', '24:00', 'America/Los_Angeles', 'active' FROM jsonb_to_recordset($1::jsonb) AS x(s text, v text)`, [rows]);
      await pool.query(`INSERT INTO subscription_channels (subscription_id, channel, address, confirmed_at) SELECT s, 'sms', p, now() FROM jsonb_to_recordset($1::jsonb) AS x(s text, p text) UNION ALL SELECT s, 'email', e, now() FROM jsonb_to_recordset($1::jsonb) AS x(s text, e text)`, [rows]);
    }
    const taskQueue = 'bench-notify';
    const settings: NotifySettings = {
      taskQueue: `${taskQueue}-notify`, workflowTaskQueue: taskQueue, programName: 'CA Ballot Alerts', publicBaseUrl: 'https://ballots.example.gov',
      defaultSender: { emailFrom: 'alerts@ballots.example.gov', smsNumbers: Array.from({ length: o.numbers }, (_, i) => `+1559555${String(100 + i).padStart(4, '0')}`), voiceCallerId: '+15595550199' },
      codeDigits: 6, codeTtlMinutes: 10, smsPerNumberPerSecond: 1,
    };
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    const connection = await NativeConnection.connect({ address: temporal.address });
    const email = createEmailProvider({ smtpUrl: smtp.url, logger, maxConnections: 10 });
    const twilio = createTwilioProvider({ accountSid: SID, authToken: 't', baseUrl: fake.url, logger });
    const notify = createNotifyActivities({ pool, client, logger, settings, email, twilio, manageUrl: (s) => `https://ballots.example.gov/m/${s}` });
    const rates = { smsPerNumberPerSecond: 1, callsPerSecond: 1, emailsPerSecond: 50 };
    const workers = [await createWorker({ connection, namespace: 'default', taskQueue, store: new MemoryStore(), logger, notify }), ...(await createNotifyWorkers({ connection, namespace: 'default', settings, activities: notify, rates }))];
    const running = workers.map((w) => w.run());

    // The subscribers whose ballot has news, spread evenly over everyone subscribed.
    const step = o.subscribers / notified;
    const chosen = Array.from({ length: notified }, (_, k) => Math.floor(k * step));
    say(`planning one "mailed" notice by email and text for ${notified.toLocaleString('en-US')} of ${o.subscribers.toLocaleString('en-US')} subscribers (${notified * 2} messages)`);
    const plannedAt = new Map<string, number>();
    const t0 = Date.now();
    const plan = async (n: number) => {
      const ballotId = `ballot:${electionId}:V${n}:1`;
      const mk = (channel: 'sms' | 'email', address: string): PlannedNotice => ({
        key: `${ballotId}#2|mailed|${channel}|sub-${n}`, ballotId, eventId: `${ballotId}#2`, seq: 2, subscriptionId: `sub-${n}`, channel, kind: 'mailed',
        window: { start: '00:00', end: '24:00', zone: 'America/Los_Angeles' }, taskQueue: queueFor(settings, channel, address),
        expectedWindow: { from: addDays(electionDate, -27), to: addDays(electionDate, -24) },
      });
      const notices = [mk('sms', `+1559${String(2000000 + n).padStart(7, '0')}`), mk('email', `voter${n}@example.com`)];
      plannedAt.set(`sub-${n}`, Date.now());
      await client.workflow.signalWithStart('noticesWorkflow', { workflowId: `notices:${ballotId}`, taskQueue, args: [{ ballotId }], signal: noticesPlanned, signalArgs: [{ notices }] });
    };
    if (o.rate) {
      // Steady arrivals: ballot events reach subscribers at a set rate, as scans and returns trickle in.
      const pending: Promise<void>[] = [];
      for (const [k, n] of chosen.entries()) {
        const wait = t0 + (k * 1000) / o.rate - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        pending.push(plan(n));
      }
      await Promise.all(pending);
    } else {
      // A burst: every subscriber's notice planned at once, as when a county's whole mailing is scanned.
      await mapConcurrent(chosen, 32, plan);
    }
    const planned = Date.now() - t0;
    const total = notified * 2;
    let last = -1;
    while (fake.messages.length + smtp.messages.length < total) {
      const done = fake.messages.length + smtp.messages.length;
      if (done !== last && done % 500 < 50) say(`  ${done}/${total} accepted by the providers`);
      last = done;
      await new Promise((r) => setTimeout(r, 200));
    }
    const elapsed = Date.now() - t0;
    const subOf = (to: string, channel: 'sms' | 'email') => (channel === 'sms' ? `sub-${Number(to.slice(5)) - 2000000}` : `sub-${/voter(\d+)@/.exec(to)![1]}`);
    const sms = fake.messages.map((m) => m.createdAt.getTime() - plannedAt.get(subOf(m.to, 'sms'))!);
    const mail = smtp.messages.map((m) => m.receivedAt.getTime() - plannedAt.get(subOf(m.to[0]!, 'email'))!);
    // The highest count any sending number reached inside one second (a sliding window over its send times).
    let maxPerNumber = 0;
    const byNumber = new Map<string, number[]>();
    for (const m of fake.messages) byNumber.set(m.from, [...(byNumber.get(m.from) ?? []), m.createdAt.getTime()]);
    for (const times of byNumber.values()) {
      times.sort((a, b) => a - b);
      for (let i = 0, j = 0; i < times.length; i++) { while (times[i]! - times[j]! >= 1000) j++; maxPerNumber = Math.max(maxPerNumber, i - j + 1); }
    }
    for (const w of workers) w.shutdown();
    await Promise.all(running);
    email.close();
    await connection.close();
    await client.connection.close();
    const ms = (x: number) => `${Math.round(x).toLocaleString('en-US')} ms`;
    const cpus = os.cpus();
    process.stdout.write([
      `notification benchmark: ${o.subscribers.toLocaleString('en-US')} subscribers (email and text), ${notified.toLocaleString('en-US')} of them notified, ${o.numbers} sending numbers at ${rates.smsPerNumberPerSecond}/s each, email at ${rates.emailsPerSecond}/s`,
      `  arrivals: ${o.rate ? `${o.rate} subscribers/s (${(o.rate * 2).toLocaleString('en-US')} messages/s)` : 'all at once (a burst)'}`,
      `  planned (signalWithStart) in ${ms(planned)}; all ${total.toLocaleString('en-US')} accepted by the providers in ${ms(elapsed)} (${(total / (elapsed / 1000)).toFixed(1)} messages/s)`,
      `  email  latency p50 ${ms(pct(mail, 50))}  p95 ${ms(pct(mail, 95))}  p99 ${ms(pct(mail, 99))}`,
      `  sms    latency p50 ${ms(pct(sms, 50))}  p95 ${ms(pct(sms, 95))}  p99 ${ms(pct(sms, 99))}`,
      `  most texts any number sent within one second: ${maxPerNumber} (limit ${rates.smsPerNumberPerSecond})`,
      '  goal: p99 under 2 s inside contact hours while no rate limit is exceeded (texts queue behind their number\'s limit by design)',
      `machine ${cpus[0]?.model.trim() ?? 'unknown cpu'}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.version}`,
    ].join('\n') + '\n');
  } finally {
    await pool.end();
    await Promise.all([smtp.stop(), fake.stop()]);
    await temporal.stop();
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}


new Command('bench:notify')
  .option('--subscribers <n>', 'subscribed voters (each gets one email and one text)', positiveInt, 1000)
  .option('--numbers <n>', 'SMS sending numbers (1 text per second each)', positiveInt, 10)
  .option('--rate <n>', 'plan subscribers at this steady rate per second instead of all at once', positiveInt)
  .option('--notified <n>', 'how many of the subscribers get a notice (default: all); the rest are only in the database', positiveInt)
  .action((o: { subscribers: number; numbers: number; rate?: number; notified?: number }) => main(o).catch((e) => { console.error(e); process.exit(1); }))
  .parse();

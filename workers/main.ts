/** Worker process entry point: `node --require ./dist/workers/stack-traces.js dist/workers/main.js` (npm start runs it for you; workers/stack-traces.ts says why the --require). */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createIngestActivities } from '../activities/ingest';
import { pgStore } from '../activities/pg-store';
import { createPool, migrate } from '../db/pool';
import { loadConfig } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { connectionOptions } from '../runtime/temporal';
import { createNotifyActivities } from '../activities/notify';
import { createEmailProvider } from '../activities/providers/email';
import { createTwilioProvider } from '../activities/providers/twilio';
import { manageUrlFor, notifySettings } from '../runtime/notify';
import { ballotTaskQueue } from '../workflows/ballot/messages';
import { STACK_TRACE_SWITCH_HOW, stackTraceSwitchInstalled } from './stack-trace-hook';
import { createBallotWorker, createNotifyWorkers, createWorker } from './worker';

async function main() {
  const cfg = loadConfig();
  const logger = createLogger('worker', cfg.LOG_LEVEL);
  if (!cfg.DATABASE_URL) throw new Error('DATABASE_URL is required for the worker (npm start sets it)');
  if (!cfg.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is required for the worker (npm start sets it)');
  const off = [cfg.WORKFLOW_STACK_TRACES === 'off' ? 'WORKFLOW_STACK_TRACES=off' : '', cfg.BALLOT_STACK_TRACES === 'off' ? 'BALLOT_STACK_TRACES=off' : ''].filter(Boolean);
  if (off.length > 0 && !stackTraceSwitchInstalled()) {
    const ballots = cfg.BALLOT_STACK_TRACES === 'off' ? '. BALLOT_STACK_TRACES is off unless set: BALLOT_STACK_TRACES=on runs without the switch' : '';
    throw new Error(`${off.join(' and ')} needs the worker started as ${STACK_TRACE_SWITCH_HOW}${ballots}`);
  }
  await migrate(cfg.DATABASE_URL, logger);
  const pool = createPool(cfg.DATABASE_URL);
  const connection = await NativeConnection.connect(connectionOptions(cfg, cfg.TEMPORAL_ADDRESS));
  // File ingestion signals ballot workflows, so its activities hold a client of their own.
  const client = new Client({ connection: await Connection.connect(connectionOptions(cfg, cfg.TEMPORAL_ADDRESS)), namespace: cfg.TEMPORAL_NAMESPACE });
  const settings = notifySettings(cfg);
  const email = cfg.SMTP_URL ? createEmailProvider({ smtpUrl: cfg.SMTP_URL, logger }) : undefined;
  const twilio = cfg.TWILIO_ACCOUNT_SID && cfg.TWILIO_AUTH_TOKEN
    ? createTwilioProvider({ accountSid: cfg.TWILIO_ACCOUNT_SID, authToken: cfg.TWILIO_AUTH_TOKEN, ...(cfg.TWILIO_API_URL ? { baseUrl: cfg.TWILIO_API_URL } : {}), statusCallbackUrl: `${cfg.PUBLIC_BASE_URL}/api/webhooks/twilio/status`, logger })
    : undefined;
  if (!email) logger.warn('SMTP_URL is not set: email notices will fail until it is');
  if (!twilio) logger.warn('TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN are not set: text and voice notices will fail until they are');
  const notify = createNotifyActivities({ pool, client, logger, settings, ...(email ? { email } : {}), ...(twilio ? { twilio } : {}), manageUrl: manageUrlFor(cfg) });
  const worker = await createWorker({
    connection, namespace: cfg.TEMPORAL_NAMESPACE, taskQueue: cfg.TASK_QUEUE, store: pgStore(pool), logger, notify,
    stackTraces: cfg.WORKFLOW_STACK_TRACES === 'on',
    extraActivities: createIngestActivities({ pool, client, taskQueue: cfg.TASK_QUEUE, logger, batchSize: cfg.INGEST_BATCH_SIZE, voterLinkSecret: cfg.VOTER_LINK_SECRET }),
  });
  // Ballot workflows on their own queue and bundle, beside the main worker, in this process.
  const ballots = await createBallotWorker({
    connection, namespace: cfg.TEMPORAL_NAMESPACE, taskQueue: cfg.TASK_QUEUE, store: pgStore(pool), logger, notify,
    workflowThreads: cfg.BALLOT_WORKFLOW_THREADS, stackTraces: cfg.BALLOT_STACK_TRACES === 'on', ...(cfg.BALLOT_WORKFLOW_CACHE !== undefined ? { maxCachedWorkflows: cfg.BALLOT_WORKFLOW_CACHE } : {}),
  });
  const senders = await createNotifyWorkers({
    connection, namespace: cfg.TEMPORAL_NAMESPACE, settings, activities: notify,
    rates: { smsPerNumberPerSecond: cfg.SMS_PER_NUMBER_PER_SECOND, callsPerSecond: cfg.CALLS_PER_SECOND, emailsPerSecond: cfg.EMAILS_PER_SECOND },
  });
  logger.info({ taskQueue: cfg.TASK_QUEUE, ballotTaskQueue: ballotTaskQueue(cfg.TASK_QUEUE), namespace: cfg.TEMPORAL_NAMESPACE, senderQueues: senders.length }, 'worker running');
  logger.info({ elections: cfg.WORKFLOW_STACK_TRACES, ballots: cfg.BALLOT_STACK_TRACES }, 'workflow stack traces (WORKFLOW_STACK_TRACES, BALLOT_STACK_TRACES): where off, the stack-trace query answers that traces are not enabled');
  // Worker.run() shuts down gracefully on SIGINT/SIGTERM (the SDK installs the handlers).
  await Promise.all([worker.run(), ballots.run(), ...senders.map((w) => w.run())]);
  email?.close();
  await connection.close();
  await client.connection.close();
  await pool.end();
  logger.info('worker stopped');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/** Worker process entry point: `node dist/workers/main.js` (npm start runs it for you). */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { createIngestActivities } from '../activities/ingest';
import { pgStore } from '../activities/pg-store';
import { createPool, migrate } from '../db/pool';
import { loadConfig } from '../runtime/config';
import { connectionOptions } from '../runtime/temporal';
import { createWorker } from './worker';

async function main() {
  const cfg = loadConfig();
  const logger = pino({ level: cfg.LOG_LEVEL, name: 'worker' });
  if (!cfg.DATABASE_URL) throw new Error('DATABASE_URL is required for the worker (npm start sets it)');
  if (!cfg.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is required for the worker (npm start sets it)');
  await migrate(cfg.DATABASE_URL, logger);
  const pool = createPool(cfg.DATABASE_URL);
  const connection = await NativeConnection.connect(connectionOptions(cfg, cfg.TEMPORAL_ADDRESS));
  // File ingestion signals ballot workflows, so its activities hold a client of their own.
  const client = new Client({ connection: await Connection.connect(connectionOptions(cfg, cfg.TEMPORAL_ADDRESS)), namespace: cfg.TEMPORAL_NAMESPACE });
  const worker = await createWorker({
    connection, namespace: cfg.TEMPORAL_NAMESPACE, taskQueue: cfg.TASK_QUEUE, store: pgStore(pool), logger,
    extraActivities: createIngestActivities({ pool, client, taskQueue: cfg.TASK_QUEUE, logger, batchSize: cfg.INGEST_BATCH_SIZE }),
  });
  logger.info({ taskQueue: cfg.TASK_QUEUE, namespace: cfg.TEMPORAL_NAMESPACE }, 'worker running');
  // Worker.run() shuts down gracefully on SIGINT/SIGTERM (the SDK installs the handlers).
  await worker.run();
  await connection.close();
  await client.connection.close();
  await pool.end();
  logger.info('worker stopped');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/** API process entry point: `node dist/api/server.js` (npm start runs it for you). */
import path from 'node:path';
import pino from 'pino';
import { createPool, migrate } from '../db/pool';
import { loadConfig } from '../runtime/config';
import { connectClient } from '../runtime/temporal';
import { createApp } from './app';
import { temporalNotifier } from './notifier';

async function main() {
  const cfg = loadConfig();
  const logger = pino({ level: cfg.LOG_LEVEL, name: 'api' });
  if (!cfg.DATABASE_URL) throw new Error('DATABASE_URL is required for the API (npm start sets it)');
  if (!cfg.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is required for the API (npm start sets it)');
  await migrate(cfg.DATABASE_URL, logger);
  const pool = createPool(cfg.DATABASE_URL);
  const client = await connectClient(cfg, cfg.TEMPORAL_ADDRESS);
  const app = createApp({
    pool, client, logger,
    notifier: temporalNotifier(client, cfg.TASK_QUEUE),
    corsOrigins: cfg.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    cfg: {
      TASK_QUEUE: cfg.TASK_QUEUE, searchAttributes: process.env.TEMPORAL_SEARCH_ATTRIBUTES !== 'false',
      // The worker reads uploads from here: in production it must be storage both processes share.
      uploadDir: path.join(cfg.BALLOTFLOW_DATA_DIR, 'uploads'),
    },
  });
  const server = app.listen(cfg.PORT, () => logger.info({ port: cfg.PORT }, `API listening on http://127.0.0.1:${cfg.PORT} (docs at /api/docs)`));
  const stop = () => {
    logger.info('API stopping');
    server.close(() => { void client.connection.close().then(() => pool.end()).then(() => process.exit(0)); });
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

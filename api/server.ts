/** API process entry point: `node dist/api/server.js` (npm start runs it for you). */
import path from 'node:path';
import { createPool, migrate } from '../db/pool';
import { loadConfig } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { connectClient } from '../runtime/temporal';
import { createApp } from './app';
import { resumeQueuedFiles, sweepStaleUploads } from './routes/files';
import { temporalNotifier } from './notifier';
import { createOidcVerifier } from './oidc';

async function main() {
  const cfg = loadConfig();
  const logger = createLogger('api', cfg.LOG_LEVEL);
  if (!cfg.DATABASE_URL) throw new Error('DATABASE_URL is required for the API (npm start sets it)');
  if (!cfg.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is required for the API (npm start sets it)');
  await migrate(cfg.DATABASE_URL, logger);
  const pool = createPool(cfg.DATABASE_URL);
  const client = await connectClient(cfg, cfg.TEMPORAL_ADDRESS);
  // The worker reads uploads from here: in production it must be storage both processes share.
  const uploadDir = path.join(cfg.BALLOTFLOW_DATA_DIR, 'uploads');
  // Partial uploads of a process that died mid-body: swept before serving, then hourly (another replica may die).
  const sweep = () => {
    const removed = sweepStaleUploads(uploadDir);
    if (removed.length > 0) logger.warn({ removed: removed.length }, 'removed partial uploads left by a stopped API process');
  };
  sweep();
  setInterval(sweep, 60 * 60_000).unref();
  const deps = {
    pool, client, logger,
    notifier: temporalNotifier(client, cfg.TASK_QUEUE),
    ...(cfg.OIDC_ISSUER && cfg.OIDC_JWKS_URL ? {
      oidc: createOidcVerifier({
        issuer: cfg.OIDC_ISSUER, audience: cfg.OIDC_AUDIENCE, jwksUrl: cfg.OIDC_JWKS_URL,
        roleClaim: cfg.OIDC_ROLE_CLAIM, countyClaim: cfg.OIDC_COUNTY_CLAIM, contractsClaim: cfg.OIDC_CONTRACTS_CLAIM,
      }),
    } : {}),
    corsOrigins: cfg.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    cfg: {
      TASK_QUEUE: cfg.TASK_QUEUE, searchAttributes: process.env.TEMPORAL_SEARCH_ATTRIBUTES !== 'false',
      uploadDir,
      voterLimits: { lookupsPerIp: cfg.VOTER_LOOKUPS_PER_IP, lookupsPerIdentity: cfg.VOTER_LOOKUPS_PER_IDENTITY, voterWritesPerIp: cfg.VOTER_WRITES_PER_IP },
    },
  };
  // A file registered by a process killed before it started the ingestion: start it now (a no-op for the rest).
  await resumeQueuedFiles(deps).then(
    (ids) => { if (ids.length > 0) logger.info({ files: ids.length }, 'started the ingestion of queued files'); },
    (e: Error) => logger.error({ err: e }, 'could not start the ingestion of queued files; a re-send starts each'),
  );
  const app = createApp(deps);
  const server = app.listen(cfg.PORT, () => logger.info({ port: cfg.PORT }, `API listening on http://127.0.0.1:${cfg.PORT} (docs at /api/docs)`));
  // A multi-gigabyte extract over a county's uplink takes longer than Node's default 5 minutes per request.
  // The cap stays below the stale-upload sweep's idle hour, so a live upload is never swept.
  server.requestTimeout = 55 * 60_000;
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

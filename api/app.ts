/** The Express app: security headers, body limits, request ids and logging, the route table, docs, errors. */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { accountRoutes } from './routes/account';
import { adminRoutes } from './routes/admin';
import { contractRoutes } from './routes/contracts';
import { electionRoutes } from './routes/elections';
import { fileRoutes } from './routes/files';
import { meRoutes } from './routes/me';
import { notifyAdminRoutes } from './routes/notify-admin';
import { twilioWebhookRouter } from './routes/twilio-webhooks';
import { emailBounceRouter } from './routes/email-bounces';
import { voterRoutes } from './routes/voter';
import { openApiDocument } from './openapi';
import { errorMiddleware, HttpProblem, sendProblem } from './problem';
import { mount, type Deps, type Route } from './route';

export const routes: Route[] = [...contractRoutes, ...electionRoutes, ...fileRoutes, ...notifyAdminRoutes, ...voterRoutes, ...accountRoutes, ...adminRoutes, ...meRoutes];

/** dist/web beside the compiled API (dist/api), or the built copy when the API runs from source (tests). */
export function webDir(): string {
  const root = path.resolve(__dirname, '..');
  return process.env.BALLOTFLOW_WEB_DIR ?? (path.basename(root) === 'dist' ? path.join(root, 'web') : path.join(root, 'dist', 'web'));
}

export function createApp(deps: Deps & { corsOrigins?: string[] }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(pinoHttp({
    logger: deps.logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[A-Za-z0-9-]{8,64}$/.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // No personal data or secrets in logs: only method, path, status and timing. The query string is dropped:
    // voter links carry their signed token there.
    serializers: { req: (req) => ({ method: req.method, url: String(req.url).split('?')[0] }), res: (res) => ({ statusCode: res.statusCode }) },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  }));
  // Browsers may call the API only from the origins listed in CORS_ORIGINS (none by default).
  app.use(cors({ origin: deps.corsOrigins ?? [], allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-Account-Token'], exposedHeaders: ['X-Request-Id', 'X-Next-After', 'Retry-After', 'RateLimit'] }));
  app.use(twilioWebhookRouter(deps)); // form-encoded and signed over the exact URL: before the JSON body parser
  app.use(emailBounceRouter(deps)); // the raw bounce message: before the JSON body parser
  app.use(express.json({ limit: '1mb' }));

  app.get('/healthz', (_req, res) => { res.json({ ok: true }); });
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    await deps.pool.query('SELECT 1').then(() => { checks.postgres = 'ok'; }, (e: Error) => { checks.postgres = e.message; });
    await deps.client.workflowService.getSystemInfo({}).then(() => { checks.temporal = 'ok'; }, (e: Error) => { checks.temporal = e.message; });
    const ok = Object.values(checks).every((v) => v === 'ok');
    res.status(ok ? 200 : 503).json({ ok, checks });
  });

  const doc = openApiDocument(routes);
  app.get('/api/openapi.json', (_req, res) => { res.json(doc); });
  app.use('/api/docs', swaggerUi.serve, swaggerUi.setup(doc, { customSiteTitle: 'Ballotflow API' }));

  mount(app, routes, deps);

  // The web portals (web/, built into dist/web): static pages that call the API above like any client.
  app.use(express.static(webDir(), { extensions: ['html'], index: 'index.html', fallthrough: true }));

  app.use((req, res) => sendProblem(res, new HttpProblem(404, 'Not Found', `no route ${req.method} ${req.path}`), String(req.id ?? '')));
  app.use(errorMiddleware(deps.logger));
  return app;
}

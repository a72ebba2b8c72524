/**
 * `POST /api/webhooks/email/bounces`: a bounce that came back after the relay had accepted the message (a DSN,
 * RFC 3464), handed over by the bounce mailbox's pipe or forwarding rule as the raw message. The notice it is
 * about (found by the Message-ID we gave it) is recorded as failed with the status code; a "delayed" report is
 * kept as a receipt and changes nothing. The caller authenticates with `Authorization: Bearer
 * <EMAIL_BOUNCE_TOKEN>`; without that setting the route answers 503.
 */
import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { recordDeliveryReceipt } from '../../db/subscriptions';
import { parseBounce } from '../../activities/providers/bounce';
import { loadConfig } from '../../runtime/config';
import { HttpProblem, sendProblem } from '../problem';
import type { Deps } from '../route';

export const EMAIL_BOUNCES_PATH = '/api/webhooks/email/bounces';

function sameSecret(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}

export function emailBounceRouter(deps: Pick<Deps, 'pool' | 'logger'>, token: string | undefined = loadConfig().EMAIL_BOUNCE_TOKEN): Router {
  const router = express.Router();
  const logger = deps.logger.child({ component: 'email-bounces' });
  router.post(EMAIL_BOUNCES_PATH, express.raw({ type: () => true, limit: '2mb' }), (req: Request, res: Response) => {
    const requestId = String(req.id ?? '');
    if (!token) return sendProblem(res, new HttpProblem(503, 'Unavailable', 'EMAIL_BOUNCE_TOKEN is not set on this server'), requestId);
    const given = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (!given || !sameSecret(given, token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="email-bounces"');
      return sendProblem(res, new HttpProblem(401, 'Unauthorized', 'a bounce report needs Authorization: Bearer <EMAIL_BOUNCE_TOKEN>'), requestId);
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (raw.length === 0) return sendProblem(res, new HttpProblem(422, 'Invalid request', 'the body must be the bounce message, as received'), requestId);
    void (async () => {
      const parsed = await parseBounce(raw);
      if (!parsed.ok) return sendProblem(res, new HttpProblem(422, 'Invalid request', parsed.reason), requestId);
      const b = parsed.bounce;
      const r = await recordDeliveryReceipt(deps.pool, {
        providerMessageId: b.originalMessageId, status: b.action === 'failed' ? 'bounced' : b.action, errorCode: b.status,
        payload: { action: b.action, status: b.status, ...(b.diagnostic ? { diagnostic: b.diagnostic } : {}) },
      });
      // No addresses in the log: the message id and the outcome identify it.
      logger.info({ requestId, messageId: b.originalMessageId, action: b.action, status: b.status, matched: r.matched, changed: r.changed }, 'email bounce report');
      if (!r.matched) return sendProblem(res, new HttpProblem(404, 'Not Found', `no notice was sent as ${b.originalMessageId}`), requestId);
      res.status(200).json({ messageId: b.originalMessageId, action: b.action, status: b.status, notice: r.status ?? null, changed: r.changed });
    })().catch((err: unknown) => {
      logger.error({ err, requestId }, 'email bounce report failed');
      if (!res.headersSent) sendProblem(res, new HttpProblem(500, 'Internal Server Error', 'something went wrong; the request id identifies it in the logs'), requestId);
    });
  });
  return router;
}

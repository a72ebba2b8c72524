/**
 * Email through nodemailer over SMTP (`SMTP_URL`): the local capture server by default, a relay in production.
 * Failures come back classified, as Temporal ApplicationFailures so an activity can simply let them through:
 * a permanent refusal of the message (5xx to RCPT TO or DATA) is a bounce and is never retried; a dropped
 * connection or a 4xx reply is retried by Temporal with backoff.
 */
import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { z } from 'zod';

/** The recipient's server refused the message for good (5xx): record the bounce, do not send again. */
export class EmailBouncedError extends ApplicationFailure {
  constructor(readonly smtpCode: number, readonly command: string, message: string) {
    super(message, 'email-bounced', true, [{ smtpCode, command }]);
  }
}

/** The relay refused us rather than the recipient (a 5xx to MAIL FROM or AUTH): configuration, not retryable. */
export class EmailRejectedError extends ApplicationFailure {
  constructor(readonly smtpCode: number | undefined, readonly command: string | undefined, message: string) {
    super(message, 'email-rejected', true, [{ smtpCode, command }]);
  }
}

/** Try again later: no connection, a timeout, or a 4xx reply (greylisting, mailbox full for now, 421). */
export class EmailTemporaryError extends ApplicationFailure {
  constructor(readonly smtpCode: number | undefined, readonly errorCode: string | undefined, message: string) {
    super(message, 'email-temporary', false, [{ smtpCode, errorCode }]);
  }
}

const Options = z.object({
  smtpUrl: z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL'),
  /** Parallel SMTP connections; a relay's per-connection limits make more than a few useless. */
  maxConnections: z.number().int().min(1).max(50).default(5),
});

export const EmailSchema = z.object({
  // Deliberately loose: sign-up confirmed this address by a code, and zod's strict pattern refuses UTF-8 mailboxes.
  to: z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'an email address'),
  /** The county's sender identity, e.g. `"Fresno County Elections" <elections@fresno.example>`. */
  from: z.string().min(3),
  subject: z.string().min(1),
  text: z.string(),
  html: z.string().optional(),
  unsubscribeUrl: z.string().url(),
  idempotencyKey: z.string().min(1),
});
export type Email = z.infer<typeof EmailSchema>;

export interface EmailProvider {
  send(email: Email): Promise<{ providerMessageId: string }>;
  close(): void;
}

export function createEmailProvider(deps: { smtpUrl: string; logger: Logger; maxConnections?: number }): EmailProvider {
  const opts = Options.parse({ smtpUrl: deps.smtpUrl, maxConnections: deps.maxConnections });
  const logger = deps.logger.child({ provider: 'smtp' });
  const transport = nodemailer.createTransport({
    url: opts.smtpUrl,
    pool: true,
    maxConnections: opts.maxConnections,
    // Fail fast and let Temporal retry, rather than hold an activity slot for nodemailer's 2-minute default.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });

  return {
    async send(input) {
      const parsed = EmailSchema.safeParse(input);
      if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid email: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`, 'email-invalid');
      const email = parsed.data;
      const messageId = messageIdFor(email.idempotencyKey, email.from);
      try {
        const info = await transport.sendMail({
          from: email.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          ...(email.html ? { html: email.html } : {}),
          // Same key, same Message-ID: a resend after a crash is recognisable as the same message downstream.
          messageId,
          // RFC 2369 link, and RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` to the URL.
          list: { unsubscribe: email.unsubscribeUrl },
          headers: {
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            // RFC 3834: a notice, so vacation responders do not answer it.
            'Auto-Submitted': 'auto-generated',
          },
        });
        // With one recipient a refusal is an error; this guards a relay that accepts the envelope partly.
        if (info.rejected.length > 0) throw new EmailBouncedError(550, 'RCPT TO', 'the recipient was refused');
        logger.info({ idempotencyKey: email.idempotencyKey, messageId }, 'email accepted by smtp');
        return { providerMessageId: messageId };
      } catch (e) {
        const failure = classifySmtpError(e);
        // The SMTP reply text may quote the voter's address: log only codes, never the message.
        logger.warn({ idempotencyKey: email.idempotencyKey, type: failure.type, details: failure.details }, 'email not accepted');
        throw failure;
      }
    },
    close: () => transport.close(),
  };
}

/** `<hash-of-key@sender-domain>`: stable per idempotency key, and free of the key's own text (ids, no PII). */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const hash = crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'ballotflow.invalid';
  return `<bf.${hash}@${domain}>`;
}

interface SmtpErrorShape { code?: string; responseCode?: number; command?: string; permanent?: boolean }

/** Maps a nodemailer error to one of the classes above; anything else (a bug) is rethrown as it is. */
export function classifySmtpError(e: unknown): EmailBouncedError | EmailRejectedError | EmailTemporaryError {
  if (e instanceof EmailBouncedError || e instanceof EmailRejectedError || e instanceof EmailTemporaryError) return e;
  // Duck-typed rather than `instanceof Error`: socket errors are made by Node core, which under jest's
  // sandbox is another realm with another Error.
  if (typeof e !== 'object' || e === null) throw e;
  const err = e as SmtpErrorShape;
  const smtpCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  // RFC 5321 §4.2.1: 5yz is a permanent failure, 4yz a transient one. 503 (bad sequence) is a session
  // problem, not a verdict on the message, so it is retried like a 4xx (nodemailer's `permanent` agrees).
  const permanent = smtpCode !== undefined && smtpCode >= 500 && smtpCode < 600 && smtpCode !== 503;
  if (permanent) {
    const command = err.command ?? 'unknown';
    if (command === 'RCPT TO' || command === 'DATA' || err.code === 'EMESSAGE') {
      return new EmailBouncedError(smtpCode, command, `SMTP ${smtpCode} refused the message at ${command}`);
    }
    return new EmailRejectedError(smtpCode, command, `SMTP ${smtpCode} refused the sender at ${command}`);
  }
  if (smtpCode !== undefined || ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROTOCOL', 'ECONNREFUSED'].includes(err.code ?? '')) {
    return new EmailTemporaryError(smtpCode, err.code, smtpCode ? `SMTP ${smtpCode}: try again later` : `SMTP connection failed (${err.code})`);
  }
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH' || err.code === 'ETLS' || err.code === 'ECONFIG') {
    return new EmailRejectedError(smtpCode, err.command, `SMTP configuration problem (${err.code})`);
  }
  throw e;
}

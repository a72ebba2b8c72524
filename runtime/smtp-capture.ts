/**
 * A real SMTP server in-process (npm `smtp-server`) that keeps every message it accepts: the local default for
 * `npm start` (a developer outbox, nothing leaves the machine) and the mail server of the tests, so email goes
 * through nodemailer and the SMTP protocol exactly as in production. Recipients can be refused with a chosen
 * reply code, so bounces (5xx) and deferrals (4xx) are tested against real SMTP replies.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedEmail {
  /** Address of the From header (the sender identity the voter sees). */
  from: string;
  /** Envelope recipients the server accepted (RCPT TO), i.e. who actually received it. */
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /** Header name (lower case) -> unfolded value, e.g. `list-unsubscribe`, `list-unsubscribe-post`, `message-id`. */
  headers: Record<string, string>;
  messageId?: string;
  envelope: { mailFrom: string | null; rcptTo: string[] };
  receivedAt: Date;
}

export interface SmtpCapture {
  url: string;
  port: number;
  messages: CapturedEmail[];
  /** Resolves with the first message (already received or still to come) that matches; rejects after timeoutMs. */
  waitFor(pred: (m: CapturedEmail) => boolean, timeoutMs?: number): Promise<CapturedEmail>;
  /** Answer RCPT TO for this address with `code` (5xx: a bounce, 4xx: try later) until `accept` is called. */
  refuse(address: string, code?: number, message?: string): void;
  accept(address: string): void;
  stop(): Promise<void>;
}

export interface SmtpCaptureOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Addresses refused from the start with 550 (mailbox unavailable). */
  refuseRecipients?: Iterable<string>;
  /** Called for each accepted message, e.g. to print the developer outbox. */
  onMessage?: (m: CapturedEmail) => void;
}

interface Refusal { code: number; message: string }
interface Waiter { pred: (m: CapturedEmail) => boolean; resolve: (m: CapturedEmail) => void }

export async function startSmtpCapture(opts: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const host = opts.host ?? '127.0.0.1';
  const messages: CapturedEmail[] = [];
  const waiters = new Set<Waiter>();
  // Mailbox names are compared case-insensitively here; real servers may differ, but no test depends on it.
  const refused = new Map<string, Refusal>();
  const refuse = (address: string, code = 550, message?: string) => {
    refused.set(address.toLowerCase(), { code, message: message ?? (code >= 500 ? '5.1.1 mailbox unavailable' : '4.2.0 try again later') });
  };
  for (const a of opts.refuseRecipients ?? []) refuse(a);

  const server = new SMTPServer({
    // Plain SMTP on loopback: no TLS to configure and no credentials to hand out for a local stand-in.
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    banner: 'ballotflow smtp capture',
    size: 10 * 1024 * 1024,
    // A pooled client keeps idle connections open; do not let them hold up stop() for the default 30 s.
    closeTimeout: 500,
    onRcptTo(address, _session, callback) {
      const r = refused.get(address.address.toLowerCase());
      if (!r) return callback();
      const err = Object.assign(new Error(r.message), { responseCode: r.code });
      callback(err);
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const m = toCaptured(parsed, session.envelope);
          messages.push(m);
          opts.onMessage?.(m);
          for (const w of [...waiters]) {
            if (w.pred(m)) { waiters.delete(w); w.resolve(m); }
          }
          callback();
        })
        .catch((e: unknown) => callback(e instanceof Error ? e : new Error(String(e))));
    },
  });
  server.on('error', () => undefined); // a client that drops mid-session is not the server's failure

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => { server.server.off('error', reject); resolve(); });
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://${host}:${port}`,
    port,
    messages,
    waitFor(pred, timeoutMs = 5_000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise<CapturedEmail>((resolve, reject) => {
        const w: Waiter = { pred, resolve: (m) => { clearTimeout(t); resolve(m); } };
        const t = setTimeout(() => { waiters.delete(w); reject(new Error(`no matching email within ${timeoutMs} ms (${messages.length} captured)`)); }, timeoutMs);
        waiters.add(w);
      });
    },
    refuse,
    accept: (address) => { refused.delete(address.toLowerCase()); },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function toCaptured(parsed: ParsedMail, envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] }): CapturedEmail {
  const headers: Record<string, string> = {};
  for (const h of parsed.headerLines) {
    // The raw line keeps the value as sent (mailparser turns List-* headers into objects); unfold it (RFC 5322 §2.2.3).
    const value = h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    if (!(h.key in headers)) headers[h.key] = value;
  }
  const rcptTo = envelope.rcptTo.map((a) => a.address);
  return {
    from: addresses(parsed.from)[0] ?? '',
    to: rcptTo,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
    headers,
    ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
    envelope: { mailFrom: envelope.mailFrom ? envelope.mailFrom.address : null, rcptTo },
    receivedAt: new Date(),
  };
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return [];
  return (Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((v) => v.address ?? '')).filter(Boolean);
}

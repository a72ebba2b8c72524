/**
 * A local stand-in for Twilio's REST API, for `npm start` (a developer outbox: nothing is sent) and for tests.
 * The real `twilio` SDK talks to it over HTTP (createTwilioProvider's `baseUrl`), and it answers in Twilio's
 * shapes: 201 with a Message or Call resource, `{code, message, more_info, status}` errors, HTTP basic auth
 * with the account SID and auth token. It can also play Twilio's side of the webhooks, signed with
 * `X-Twilio-Signature` exactly as Twilio signs them: status callbacks, inbound SMS and Gather keypresses.
 *
 * Test controls: `failNext(n, status)` and `setOutage(status)` answer 429/5xx for a stretch, `rejectTo` gives
 * a number a permanent error code. Twilio's magic test numbers behave as with test credentials.
 */
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';

type Params = Record<string, string>;

export interface FakeSms {
  kind: 'sms';
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  statusCallback?: string;
  status: string;
  errorCode?: number;
  createdAt: Date;
}

export interface FakeCall {
  kind: 'call';
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  twiml?: string;
  url?: string;
  statusCallback?: string;
  statusCallbackEvents: string[];
  status: string;
  createdAt: Date;
}

/** A request the fake made to our app, as Twilio would: its purpose, what was sent and what came back. */
export interface FakeCallback {
  kind: 'callback';
  purpose: 'status' | 'inbound' | 'gather';
  sid: string;
  url: string;
  params: Params;
  signature: string;
  /** null when the app could not be reached. */
  responseStatus: number | null;
  responseBody: string;
  sentAt: Date;
}

/** A REST request the fake answered, successful or not, so tests can count attempts. */
export interface FakeRequest { method: string; path: string; status: number; code?: number }

export type FakeTwilioEvent = FakeSms | FakeCall | FakeCallback;

export class FakeTwilioWebhookError extends Error {
  constructor(readonly status: number | null, readonly body: string, url: string) {
    super(`webhook ${url} answered ${status ?? 'nothing'}`);
  }
}

export interface FakeTwilio {
  /** Give this to createTwilioProvider as `baseUrl`. */
  url: string;
  accountSid: string;
  messages: FakeSms[];
  calls: FakeCall[];
  callbacks: FakeCallback[];
  requests: FakeRequest[];
  /** The next n message/call requests are answered with this status (429 or 5xx) in Twilio's error shape. */
  failNext(n: number, status?: number): void;
  /** Every message/call request is answered with this status until called again with null. */
  setOutage(status: number | null): void;
  /** Requests to this number fail with this Twilio code (21211 invalid, 21610 unsubscribed, 21614 not mobile...). */
  rejectTo(number: string, code: number): void;
  /** Messages to this number are accepted, then end `undelivered` with this error code (30003: unreachable). */
  undeliverable(number: string, errorCode?: number): void;
  waitFor<T extends FakeTwilioEvent>(pred: (e: FakeTwilioEvent) => e is T, timeoutMs?: number): Promise<T>;
  waitFor(pred: (e: FakeTwilioEvent) => boolean, timeoutMs?: number): Promise<FakeTwilioEvent>;
  /** POSTs a signed status callback for a message or call now (e.g. a duplicate or an out-of-order one). */
  sendStatusCallback(sid: string, status: string, extra?: Params): Promise<FakeCallback>;
  /** A voter texts `to` (one of our numbers): POSTs Twilio's inbound-SMS webhook; resolves with the TwiML answer. */
  sendInbound(m: { from: string; to: string; body: string; webhookUrl: string; forgeSignature?: boolean }): Promise<string>;
  /** The callee presses keys during a call's `<Gather>`: POSTs `Digits` to its action URL; resolves with the TwiML. */
  pressDigits(callSid: string, digits: string, opts?: { forgeSignature?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

export interface FakeTwilioOptions {
  port?: number;
  host?: string;
  accountSid: string;
  authToken: string;
  /** Play each message's queued→sent→delivered (and each call's progress) to its StatusCallback. Off by default. */
  autoStatusCallbacks?: boolean;
  /** Pause between automatic callbacks. */
  callbackDelayMs?: number;
  /** Called for every message, call and callback, e.g. to print the developer outbox. */
  onEvent?: (e: FakeTwilioEvent) => void;
  /**
   * Awaited after a message is accepted and before Twilio's answer is written, e.g. to kill the sender in the
   * window where Twilio has the message and the sender has not heard so. onEvent runs after the answer.
   */
  beforeAnswer?: (m: FakeSms) => void | Promise<void>;
}

const API = '/2010-04-01';
const E164 = /^\+[1-9]\d{7,14}$/;
// Twilio's magic numbers for test credentials (twilio.com/docs/iam/test-credentials), so tests read like its docs.
const MAGIC_TO: Record<string, number> = { '+15005550001': 21211, '+15005550002': 21612, '+15005550003': 21408, '+15005550004': 21610, '+15005550009': 21614 };
// Twilio's default opt-out keywords: after one, Twilio itself refuses sends on that pair with 21610 until an opt-in.
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);

const ERROR_TEXT: Record<number, string> = {
  20003: 'Authenticate',
  20404: 'The requested resource was not found',
  20429: 'Too Many Requests',
  20500: 'Internal Server Error',
  20503: 'Service Unavailable',
  21201: "No 'To' number is specified",
  21205: 'Url parameter is required.',
  21211: "The 'To' number is not a valid phone number.",
  21213: "No 'From' number is specified",
  21408: 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number',
  21602: 'Message body is required.',
  21603: "A 'From' phone number is required.",
  21604: "A 'To' phone number is required.",
  21610: 'Attempt to send to unsubscribed recipient',
  21612: "The 'To' phone number is not currently reachable via SMS",
  21614: "'To' number is not a valid mobile number",
};

const MessageForm = z.object({
  To: z.string().optional(),
  From: z.string().optional(),
  Body: z.string().optional(),
  StatusCallback: z.string().url().optional(),
});
const CallForm = z.object({
  To: z.string().optional(),
  From: z.string().optional(),
  Twiml: z.string().optional(),
  Url: z.string().url().optional(),
  StatusCallback: z.string().url().optional(),
  // Repeated form keys arrive as an array.
  StatusCallbackEvent: z.union([z.string(), z.array(z.string())]).optional(),
});

export async function startFakeTwilio(opts: FakeTwilioOptions): Promise<FakeTwilio> {
  const { accountSid, authToken } = opts;
  const host = opts.host ?? '127.0.0.1';
  const delayMs = opts.callbackDelayMs ?? 5;
  const messages: FakeSms[] = [];
  const calls: FakeCall[] = [];
  const callbacks: FakeCallback[] = [];
  const requests: FakeRequest[] = [];
  const events: FakeTwilioEvent[] = [];
  const waiters = new Set<{ pred: (e: FakeTwilioEvent) => boolean; resolve: (e: FakeTwilioEvent) => void }>();
  const rejected = new Map<string, number>(Object.entries(MAGIC_TO));
  const undeliverableTo = new Map<string, number>();
  const optedOut = new Set<string>();
  const pending = new Set<Promise<unknown>>();
  const aborter = new AbortController();
  let outage: number | null = null;
  let failures: { n: number; status: number } = { n: 0, status: 503 };
  let stopped = false;

  const emit = (e: FakeTwilioEvent) => {
    events.push(e);
    opts.onEvent?.(e);
    for (const w of [...waiters]) if (w.pred(e)) { waiters.delete(w); w.resolve(e); }
  };

  const sendError = (res: Response, status: number, code: number) => {
    res.status(status).json({ code, message: ERROR_TEXT[code] ?? `HTTP ${status}`, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  };
  const answer = (req: Request, res: Response, status: number, code?: number) => {
    // originalUrl: inside the mounted gate `req.path` is relative to the mount point.
    requests.push({ method: req.method, path: req.originalUrl.split('?')[0] ?? '', status, ...(code ? { code } : {}) });
    if (code) sendError(res, status, code);
  };

  /** Signs and POSTs a form to our app, as Twilio does, and records the exchange. */
  const post = async (purpose: FakeCallback['purpose'], sid: string, url: string, params: Params, forge = false): Promise<FakeCallback> => {
    const good = twilio.getExpectedTwilioSignature(authToken, url, params);
    const signature = forge ? good.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) : good;
    let responseStatus: number | null = null;
    let responseBody = '';
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': signature,
          // Twilio sends this on webhooks; a retried delivery of the same event carries the same token.
          'I-Twilio-Idempotency-Token': crypto.createHash('sha256').update(`${purpose}:${sid}:${JSON.stringify(params)}`).digest('hex').slice(0, 36),
          'User-Agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
        signal: aborter.signal,
      });
      responseStatus = r.status;
      responseBody = await r.text();
    } catch {
      responseStatus = null;
    }
    const cb: FakeCallback = { kind: 'callback', purpose, sid, url, params, signature, responseStatus, responseBody, sentAt: new Date() };
    callbacks.push(cb);
    emit(cb);
    return cb;
  };
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const smsStatusParams = (m: FakeSms, status: string, extra: Params = {}): Params => ({
    AccountSid: m.accountSid, ApiVersion: '2010-04-01', From: m.from, To: m.to,
    MessageSid: m.sid, SmsSid: m.sid, MessageStatus: status, SmsStatus: status,
    ...(m.errorCode && (status === 'undelivered' || status === 'failed') ? { ErrorCode: String(m.errorCode) } : {}),
    ...extra,
  });
  let sequence = 0;
  const callStatusParams = (c: FakeCall, status: string, extra: Params = {}): Params => ({
    AccountSid: c.accountSid, ApiVersion: '2010-04-01', CallSid: c.sid, CallStatus: status, Direction: 'outbound-api',
    From: c.from, To: c.to, CallbackSource: 'call-progress-events', Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
    SequenceNumber: String(sequence++),
    ...(status === 'completed' ? { CallDuration: '21', Duration: '1' } : {}),
    ...extra,
  });

  const playSms = async (m: FakeSms) => {
    const final = undeliverableTo.get(m.to);
    if (final) m.errorCode = final;
    for (const status of ['queued', 'sent', final ? 'undelivered' : 'delivered']) {
      await sleep(delayMs);
      if (stopped) return;
      m.status = status;
      if (m.statusCallback) await post('status', m.sid, m.statusCallback, smsStatusParams(m, status));
    }
  };
  const playCall = async (c: FakeCall) => {
    // Twilio posts only the events asked for in StatusCallbackEvent; `completed` is the default.
    const wanted = new Set(['completed', ...c.statusCallbackEvents]);
    for (const [event, status] of [['initiated', 'initiated'], ['ringing', 'ringing'], ['answered', 'in-progress'], ['completed', 'completed']] as const) {
      await sleep(delayMs);
      if (stopped) return;
      c.status = status === 'initiated' ? 'queued' : status;
      if (c.statusCallback && wanted.has(event)) await post('status', c.sid, c.statusCallback, callStatusParams(c, status));
    }
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false }));

  // The front door: an outage or a throttle answers before anything else, as a load balancer would.
  app.use(`${API}/Accounts/:sid`, (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'POST') {
      const status = outage ?? (failures.n > 0 ? failures.status : null);
      if (status !== null) {
        if (outage === null) failures = { ...failures, n: failures.n - 1 };
        return answer(req, res, status, 20000 + status);
      }
    }
    const [user, pass] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
    if (user !== accountSid || pass !== authToken) {
      res.set('WWW-Authenticate', 'Basic realm="Twilio API"');
      return answer(req, res, 401, 20003);
    }
    // Credentials are good but name another account: Twilio answers 404 rather than leak that it exists.
    if (req.params.sid !== accountSid) return answer(req, res, 404, 20404);
    next();
  });

  app.post(`${API}/Accounts/:sid/Messages.json`, (req, res) => {
    const form = MessageForm.safeParse(req.body ?? {});
    if (!form.success) return answer(req, res, 400, 21211);
    const { To, From, Body, StatusCallback } = form.data;
    if (!To) return answer(req, res, 400, 21604);
    if (!From) return answer(req, res, 400, 21603);
    if (!Body) return answer(req, res, 400, 21602);
    if (!E164.test(To)) return answer(req, res, 400, 21211);
    const code = rejected.get(To) ?? (optedOut.has(`${To}|${From}`) ? 21610 : undefined);
    if (code) return answer(req, res, 400, code);
    const m: FakeSms = { kind: 'sms', sid: sid('SM'), accountSid, to: To, from: From, body: Body, status: 'queued', createdAt: new Date(), ...(StatusCallback ? { statusCallback: StatusCallback } : {}) };
    messages.push(m);
    void Promise.resolve(opts.beforeAnswer?.(m)).then(() => {
      answer(req, res, 201);
      if (!res.socket?.destroyed) res.status(201).json(messageJson(m));
      emit(m);
      if (opts.autoStatusCallbacks) void track(playSms(m));
    });
  });

  // The list, filtered as Twilio filters it (To, From, DateSent>=): how a retried send finds out whether an
  // attempt that died mid-call reached Twilio after all.
  app.get(`${API}/Accounts/:sid/Messages.json`, (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const after = q['DateSent>'] ?? q['DateSent>='];
    const since = after ? Date.parse(after) : undefined;
    const found = messages.filter((m) => (!q.To || m.to === q.To) && (!q.From || m.from === q.From) && (since === undefined || m.createdAt.getTime() >= since));
    answer(req, res, 200);
    const uri = `${API}/Accounts/${accountSid}/Messages.json`;
    res.json({ messages: found.map(messageJson), end: Math.max(found.length - 1, 0), first_page_uri: uri, next_page_uri: null, page: 0, page_size: 50, previous_page_uri: null, start: 0, uri });
  });

  app.get(`${API}/Accounts/:sid/Messages/:msid`, (req, res) => {
    const m = messages.find((x) => `${x.sid}.json` === req.params.msid);
    if (!m) return answer(req, res, 404, 20404);
    answer(req, res, 200);
    res.json(messageJson(m));
  });

  app.post(`${API}/Accounts/:sid/Calls.json`, (req, res) => {
    const form = CallForm.safeParse(req.body ?? {});
    if (!form.success) return answer(req, res, 400, 21205);
    const { To, From, Twiml, Url, StatusCallback, StatusCallbackEvent } = form.data;
    if (!To) return answer(req, res, 400, 21201);
    if (!From) return answer(req, res, 400, 21213);
    if (!Twiml && !Url) return answer(req, res, 400, 21205);
    if (!E164.test(To)) return answer(req, res, 400, 21211);
    const code = rejected.get(To);
    if (code) return answer(req, res, 400, code);
    const events = StatusCallbackEvent === undefined ? [] : ([] as string[]).concat(StatusCallbackEvent).flatMap((s) => s.split(' '));
    const c: FakeCall = {
      kind: 'call', sid: sid('CA'), accountSid, to: To, from: From, status: 'queued', statusCallbackEvents: events, createdAt: new Date(),
      ...(Twiml ? { twiml: Twiml } : {}), ...(Url ? { url: Url } : {}), ...(StatusCallback ? { statusCallback: StatusCallback } : {}),
    };
    calls.push(c);
    answer(req, res, 201);
    res.status(201).json(callJson(c));
    emit(c);
    if (opts.autoStatusCallbacks) void track(playCall(c));
  });

  app.get(`${API}/Accounts/:sid/Calls/:csid`, (req, res) => {
    const c = calls.find((x) => `${x.sid}.json` === req.params.csid);
    if (!c) return answer(req, res, 404, 20404);
    answer(req, res, 200);
    res.json(callJson(c));
  });

  app.use((req: Request, res: Response) => answer(req, res, 404, 20404));

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const port = (server.address() as AddressInfo).port;

  function waitFor(pred: (e: FakeTwilioEvent) => boolean, timeoutMs = 5_000): Promise<FakeTwilioEvent> {
    const found = events.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (e: FakeTwilioEvent) => { clearTimeout(t); resolve(e); } };
      const t = setTimeout(() => { waiters.delete(w); reject(new Error(`no matching Twilio event within ${timeoutMs} ms (${events.length} so far)`)); }, timeoutMs);
      waiters.add(w);
    });
  }

  const expectOk = (cb: FakeCallback): string => {
    if (cb.responseStatus === null || cb.responseStatus >= 300) throw new FakeTwilioWebhookError(cb.responseStatus, cb.responseBody, cb.url);
    return cb.responseBody;
  };

  return {
    url: `http://${host}:${port}`,
    accountSid,
    messages,
    calls,
    callbacks,
    requests,
    failNext(n, status = 503) { failures = { n, status }; },
    setOutage(status) { outage = status; },
    rejectTo(number, code) { rejected.set(number, code); },
    undeliverable(number, errorCode = 30003) { undeliverableTo.set(number, errorCode); },
    waitFor: waitFor as FakeTwilio['waitFor'],
    async sendStatusCallback(id, status, extra) {
      const m = messages.find((x) => x.sid === id);
      if (m?.statusCallback) return track(post('status', m.sid, m.statusCallback, smsStatusParams(m, status, extra)));
      const c = calls.find((x) => x.sid === id);
      if (c?.statusCallback) return track(post('status', c.sid, c.statusCallback, callStatusParams(c, status, extra)));
      throw new Error(`no message or call ${id} with a StatusCallback`);
    },
    async sendInbound({ from, to, body, webhookUrl, forgeSignature }) {
      const keyword = body.trim().toUpperCase();
      if (OPT_OUT.has(keyword)) optedOut.add(`${from}|${to}`);
      if (OPT_IN.has(keyword)) optedOut.delete(`${from}|${to}`);
      const id = sid('SM');
      const params: Params = {
        AccountSid: accountSid, ApiVersion: '2010-04-01', MessageSid: id, SmsSid: id, SmsMessageSid: id,
        From: from, To: to, Body: body, NumMedia: '0', NumSegments: '1', SmsStatus: 'received',
      };
      return expectOk(await track(post('inbound', id, webhookUrl, params, forgeSignature)));
    },
    async pressDigits(callSid, digits, o) {
      const c = calls.find((x) => x.sid === callSid);
      const action = c?.twiml ? /<Gather\b[^>]*\baction="([^"]+)"/.exec(c.twiml)?.[1] : undefined;
      if (!c || !action) throw new Error(`call ${callSid} has no <Gather action>`);
      const url = action.replace(/&amp;/g, '&');
      const params: Params = {
        AccountSid: accountSid, ApiVersion: '2010-04-01', CallSid: c.sid, CallStatus: 'in-progress', Direction: 'outbound-api',
        From: c.from, To: c.to, Digits: digits, FinishedOnKey: '',
      };
      return expectOk(await track(post('gather', c.sid, url, params, o?.forgeSignature)));
    },
    async stop() {
      stopped = true;
      aborter.abort();
      await Promise.allSettled([...pending]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function sid(prefix: 'SM' | 'CA'): string {
  return prefix + crypto.randomBytes(16).toString('hex');
}

/** RFC 2822 dates, as Twilio writes them. */
function twilioDate(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

function messageJson(m: FakeSms) {
  const uri = `${API}/Accounts/${m.accountSid}/Messages/${m.sid}.json`;
  const gsm = /^[\x20-\x7e\n\r]*$/.test(m.body);
  const segments = m.body.length <= (gsm ? 160 : 70) ? 1 : Math.ceil(m.body.length / (gsm ? 153 : 67));
  return {
    account_sid: m.accountSid, api_version: '2010-04-01', body: m.body,
    date_created: twilioDate(m.createdAt), date_sent: null, date_updated: twilioDate(new Date()),
    direction: 'outbound-api', error_code: m.errorCode ?? null, error_message: null, from: m.from,
    messaging_service_sid: null, num_media: '0', num_segments: String(segments), price: null, price_unit: 'USD',
    sid: m.sid, status: m.status, subresource_uris: { media: uri.replace('.json', '/Media.json') }, to: m.to, uri,
  };
}

function callJson(c: FakeCall) {
  const uri = `${API}/Accounts/${c.accountSid}/Calls/${c.sid}.json`;
  return {
    account_sid: c.accountSid, annotation: null, answered_by: null, api_version: '2010-04-01', caller_name: null,
    date_created: twilioDate(c.createdAt), date_updated: twilioDate(new Date()), direction: 'outbound-api', duration: null,
    end_time: null, forwarded_from: null, from: c.from, from_formatted: c.from, group_sid: null, parent_call_sid: null,
    phone_number_sid: null, price: null, price_unit: 'USD', queue_time: '0', sid: c.sid, start_time: null, status: c.status,
    subresource_uris: { notifications: uri.replace('.json', '/Notifications.json'), recordings: uri.replace('.json', '/Recordings.json') },
    to: c.to, to_formatted: c.to, trunk_sid: null, uri,
  };
}

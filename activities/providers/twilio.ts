/**
 * SMS and voice through the official `twilio` SDK. Production talks to api.twilio.com; `npm start` and the tests
 * pass `baseUrl` to reach the local stand-in (runtime/fake-twilio.ts), so the same SDK code path, request
 * encoding and error parsing are exercised. Failures come back as Temporal ApplicationFailures: 429, 5xx and
 * network errors are retried by Temporal with backoff; any other 4xx (bad number, opted-out recipient, wrong
 * credentials) is final and carries Twilio's error code.
 */
import { ApplicationFailure } from '@temporalio/common';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import type { Logger } from 'pino';
import { z } from 'zod';

/** Twilio error codes the notification code acts on (https://www.twilio.com/docs/api/errors). */
export const TWILIO_ERRORS = {
  authenticate: 20003,
  invalidToNumber: 21211,
  /** The recipient replied STOP to this sender: Twilio refuses to send until they reply START. */
  unsubscribedRecipient: 21610,
  tooManyRequests: 20429,
  serviceUnavailable: 20503,
} as const;

/** Try again later: Twilio was throttling (429), failing (5xx) or unreachable. */
export class TwilioRetryableError extends ApplicationFailure {
  constructor(readonly status: number | undefined, readonly code: number | undefined, message: string) {
    super(message, 'twilio-retryable', false, [{ status, code }]);
  }
}

/** Twilio refused the request for good (4xx other than 429); `code` says why, e.g. 21211 or 21610. */
export class TwilioRejectedError extends ApplicationFailure {
  constructor(readonly status: number, readonly code: number | undefined, readonly moreInfo: string | undefined, message: string) {
    super(message, 'twilio-rejected', true, [{ status, code, moreInfo }]);
  }
}

const Options = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'an account SID (AC + 32 hex digits)'),
  authToken: z.string().min(1),
  baseUrl: z.string().url().optional(),
  statusCallbackUrl: z.string().url().optional(),
  timeoutMs: z.number().int().positive().default(15_000),
});

// Numbers are checked by Twilio, not here: it knows which are valid and reachable, and its 21211 is the answer
// the notification code records. These checks only catch a call with missing pieces.
const SmsSchema = z.object({ to: z.string().min(1), from: z.string().min(1), body: z.string().min(1).max(1600), idempotencyKey: z.string().min(1) });
const CallSchema = z.object({ to: z.string().min(1), from: z.string().min(1), twiml: z.string().min(1).max(4000), idempotencyKey: z.string().min(1) });
export type Sms = z.infer<typeof SmsSchema>;
export type Call = z.infer<typeof CallSchema>;

// The SDK declares these unions inside its namespace without exporting them; reach them through SayAttributes.
export type SayLanguage = NonNullable<VoiceResponse.SayAttributes['language']>;
export type SayVoice = NonNullable<VoiceResponse.SayAttributes['voice']>;

export interface VoiceTwimlInput {
  /** The notice, already in the voter's language. */
  text: string;
  /** Twilio's `<Say>` language code, e.g. `en-US`, `es-US`, `vi-VN`. */
  language: SayLanguage;
  voice?: SayVoice;
  /** Spoken after the notice, in the voter's language; `{repeatDigit}` and `{optOutDigit}` are filled in. */
  prompt?: string;
  repeatDigit?: string;
  optOutDigit?: string;
  /** Where Twilio POSTs the key pressed (`Digits`); see `keypressAction`. */
  actionUrl: string;
}

export interface Sent { providerMessageId: string; status: string }

export interface TwilioProvider {
  sendSms(sms: Sms): Promise<Sent>;
  placeCall(call: Call): Promise<Sent>;
  voiceTwiml(input: VoiceTwimlInput): string;
  /**
   * A message already accepted for this recipient since `since` with this body: a send that died between
   * Twilio's answer and our record of it is found here instead of being sent again (Twilio takes no
   * idempotency key).
   */
  findSms(o: { to: string; from: string; since: Date; body: string }): Promise<Sent | undefined>;
  /** True when `X-Twilio-Signature` matches the full URL Twilio called (with query) and the form params. */
  verifySignature(url: string, params: Record<string, unknown>, signatureHeader: string | undefined): boolean;
}

export function createTwilioProvider(deps: {
  accountSid: string;
  authToken: string;
  baseUrl?: string;
  statusCallbackUrl?: string;
  logger: Logger;
  timeoutMs?: number;
}): TwilioProvider {
  const opts = Options.parse({ accountSid: deps.accountSid, authToken: deps.authToken, baseUrl: deps.baseUrl, statusCallbackUrl: deps.statusCallbackUrl, timeoutMs: deps.timeoutMs });
  const logger = deps.logger.child({ provider: 'twilio' });
  // We always hand the SDK our own RequestClient, so the retry setting is stated here and nowhere else:
  // `autoRetry: false` turns off twilio-node's built-in retry (with autoRetry on, RequestClient re-sends a 429
  // up to maxRetries times inside one call). A retry must happen only in Temporal, where it is recorded and the
  // activity's idempotency key is checked first, so the SDK never sends a message twice behind our back.
  const requestOpts = { autoRetry: false, timeout: opts.timeoutMs };
  const httpClient = opts.baseUrl ? new BaseUrlRequestClient(opts.baseUrl, requestOpts) : new twilio.RequestClient(requestOpts);
  const client = twilio(opts.accountSid, opts.authToken, { httpClient, autoRetry: false });

  /** The key rides on the callback URL, so a receipt can be matched to its notice even if the sid was never saved. */
  const callbackFor = (idempotencyKey: string): string | undefined => {
    if (!opts.statusCallbackUrl) return undefined;
    const u = new URL(opts.statusCallbackUrl);
    u.searchParams.set('key', idempotencyKey);
    return u.toString();
  };

  return {
    async sendSms(input) {
      const sms = parseOrFail(SmsSchema, input, 'sms');
      const statusCallback = callbackFor(sms.idempotencyKey);
      try {
        const m = await client.messages.create({ to: sms.to, from: sms.from, body: sms.body, ...(statusCallback ? { statusCallback } : {}) });
        logger.info({ idempotencyKey: sms.idempotencyKey, sid: m.sid, status: m.status }, 'sms accepted by twilio');
        return { providerMessageId: m.sid, status: m.status };
      } catch (e) {
        throw logged(logger, sms.idempotencyKey, classifyTwilioError(e));
      }
    },
    async placeCall(input) {
      const call = parseOrFail(CallSchema, input, 'call');
      const statusCallback = callbackFor(call.idempotencyKey);
      try {
        const c = await client.calls.create({ to: call.to, from: call.from, twiml: call.twiml, ...(statusCallback ? { statusCallback } : {}) });
        logger.info({ idempotencyKey: call.idempotencyKey, sid: c.sid, status: c.status }, 'call accepted by twilio');
        return { providerMessageId: c.sid, status: c.status };
      } catch (e) {
        throw logged(logger, call.idempotencyKey, classifyTwilioError(e));
      }
    },
    voiceTwiml: (input) => voiceTwiml(input),
    async findSms({ to, from, since, body }) {
      try {
        // Twilio's DateSent filter has day granularity: a day back, then the exact instant.
        const list = await client.messages.list({ to, from, dateSentAfter: new Date(since.getTime() - 86_400_000), limit: 200 });
        const m = list.find((x) => x.body === body && (x.dateCreated ?? new Date(0)).getTime() >= since.getTime() - 1000);
        return m ? { providerMessageId: m.sid, status: m.status } : undefined;
      } catch (e) {
        throw classifyTwilioError(e);
      }
    },
    verifySignature(url, params, signatureHeader) {
      if (!signatureHeader) return false;
      return twilio.validateRequest(opts.authToken, signatureHeader, url, params);
    },
  };
}

/**
 * `<Gather numDigits=1><Say>notice</Say><Say>prompt</Say></Gather>`: the voter presses a key while it plays
 * or just after. Twilio posts the key to `actionUrl`, whose handler answers the repeat key with this same
 * TwiML (to hear it again) and the opt-out key with a confirmation. With no key pressed the call ends.
 */
export function voiceTwiml(input: VoiceTwimlInput): string {
  const repeatDigit = input.repeatDigit ?? '1';
  const optOutDigit = input.optOutDigit ?? '9';
  const say = { language: input.language, ...(input.voice ? { voice: input.voice } : {}) };
  const response = new twilio.twiml.VoiceResponse();
  const gather = response.gather({ numDigits: 1, action: input.actionUrl, method: 'POST', timeout: 6 });
  gather.say(say, input.text);
  if (input.prompt) gather.say(say, input.prompt.replaceAll('{repeatDigit}', repeatDigit).replaceAll('{optOutDigit}', optOutDigit));
  return response.toString();
}

/** What a key pressed during `voiceTwiml` asks for. */
export function keypressAction(digits: string | undefined, o: { repeatDigit?: string; optOutDigit?: string } = {}): 'repeat' | 'opt-out' | 'none' {
  if (digits === (o.repeatDigit ?? '1')) return 'repeat';
  if (digits === (o.optOutDigit ?? '9')) return 'opt-out';
  return 'none';
}

/** Maps an SDK error to one of the classes above; anything else (a bug in our call) is rethrown as it is. */
export function classifyTwilioError(e: unknown): TwilioRetryableError | TwilioRejectedError {
  if (e instanceof TwilioRetryableError || e instanceof TwilioRejectedError) return e;
  if (e instanceof twilio.RestException) {
    const status = e.status;
    // Twilio's message can quote the phone number; keep digits runs out of logs and workflow histories.
    const message = `Twilio ${status}${e.code ? ` error ${e.code}` : ''}: ${redactNumbers(e.message ?? '')}`;
    if (status === 429 || status >= 500) return new TwilioRetryableError(status, e.code, message);
    return new TwilioRejectedError(status, e.code, e.moreInfo, message);
  }
  // axios (inside the SDK) fails without a response when the connection is refused, reset or times out.
  // A timeout is ambiguous (Twilio may have accepted the message); the caller's idempotency record decides.
  const err = e as { isAxiosError?: boolean; response?: unknown; code?: string };
  if (err && typeof err === 'object' && (err.isAxiosError === true || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE'].includes(err.code ?? ''))) {
    return new TwilioRetryableError(undefined, undefined, `Twilio unreachable (${err.code ?? 'network error'})`);
  }
  throw e;
}

/** A malformed request is our bug, and sending it again will not fix it: fail without retrying. */
function parseOrFail<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input);
  if (!r.success) throw ApplicationFailure.nonRetryable(`invalid ${what}: ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`, 'twilio-invalid');
  return r.data;
}

function redactNumbers(s: string): string {
  return s.replace(/\+?\d[\d\s().-]{5,}\d/g, '<number>');
}

function logged<E extends TwilioRetryableError | TwilioRejectedError>(logger: Logger, idempotencyKey: string, e: E): E {
  logger.warn({ idempotencyKey, type: e.type, status: e.status, code: e.code }, 'twilio request failed');
  return e;
}

/**
 * Points the SDK at another base URL. twilio-node has no base-URL option: each domain hard-codes
 * `https://<product>.twilio.com` and applies TWILIO_REGION/TWILIO_EDGE to the host name. Its maintainers'
 * answer for mock servers (twilio/twilio-node#326) is the `httpClient` client option; this one is the SDK's
 * own RequestClient (same auth, encoding, timeouts and retry settings) with the `*.twilio.com` origin swapped
 * for the base URL just before the request goes out, after any region/edge rewriting.
 */
class BaseUrlRequestClient extends twilio.RequestClient {
  private readonly base: string;

  constructor(baseUrl: string, opts: RequestClient.RequestClientOptions) {
    super(opts);
    this.base = baseUrl.replace(/\/+$/, '');
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const u = new URL(opts.uri);
    if (!u.hostname.endsWith('.twilio.com')) return super.request(opts);
    return super.request({ ...opts, uri: `${this.base}${u.pathname}${u.search}` });
  }
}

/**
 * Twilio's webhooks (issue 4, "Changing or leaving" and "Delivery receipts"): inbound texts (STOP, HELP, START),
 * message and call status callbacks, and the keys pressed during a notice call.
 *
 * A plain Express router, mounted before the JSON route table: Twilio posts application/x-www-form-urlencoded and
 * signs the exact URL it called plus the form parameters (X-Twilio-Signature). The URL is rebuilt from the
 * configured PUBLIC_BASE_URL and the request path, never from the Host header, which a client chooses: behind a
 * proxy the Host seen here is not the one Twilio signed, and trusting it would let a caller pick the URL checked.
 * A request whose signature does not match is refused with 403 before anything is read or changed.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { appendAudit } from '../../db/audit';
import { channelAddress, getCountyOverride, getNotification, latestSubscriberOf, optOutAddress, recordDeliveryReceipt } from '../../db/subscriptions';
import { LanguageSchema, sayVoiceFor, type Language } from '../../domain/notify/channels';
import { formatPhone } from '../../domain/notify/format';
import { countyNameFor, CountyOverrideSchema, type CountyOverride } from '../../domain/notify/triggers';
import { createTwilioProvider, keypressAction, type SayLanguage, type SayVoice, type TwilioProvider } from '../../activities/providers/twilio';
import { loadConfig } from '../../runtime/config';
import { HttpProblem, sendProblem } from '../problem';
import type { Deps } from '../route';

export interface TwilioWebhookOptions {
  /** The origin Twilio calls (PUBLIC_BASE_URL), e.g. https://ballots.example.gov: signatures are checked against it. */
  publicBaseUrl: string;
  accountSid: string;
  authToken: string;
  /** The program replies name (PROGRAM_NAME), as the notices do. */
  programName: string;
}

/**
 * The webhook settings from the environment (runtime/config): PUBLIC_BASE_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
 * and PROGRAM_NAME. Undefined when the Twilio credentials are not set: the webhooks then answer 503, since a
 * signature cannot be checked without the token.
 */
export function twilioWebhookOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TwilioWebhookOptions | undefined {
  const cfg = loadConfig(env);
  if (!cfg.TWILIO_ACCOUNT_SID || !cfg.TWILIO_AUTH_TOKEN) return undefined;
  return { publicBaseUrl: cfg.PUBLIC_BASE_URL, accountSid: cfg.TWILIO_ACCOUNT_SID, authToken: cfg.TWILIO_AUTH_TOKEN, programName: cfg.PROGRAM_NAME };
}

// ---------- what the replies say ----------

type Lang = 'en' | 'es';
const replyLanguage = (l: Language | undefined): Lang => (l === 'es' ? 'es' : 'en');

/** Keywords, after trimming, upper-casing and dropping trailing punctuation ("Stop." is STOP). */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'END', 'CANCEL', 'UNSUBSCRIBE', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT']);
const HELP = new Set(['HELP', 'INFO', 'AYUDA']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);

export type Keyword = 'opt-out' | 'help' | 'opt-in' | 'other';

export function keywordOf(body: string): Keyword {
  const k = body.trim().toUpperCase().replace(/\s+/g, ' ').replace(/[.!¡?¿]+$/u, '').trim();
  if (OPT_OUT.has(k)) return 'opt-out';
  if (HELP.has(k)) return 'help';
  if (OPT_IN.has(k)) return 'opt-in';
  return 'other';
}

/** Who a reply comes from: the program, under the county's name when the number belongs to a county's subscriber. */
export interface Program {
  name: string;
  /** The county's display name in the reply's language. */
  county?: string;
  /** The county's number, E.164. */
  phone?: string;
  website?: string;
  signUp?: string;
}

function programFor(programName: string, county: CountyOverride | undefined, lang: Lang): Program {
  if (!county) return { name: programName };
  return { name: programName, county: countyNameFor(county, lang), phone: county.phone, website: county.websiteUrl, signUp: county.lookupUrl };
}

// The Secretary of State's voter hotlines: (800) 345-VOTE in English, (800) 232-VOTA in Spanish.
const STATE_HELP: Record<Lang, string> = {
  en: 'For help call the Secretary of State voter hotline, (800) 345-8683, or visit sos.ca.gov.',
  es: 'Para ayuda llame a la línea de votantes de la Secretaría de Estado, (800) 232-8682, o visite sos.ca.gov.',
};

/**
 * The answer to an inbound text. Each names the program (CTIA: opt-out confirmations and HELP answers carry the
 * program name) and starts with the county's name, as the notices do, when the number is known.
 */
export function smsReply(keyword: Keyword, p: Program, lang: Lang): string {
  const from = p.county ? `${p.county} - ${p.name}` : p.name;
  const help = p.phone
    ? (lang === 'es' ? `Para ayuda llame al ${formatPhone(p.phone, 'sms')}${p.website ? ` o visite ${p.website}` : ''}.` : `For help call ${formatPhone(p.phone, 'sms')}${p.website ? ` or visit ${p.website}` : ''}.`)
    : STATE_HELP[lang];
  const signUp = p.signUp ?? 'sos.ca.gov';
  switch (keyword) {
    case 'opt-out':
      return lang === 'es'
        ? `${from}: Se canceló su suscripción. No recibirá más mensajes de texto nuestros.`
        : `${from}: You are unsubscribed and will get no more texts from us.`;
    case 'help':
      return lang === 'es'
        ? `${from}: ${help} Responda STOP para cancelar. Pueden aplicarse tarifas de mensajes y datos.`
        : `${from}: ${help} Reply STOP to opt out. Msg & data rates may apply.`;
    case 'opt-in':
      // Texting START lifts the carrier's block, but notices need the consent and code of the web sign-up.
      return lang === 'es'
        ? `${from}: Para volver a recibir avisos de su boleta, inscríbase otra vez en ${signUp}.`
        : `${from}: To get ballot notices again, sign up again at ${signUp}.`;
    case 'other':
      return lang === 'es'
        ? `${from}: No leemos las respuestas. Responda HELP para ayuda o STOP para cancelar.`
        : `${from}: Replies are not read. Reply HELP for help or STOP to opt out.`;
    default: return unreachable(keyword);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled case ${String(x)}`);
}

const VOICE_TEXT: Record<Lang, { optedOut: (p: Program) => string; replay: (p: Program) => string; goodbye: string }> = {
  en: {
    optedOut: (p) => `You will get no more calls from ${p.county ?? p.name}. Goodbye.`,
    replay: (p) => `This was a message from ${p.county ?? p.name} about your vote-by-mail ballot.${p.phone ? ` For details, please call ${formatPhone(p.phone, 'voice')}.` : ''} To hear this again, press 1. To stop these calls, press 9.`,
    goodbye: 'Goodbye.',
  },
  es: {
    optedOut: (p) => `No recibirá más llamadas de ${p.county ?? p.name}. Adiós.`,
    replay: (p) => `Este fue un mensaje de ${p.county ?? p.name} acerca de su boleta de voto por correo.${p.phone ? ` Para más información, llame al ${formatPhone(p.phone, 'voice')}.` : ''} Para escuchar esto otra vez, oprima 1. Para dejar de recibir estas llamadas, oprima 9.`,
    goodbye: 'Adiós.',
  },
};

// ---------- the router ----------

const InboundSms = z.object({ From: z.string().min(1).max(40), To: z.string().max(40).optional(), Body: z.string().max(1600).default('') });
const StatusCallback = z.object({
  MessageSid: z.string().optional(), CallSid: z.string().optional(),
  MessageStatus: z.string().optional(), CallStatus: z.string().optional(), ErrorCode: z.string().optional(),
}).refine((p) => (p.MessageSid ?? p.CallSid) && (p.MessageStatus ?? p.CallStatus), 'needs MessageSid or CallSid and a status');
const Gather = z.object({ Digits: z.string().max(20).optional(), To: z.string().max(40).optional(), CallSid: z.string().optional() });
const KeyQuery = z.object({ key: z.string().min(1).max(500).optional() });

export function twilioWebhookRouter(deps: Pick<Deps, 'pool' | 'logger'>, opts: TwilioWebhookOptions | undefined = twilioWebhookOptionsFromEnv()): Router {
  const router = express.Router();
  const base = '/api/webhooks/twilio';
  const logger = deps.logger.child({ component: 'twilio-webhooks' });
  router.use(base, express.urlencoded({ extended: false, limit: '64kb' }));
  if (!opts) {
    router.use(base, (req: Request, res: Response) => sendProblem(res, new HttpProblem(503, 'Unavailable', 'Twilio is not configured on this server'), String(req.id ?? '')));
    return router;
  }
  const provider: TwilioProvider = createTwilioProvider({ accountSid: opts.accountSid, authToken: opts.authToken, logger });
  const publicBase = opts.publicBaseUrl.replace(/\/+$/, '');
  const programName = opts.programName;

  router.use(base, (req: Request, res: Response, next: NextFunction) => {
    const requestId = String(req.id ?? '');
    if (req.method !== 'POST') return sendProblem(res, new HttpProblem(405, 'Method Not Allowed', 'Twilio webhooks are POST'), requestId);
    const url = `${publicBase}${req.originalUrl}`;
    const params = (req.body ?? {}) as Record<string, unknown>;
    if (!provider.verifySignature(url, params, req.header('x-twilio-signature'))) {
      logger.warn({ requestId, path: req.path }, 'twilio webhook refused: signature does not match');
      return sendProblem(res, new HttpProblem(403, 'Forbidden', 'X-Twilio-Signature does not match this request'), requestId);
    }
    next();
  });

  const twiml = (res: Response, xml: string) => { res.status(200).type('text/xml').send(xml); };
  const handle = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) => {
    fn(req, res).catch((err: unknown) => {
      logger.error({ err, requestId: req.id, path: req.path }, 'twilio webhook failed');
      // Twilio shows a failed webhook in its console as error 11200.
      if (!res.headersSent) sendProblem(res, new HttpProblem(500, 'Internal Server Error', 'something went wrong; the request id identifies it in the logs'), String(req.id ?? ''));
    });
  };
  const county = async (slug: string | undefined): Promise<CountyOverride | undefined> => {
    if (!slug) return undefined;
    const c = CountyOverrideSchema.safeParse(await getCountyOverride(deps.pool, slug));
    return c.success ? c.data : undefined;
  };

  // Inbound texts: STOP and its synonyms opt the number out at once (domain.md §10), HELP names the program and
  // the county's contact, START explains that notices need the web sign-up, anything else gets a short help line.
  router.post(`${base}/sms`, handle(async (req, res) => {
    const m = InboundSms.safeParse(req.body);
    if (!m.success) return sendProblem(res, new HttpProblem(422, 'Invalid request', 'an inbound message needs From and Body'), String(req.id ?? ''));
    const keyword = keywordOf(m.data.Body);
    const subscriber = await latestSubscriberOf(deps.pool, 'sms', m.data.From);
    const lang = replyLanguage(subscriber?.language);
    let optedOut = 0;
    if (keyword === 'opt-out') {
      // The consent record keeps what the voter actually sent.
      optedOut = (await optOutAddress(deps.pool, 'sms', m.data.From, 'sms', m.data.Body)).subscriptionIds.length;
      await appendAudit(deps.pool, { actor: 'twilio', action: 'smsOptOut', target: subscriber?.subscriptionId ?? '', requestId: String(req.id ?? ''), result: '200', detail: { subscriptionsOptedOut: optedOut } });
    }
    const reply = new twilio.twiml.MessagingResponse();
    reply.message(smsReply(keyword, programFor(programName, await county(subscriber?.county), lang), lang));
    logger.info({ requestId: req.id, keyword, known: !!subscriber, optedOut }, 'inbound sms');
    twiml(res, reply.toString());
  }));

  // Delivery receipts for messages and calls. The callback URL carries the notice key (activities/providers/twilio),
  // which finds the notice even if the provider id was not stored yet.
  router.post(`${base}/status`, handle(async (req, res) => {
    const p = StatusCallback.safeParse(req.body);
    const q = KeyQuery.safeParse(req.query);
    if (!p.success || !q.success) return sendProblem(res, new HttpProblem(422, 'Invalid request', 'a status callback needs MessageSid or CallSid and a status'), String(req.id ?? ''));
    const r = await recordDeliveryReceipt(deps.pool, {
      providerMessageId: (p.data.MessageSid ?? p.data.CallSid)!,
      status: (p.data.MessageStatus ?? p.data.CallStatus)!,
      errorCode: p.data.ErrorCode ?? null,
      payload: req.body as Record<string, unknown>,
      ...(q.data.key ? { key: q.data.key } : {}),
    });
    if (!r.matched) logger.warn({ requestId: req.id, sid: p.data.MessageSid ?? p.data.CallSid }, 'status callback for an unknown message');
    res.status(204).end();
  }));

  // A key pressed during a notice call (<Gather action>): 1 hears it again, 9 stops these calls.
  router.post(`${base}/voice`, handle(async (req, res) => {
    const g = Gather.safeParse(req.body);
    const q = KeyQuery.safeParse(req.query);
    if (!g.success || !q.success) return sendProblem(res, new HttpProblem(422, 'Invalid request', 'a keypress needs Digits'), String(req.id ?? ''));
    const notice = q.data.key ? await getNotification(deps.pool, q.data.key) : undefined;
    const language = LanguageSchema.safeParse(notice?.language);
    // Only English and Spanish are written here; other languages are read in English with an English voice.
    const lang = replyLanguage(language.success ? language.data : undefined);
    const voice = sayVoiceFor(lang).say;
    const say = { language: voice.language as SayLanguage, voice: voice.voice as SayVoice };
    // The callee of a notice call is the voter: the subscription's voice address, or the call's To.
    const address = (notice ? await channelAddress(deps.pool, notice.subscriptionId, 'voice') : undefined) ?? g.data.To;
    const subscriber = address ? await latestSubscriberOf(deps.pool, 'voice', address) : undefined;
    const program = programFor(programName, await county(subscriber?.county), lang);
    const response = new twilio.twiml.VoiceResponse();
    const action = keypressAction(g.data.Digits);
    if (action === 'opt-out' && address) {
      const r = await optOutAddress(deps.pool, 'voice', address, 'voice', `keypress ${g.data.Digits}`);
      await appendAudit(deps.pool, { actor: 'twilio', action: 'voiceOptOut', target: notice?.subscriptionId ?? subscriber?.subscriptionId ?? '', requestId: String(req.id ?? ''), result: '200', detail: { subscriptionsOptedOut: r.subscriptionIds.length } });
      response.say(say, VOICE_TEXT[lang].optedOut(program));
      response.hangup();
    } else if (action === 'repeat') {
      // The notice's own words, as the call spoke them (stored when the provider accepted the call; they end with
      // the keys). A call placed before they were stored, or a purged election's, gets a generic line with the keys.
      const gather = response.gather({ numDigits: 1, action: `${publicBase}${req.originalUrl}`, method: 'POST', timeout: 6 });
      gather.say(say, notice?.spokenText ?? VOICE_TEXT[lang].replay(program));
    } else {
      response.say(say, VOICE_TEXT[lang].goodbye);
      response.hangup();
    }
    logger.info({ requestId: req.id, action, known: !!notice }, 'voice keypress');
    twiml(res, response.toString());
  }));

  return router;
}

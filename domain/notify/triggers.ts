/**
 * Which ballot events notify the voter, on which channels (issue 4, "Triggers and templates, configured by the
 * state"; domain.md §2: the SOS configures the data events that trigger messages), and the county's identity the
 * messages are sent under (domain.md §10: leading services send from the county's own identity).
 *
 * Pure: the ballot workflow calls `noticesForEvent` on each event of its outbox and `channelsFor` with the state's
 * configuration, then intersects with the channels the voter subscribed to.
 */
import { z } from 'zod';
import { REASONS, ReasonCodeSchema, type ReasonCode } from '../reason-codes';
import { type BallotAlert, type BallotEvent, type BallotStatus } from '../ballot';
import { CountySchema } from '../ids';
import { CHANNELS, ChannelSchema, LanguageSchema, type Channel, type Language } from './channels';
import { NoticeReasonSchema, type NoticeReason } from './reasons';
import { isGsm7 } from './sms';

// ---------- notice kinds ----------

export const NoticeKindSchema = z.enum([
  /** Handed to USPS, with the window the voter should expect it in (EC §3019.7). */
  'mailed',
  /** USPS has the ballot and now predicts when it arrives. */
  'expected-delivery',
  /** No delivery evidence some days after the expected window (ballot alert `delayed`). */
  'delayed',
  /** Returned to the county by USPS, or marked undeliverable in county data. */
  'undeliverable',
  /** Received by the county. */
  'received',
  /** Counted (also after a signature was cured). */
  'counted',
  /** Not counted, with the reason and how to fix it. */
  'not-counted',
  /** A signature problem the voter can fix with a cure form (EC §3019). */
  'cure-needed',
  /** The cure form has still not arrived as the cure deadline nears. */
  'cure-reminder',
  /** Not returned yet as election day nears. */
  'return-deadline-reminder',
  /** News about the election itself (e.g. vote centers open, a date change), sent by the election workflow. */
  'election-update',
]);
export type NoticeKind = z.infer<typeof NoticeKindSchema>;
export const NOTICE_KINDS: readonly NoticeKind[] = NoticeKindSchema.options;

/** A notice an event calls for. `reason` is set for not-counted and cure-needed. */
export interface TriggeredNotice {
  kind: NoticeKind;
  reason?: NoticeReason;
}

/** News about an election, from the election workflow: every subscribed voter of the election is told. */
export interface ElectionUpdateEvent {
  type: 'election-update';
  atMs: number;
  detail: Record<string, unknown>;
}

export type NotifiableEvent = BallotEvent | ElectionUpdateEvent;

export interface TriggerContext {
  /**
   * The ballot's cure deadline (BallotCalendar.cureDeadlineAtMs). A county may report "not accepted, no
   * signature" after it passed: the ballot can no longer be cured, and a notice offering the cure form would
   * mislead. With the deadline known, such a reason is told as `not-cured`.
   */
  cureDeadlineAtMs?: number;
}

/**
 * The voter notices one event of a ballot's outbox calls for (domain/ballot.ts, applyFact and dueAlerts):
 * - `status-changed` to mailed → mailed (its detail carries the expected window); in-mail-stream → expected-delivery
 *   (USPS has scanned it, and its prediction, if any, is now known); undeliverable; received; accepted → counted;
 *   not-accepted → not-counted with its reason; cure-pending → cure-needed with its reason.
 * - `alert:delayed` → delayed; `alert:return-reminder` → return-deadline-reminder; `alert:cure-reminder` → cure-reminder.
 * - Nothing for the county's own alerts (`no-scan`, `receipt-escalation`), and nothing for issued, delivered (letters
 *   have no true delivery scan: the date is an estimate, domain.md §8), returned (USPS has the return envelope; the
 *   voter hears when the county receives it), in-review (temporary until accepted or not, 2 CCR §19092) and superseded
 *   (the new ballot's own events notify).
 * An event of a kind this module does not know is a broken invariant (a new event nobody mapped): it throws, so the
 * gap is found instead of notices silently missing.
 */
export function noticesForEvent(event: NotifiableEvent, context: TriggerContext = {}): TriggeredNotice[] {
  if (event.type === 'election-update') return [{ kind: 'election-update' }];
  const e = event as BallotEvent;
  if (e.type === 'status-changed') {
    if (!e.status) throw new Error('status-changed event without a status');
    return noticesForStatus(e.status, e.reasonCodes ?? [], e.atMs, context);
  }
  if (e.type.startsWith('alert:')) {
    const alert = AlertTypeSchema.safeParse(e.type.slice('alert:'.length));
    if (!alert.success) throw new Error(`no notice mapping for ballot event "${e.type}"`);
    return noticesForAlert(alert.data);
  }
  throw new Error(`no notice mapping for ballot event "${e.type}"`);
}

const AlertTypeSchema = z.enum(['no-scan', 'delayed', 'return-reminder', 'receipt-escalation', 'cure-reminder']);
// Keeps the list above in step with domain/ballot.ts: a new alert type there fails the type check here.
const _alertTypesMatch: [BallotAlert['type']] extends [z.infer<typeof AlertTypeSchema>] ? true : never = true;
void _alertTypesMatch;

function noticesForAlert(type: BallotAlert['type']): TriggeredNotice[] {
  switch (type) {
    case 'delayed': return [{ kind: 'delayed' }];
    case 'return-reminder': return [{ kind: 'return-deadline-reminder' }];
    case 'cure-reminder': return [{ kind: 'cure-reminder' }];
    // For the county only: a ballot with no scan yet, a return envelope scanned but not received.
    case 'no-scan':
    case 'receipt-escalation':
      return [];
    default: return unreachable(type);
  }
}

function noticesForStatus(status: BallotStatus, reasonCodes: string[], atMs: number, context: TriggerContext): TriggeredNotice[] {
  switch (status) {
    case 'mailed': return [{ kind: 'mailed' }];
    case 'in-mail-stream': return [{ kind: 'expected-delivery' }];
    case 'undeliverable': return [{ kind: 'undeliverable' }];
    case 'received': return [{ kind: 'received' }];
    case 'accepted': return [{ kind: 'counted' }];
    case 'not-accepted': return [{ kind: 'not-counted', reason: notCountedReason(reasonCodes, atMs, context) }];
    case 'cure-pending': return [{ kind: 'cure-needed', reason: knownCodes(reasonCodes).find((c) => REASONS[c].curable) ?? 'unspecified' }];
    case 'issued':
    case 'delivered':
    case 'returned':
    case 'in-review':
    case 'superseded':
      return [];
    default: return unreachable(status);
  }
}

/**
 * The one reason a not-counted notice gives when the record carries several (extracts "carry multiple reason
 * codes"): the first that is final, since fixing anything else would not make the ballot count (a late ballot with
 * a signature problem is still late); else the curable one, or `not-cured` once the cure deadline has passed;
 * `unspecified` when the county gave no code this system knows.
 */
export function notCountedReason(reasonCodes: string[], atMs: number, context: TriggerContext = {}): NoticeReason {
  const codes = knownCodes(reasonCodes);
  const final = codes.find((c) => REASONS[c].final);
  if (final) return final;
  const curable = codes.find((c) => REASONS[c].curable);
  if (curable) return context.cureDeadlineAtMs !== undefined && atMs > context.cureDeadlineAtMs ? 'not-cured' : curable;
  return 'unspecified';
}

function knownCodes(codes: string[]): ReasonCode[] {
  return codes.flatMap((c) => {
    const known = ReasonCodeSchema.safeParse(c);
    return known.success ? [known.data] : [];
  });
}

function unreachable(x: never): never {
  throw new Error(`unhandled case ${String(x)}`);
}

// ---------- state configuration: which notices go out on which channels ----------

const ChannelListSchema = z
  .array(ChannelSchema)
  .refine((cs) => new Set(cs).size === cs.length, 'lists a channel more than once');

export const TriggerConfigSchema = z.object({
  /** Every notice kind must be listed (an empty list turns it off): a kind nobody configured is a mistake. */
  notices: z.record(NoticeKindSchema, ChannelListSchema),
  /** For not-counted only: channels per reason, replacing `notices['not-counted']` for that reason. */
  notCountedByReason: z.partialRecord(NoticeReasonSchema, ChannelListSchema).default({}),
});
export type TriggerConfig = z.infer<typeof TriggerConfigSchema>;

const ALL: Channel[] = ['email', 'sms', 'voice'];

/**
 * The statewide default. Every notice EC §3019.7 requires goes out on every channel, since a voter who chose only
 * voice must still hear it. Expected delivery and election updates skip voice: a second call in the same week
 * about the same ballot is more than most voters want, and the mailed call already gave the window.
 */
export const DEFAULT_TRIGGER_CONFIG: TriggerConfig = {
  notices: {
    mailed: ALL,
    'expected-delivery': ['email', 'sms'],
    delayed: ALL,
    undeliverable: ALL,
    received: ALL,
    counted: ALL,
    'not-counted': ALL,
    'cure-needed': ALL,
    'cure-reminder': ALL,
    'return-deadline-reminder': ALL,
    'election-update': ['email', 'sms'],
  },
  notCountedByReason: {
    // Counties tell these by letter or a call from staff: an automated "the voter is recorded as deceased" reaches
    // a grieving family, or a living voter wrongly marked deceased, who needs a person to talk to.
    'voter-deceased': [],
  },
};

/** The channels the state enables for a notice (in the order email, sms, voice). */
export function channelsFor(config: TriggerConfig, notice: NoticeKind, reason?: NoticeReason): Channel[] {
  const override = notice === 'not-counted' && reason !== undefined ? config.notCountedByReason[reason] : undefined;
  const enabled = override ?? config.notices[notice];
  return CHANNELS.filter((c) => enabled.includes(c));
}

// ---------- county identity ----------

/** E.164: "+", a country code, at most 15 digits in all (ITU-T E.164). Twilio takes and returns numbers this way. */
export const E164Schema = z
  .string()
  .regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 phone number: "+", country code and number, digits only, e.g. +15596008683');

/**
 * Links sent to voters: https only (a plain-http link in a message about a ballot invites tampering and phishing
 * look-alikes) on a public domain name. At most 60 characters because they go into text messages, where the
 * templates' two-segment budget assumes links that long (templates.ts, WORST_CASE); a county with a long page
 * address uses its own short link, e.g. https://www.sccvote.org/cure.
 */
export const MAX_URL_LENGTH = 60;
export const VoterLinkSchema = z
  .url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'must be an https:// link on a public domain, e.g. https://www.sccvote.org/cure' })
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters (it goes into text messages; use the county's short link)`);

/**
 * A county name as messages show it: at most 32 characters ("San Luis Obispo County Elections" is 32) and in
 * GSM-7 letters only, because it starts every text message: one letter outside GSM-7 makes every SMS of the county
 * UCS-2 and twice as costly.
 */
export const MAX_COUNTY_NAME_LENGTH = 32;
export const CountyDisplayNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_COUNTY_NAME_LENGTH, `must be at most ${MAX_COUNTY_NAME_LENGTH} characters (it starts every text message)`)
  // Only within the limit: the GSM-7 check is quadratic in length, and an over-long name is refused already.
  .refine((s) => s.length > MAX_COUNTY_NAME_LENGTH || isGsm7(s), 'must use GSM-7 characters only (an accented letter such as í makes every text message UCS-2, twice the segments)');

/** What a county is called until it configures its identity: `los-angeles` → "Los Angeles County Elections". */
export function defaultCountyName(county: string): string {
  return `${county.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ')} County Elections`;
}

export const CountyOverrideSchema = z.object({
  county: CountySchema,
  /** E.g. "Fresno County Elections". */
  displayName: CountyDisplayNameSchema,
  /** The name in other languages, e.g. es: "Elecciones del Condado de Fresno"; other languages fall back to displayName. */
  displayNameByLanguage: z
    .partialRecord(LanguageSchema, z.string().trim().min(1, 'must not be empty').max(MAX_COUNTY_NAME_LENGTH, `must be at most ${MAX_COUNTY_NAME_LENGTH} characters`))
    .default({})
    .superRefine((names, ctx) => {
      // Latin-script languages share the GSM-7 budget of displayName; the others are UCS-2 anyway.
      for (const lang of ['en', 'es'] as const) {
        const name = names[lang];
        if (name !== undefined && name.length <= MAX_COUNTY_NAME_LENGTH && !isGsm7(name)) {
          ctx.addIssue({ code: 'custom', path: [lang], message: 'must use GSM-7 characters only (it starts every text message)' });
        }
      }
    }),
  /** The elections office number voters call. */
  phone: E164Schema,
  websiteUrl: VoterLinkSchema,
  /** Where a voter looks up their ballot without an account (domain.md §10). */
  lookupUrl: VoterLinkSchema,
  /** The page with the county's cure forms (EC §3019.7: a signature problem links to the cure form). */
  cureFormUrl: VoterLinkSchema,
  sender: z.object({
    email: z.object({
      /** Display name of From:, e.g. "Fresno County Elections". No line breaks, angle brackets or quotes: header safety. */
      fromName: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').regex(/^[^\r\n<>"]+$/, 'must not contain line breaks, <, > or "'),
      fromAddress: z.email({ error: 'must be an email address, e.g. elections@fresnocountyca.gov' }),
    }),
    sms: z.object({
      /** Sending numbers: SMS is rate limited per number (1 per second), so more numbers send faster. */
      numbers: z.array(E164Schema).min(1, 'must list at least one sending number').refine((ns) => new Set(ns).size === ns.length, 'lists a number more than once'),
    }),
    voice: z.object({ callerId: E164Schema }),
  }),
});
export type CountyOverride = z.infer<typeof CountyOverrideSchema>;

export interface FieldProblem {
  /** Dotted path of the field, e.g. "sender.sms.numbers.1". */
  field: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldProblem[] };

/** Reads a county's settings (admin API, JSON column), naming every wrong field. */
export function parseCountyOverride(input: unknown): ParseResult<CountyOverride> {
  return toResult(CountyOverrideSchema.safeParse(input));
}

/** Reads the state's trigger configuration, naming every wrong field. */
export function parseTriggerConfig(input: unknown): ParseResult<TriggerConfig> {
  return toResult(TriggerConfigSchema.safeParse(input));
}

export function toResult<T>(r: { success: true; data: T } | { success: false; error: z.ZodError }): ParseResult<T> {
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, errors: r.error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })) };
}

/** The county's name in the voter's language, or its default display name. */
export function countyNameFor(county: CountyOverride, language: Language): string {
  return county.displayNameByLanguage[language] ?? county.displayName;
}

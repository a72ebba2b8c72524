/**
 * Notice texts: one template per notice kind × channel × language, versioned, written by the state (issue 4,
 * "Triggers and templates"). A new version applies to every message not yet sent, because the text is chosen when a
 * message is rendered, not when it is queued.
 *
 * Templates are mustache with plain `{{placeholder}}` variables only: no sections, partials or lambdas, so what a
 * state admin writes is what a voter reads, and the one check that matters (is every placeholder known, and does it
 * have a value for this notice?) can be made when the template is saved rather than when a message is sent.
 *
 * not-counted and cure-needed templates may be specific to one reason (`reason`): a signature problem's notice must
 * link to the cure form and give its deadline (EC §3019.7), which a text for "arrived too late" must not.
 */
import Mustache from 'mustache';
import { z } from 'zod';
import { ChannelSchema, FALLBACK_LANGUAGE, LANGUAGES, LanguageSchema, CHANNELS, type Channel, type Language } from './channels';
import { NOTICE_KINDS, NoticeKindSchema, type NoticeKind } from './triggers';
import { NoticeReasonSchema, reasonText, type NoticeReason } from './reasons';
import { formatNoticeDate, formatNoticeDeadline, formatPhone } from './format';
import { smsSize } from './sms';
import { pacificTime } from '../time';

// ---------- placeholders ----------

export const PlaceholderSchema = z.enum([
  'voterFirstName', 'countyName', 'countyPhone', 'electionDate', 'returnDeadline', 'lookupUrl', 'programName',
  'unsubscribeUrl', 'expectedFrom', 'expectedTo', 'reason', 'reasonShort', 'howToFix', 'cureFormUrl', 'cureDeadline',
  'updateText',
]);
export type Placeholder = z.infer<typeof PlaceholderSchema>;
export type TemplateValues = Partial<Record<Placeholder, string>>;

/** What each placeholder holds. Dates are formatted with format.ts in the notice's language. */
export const PLACEHOLDER_DOCS: Record<Placeholder, string> = {
  voterFirstName: 'The voter\'s first name as registered. Kept out of the default SMS and voice texts: a text shows on a locked screen and anyone may answer a call.',
  countyName: 'The county\'s display name in the notice\'s language (CountyOverride), at most 32 characters.',
  countyPhone: 'The elections office number: "(559) 600-8683" in writing, digit by digit on a call (formatPhone).',
  electionDate: 'Election day, e.g. "November 3, 2026".',
  returnDeadline: 'The last day to return the ballot: postmarked by it, or dropped off by 8 p.m. on it (election day, EC §3020).',
  lookupUrl: 'Where the voter looks up their ballot without an account, at most 60 characters.',
  programName: 'The name of the notification program, at most 32 characters (also the HELP reply).',
  unsubscribeUrl: 'The voter\'s signed, expiring link to change or cancel notices. Email only: SMS uses STOP, voice the 9 key.',
  expectedFrom: 'First day of the expected delivery window (USPS prediction, else the First-Class service standard).',
  expectedTo: 'Last day of the expected delivery window.',
  reason: 'Why the ballot is not counted, one sentence (domain/reason-codes.ts label).',
  reasonShort: 'The reason in a few words for SMS (reasons.ts SMS_REASONS); GSM-7 letters only in Spanish.',
  howToFix: 'What the voter can do about the reason (domain/reason-codes.ts).',
  cureFormUrl: 'The county\'s cure form page, at most 60 characters.',
  cureDeadline: 'When the cure form must reach the county, worded to follow "by": "5 p.m. on September 28, 2026".',
  updateText: 'The news of an election update, at most 70 characters (ElectionUpdateTextSchema).',
};

const COMMON: Placeholder[] = ['voterFirstName', 'countyName', 'countyPhone', 'electionDate', 'returnDeadline', 'lookupUrl', 'programName'];
const WINDOW: Placeholder[] = ['expectedFrom', 'expectedTo'];
const CURE: Placeholder[] = ['reason', 'reasonShort', 'howToFix', 'cureFormUrl', 'cureDeadline'];

/** The placeholders a notice of `kind` has values for, beyond COMMON. A placeholder outside it would throw at send time. */
const BY_KIND: Record<NoticeKind, Placeholder[]> = {
  mailed: WINDOW,
  'expected-delivery': WINDOW,
  delayed: WINDOW,
  undeliverable: [],
  received: [],
  counted: [],
  'not-counted': CURE,
  'cure-needed': CURE,
  'cure-reminder': CURE,
  'return-deadline-reminder': [],
  'election-update': ['updateText'],
};

/** Every placeholder a template for this notice and channel may use; the sender must supply a value for each. */
export function placeholdersFor(kind: NoticeKind, channel: Channel): Placeholder[] {
  return [...COMMON, ...BY_KIND[kind], ...(channel === 'email' ? ['unsubscribeUrl' as const] : [])];
}

/** Election update texts are short: they go into an SMS after the county name, possibly in UCS-2. */
export const ELECTION_UPDATE_MAX_LENGTH = 70;
export const ElectionUpdateTextSchema = z.string().trim().min(1).max(ELECTION_UPDATE_MAX_LENGTH);
/** The program's name, as the state configures it (also the HELP reply). */
export const PROGRAM_NAME_MAX_LENGTH = 32;
export const ProgramNameSchema = z.string().trim().min(1).max(PROGRAM_NAME_MAX_LENGTH);

// ---------- templates ----------

export const TemplateSchema = z.object({
  kind: NoticeKindSchema,
  channel: ChannelSchema,
  language: LanguageSchema,
  /** Only for not-counted and cure-needed: this text is for this reason; without it, for any reason. */
  reason: NoticeReasonSchema.optional(),
  version: z.number().int().min(1),
  /** Email only. */
  subject: z.string().max(300).optional(),
  /** Bounded so that no check (SMS segment counting is quadratic in length) can hold the API for long. */
  body: z.string().min(1).max(20_000),
});
export type Template = z.infer<typeof TemplateSchema>;

export const REASON_SPECIFIC_KINDS: readonly NoticeKind[] = ['not-counted', 'cure-needed'];

/**
 * Limits, each the point past which the message stops working:
 * - SMS: segments as Twilio counts them (smsSize), two by default: a third costs 50 % more per notice and long
 *   concatenated messages are more often split or delayed by carriers.
 * - Voice: 900 characters, about a minute of English or Spanish at the usual text-to-speech pace (~150 words a
 *   minute, ~15 characters a second). Voters hang up on long recordings, and the message is offered again with 1.
 *   Twilio's own limit is far higher (4 KB per <Say>). Chinese, Japanese, Korean and Thai say more per character:
 *   their translators should keep to a minute rather than to the count.
 * - Email subject: 78 characters (RFC 5322 §2.1.1's line length; inboxes cut long subjects).
 */
export const DEFAULT_MAX_SMS_SEGMENTS = 2;
export const VOICE_MAX_CHARS = 900;
export const EMAIL_SUBJECT_MAX_CHARS = 78;

export interface TemplateProblem {
  /** The template field at fault: kind, channel, language, reason, version, subject or body. */
  field: string;
  message: string;
}

export interface ValidateOptions {
  maxSmsSegments: number;
}

/**
 * Everything wrong with a template, each problem naming its field; empty when it may be saved. Lengths are
 * measured on the template rendered with WORST-CASE values (worstCaseValues), so a template that passes fits for
 * every voter and every valid county configuration.
 */
/** Ten GSM-7 segments: far above any configured SMS limit, and a minute and more of speech. */
export const MAX_SHORT_BODY = 1600;

export function validateTemplate(input: unknown, options: ValidateOptions = { maxSmsSegments: DEFAULT_MAX_SMS_SEGMENTS }): TemplateProblem[] {
  const parsed = TemplateSchema.safeParse(input);
  if (!parsed.success) return parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'template', message: i.message }));
  const t = parsed.data;
  const problems: TemplateProblem[] = [];
  if (t.channel !== 'email' && t.body.length > MAX_SHORT_BODY) {
    return [{ field: 'body', message: `a ${t.channel} template must be at most ${MAX_SHORT_BODY} characters` }];
  }

  if (t.reason !== undefined && !REASON_SPECIFIC_KINDS.includes(t.kind)) {
    problems.push({ field: 'reason', message: `only ${REASON_SPECIFIC_KINDS.join(' and ')} templates may be specific to a reason, not ${t.kind}` });
  }
  if (t.channel === 'email' && (t.subject === undefined || t.subject.trim() === '')) {
    problems.push({ field: 'subject', message: 'an email needs a subject' });
  }
  if (t.channel !== 'email' && t.subject !== undefined) {
    problems.push({ field: 'subject', message: `only email has a subject; a ${t.channel} template must not` });
  }

  const allowed = placeholdersFor(t.kind, t.channel);
  const fields: ['body' | 'subject', string][] = [['body', t.body]];
  if (t.channel === 'email' && t.subject !== undefined) fields.push(['subject', t.subject]);
  let tagProblems = 0;
  for (const [field, text] of fields) {
    for (const message of tagErrors(text, allowed, t.kind, t.channel)) {
      problems.push({ field, message });
      tagProblems++;
    }
  }

  // Voter-facing duties, checkable in any language: a way out in every message (domain.md §10).
  if (t.channel === 'sms' && !/\bSTOP\b/.test(t.body)) {
    problems.push({ field: 'body', message: 'an SMS must tell how to opt out with the keyword STOP (e.g. "Reply STOP to opt out")' });
  }
  if (t.channel === 'email' && !usesPlaceholder(t.body, 'unsubscribeUrl')) {
    problems.push({ field: 'body', message: 'an email must carry the {{unsubscribeUrl}} link' });
  }

  if (tagProblems > 0) return problems; // lengths of a template that cannot be rendered mean nothing
  const sample = renderTemplate(t, worstCaseValues(t.language, t.channel, t.reason));
  if (t.channel === 'sms') {
    const size = smsSize(sample.text);
    if (size.segments > options.maxSmsSegments) {
      const why = size.encoding === 'UCS-2' ? ` (UCS-2 because of ${size.nonGsmCharacters.map((c) => `"${c}"`).join(', ')}: 67 characters a segment instead of 153)` : '';
      problems.push({ field: 'body', message: `the SMS takes ${size.segments} segments with the longest values, more than the ${options.maxSmsSegments} allowed${why}` });
    }
  }
  if (t.channel === 'voice' && [...sample.text].length > VOICE_MAX_CHARS) {
    problems.push({ field: 'body', message: `the call reads ${[...sample.text].length} characters with the longest values, more than ${VOICE_MAX_CHARS} (about a minute)` });
  }
  if (sample.subject !== undefined && [...sample.subject].length > EMAIL_SUBJECT_MAX_CHARS) {
    problems.push({ field: 'subject', message: `the subject is ${[...sample.subject].length} characters with the longest values, more than ${EMAIL_SUBJECT_MAX_CHARS}` });
  }
  return problems;
}

type Token = [string, string, number, number, ...unknown[]];

function tokens(text: string): Token[] {
  return Mustache.parse(text) as unknown as Token[];
}

function tagErrors(text: string, allowed: Placeholder[], kind: NoticeKind, channel: Channel): string[] {
  let toks: Token[];
  try {
    toks = tokens(text);
  } catch (e) {
    // Mustache reports "Unclosed tag at 12", "Unclosed section \"x\" at 3", "Unopened section ...".
    return [`cannot be read: ${(e as Error).message}`];
  }
  const errors: string[] = [];
  for (const [type, value] of toks) {
    if (type === 'text') {
      if (value.includes('}}')) errors.push('has a "}}" with no "{{" before it');
      const single = /(?<!\{)\{\s*([A-Za-z]\w*)\s*\}(?!\})/.exec(value);
      if (single) errors.push(`"{${single[1]}}" looks like a placeholder with single braces; write {{${single[1]}}}`);
    } else if (type === 'name') {
      const p = PlaceholderSchema.safeParse(value);
      if (!p.success) errors.push(`unknown placeholder {{${value}}}; known: ${PlaceholderSchema.options.join(', ')}`);
      else if (!allowed.includes(p.data)) errors.push(`{{${value}}} has no value in a ${kind} ${channel} notice; available: ${allowed.join(', ')}`);
    } else {
      errors.push(`${describeTag(type, value)} is not allowed: templates take plain {{placeholder}} variables only`);
    }
  }
  return errors;
}

function describeTag(type: string, value: string): string {
  switch (type) {
    case '#': return `the section {{#${value}}}`;
    case '^': return `the inverted section {{^${value}}}`;
    case '>': return `the partial {{>${value}}}`;
    case '&': return `the unescaped variable {{&${value}}}`;
    case '!': return 'a comment {{! }}';
    case '=': return 'a delimiter change {{= =}}';
    default: return `the tag "${type}${value}"`;
  }
}

function usesPlaceholder(text: string, p: Placeholder): boolean {
  try {
    return tokens(text).some(([type, value]) => type === 'name' && value === p);
  } catch {
    return false;
  }
}

export interface RenderedNotice {
  subject?: string;
  text: string;
}

/**
 * Fills a template. Nothing is escaped: SMS and voice are plain text, and email is sent as text/plain (no HTML, so
 * nothing to inject). A placeholder without a value is a broken invariant (validateTemplate checks each template
 * against placeholdersFor, and the sender supplies all of them): it throws rather than send "Dear ,".
 */
export function renderTemplate(t: Template, values: TemplateValues): RenderedNotice {
  const fill = (text: string, field: string) =>
    tokens(text)
      .map(([type, value]) => {
        if (type === 'text') return value;
        if (type !== 'name') throw new Error(`template ${templateId(t)} ${field}: ${describeTag(type, value)} is not allowed`);
        const v = values[value as Placeholder];
        if (v === undefined) throw new Error(`template ${templateId(t)} ${field}: no value for {{${value}}}`);
        return v;
      })
      .join('');
  const text = fill(t.body, 'body');
  if (t.channel !== 'email') return { text };
  // A subject is one header line: values with line breaks must not split it.
  return { subject: fill(t.subject ?? '', 'subject').replace(/\s+/g, ' ').trim(), text };
}

export function templateId(t: Pick<Template, 'kind' | 'channel' | 'language' | 'reason' | 'version'>): string {
  return `${t.kind}/${t.channel}/${t.language}${t.reason ? `/${t.reason}` : ''}/v${t.version}`;
}

// ---------- worst-case values ----------

/** A link of exactly the longest length a county may configure (triggers.ts MAX_URL_LENGTH). */
const LONGEST_LINK = 'https://www.slocounty.ca.gov/elections/ballot-cure-statement';
/** Our own signed, expiring link: a 120-character token (payload and signature). */
const LONGEST_UNSUBSCRIBE = `https://notify.sos.ca.gov/u/${'x'.repeat(120)}`;

/**
 * The values a template is measured with, the longest each placeholder can realistically hold:
 * - county name: 32 characters, the most a CountyOverride allows ("San Luis Obispo County Elections");
 * - links: 60 characters, the most a CountyOverride allows; the unsubscribe link: 148 (signed token);
 * - dates: September 30 (the longest month name in English and Spanish, a two-digit day); the cure deadline as
 *   ballot.ts sets it (5 p.m.);
 * - reasons: the reason's own texts for a reason-specific template, else the longest of all reasons in the language;
 * - voter's first name: 23 characters with í and ó ("María Guadalupe Xóchitl"), since accented names are common
 *   in California and one such letter makes an SMS UCS-2 (this is why the default SMS texts leave the name out);
 * - election update: 70 characters; in Spanish with accents (UCS-2), as an admin would write it.
 * Languages without their own samples use the English ones (their scripts make their SMS UCS-2 anyway).
 */
export function worstCaseValues(language: Language, channel: Channel, reason?: NoticeReason): Required<TemplateValues> {
  const lang: 'en' | 'es' = language === 'es' ? 'es' : 'en';
  const date = formatNoticeDate('2026-09-30', lang);
  const reasons = reason ? [reason] : NoticeReasonSchema.options;
  const longest = (pick: (r: NoticeReason) => string) => reasons.map(pick).reduce((a, b) => ([...b].length > [...a].length ? b : a));
  const values: Required<TemplateValues> = {
    voterFirstName: 'María Guadalupe Xóchitl',
    countyName: 'San Luis Obispo County Elections',
    countyPhone: formatPhone('+18057815228', channel),
    electionDate: date,
    returnDeadline: date,
    lookupUrl: LONGEST_LINK,
    programName: 'California Ballot Tracking (SOS)',
    unsubscribeUrl: LONGEST_UNSUBSCRIBE,
    expectedFrom: date,
    expectedTo: date,
    reason: longest((r) => reasonText(r, lang).label),
    reasonShort: longest((r) => reasonText(r, lang).short),
    howToFix: longest((r) => reasonText(r, lang).howToFix),
    cureFormUrl: LONGEST_LINK,
    cureDeadline: formatNoticeDeadline(pacificTime('2026-09-30', 17), lang),
    updateText: lang === 'es'
      ? 'Los centros de votación abren el sábado. Busque el que le quede cerca.'
      : 'Vote centers open on Saturday, October 24. Find yours and their hours.',
  };
  return values;
}

// ---------- choosing a template ----------

export type TemplateResolution =
  | { ok: true; template: Template; fellBackToEnglish: boolean; reasonSpecific: boolean }
  | { ok: false; error: { type: 'no-template'; kind: NoticeKind; channel: Channel; language: Language; reason?: NoticeReason } };

/**
 * The template to send: the highest version in the voter's language, else in English (reported as a fallback).
 * For a reason-specific kind, a template for the reason is preferred to the general one within a language; the
 * voter's language comes first, since a message the voter cannot read helps nobody (missingTranslations lists the
 * reason-specific texts a language lacks).
 */
export function resolveTemplate(
  templates: readonly Template[], kind: NoticeKind, channel: Channel, language: Language, reason?: NoticeReason,
): TemplateResolution {
  const specific = reason !== undefined && REASON_SPECIFIC_KINDS.includes(kind);
  const steps: { language: Language; reason?: NoticeReason }[] = [];
  for (const lang of language === FALLBACK_LANGUAGE ? [language] : [language, FALLBACK_LANGUAGE]) {
    if (specific) steps.push({ language: lang, reason });
    steps.push({ language: lang });
  }
  for (const step of steps) {
    const found = latest(templates.filter((t) => t.kind === kind && t.channel === channel && t.language === step.language && t.reason === step.reason));
    if (found) return { ok: true, template: found, fellBackToEnglish: step.language !== language, reasonSpecific: step.reason !== undefined };
  }
  return { ok: false, error: { type: 'no-template', kind, channel, language, ...(reason !== undefined ? { reason } : {}) } };
}

function latest(ts: Template[]): Template | undefined {
  return ts.reduce<Template | undefined>((best, t) => (!best || t.version > best.version ? t : best), undefined);
}

export interface MissingTemplate {
  kind: NoticeKind;
  channel: Channel;
  /** Set when what is missing is a reason-specific text that English has. */
  reason?: NoticeReason;
}

/**
 * Per language, the kind × channel with no template (those notices go out in English), and the reason-specific
 * texts English has that the language lacks (those voters get the general text of their language). English listing
 * anything means a notice that cannot be sent at all.
 */
export function missingTranslations(templates: readonly Template[]): Record<Language, MissingTemplate[]> {
  const has = (lang: Language, kind: NoticeKind, channel: Channel, reason?: NoticeReason) =>
    templates.some((t) => t.language === lang && t.kind === kind && t.channel === channel && t.reason === reason);
  const englishSpecific = templates.filter((t) => t.language === FALLBACK_LANGUAGE && t.reason !== undefined);
  const out = {} as Record<Language, MissingTemplate[]>;
  for (const lang of LANGUAGES) {
    const missing: MissingTemplate[] = [];
    for (const kind of NOTICE_KINDS) {
      for (const channel of CHANNELS) {
        if (!has(lang, kind, channel)) missing.push({ kind, channel });
      }
    }
    const seen = new Set<string>();
    for (const t of englishSpecific) {
      const key = `${t.kind}/${t.channel}/${t.reason}`;
      if (seen.has(key) || has(lang, t.kind, t.channel, t.reason)) continue;
      seen.add(key);
      missing.push({ kind: t.kind, channel: t.channel, reason: t.reason });
    }
    out[lang] = missing;
  }
  return out;
}

export { DEFAULT_TEMPLATES } from './default-templates';

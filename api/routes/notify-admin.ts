/**
 * The state's notification settings (issue 4, "Triggers and templates, configured by the state"): which events
 * notify on which channels, the notice templates and their versions, missing translations, a preview for a sample
 * ballot, and each county's identity. State admins only (a county manager may read its own county's identity);
 * the route table writes the audit row.
 */
import { z } from 'zod';
import { ballotCalendar } from '../../domain/ballot';
import { CountySchema } from '../../domain/ids';
import { CHANNELS, ChannelSchema, LANGUAGES, LanguageSchema, sayVoiceFor, type Channel, type Language } from '../../domain/notify/channels';
import { NoticeReasonSchema, type NoticeReason } from '../../domain/notify/reasons';
import { smsSize } from '../../domain/notify/sms';
import {
  ElectionUpdateTextSchema, missingTranslations, REASON_SPECIFIC_KINDS, renderTemplate, resolveTemplate, TemplateSchema, validateTemplate,
  type Template, type TemplateProblem,
} from '../../domain/notify/templates';
import {
  CountyOverrideSchema, defaultCountyName, NOTICE_KINDS, NoticeKindSchema, TriggerConfigSchema, type CountyOverride, type NoticeKind,
} from '../../domain/notify/triggers';
import { noticeValues, sampleNoticeFacts } from '../../domain/notify/values';
import { IsoDateSchema, InstantSchema, parseInstant } from '../../domain/time';
import {
  addTemplateVersion, countyOverride, countyOverrideRecord, currentTriggerConfig, effectiveTemplates, listCountyOverrides, listTemplates,
  saveCountyOverride, saveTriggerConfig, type TemplateVersion,
} from '../../db/notify-config';
import { loadConfig } from '../../runtime/config';
import { HttpProblem, notFound } from '../problem';
import { on, route, staff, type Deps, type Route } from '../route';

const TAG = 'notify-admin';
const BASE = '/api/admin/notify';

/**
 * The most SMS segments a template may take with the longest values: SMS_MAX_SEGMENTS (runtime/config.ts, default 2).
 * Read from the app's cfg when it carries it, else from the environment.
 */
function maxSmsSegments(deps: Deps): number {
  const given = (deps.cfg as { SMS_MAX_SEGMENTS?: number }).SMS_MAX_SEGMENTS;
  return given ?? loadConfig({ SMS_MAX_SEGMENTS: process.env.SMS_MAX_SEGMENTS }).SMS_MAX_SEGMENTS;
}

/** validateTemplate's problems as one 422 that lists them all, each naming its request field. */
function templateProblems(problems: TemplateProblem[], fieldOf: (field: string) => string): HttpProblem {
  const errors = problems.map((p) => ({ field: fieldOf(p.field), message: p.message }));
  return new HttpProblem(422, 'Invalid template', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}

/** Khmer has no Twilio voice: a call is read in English from the English template (sayVoiceFor). */
function voiceWarnings(channel: Channel, language: Language): string[] {
  const say = sayVoiceFor(language);
  return channel === 'voice' && say.fellBack
    ? [`Twilio has no ${language} voice: calls to ${language} voters are read in ${say.language} from the ${say.language} template, so this text is not read to anyone`]
    : [];
}

function templateView(t: TemplateVersion) {
  return {
    kind: t.kind, channel: t.channel, language: t.language, ...(t.reason ? { reason: t.reason } : {}), version: t.version,
    ...(t.subject !== undefined ? { subject: t.subject } : {}), body: t.body, source: t.source, createdBy: t.createdBy, createdAt: t.createdAt,
  };
}

// ---------- what is served ----------

const TemplateQuery = z.object({
  kind: NoticeKindSchema.optional(),
  channel: ChannelSchema.optional(),
  language: LanguageSchema.optional(),
});

/**
 * For each notice kind × channel × language (and each reason with a text of its own), the template a voter gets
 * now: the highest version in their language, else English (`fellBackToEnglish`), as the sender resolves it.
 */
function servedTemplates(all: TemplateVersion[], q: z.infer<typeof TemplateQuery>) {
  const out = [];
  for (const kind of q.kind ? [q.kind] : NOTICE_KINDS) {
    for (const channel of q.channel ? [q.channel] : CHANNELS) {
      const reasons = REASON_SPECIFIC_KINDS.includes(kind)
        ? [...new Set(all.filter((t) => t.kind === kind && t.channel === channel && t.reason !== undefined).map((t) => t.reason!))].sort()
        : [];
      for (const language of q.language ? [q.language] : LANGUAGES) {
        for (const reason of [undefined, ...reasons]) {
          const r = resolveTemplate(all, kind, channel, language, reason);
          out.push({
            kind, channel, language, ...(reason ? { reason } : {}),
            ...(r.ok
              ? { fellBackToEnglish: r.fellBackToEnglish, ...(reason ? { reasonSpecific: r.reasonSpecific } : {}), template: templateView(r.template as TemplateVersion) }
              : { fellBackToEnglish: false, template: null }),
          });
        }
      }
    }
  }
  return out;
}

// ---------- preview ----------

/** The facts of a sample ballot; each defaults to a realistic value (sampleNoticeFacts). */
const SampleBallotSchema = z.object({
  voterFirstName: z.string().trim().min(1).max(60).optional(),
  electionDate: IsoDateSchema.optional(),
  expectedFrom: IsoDateSchema.optional(),
  expectedTo: IsoDateSchema.optional(),
  cureDeadline: InstantSchema.optional().describe('default: 5 p.m. two days before certification (EC §3019(d))'),
  updateText: ElectionUpdateTextSchema.optional(),
});

const PreviewSchema = z.object({
  kind: NoticeKindSchema,
  channel: ChannelSchema,
  language: LanguageSchema,
  reason: NoticeReasonSchema.optional(),
  county: CountySchema.optional(),
  /** An unsaved draft; without it, the template voters get now. */
  template: z.object({ subject: z.string().optional(), body: z.string().min(1) }).optional(),
  ballot: SampleBallotSchema.optional(),
});

/** The November 3, 2026 statewide general election. */
const SAMPLE_ELECTION_DATE = '2026-11-03';
/** The Secretary of State's ballot tracking program, as voters know it. */
const PROGRAM_NAME = 'Where\'s My Ballot?';

/** A county the state has not configured yet: its name from its slug, and numbers and links that reach nobody. */
function unconfiguredCounty(county: string | undefined): CountyOverride {
  const name = defaultCountyName(county ?? 'sample');
  return {
    county: county ?? 'sample', displayName: name.length <= 32 ? name : name.slice(0, 32), displayNameByLanguage: {},
    phone: '+15555550100', websiteUrl: 'https://elections.example.org', lookupUrl: 'https://wheresmyballot.sos.ca.gov', cureFormUrl: 'https://elections.example.org/cure',
    sender: { email: { fromName: name, fromAddress: 'elections@example.org' }, sms: { numbers: ['+15555550101'] }, voice: { callerId: '+15555550100' } },
  };
}

async function preview(deps: Deps, body: z.infer<typeof PreviewSchema>) {
  const warnings: string[] = [];
  const maxSegments = maxSmsSegments(deps);
  const say = body.channel === 'voice' ? sayVoiceFor(body.language) : undefined;

  let template: Template;
  let source: { source: 'draft' | 'default' | 'state'; version?: number; fellBackToEnglish: boolean; reasonSpecific: boolean };
  let problems: TemplateProblem[] = [];
  if (body.template) {
    template = { kind: body.kind, channel: body.channel, language: body.language, ...(body.reason ? { reason: body.reason } : {}), version: 1, ...body.template };
    problems = validateTemplate(template, { maxSmsSegments: maxSegments });
    source = { source: 'draft', fellBackToEnglish: false, reasonSpecific: body.reason !== undefined };
    warnings.push(...voiceWarnings(body.channel, body.language));
  } else {
    // A call in a language with no Twilio voice is read from the English template (sayVoiceFor).
    const language = say ? say.language : body.language;
    const all = await listTemplates(deps.pool, { kind: body.kind, channel: body.channel });
    const r = resolveTemplate(all, body.kind, body.channel, language, body.reason);
    if (!r.ok) throw new HttpProblem(404, 'Not Found', `no ${body.kind} ${body.channel} template in ${language} or English`);
    const t = r.template as TemplateVersion;
    template = t;
    source = { source: t.source, version: t.version, fellBackToEnglish: t.language !== body.language, reasonSpecific: r.reasonSpecific };
  }

  const county = body.county ? await countyOverride(deps.pool, body.county) : undefined;
  if (!county) warnings.push(body.county ? `${body.county} has no county settings yet: its name is guessed, and its phone and links are samples` : 'no county given: name, phone and links are samples');
  const ballot = body.ballot ?? {};
  const electionDate = ballot.electionDate ?? SAMPLE_ELECTION_DATE;
  // The values are filled in the language the text is written in, so an English fallback reads English dates.
  const facts = sampleNoticeFacts({
    kind: body.kind, channel: body.channel, language: template.language, ...(body.reason ? { reason: body.reason } : defaultReason(body.kind)),
    county: county ?? unconfiguredCounty(body.county), programName: PROGRAM_NAME, electionDate,
    cureDeadlineAtMs: ballot.cureDeadline ? parseInstant(ballot.cureDeadline) : ballotCalendar(electionDate).cureDeadlineAtMs,
  });
  const values = noticeValues({
    ...facts,
    ...(ballot.voterFirstName ? { voterFirstName: ballot.voterFirstName } : {}),
    ...(ballot.updateText ? { updateText: ballot.updateText } : {}),
    expectedWindow: { from: ballot.expectedFrom ?? facts.expectedWindow!.from, to: ballot.expectedTo ?? facts.expectedWindow!.to },
  });

  let rendered;
  try {
    rendered = renderTemplate(template, values);
  } catch {
    // Only a draft can fail to render (a stored template passed validateTemplate): its problems say why.
    throw templateProblems(problems, draftField);
  }
  const sms = body.channel === 'sms' ? smsSize(rendered.text) : undefined;
  return {
    kind: body.kind, channel: body.channel, language: body.language, ...(body.reason ? { reason: body.reason } : {}),
    template: { ...source, language: template.language },
    county: { county: body.county ?? null, configured: county !== undefined },
    ...(rendered.subject !== undefined ? { subject: rendered.subject } : {}),
    text: rendered.text,
    values,
    ...(sms ? { sms: { ...sms, maxSegments, withinLimit: sms.segments <= maxSegments } } : {}),
    ...(say ? { voice: { sayLanguage: say.say.language, voice: say.say.voice, fellBackToEnglish: say.fellBack } } : {}),
    problems: problems.map((p) => ({ field: draftField(p.field), message: p.message })),
    warnings,
  };
}

/** A reason-specific notice without a reason is previewed for a signature that does not match, the common cure case. */
function defaultReason(kind: NoticeKind): { reason?: NoticeReason } {
  return ['not-counted', 'cure-needed', 'cure-reminder'].includes(kind) ? { reason: 'signature-mismatch' } : {};
}

const draftField = (field: string) => (field === 'body' || field === 'subject' ? `body.template.${field}` : `body.${field}`);

// ---------- routes ----------

const NewTemplateSchema = TemplateSchema.omit({ version: true });
const CountyParams = z.object({ county: CountySchema });
const CountyOverrideBody = CountyOverrideSchema.extend({ county: CountySchema.optional().describe('the county of the path; may be left out') });

export const notifyAdminRoutes: Route[] = [
  route({
    operationId: 'getNotifyTriggers', method: 'get', path: `${BASE}/triggers`, tag: TAG,
    policy: staff(['state-admin']),
    summary: 'Which notices go out on which channels: the current trigger configuration (version 0 is the shipped default)',
    responses: { 200: { description: 'the configuration and its version' } },
    handler: async ({ deps }) => {
      const c = await currentTriggerConfig(deps.pool);
      return { status: 200, json: { ...c, isDefault: c.version === 0 } };
    },
  }),
  route({
    operationId: 'putNotifyTriggers', method: 'put', path: `${BASE}/triggers`, tag: TAG,
    policy: staff(['state-admin']),
    summary: 'Replace the trigger configuration with a new version; every notice kind must be listed (an empty list turns it off)',
    body: TriggerConfigSchema,
    responses: { 200: { description: 'saved; the new version' }, 422: { description: 'invalid; the problem names the field' } },
    handler: async ({ body, deps, actor }) => {
      const version = await saveTriggerConfig(deps.pool, body, actor);
      return { status: 200, json: { version, config: body } };
    },
  }),
  route({
    operationId: 'listNotifyTemplates', method: 'get', path: `${BASE}/templates`, tag: TAG,
    policy: staff(['state-admin']),
    summary: 'The template each voter gets now, per notice kind, channel and language (and reason with a text of its own); fellBackToEnglish where English is served',
    query: TemplateQuery,
    responses: { 200: { description: 'the served templates' } },
    handler: async ({ query, deps }) => {
      const all = await listTemplates(deps.pool, { ...(query.kind ? { kind: query.kind } : {}), ...(query.channel ? { channel: query.channel } : {}) });
      return { status: 200, json: { templates: servedTemplates(all, query) } };
    },
  }),
  route({
    operationId: 'addNotifyTemplate', method: 'post', path: `${BASE}/templates`, tag: TAG,
    policy: staff(['state-admin']),
    summary: 'Save a new version of a template; it applies to every message not yet sent',
    description: 'The version is one more than the highest of the same kind, channel, language and reason (a shipped default is version 1). '
      + 'Refused with every problem listed: unknown placeholders or ones without a value for the notice, an SMS over SMS_MAX_SEGMENTS segments with the longest values, a missing opt-out.',
    body: NewTemplateSchema,
    responses: { 201: { description: 'saved; the new version' }, 422: { description: 'refused; each problem names its field' } },
    handler: async ({ body, deps, actor }) => {
      const problems = validateTemplate({ ...body, version: 1 }, { maxSmsSegments: maxSmsSegments(deps) });
      if (problems.length > 0) throw templateProblems(problems, (f) => `body.${f}`);
      const saved = await addTemplateVersion(deps.pool, body, actor);
      return { status: 201, json: { template: templateView(saved), warnings: voiceWarnings(saved.channel, saved.language) } };
    },
  }),
  route({
    operationId: 'listMissingTranslations', method: 'get', path: `${BASE}/templates/missing`, tag: TAG,
    policy: staff(['state-admin']),
    summary: 'Per language, the notices with no template of their own (they go out in English) and the reason-specific texts English has and the language lacks',
    responses: { 200: { description: 'missing templates per language' } },
    handler: async ({ deps }) => {
      const missing = missingTranslations(await effectiveTemplates(deps.pool));
      const counts = Object.fromEntries(Object.entries(missing).map(([lang, m]) => [lang, m.length]));
      return { status: 200, json: { missing, counts } };
    },
  }),
  route({
    operationId: 'previewNotifyTemplate', method: 'post', path: `${BASE}/templates/preview`, tag: TAG,
    policy: staff(['state-admin']),
    summary: 'Render a template (the served one, or an unsaved draft) for a sample ballot in a county\'s words',
    description: 'Answers the subject and text, the SMS segments and encoding, the Twilio <Say> language for calls, and a draft\'s problems. Saves nothing.',
    body: PreviewSchema,
    responses: { 200: { description: 'the rendered notice' }, 404: { description: 'no template for this notice' }, 422: { description: 'the draft cannot be rendered; its problems' } },
    handler: async ({ body, deps }) => ({ status: 200, json: await preview(deps, body) }),
  }),
  route({
    operationId: 'listCountyOverrides', method: 'get', path: `${BASE}/counties`, tag: TAG,
    policy: staff(['state-admin']),
    summary: 'Each configured county\'s identity for its messages',
    responses: { 200: { description: 'the counties' } },
    handler: async ({ deps }) => ({ status: 200, json: { counties: await listCountyOverrides(deps.pool) } }),
  }),
  route({
    operationId: 'getCountyOverride', method: 'get', path: `${BASE}/counties/:county`, tag: TAG,
    policy: staff(['state-admin', 'county-manager'], on.county('params', 'county')),
    summary: 'A county\'s name, phone, links and sender identity for its messages',
    params: CountyParams,
    responses: { 200: { description: 'the county\'s settings' }, 404: { description: 'not configured' } },
    handler: async ({ params, deps }) => {
      const r = await countyOverrideRecord(deps.pool, params.county);
      if (!r) throw notFound(`notification settings for ${params.county}`);
      return { status: 200, json: r };
    },
  }),
  route({
    operationId: 'putCountyOverride', method: 'put', path: `${BASE}/counties/:county`, tag: TAG,
    policy: staff(['state-admin'], on.county('params', 'county')),
    summary: 'Set or replace a county\'s identity: messages come from the county, not from the state',
    params: CountyParams, body: CountyOverrideBody,
    responses: { 201: { description: 'set' }, 200: { description: 'replaced' }, 422: { description: 'invalid; the problem names the field' } },
    handler: async ({ params, body, deps, actor }) => {
      if (body.county !== undefined && body.county !== params.county) {
        throw new HttpProblem(422, 'Invalid request', `body.county: is ${body.county}, but the path is for ${params.county}`, { errors: [{ field: 'body.county', message: `must be ${params.county}, the county of the path` }] });
      }
      const saved = await saveCountyOverride(deps.pool, params.county, { ...body, county: params.county }, actor);
      const { created, ...record } = saved;
      return { status: created ? 201 : 200, json: record, headers: { Location: `${BASE}/counties/${params.county}` } };
    },
  }),
];

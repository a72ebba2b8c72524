/**
 * Template rules: what a state admin may save, how a template is filled, which one a voter gets.
 */
import { MAX_COUNTY_NAME_LENGTH, MAX_URL_LENGTH } from './triggers';
import {
  ELECTION_UPDATE_MAX_LENGTH, ElectionUpdateTextSchema, missingTranslations, PROGRAM_NAME_MAX_LENGTH, placeholdersFor, renderTemplate, resolveTemplate, validateTemplate,
  worstCaseValues, type Template,
} from './templates';

const sms = (body: string, extra: Partial<Template> = {}): Template => ({ kind: 'received', channel: 'sms', language: 'en', version: 1, body, ...extra });
const email = (subject: string | undefined, body: string, extra: Partial<Template> = {}): Template =>
  ({ kind: 'received', channel: 'email', language: 'en', version: 1, ...(subject !== undefined ? { subject } : {}), body, ...extra });
const voice = (body: string, extra: Partial<Template> = {}): Template => ({ kind: 'received', channel: 'voice', language: 'en', version: 1, body, ...extra });
const OK_SMS = '{{countyName}}: We received your ballot. Reply STOP to opt out';
const OK_EMAIL = 'We received your ballot.\n\nStop these emails: {{unsubscribeUrl}}';
const fields = (t: unknown, max = 2) => validateTemplate(t, { maxSmsSegments: max }).map((p) => p.field);
const messages = (t: unknown, max = 2) => validateTemplate(t, { maxSmsSegments: max }).map((p) => `${p.field}: ${p.message}`);

describe('validateTemplate: what may be saved', () => {
  test('a short SMS with known placeholders and an opt-out hint is accepted', () => {
    expect(messages(sms(OK_SMS))).toEqual([]);
  });

  test('an unknown placeholder is refused and names the field and the placeholder', () => {
    expect(messages(sms('{{countyName}}: Hi {{voterName}}. Reply STOP to opt out'))).toEqual([expect.stringMatching(/^body: unknown placeholder \{\{voterName\}\}/)]);
    expect(messages(email('Hello {{firstName}}', OK_EMAIL))).toEqual([expect.stringMatching(/^subject: unknown placeholder \{\{firstName\}\}/)]);
  });

  test('a placeholder with no value for the notice kind is refused: it would throw when the message is sent', () => {
    expect(messages(sms('{{countyName}}: sign by {{cureDeadline}}. Reply STOP to opt out'))).toEqual([expect.stringMatching(/^body: \{\{cureDeadline\}\} has no value in a received sms notice/)]);
    expect(messages(sms('{{countyName}}: sign by {{cureDeadline}}. Reply STOP to opt out', { kind: 'cure-needed' }))).toEqual([]);
  });

  test('the unsubscribe link is for email only; SMS opts out with STOP', () => {
    expect(fields(sms('{{countyName}}: received. {{unsubscribeUrl}} Reply STOP to opt out'))).toEqual(['body']);
  });

  test('sections, partials, comments and unescaped tags are refused: templates take plain variables only', () => {
    for (const tag of ['{{#reason}}x{{/reason}}', '{{^reason}}x{{/reason}}', '{{>footer}}', '{{! note }}', '{{{countyName}}}', '{{&countyName}}', '{{=<% %>=}}']) {
      expect([tag, messages(sms(`${tag} Reply STOP to opt out`))]).toEqual([tag, [expect.stringContaining('plain {{placeholder}} variables only')]]);
    }
  });

  test('unbalanced tags are refused with where they break', () => {
    expect(messages(sms('{{countyName: received. Reply STOP to opt out'))).toEqual(['body: cannot be read: Unclosed tag at 45']);
    expect(messages(sms('{{/reason}} Reply STOP to opt out'))).toEqual([expect.stringMatching(/^body: cannot be read: Unopened section "reason"/)]);
    expect(messages(sms('countyName}}: received. Reply STOP to opt out'))).toEqual(['body: has a "}}" with no "{{" before it']);
  });

  test('a placeholder written with single braces is caught', () => {
    expect(messages(sms('{countyName}: received. Reply STOP to opt out'))).toEqual(['body: "{countyName}" looks like a placeholder with single braces; write {{countyName}}']);
  });

  test('an SMS over 2 segments with the longest values is refused and names the field "body"', () => {
    const long = `{{countyName}}: ${'We received your ballot and will tell you when it is counted. '.repeat(5)}Reply STOP to opt out`;
    expect(validateTemplate(sms(long), { maxSmsSegments: 2 })).toEqual([{ field: 'body', message: 'the SMS takes 3 segments with the longest values, more than the 2 allowed' }]);
  });

  test('the segment limit is the configured one: the same SMS passes when the state allows 3', () => {
    const long = `{{countyName}}: ${'We received your ballot and will tell you when it is counted. '.repeat(5)}Reply STOP to opt out`;
    expect(fields(sms(long), 3)).toEqual([]);
  });

  test('two GSM-7 segments hold 306 characters: 306 with the longest county name passes, 307 does not', () => {
    // 32 (county name) + 2 + n + 22 (" Reply STOP to opt out") characters once filled.
    const body = (n: number) => `{{countyName}}: ${'x'.repeat(n)} Reply STOP to opt out`;
    expect(fields(sms(body(250)))).toEqual([]);
    expect(fields(sms(body(251)))).toEqual(['body']);
  });

  test('the SMS length counts the longest value of each placeholder, not the placeholder\'s own length', () => {
    // 140 characters of text plus a county name of 32: over one segment only once the name is filled in.
    const body = `{{countyName}}: ${'x'.repeat(120)} Reply STOP to opt out`;
    expect(body.length).toBeLessThanOrEqual(160);
    expect(fields(sms(body), 1)).toEqual(['body']);
  });

  test('an SMS that a character outside GSM-7 turns into UCS-2 is measured at 67 characters a segment, and the character is named', () => {
    const body = `{{countyName}}: Recibimos su boleta y le avisaremos cuando sea contada. Siga su boleta en línea: {{lookupUrl}} Responda STOP para cancelar`;
    expect(messages(sms(body, { language: 'es' }))).toEqual([expect.stringContaining('UCS-2 because of "í"')]);
  });

  test('an SMS with the voter\'s name counts as UCS-2: accented names are common, so the limit assumes one', () => {
    const body = `{{countyName}}: ${'x'.repeat(60)} {{voterFirstName}} Reply STOP to opt out`; // 139 characters filled: one GSM segment, three UCS-2 ones
    expect(messages(sms(body))).toEqual([expect.stringContaining('UCS-2 because of "í", "ó"')]);
  });

  test('an SMS without the STOP opt-out hint is refused', () => {
    expect(messages(sms('{{countyName}}: We received your ballot.'))).toEqual(['body: an SMS must tell how to opt out with the keyword STOP (e.g. "Reply STOP to opt out")']);
  });

  test('an email without a subject is refused, naming "subject"', () => {
    expect(messages(email(undefined, OK_EMAIL))).toEqual(['subject: an email needs a subject']);
    expect(messages(email('  ', OK_EMAIL))).toEqual(['subject: an email needs a subject']);
  });

  test('only email has a subject', () => {
    expect(fields({ ...sms(OK_SMS), subject: 'Hi' })).toEqual(['subject']);
  });

  test('an email without the unsubscribe link is refused', () => {
    expect(messages(email('Received', 'We received your ballot.'))).toEqual(['body: an email must carry the {{unsubscribeUrl}} link']);
  });

  test('an email subject over 78 characters with the longest values is refused', () => {
    expect(fields(email('{{countyName}} received your ballot for the {{electionDate}} election', OK_EMAIL))).toEqual(['subject']);
    expect(fields(email('{{countyName}} received your ballot', OK_EMAIL))).toEqual([]);
  });

  test('a voice text over 900 characters (about a minute) with the longest values is refused', () => {
    const sentence = 'We received your ballot and will let you know when it is counted. '; // 66 characters
    // 16 + 13 × 66 = 874 characters as written, 892 with the 32-character county name: accepted.
    expect(fields(voice(`{{countyName}}. ${sentence.repeat(13)}`))).toEqual([]);
    // 14 sentences: 958 with the county name.
    expect(messages(voice(`{{countyName}}. ${sentence.repeat(14)}`))).toEqual(['body: the call reads 958 characters with the longest values, more than 900 (about a minute)']);
  });

  test('only not-counted and cure-needed templates may be specific to a reason', () => {
    expect(messages(sms(OK_SMS, { reason: 'no-signature' }))).toEqual(['reason: only not-counted and cure-needed templates may be specific to a reason, not received']);
    expect(fields(sms(OK_SMS, { kind: 'not-counted', reason: 'no-signature' }))).toEqual([]);
  });

  test('a malformed template is refused field by field: version from 1, a known kind, channel and language', () => {
    expect(fields({ ...sms(OK_SMS), version: 0 })).toEqual(['version']);
    expect(fields({ ...sms(OK_SMS), kind: 'ballot-eaten', language: 'fr' }).sort()).toEqual(['kind', 'language']);
    expect(fields({ ...sms(OK_SMS), body: '' })).toEqual(['body']);
  });
});

describe('placeholders', () => {
  test('every notice has the common placeholders; the cure ones only where a cure applies; the unsubscribe link only in email', () => {
    expect(placeholdersFor('counted', 'sms')).toEqual(['voterFirstName', 'countyName', 'countyPhone', 'electionDate', 'returnDeadline', 'lookupUrl', 'programName']);
    expect(placeholdersFor('cure-needed', 'email')).toEqual(expect.arrayContaining(['reason', 'reasonShort', 'howToFix', 'cureFormUrl', 'cureDeadline', 'unsubscribeUrl']));
    expect(placeholdersFor('mailed', 'voice')).toEqual(expect.arrayContaining(['expectedFrom', 'expectedTo']));
    expect(placeholdersFor('mailed', 'voice')).not.toContain('cureFormUrl');
  });

  test('the worst-case values are as long as the limits they stand for', () => {
    const v = worstCaseValues('en', 'sms');
    expect([...v.countyName].length).toBe(MAX_COUNTY_NAME_LENGTH);
    expect([...v.lookupUrl].length).toBe(MAX_URL_LENGTH);
    expect([...v.cureFormUrl].length).toBe(MAX_URL_LENGTH);
    expect([...v.updateText].length).toBe(ELECTION_UPDATE_MAX_LENGTH);
    expect([...worstCaseValues('es', 'sms').updateText].length).toBe(ELECTION_UPDATE_MAX_LENGTH);
    expect([...v.programName].length).toBe(PROGRAM_NAME_MAX_LENGTH);
  });

  test('an election update longer than 70 characters is refused where it is written', () => {
    expect(ElectionUpdateTextSchema.safeParse('x'.repeat(70)).success).toBe(true);
    expect(ElectionUpdateTextSchema.safeParse('x'.repeat(71)).success).toBe(false);
  });

  test('the worst-case reason is the reason\'s own for a reason-specific template, the longest otherwise', () => {
    expect(worstCaseValues('en', 'email', 'signature-mismatch').reason).toBe('Your signature does not match the one on file');
    expect(worstCaseValues('en', 'email').reason).toBe('Your envelope had no postmark showing it was mailed by election day');
    expect(worstCaseValues('es', 'sms').reasonShort).toBe('el problema de firma no fue resuelto a tiempo');
  });
});

describe('renderTemplate', () => {
  const values = { countyName: 'Fresno County Elections', countyPhone: '(559) 600-8683', voterFirstName: 'José', unsubscribeUrl: 'https://notify.sos.ca.gov/u/abc' };

  test('fills every placeholder', () => {
    expect(renderTemplate(sms('{{countyName}}: call {{ countyPhone }}. Reply STOP to opt out'), values)).toEqual({ text: 'Fresno County Elections: call (559) 600-8683. Reply STOP to opt out' });
  });

  test('escapes nothing: an ampersand or angle bracket reaches the voter as written', () => {
    expect(renderTemplate(sms('{{countyName}} <&> Reply STOP'), { countyName: 'Registrar of Voters & Elections' }).text).toBe('Registrar of Voters & Elections <&> Reply STOP');
    expect(renderTemplate(email('{{countyName}}', '{{countyName}} {{unsubscribeUrl}}'), { ...values, countyName: 'A & B' })).toEqual({ subject: 'A & B', text: 'A & B https://notify.sos.ca.gov/u/abc' });
  });

  test('a missing value is a broken invariant: it throws naming the placeholder instead of sending a blank', () => {
    expect(() => renderTemplate(sms('Hello {{voterFirstName}}, {{electionDate}}'), values)).toThrow('received/sms/en/v1 body: no value for {{electionDate}}');
  });

  test('an email subject stays on one header line whatever the values hold', () => {
    expect(renderTemplate(email('{{countyName}}: news', '{{unsubscribeUrl}}'), { ...values, countyName: 'Fresno\r\nBcc: x@y.z' }).subject).toBe('Fresno Bcc: x@y.z: news');
  });
});

describe('resolveTemplate: the highest version in the voter\'s language, else English', () => {
  const v = (language: Template['language'], version: number, extra: Partial<Template> = {}) => sms(`v${version} ${language} Reply STOP`, { kind: 'not-counted', language, version, ...extra });
  const set = [v('en', 1), v('en', 3), v('en', 2), v('es', 1), v('es', 2), v('en', 1, { reason: 'no-signature' }), v('es', 1, { reason: 'no-signature' }), v('vi', 1)];

  test('the highest version wins: a change applies to every message not yet sent', () => {
    expect(resolveTemplate(set, 'not-counted', 'sms', 'en')).toEqual({ ok: true, template: v('en', 3), fellBackToEnglish: false, reasonSpecific: false });
    expect(resolveTemplate(set, 'not-counted', 'sms', 'es')).toMatchObject({ ok: true, template: { version: 2, language: 'es' }, fellBackToEnglish: false });
  });

  test('a language with no template falls back to English and says so', () => {
    expect(resolveTemplate(set, 'not-counted', 'sms', 'km')).toEqual({ ok: true, template: v('en', 3), fellBackToEnglish: true, reasonSpecific: false });
  });

  test('a reason-specific template is preferred for that reason', () => {
    expect(resolveTemplate(set, 'not-counted', 'sms', 'es', 'no-signature')).toEqual({ ok: true, template: v('es', 1, { reason: 'no-signature' }), fellBackToEnglish: false, reasonSpecific: true });
    expect(resolveTemplate(set, 'not-counted', 'sms', 'es', 'voter-deceased')).toMatchObject({ template: { version: 2, language: 'es' }, reasonSpecific: false });
  });

  test('the voter\'s language comes before an English reason-specific text', () => {
    expect(resolveTemplate(set, 'not-counted', 'sms', 'vi', 'no-signature')).toEqual({ ok: true, template: v('vi', 1), fellBackToEnglish: false, reasonSpecific: false });
    expect(resolveTemplate(set, 'not-counted', 'sms', 'ko', 'no-signature')).toEqual({ ok: true, template: v('en', 1, { reason: 'no-signature' }), fellBackToEnglish: true, reasonSpecific: true });
  });

  test('no template at all, even in English, is an expected outcome the caller must handle', () => {
    expect(resolveTemplate(set, 'counted', 'sms', 'es')).toEqual({ ok: false, error: { type: 'no-template', kind: 'counted', channel: 'sms', language: 'es' } });
  });
});

describe('missingTranslations: what the admin API lists as missing', () => {
  test('per language, every kind × channel without a template', () => {
    const set = [sms('x STOP', { kind: 'counted' }), sms('x STOP', { kind: 'counted', language: 'es' }), voice('x', { kind: 'counted', language: 'es' })];
    const missing = missingTranslations(set);
    expect(missing.es).toHaveLength(11 * 3 - 2);
    expect(missing.es).not.toContainEqual({ kind: 'counted', channel: 'sms' });
    expect(missing.es).toContainEqual({ kind: 'counted', channel: 'email' });
    expect(missing.km).toHaveLength(11 * 3);
  });

  test('a reason-specific text English has and a language lacks is listed with its reason', () => {
    const set = [sms('x STOP', { kind: 'not-counted' }), sms('x STOP', { kind: 'not-counted', reason: 'no-signature' }), sms('x STOP', { kind: 'not-counted', reason: 'no-signature', version: 2 }), sms('x STOP', { kind: 'not-counted', language: 'es' })];
    const missing = missingTranslations(set);
    expect(missing.es.filter((m) => m.reason)).toEqual([{ kind: 'not-counted', channel: 'sms', reason: 'no-signature' }]);
    expect(missing.en.filter((m) => m.reason)).toEqual([]);
  });
});

/**
 * The shipped English and Spanish texts: complete, within limits, and saying what the law and the channel require.
 */
import Mustache from 'mustache';
import { smsSize } from './sms';
import { NOTICE_KINDS } from './triggers';
import {
  DEFAULT_MAX_SMS_SEGMENTS, DEFAULT_TEMPLATES, missingTranslations, renderTemplate, resolveTemplate, templateId,
  validateTemplate, worstCaseValues, type Template,
} from './templates';
import { formatNoticeDate, formatNoticeDeadline, formatPhone } from './format';
import { pacificTime } from '../time';

const all = (pred: (t: Template) => boolean) => DEFAULT_TEMPLATES.filter(pred);
const id = templateId;
/** The template's own words, placeholders taken out. */
const ownWords = (text: string) => (Mustache.parse(text) as unknown as [string, string][]).filter(([type]) => type === 'text').map(([, v]) => v).join('');

describe('DEFAULT_TEMPLATES', () => {
  test('English and Spanish have a text for every notice kind on every channel; the other languages fall back to English', () => {
    const missing = missingTranslations(DEFAULT_TEMPLATES);
    expect(missing.en).toEqual([]);
    expect(missing.es).toEqual([]);
    expect(missing.zh).toHaveLength(NOTICE_KINDS.length * 3 + 6); // + the six signature texts English has
  });

  test('every default text passes validation with the default limit of 2 SMS segments', () => {
    const problems = DEFAULT_TEMPLATES.flatMap((t) => validateTemplate(t, { maxSmsSegments: DEFAULT_MAX_SMS_SEGMENTS }).map((p) => `${id(t)} ${p.field}: ${p.message}`));
    expect(problems).toEqual([]);
  });

  test('Spanish SMS are written in GSM-7 letters, so they get 153 characters a segment and not 67', () => {
    for (const t of all((x) => x.channel === 'sms' && x.language === 'es')) {
      expect([id(t), smsSize(ownWords(t.body)).nonGsmCharacters]).toEqual([id(t), []]);
      // Filled with the longest values too, except an election update, whose text the admin writes with accents.
      if (t.kind !== 'election-update') {
        expect([id(t), smsSize(renderTemplate(t, worstCaseValues('es', 'sms', t.reason)).text).encoding]).toEqual([id(t), 'GSM-7']);
      }
    }
  });

  test('every SMS ends with the opt-out hint of its language', () => {
    for (const t of all((x) => x.channel === 'sms')) {
      expect([id(t), t.body.endsWith(t.language === 'es' ? ' Responda STOP para cancelar' : ' Reply STOP to opt out')]).toEqual([id(t), true]);
    }
  });

  test('every SMS starts with the county name, and none carries the voter\'s name (it shows on a locked screen)', () => {
    for (const t of all((x) => x.channel === 'sms')) {
      expect([id(t), t.body.startsWith('{{countyName}}: '), t.body.includes('voterFirstName')]).toEqual([id(t), true, false]);
    }
  });

  test('every call ends by offering 1 to hear it again and 9 to stop the calls', () => {
    for (const t of all((x) => x.channel === 'voice')) {
      const end = t.language === 'es'
        ? 'Para escuchar este mensaje otra vez, oprima 1. Para dejar de recibir estas llamadas, oprima 9.'
        : 'To hear this message again, press 1. To stop these calls, press 9.';
      expect([id(t), t.body.endsWith(end)]).toEqual([id(t), true]);
    }
  });

  test('no call reads out a link: nobody can follow a spoken URL', () => {
    for (const t of all((x) => x.channel === 'voice')) {
      expect([id(t), t.body.match(/Url\}\}|https?:/g)]).toEqual([id(t), null]);
    }
  });

  test('every email greets the voter and carries the unsubscribe link', () => {
    for (const t of all((x) => x.channel === 'email')) {
      expect([id(t), t.body.startsWith(t.language === 'es' ? 'Hola, {{voterFirstName}}:' : 'Hello {{voterFirstName}},'), t.body.includes('{{unsubscribeUrl}}')]).toEqual([id(t), true, true]);
    }
  });

  test('every not-counted text names the reason; the email and the call also say how to fix it (EC §3019.7)', () => {
    for (const t of all((x) => x.kind === 'not-counted')) {
      expect([id(t), /\{\{reason(Short)?\}\}/.test(t.body)]).toEqual([id(t), true]);
      if (!t.reason && t.channel !== 'sms') expect([id(t), t.body.includes('{{howToFix}}')]).toEqual([id(t), true]);
    }
  });

  test('a signature problem\'s not-counted text, on every channel but voice, links the cure form and gives its deadline', () => {
    const signature = all((x) => x.kind === 'not-counted' && (x.reason === 'no-signature' || x.reason === 'signature-mismatch'));
    expect(signature).toHaveLength(2 * 2 * 3);
    for (const t of signature) {
      expect([id(t), t.body.includes('{{cureDeadline}}'), t.channel === 'voice' || t.body.includes('{{cureFormUrl}}')]).toEqual([id(t), true, true]);
    }
  });

  test('the signature texts name the right form: the Unsigned Ballot Statement or the Signature Verification Statement', () => {
    const email = (reason: string, language: string) => DEFAULT_TEMPLATES.find((t) => t.kind === 'not-counted' && t.reason === reason && t.channel === 'email' && t.language === language)!.body;
    expect(email('no-signature', 'en')).toContain('sign the Unsigned Ballot Statement');
    expect(email('signature-mismatch', 'en')).toContain('sign the Signature Verification Statement');
    expect(email('no-signature', 'es')).toContain('firme la Declaración de boleta sin firma');
    expect(email('signature-mismatch', 'es')).toContain('firme la Declaración de verificación de firma');
  });

  test('cure-needed and cure-reminder texts link the cure form (except calls) and give the deadline', () => {
    for (const t of all((x) => x.kind === 'cure-needed' || x.kind === 'cure-reminder')) {
      expect([id(t), t.body.includes('{{cureDeadline}}'), t.channel === 'voice' || t.body.includes('{{cureFormUrl}}')]).toEqual([id(t), true, true]);
    }
  });

  test('the mailed notice gives the window the voter should expect the ballot in (EC §3019.7)', () => {
    for (const t of all((x) => x.kind === 'mailed')) {
      expect([id(t), t.body.includes('{{expectedFrom}}') && t.body.includes('{{expectedTo}}')]).toEqual([id(t), true]);
    }
  });

  test('the Spanish texts are translations, not copies of the English', () => {
    for (const t of all((x) => x.language === 'es')) {
      const en = resolveTemplate(DEFAULT_TEMPLATES, t.kind, t.channel, 'en', t.reason);
      expect(en.ok && en.template.body !== t.body && en.template.reason === t.reason).toBe(true);
    }
  });

  test('the defaults are version 1 and the list cannot be changed in place', () => {
    expect(new Set(DEFAULT_TEMPLATES.map((t) => t.version))).toEqual(new Set([1]));
    expect(Object.isFrozen(DEFAULT_TEMPLATES)).toBe(true);
  });
});

describe('what a voter reads', () => {
  const fresno = {
    countyName: 'Fresno County Elections',
    countyPhone: formatPhone('+15596008683', 'sms'),
    lookupUrl: 'https://wheresmyballot.sos.ca.gov',
    cureFormUrl: 'https://www.fresnovotes.gov/cure',
    electionDate: formatNoticeDate('2028-11-07', 'en'),
    returnDeadline: formatNoticeDate('2028-11-07', 'en'),
    programName: 'Where\'s My Ballot?',
    voterFirstName: 'Dolores',
  };
  const find = (kind: string, channel: string, language: string, reason?: string) =>
    DEFAULT_TEMPLATES.find((t) => t.kind === kind && t.channel === channel && t.language === language && t.reason === reason)!;

  test('the English mailed text message', () => {
    const text = renderTemplate(find('mailed', 'sms', 'en'), { ...fresno, expectedFrom: 'October 10, 2028', expectedTo: 'October 14, 2028' }).text;
    expect(text).toBe('Fresno County Elections: Your vote-by-mail ballot is in the mail. It should reach you between October 10, 2028 and October 14, 2028. Track it: https://wheresmyballot.sos.ca.gov Reply STOP to opt out');
    expect(smsSize(text)).toEqual({ segments: 2, encoding: 'GSM-7', nonGsmCharacters: [] });
  });

  test('the Spanish text message for a signature that does not match', () => {
    const text = renderTemplate(find('not-counted', 'sms', 'es', 'signature-mismatch'), {
      ...fresno,
      countyName: 'Elecciones del Condado de Fresno',
      reasonShort: 'su firma no coincide con la registrada',
      cureDeadline: formatNoticeDeadline(pacificTime('2028-12-05', 17), 'es'),
    }).text;
    expect(text).toBe('Elecciones del Condado de Fresno: Para contar su boleta, corrija este problema: su firma no coincide con la registrada. Firme y devuelva el formulario de firma antes de las 5 p. m. del 5 de diciembre de 2028: https://www.fresnovotes.gov/cure Responda STOP para cancelar');
    expect(smsSize(text)).toMatchObject({ segments: 2, encoding: 'GSM-7' });
  });
});

/**
 * What a notice says about why a ballot is not counted (EC §3019.7: "the reason and how to fix it").
 *
 * The full texts (label, how to fix) are domain/reason-codes.ts's, in English and Spanish; this module adds what a
 * notice needs besides:
 * - `unspecified`, for a county record that says "not accepted" without a reason code: the voter is still told;
 * - a short form of each reason for text messages. The full Spanish labels run to 91 characters and contain
 *   á/í/ó/ú, which GSM-7 lacks: one such letter turns a whole SMS into UCS-2 (67 characters a segment instead
 *   of 153). The short Spanish forms are worded (not misspelled) to use only GSM-7 letters (é and ñ are in it),
 *   so a Spanish SMS naming the reason and linking the cure form still fits in two segments.
 * Other languages have no reason texts yet and are given the English ones (`reasonText` reports it).
 */
import { z } from 'zod';
import { REASONS, ReasonCodeSchema } from '../reason-codes';
import { type Language } from './channels';

/** A notice's reason: a known code, or `unspecified` when the county gave none. */
export const NoticeReasonSchema = z.enum([...ReasonCodeSchema.options, 'unspecified']);
export type NoticeReason = z.infer<typeof NoticeReasonSchema>;

interface Texts {
  en: string;
  es: string;
}

const CALL_EN = 'Call the county elections office to ask why and what you can still do.';
const CALL_ES = 'Llame a la oficina electoral del condado para saber por qué y qué puede hacer todavía.';

const UNSPECIFIED = {
  label: { en: 'The county did not record a reason', es: 'El condado no indicó el motivo' },
  howToFix: { en: CALL_EN, es: CALL_ES },
};

/** Short reasons for SMS, lower case so they read after "Reason:" / "Motivo:". Spanish: GSM-7 letters only. */
export const SMS_REASONS: Record<NoticeReason, Texts> = {
  'already-voted': { en: 'another ballot of yours was already counted', es: 'otra boleta suya ya fue contada' },
  'no-signature': { en: 'the return envelope was not signed', es: 'el sobre no tiene su firma' },
  'signature-mismatch': { en: 'your signature does not match the one on file', es: 'su firma no coincide con la registrada' },
  'ballot-missing': { en: 'the return envelope had no ballot in it', es: 'faltaba la boleta en el sobre' },
  'voter-deceased': { en: 'the voter is recorded as deceased', es: 'el votante figura como fallecido' },
  'not-received-on-time': { en: 'it arrived too late', es: 'llegada fuera de plazo' },
  'registration-cancelled': { en: 'your voter registration was cancelled', es: 'su registro de votante fue cancelado' },
  undeliverable: { en: 'the post office could not deliver it', es: 'el correo no pudo entregarla' },
  'not-cured': { en: 'the signature problem was not fixed in time', es: 'el problema de firma no fue resuelto a tiempo' },
  'multiple-ballots': { en: 'there was more than one ballot in the envelope', es: 'varias boletas en un mismo sobre' },
  'envelope-not-sealed': { en: 'the return envelope was not sealed', es: 'el sobre no estaba cerrado' },
  'no-postmark': { en: 'the envelope had no postmark', es: 'el sobre no tiene matasellos' },
  'unofficial-envelope': { en: 'it was not in the official envelope', es: 'no vino en el sobre oficial' },
  unspecified: { en: 'the county did not give a reason', es: 'el condado no dio el motivo' },
};

export interface ReasonTexts {
  /** The language the texts are in: the voter's, or English when there is no translation. */
  language: Language;
  fellBack: boolean;
  /** Full sentence, e.g. "Your signature does not match the one on file" (email, voice). */
  label: string;
  /** Short form for SMS, e.g. "your signature does not match the one on file". */
  short: string;
  /** What the voter can do (email, voice). */
  howToFix: string;
}

/** The texts a notice gives for `reason` in `language` (English when there is no translation). */
export function reasonText(reason: NoticeReason, language: Language): ReasonTexts {
  const full = reason === 'unspecified' ? UNSPECIFIED : REASONS[reason];
  const lang: 'en' | 'es' = language === 'es' ? 'es' : 'en';
  return {
    language: lang,
    fellBack: lang !== language,
    label: full.label[lang],
    short: SMS_REASONS[reason][lang],
    howToFix: full.howToFix[lang],
  };
}

/** Curable reasons (EC §3019): the voter can still fix the ballot with a cure form before the cure deadline. */
export function isCurable(reason: NoticeReason): boolean {
  return reason !== 'unspecified' && REASONS[reason].curable;
}


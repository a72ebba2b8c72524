/**
 * Vote-by-mail ballot statuses and the reasons a ballot is not counted, with what the voter is told in English and
 * Spanish (the two languages served statewide).
 *
 * Sources: the state's VBM reason codes (2 CCR §19092, partial: already voted, no signature, non-matching signature,
 * ballot missing from envelope, voter deceased, not received on time, cancelled registration, undeliverable), plus
 * reasons seen nationally (multiple ballots in one envelope, envelope not sealed, no postmark, unofficial envelope).
 * EC §3019.7 requires the "cannot be counted" notice to give the reason and how to fix it, and a signature problem's
 * notice to link to the cure form. The codes below are this system's stable keys; a county's own codes are mapped
 * to them when its return file is read.
 */
import { z } from 'zod';
import { BallotStatusSchema, type BallotStatus } from './ballot';

export interface LocalizedText {
  en: string;
  es: string;
}

// ---------- ballot statuses ----------

// One list of statuses, owned by the ballot state machine; a cured signature makes the ballot "accepted" there.
export { BallotStatusSchema, type BallotStatus };

export interface BallotStatusInfo {
  label: LocalizedText;
  /** Nothing more will happen to this ballot. */
  final: boolean;
}

export const BALLOT_STATUSES: Record<BallotStatus, BallotStatusInfo> = {
  /** The county issued the ballot (voter extract); not yet handed to USPS. */
  issued: { final: false, label: { en: 'Ballot issued', es: 'Boleta emitida' } },
  /** The vendor's manifest says it was mailed. */
  mailed: { final: false, label: { en: 'Ballot mailed', es: 'Boleta enviada por correo' } },
  /** USPS has scanned the outbound envelope. */
  'in-mail-stream': { final: false, label: { en: 'On its way to you', es: 'En camino hacia usted' } },
  /** Last outbound sort scan: letters have no true delivery scan, so this is the best evidence (domain.md §8). */
  delivered: { final: false, label: { en: 'Delivered to you', es: 'Entregada' } },
  /** Returned to the county by USPS, or marked undeliverable in county data. */
  undeliverable: { final: false, label: { en: 'Could not be delivered', es: 'No se pudo entregar' } },
  /** USPS has scanned the return envelope on its way to the county. */
  returned: { final: false, label: { en: 'On its way back to the county', es: 'De regreso al condado' } },
  received: { final: false, label: { en: 'Received by the county', es: 'Recibida por el condado' } },
  /** The temporary status before accepted or not accepted (2 CCR §19092). */
  'in-review': { final: false, label: { en: 'Being reviewed', es: 'En revisión' } },
  accepted: { final: true, label: { en: 'Counted', es: 'Contada' } },
  'not-accepted': { final: true, label: { en: 'Not counted', es: 'No contada' } },
  /** A signature problem the voter can fix with the cure form (EC §3019). */
  'cure-pending': { final: false, label: { en: 'Needs your signature to be counted', es: 'Necesita su firma para ser contada' } },
  /** The cure form was accepted; the ballot goes on to be counted. */
  /** A reissued ballot (next issue number) or an in-person vote replaced this one. */
  superseded: { final: true, label: { en: 'Replaced by a newer ballot', es: 'Reemplazada por una boleta más reciente' } },
};

// ---------- reasons ----------

export const ReasonCodeSchema = z.enum([
  'already-voted', 'no-signature', 'signature-mismatch', 'ballot-missing', 'voter-deceased', 'not-received-on-time',
  'registration-cancelled', 'undeliverable', 'not-cured', 'multiple-ballots', 'envelope-not-sealed', 'no-postmark',
  'unofficial-envelope',
]);
export type ReasonCode = z.infer<typeof ReasonCodeSchema>;

/** The two cure forms of EC §3019: one for a missing signature, one for a signature that does not match. */
export type CureForm = 'unsigned-ballot-statement' | 'signature-verification-statement';

export interface ReasonInfo {
  /** Where the reason comes from: the state's list (2 CCR §19092) or practice in other states. */
  source: 'ca-2ccr-19092' | 'ca-ec-3019' | 'national';
  /** The voter can fix this ballot by returning a cure form: the ballot waits as 'cure-pending'. */
  curable: boolean;
  /** The cure form to link to in the notice (EC §3019.7: a signature problem links to the cure form). */
  cureForm?: CureForm;
  /** The reason alone makes the ballot 'not accepted' for good; no review or cure can change it. */
  final: boolean;
  label: LocalizedText;
  howToFix: LocalizedText;
}

const CURE_DEADLINE_EN = 'It must reach the county elections office by 5 p.m. two days before the county certifies the election.';
const CURE_DEADLINE_ES = 'Debe llegar a la oficina electoral del condado antes de las 5 p. m., dos días antes de que se certifique la elección.';
const CALL_EN = 'Call the county elections office to ask whether you can still vote in this election.';
const CALL_ES = 'Llame a la oficina electoral del condado para saber si todavía puede votar en esta elección.';

export const REASONS: Record<ReasonCode, ReasonInfo> = {
  'already-voted': {
    source: 'ca-2ccr-19092', curable: false, final: true,
    label: { en: 'You already voted in this election', es: 'Usted ya votó en esta elección' },
    howToFix: {
      en: 'Only one ballot per voter is counted, and another ballot of yours was. If you did not vote another ballot, call the county elections office.',
      es: 'Solo se cuenta una boleta por votante, y ya se contó otra boleta suya. Si usted no votó otra boleta, llame a la oficina electoral del condado.',
    },
  },
  'no-signature': {
    source: 'ca-2ccr-19092', curable: true, cureForm: 'unsigned-ballot-statement', final: false,
    label: { en: 'Your return envelope was not signed', es: 'El sobre de devolución no tiene su firma' },
    howToFix: {
      en: `Sign and return the unsigned ballot statement (the cure form) so your ballot can be counted. ${CURE_DEADLINE_EN}`,
      es: `Firme y devuelva la declaración de boleta sin firma (el formulario de corrección) para que su boleta cuente. ${CURE_DEADLINE_ES}`,
    },
  },
  'signature-mismatch': {
    source: 'ca-2ccr-19092', curable: true, cureForm: 'signature-verification-statement', final: false,
    label: { en: 'Your signature does not match the one on file', es: 'Su firma no coincide con la de su registro' },
    howToFix: {
      en: `Sign and return the signature verification statement (the cure form) so your ballot can be counted. ${CURE_DEADLINE_EN}`,
      es: `Firme y devuelva la declaración de verificación de firma (el formulario de corrección) para que su boleta cuente. ${CURE_DEADLINE_ES}`,
    },
  },
  'ballot-missing': {
    source: 'ca-2ccr-19092', curable: false, final: true,
    label: { en: 'Your return envelope had no ballot in it', es: 'El sobre de devolución no contenía la boleta' },
    howToFix: {
      en: 'Before 8 p.m. on election day you can still ask the county for a replacement ballot or vote in person at a vote center.',
      es: 'Hasta las 8 p. m. del día de la elección todavía puede pedir al condado una boleta de reemplazo o votar en persona en un centro de votación.',
    },
  },
  'voter-deceased': {
    source: 'ca-2ccr-19092', curable: false, final: true,
    label: { en: 'The voter is recorded as deceased', es: 'El votante figura como fallecido' },
    howToFix: {
      en: 'If this is a mistake, call the county elections office.',
      es: 'Si se trata de un error, llame a la oficina electoral del condado.',
    },
  },
  'not-received-on-time': {
    source: 'ca-2ccr-19092', curable: false, final: true,
    label: { en: 'Your ballot arrived too late', es: 'Su boleta llegó demasiado tarde' },
    howToFix: {
      // EC §3020(b): postmarked on or before election day and received no later than 7 days after it.
      en: 'A mailed ballot counts only if it is postmarked by election day and arrives within 7 days after it. Next time, mail it early or use an official drop box.',
      es: 'Una boleta enviada por correo solo cuenta si tiene matasellos a más tardar del día de la elección y llega dentro de los 7 días siguientes. La próxima vez, envíela con anticipación o use un buzón oficial.',
    },
  },
  'registration-cancelled': {
    source: 'ca-2ccr-19092', curable: false, final: true,
    label: { en: 'Your voter registration was cancelled', es: 'Su registro de votante fue cancelado' },
    howToFix: {
      // EC §2170: conditional voter registration through election day.
      en: 'Register again at registertovote.ca.gov. Through election day you can also register and vote at a vote center (conditional voter registration).',
      es: 'Regístrese de nuevo en registertovote.ca.gov. Hasta el día de la elección también puede registrarse y votar en un centro de votación (registro condicional de votantes).',
    },
  },
  undeliverable: {
    source: 'ca-2ccr-19092', curable: false, final: true,
    label: { en: 'The post office could not deliver your ballot', es: 'El correo no pudo entregar su boleta' },
    howToFix: {
      en: 'Update your mailing address at registertovote.ca.gov or with the county elections office and ask for a replacement ballot, or vote in person.',
      es: 'Actualice su dirección postal en registertovote.ca.gov o con la oficina electoral del condado y pida una boleta de reemplazo, o vote en persona.',
    },
  },
  'not-cured': {
    source: 'ca-ec-3019', curable: false, final: true,
    label: { en: 'The signature problem was not fixed in time', es: 'El problema de firma no se corrigió a tiempo' },
    howToFix: {
      en: 'The cure form did not reach the county before the deadline, so this ballot cannot be counted. To keep it from happening again, update your signature by registering again at registertovote.ca.gov.',
      es: 'El formulario de corrección no llegó al condado antes de la fecha límite, por lo que esta boleta no se puede contar. Para que no vuelva a pasar, actualice su firma registrándose de nuevo en registertovote.ca.gov.',
    },
  },
  'multiple-ballots': {
    source: 'national', curable: false, final: true,
    label: { en: 'There was more than one ballot in your envelope', es: 'Había más de una boleta en su sobre' },
    howToFix: {
      en: `Each voter returns their own ballot in their own envelope. ${CALL_EN}`,
      es: `Cada votante debe devolver su propia boleta en su propio sobre. ${CALL_ES}`,
    },
  },
  'envelope-not-sealed': {
    source: 'national', curable: false, final: true,
    label: { en: 'Your return envelope was not sealed', es: 'Su sobre de devolución no estaba cerrado' },
    howToFix: { en: CALL_EN, es: CALL_ES },
  },
  'no-postmark': {
    source: 'national', curable: false, final: true,
    label: {
      en: 'Your envelope had no postmark showing it was mailed by election day',
      es: 'Su sobre no tenía un matasellos que muestre que se envió a más tardar el día de la elección',
    },
    howToFix: {
      en: 'Next time, mail your ballot early, or leave it in an official drop box or at a vote center by 8 p.m. on election day.',
      es: 'La próxima vez, envíe su boleta con anticipación o déjela en un buzón oficial o en un centro de votación antes de las 8 p. m. del día de la elección.',
    },
  },
  'unofficial-envelope': {
    source: 'national', curable: false, final: true,
    label: { en: 'Your ballot was not returned in the official envelope', es: 'Su boleta no se devolvió en el sobre oficial' },
    howToFix: {
      en: 'Ask the county elections office for a replacement ballot with its official envelope, or vote in person.',
      es: 'Pida a la oficina electoral del condado una boleta de reemplazo con su sobre oficial, o vote en persona.',
    },
  },
};

export type ReasonCodesResult =
  | { ok: true; value: ReasonCode[] }
  | { ok: false; errors: { code: string; reason: string }[] };

/**
 * Reads a field that holds several reason codes (the state's extracts "carry multiple reason codes"), separated by
 * "|" or ";": "no-signature|signature-mismatch". Codes are trimmed and matched without regard to case; an empty field
 * is no reason; a code given twice counts once. Every unknown code is an error naming it, so a county file with a
 * new code is reported rather than half read.
 */
export function parseReasonCodes(field: string): ReasonCodesResult {
  const codes: ReasonCode[] = [];
  const errors: { code: string; reason: string }[] = [];
  for (const part of field.split(/[|;]/)) {
    const code = part.trim();
    if (code === '') continue;
    const known = ReasonCodeSchema.safeParse(code.toLowerCase());
    if (!known.success) {
      errors.push({ code, reason: `unknown reason code "${code}"` });
    } else if (!codes.includes(known.data)) {
      codes.push(known.data);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: codes };
}

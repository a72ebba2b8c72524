/**
 * The texts shipped with the system, in English and Spanish (the languages served statewide, domain.md §10), for
 * every notice kind and channel, plus the not-counted texts for the two signature problems, which must link the
 * cure form and give its deadline (EC §3019.7). The state edits them as new versions.
 *
 * How they are written:
 * - Messages speak as the county ("we"), since they are sent from the county's identity.
 * - SMS: the county name first, so the voter knows who is writing before opening the message; no voter name (a text
 *   shows on a locked screen); an opt-out hint last. Two segments at most with the longest values
 *   (templates.ts worstCaseValues).
 * - Spanish SMS use only GSM-7 letters. GSM-7 has é and ñ but not á, í, ó, ú: rather than misspell, the texts are
 *   worded around them ("debe llegar para el", "Siga su boleta", "fuera de plazo"), so they are sent at 153
 *   characters a segment instead of 67, and fit in two segments with the cure link and deadline. Spanish email and
 *   voice texts are written normally.
 * - Voice: no links (nobody can follow a spoken URL); the phone number instead; ends with the 1 (repeat) and 9
 *   (stop calls) keys the call offers.
 * - Email is plain text: a greeting, the news, what to do, the county's name and phone, and the unsubscribe link.
 */
import type { Channel } from './channels';
import type { NoticeReason } from './reasons';
import type { Template } from './templates';
import type { NoticeKind } from './triggers';

type Lang = 'en' | 'es';

interface KindTexts {
  sms: string;
  email: { subject: string; paragraphs: string[] };
  voice: string;
}

const SMS_END: Record<Lang, string> = { en: 'Reply STOP to opt out', es: 'Responda STOP para cancelar' };
const VOICE_START: Record<Lang, string> = {
  en: 'Hello. This is {{countyName}} calling about your vote-by-mail ballot.',
  es: 'Hola. Le llamamos de {{countyName}} acerca de su boleta de voto por correo.',
};
const VOICE_END: Record<Lang, string> = {
  en: 'To hear this message again, press 1. To stop these calls, press 9.',
  es: 'Para escuchar este mensaje otra vez, oprima 1. Para dejar de recibir estas llamadas, oprima 9.',
};

function emailBody(lang: Lang, paragraphs: string[]): string {
  const greeting = lang === 'en' ? 'Hello {{voterFirstName}},' : 'Hola, {{voterFirstName}}:';
  const footer = lang === 'en'
    ? 'You are receiving this email because you signed up for {{programName}}. To change how we contact you, or to stop these emails: {{unsubscribeUrl}}'
    : 'Recibe este correo porque se inscribió en {{programName}}. Para cambiar cómo nos comunicamos con usted, o para dejar de recibir estos correos: {{unsubscribeUrl}}';
  return [greeting, ...paragraphs, '{{countyName}}\n{{countyPhone}}', footer].join('\n\n') + '\n';
}

const sms = (lang: Lang, text: string) => `{{countyName}}: ${text} ${SMS_END[lang]}`;
const voice = (lang: Lang, text: string) => `${VOICE_START[lang]} ${text} ${VOICE_END[lang]}`;

const EN: Record<NoticeKind, KindTexts> = {
  mailed: {
    sms: sms('en', 'Your vote-by-mail ballot is in the mail. It should reach you between {{expectedFrom}} and {{expectedTo}}. Track it: {{lookupUrl}}'),
    email: {
      subject: 'Your ballot is in the mail',
      paragraphs: [
        'We mailed your vote-by-mail ballot for the {{electionDate}} election. It should reach you between {{expectedFrom}} and {{expectedTo}}.',
        'If it has not arrived by then, call us at {{countyPhone}}. You can follow your ballot at any time: {{lookupUrl}}',
      ],
    },
    voice: voice('en', 'It was mailed and should reach you between {{expectedFrom}} and {{expectedTo}}. If it has not arrived by then, please call {{countyPhone}}.'),
  },
  'expected-delivery': {
    sms: sms('en', 'Your ballot is on its way and should arrive by {{expectedTo}}. Track it: {{lookupUrl}}'),
    email: {
      subject: 'Your ballot is on its way',
      paragraphs: [
        'The post office is carrying your ballot for the {{electionDate}} election. It should arrive by {{expectedTo}}.',
        'If it has not arrived by then, call us at {{countyPhone}}. You can follow your ballot at any time: {{lookupUrl}}',
      ],
    },
    voice: voice('en', 'It is on its way and should arrive by {{expectedTo}}. If it has not arrived by then, please call {{countyPhone}}.'),
  },
  delayed: {
    sms: sms('en', 'Your ballot was expected by {{expectedTo}}. If you have not received it, call {{countyPhone}} to ask for a replacement ballot.'),
    email: {
      subject: 'Has your ballot arrived?',
      paragraphs: [
        'Your ballot for the {{electionDate}} election was expected to reach you by {{expectedTo}}, but we have no sign that it was delivered.',
        'If you have it, there is nothing to do. If you do not, call us at {{countyPhone}} to ask for a replacement ballot. You can also vote in person at a vote center.',
        'Follow your ballot: {{lookupUrl}}',
      ],
    },
    voice: voice('en', 'It was expected to reach you by {{expectedTo}}. If you have not received it, please call {{countyPhone}} to ask for a replacement ballot.'),
  },
  undeliverable: {
    sms: sms('en', 'The post office could not deliver your ballot. Call {{countyPhone}} to update your mailing address and get a new ballot.'),
    email: {
      subject: 'We could not deliver your ballot',
      paragraphs: [
        'The post office could not deliver your ballot for the {{electionDate}} election and returned it to us.',
        'Update your mailing address at registertovote.ca.gov or call us at {{countyPhone}}, and ask for a replacement ballot. You can also vote in person at a vote center.',
      ],
    },
    voice: voice('en', 'The post office could not deliver it and returned it to us. Please call {{countyPhone}} to update your mailing address and get a new ballot. You can also vote in person.'),
  },
  received: {
    sms: sms('en', 'We received your ballot. We will let you know when it is counted. Track it: {{lookupUrl}}'),
    email: {
      subject: 'We received your ballot',
      paragraphs: [
        'We received your ballot for the {{electionDate}} election. Next we check the signature on the envelope; we will let you know when your ballot is counted.',
        'Follow your ballot: {{lookupUrl}}',
      ],
    },
    voice: voice('en', 'We received your ballot. We will let you know when it is counted.'),
  },
  counted: {
    sms: sms('en', 'Your ballot was counted. Thank you for voting!'),
    email: {
      subject: 'Your ballot was counted',
      paragraphs: ['Your ballot for the {{electionDate}} election was counted. Thank you for voting!'],
    },
    voice: voice('en', 'Your ballot was counted. Thank you for voting.'),
  },
  'not-counted': {
    sms: sms('en', 'Your ballot could not be counted. Reason: {{reasonShort}}. What you can do: {{lookupUrl}} or call {{countyPhone}}.'),
    email: {
      subject: 'Your ballot could not be counted',
      paragraphs: [
        'Your ballot for the {{electionDate}} election could not be counted.',
        'Reason: {{reason}}.',
        'What you can do: {{howToFix}}',
        'Questions? Call us at {{countyPhone}}. Your ballot: {{lookupUrl}}',
      ],
    },
    voice: voice('en', 'Your ballot could not be counted. {{reason}}. {{howToFix}} If you have questions, please call {{countyPhone}}.'),
  },
  'cure-needed': {
    sms: sms('en', 'Your ballot can\'t be counted until you fix a signature problem: {{reasonShort}}. Sign and return the cure form by {{cureDeadline}}: {{cureFormUrl}}'),
    email: {
      subject: 'Action needed: sign so your ballot can be counted',
      paragraphs: [
        'Your ballot for the {{electionDate}} election cannot be counted until a signature problem is fixed.',
        'Reason: {{reason}}.',
        'To fix it, sign the cure form and return it so that it reaches us by {{cureDeadline}}. The form, and the ways to return it, are here: {{cureFormUrl}}',
        'Questions? Call us at {{countyPhone}}.',
      ],
    },
    voice: voice('en', 'It cannot be counted until a signature problem is fixed. {{reason}}. Sign the cure form and return it so that it reaches us by {{cureDeadline}}. The form is on our website; for help, please call {{countyPhone}}.'),
  },
  'cure-reminder': {
    sms: sms('en', 'Reminder: your ballot still can\'t be counted. Sign and return the cure form by {{cureDeadline}}: {{cureFormUrl}}'),
    email: {
      subject: 'Reminder: your ballot still needs your signature',
      paragraphs: [
        'Your ballot for the {{electionDate}} election still cannot be counted.',
        'Reason: {{reason}}.',
        'Sign the cure form and return it so that it reaches us by {{cureDeadline}}: {{cureFormUrl}}',
        'If you already sent it, thank you: we will let you know when your ballot is counted. Questions? Call us at {{countyPhone}}.',
      ],
    },
    voice: voice('en', 'This is a reminder that it still cannot be counted. Sign the cure form and return it so that it reaches us by {{cureDeadline}}. The form is on our website; for help, please call {{countyPhone}}. If you already sent it, thank you.'),
  },
  'return-deadline-reminder': {
    sms: sms('en', 'We have not received your ballot yet. Mail it postmarked by {{returnDeadline}}, or leave it in an official drop box by 8 p.m. that day. Thank you if you already sent it.'),
    email: {
      subject: 'Reminder: return your ballot by {{returnDeadline}}',
      paragraphs: [
        'We have not received your ballot for the {{electionDate}} election yet.',
        // EC §3020: postmarked on or before election day and received within 7 days after it.
        'Mail it so that it is postmarked by {{returnDeadline}} (it must reach us within 7 days after), or leave it in an official drop box or at a vote center by 8 p.m. on {{returnDeadline}}.',
        'If you already sent it, thank you: we will let you know when we receive it. Follow your ballot: {{lookupUrl}}',
      ],
    },
    voice: voice('en', 'We have not received it yet. Mail it so that it is postmarked by {{returnDeadline}}, or leave it in an official drop box or at a vote center by 8 p.m. that day. If you already sent it, thank you.'),
  },
  'election-update': {
    sms: sms('en', '{{updateText}}'),
    email: {
      subject: 'News about the {{electionDate}} election',
      paragraphs: ['{{updateText}}', 'Questions? Call us at {{countyPhone}}.'],
    },
    voice: 'Hello. This is {{countyName}} with news about the {{electionDate}} election. {{updateText}} If you have questions, please call {{countyPhone}}. ' + VOICE_END.en,
  },
};

const ES: Record<NoticeKind, KindTexts> = {
  mailed: {
    sms: sms('es', 'Su boleta de voto por correo fue enviada. Debe llegar entre el {{expectedFrom}} y el {{expectedTo}}. Siga su boleta: {{lookupUrl}}'),
    email: {
      subject: 'Su boleta está en el correo',
      paragraphs: [
        'Le enviamos su boleta de voto por correo para la elección del {{electionDate}}. Debería llegarle entre el {{expectedFrom}} y el {{expectedTo}}.',
        'Si no la ha recibido para entonces, llámenos al {{countyPhone}}. Puede seguir su boleta en cualquier momento: {{lookupUrl}}',
      ],
    },
    voice: voice('es', 'Su boleta fue enviada por correo y debería llegarle entre el {{expectedFrom}} y el {{expectedTo}}. Si no la ha recibido para entonces, llame al {{countyPhone}}.'),
  },
  'expected-delivery': {
    sms: sms('es', 'Su boleta va en camino y debe llegar para el {{expectedTo}}. Siga su boleta: {{lookupUrl}}'),
    email: {
      subject: 'Su boleta va en camino',
      paragraphs: [
        'El correo ya lleva su boleta para la elección del {{electionDate}}. Debería llegarle para el {{expectedTo}}.',
        'Si no la ha recibido para entonces, llámenos al {{countyPhone}}. Puede seguir su boleta en cualquier momento: {{lookupUrl}}',
      ],
    },
    voice: voice('es', 'Su boleta va en camino y debería llegarle para el {{expectedTo}}. Si no la ha recibido para entonces, llame al {{countyPhone}}.'),
  },
  delayed: {
    sms: sms('es', 'Su boleta se esperaba para el {{expectedTo}}. Si no la ha recibido, llame al {{countyPhone}} para pedir una boleta de reemplazo.'),
    email: {
      subject: '¿Recibió su boleta?',
      paragraphs: [
        'Esperábamos que su boleta para la elección del {{electionDate}} le llegara para el {{expectedTo}}, pero no tenemos constancia de que se haya entregado.',
        'Si ya la tiene, no tiene que hacer nada. Si no, llámenos al {{countyPhone}} para pedir una boleta de reemplazo. También puede votar en persona en un centro de votación.',
        'Siga su boleta: {{lookupUrl}}',
      ],
    },
    voice: voice('es', 'Esperábamos que le llegara para el {{expectedTo}}. Si no la ha recibido, llame al {{countyPhone}} para pedir una boleta de reemplazo.'),
  },
  undeliverable: {
    sms: sms('es', 'El correo no pudo entregar su boleta. Llame al {{countyPhone}} para corregir su domicilio y recibir una boleta nueva.'),
    email: {
      subject: 'No pudimos entregarle su boleta',
      paragraphs: [
        'El correo no pudo entregar su boleta para la elección del {{electionDate}} y nos la devolvió.',
        'Actualice su dirección postal en registertovote.ca.gov o llámenos al {{countyPhone}}, y pida una boleta de reemplazo. También puede votar en persona en un centro de votación.',
      ],
    },
    voice: voice('es', 'El correo no pudo entregarla y nos la devolvió. Llame al {{countyPhone}} para actualizar su dirección postal y recibir una boleta nueva. También puede votar en persona.'),
  },
  received: {
    sms: sms('es', 'Recibimos su boleta. Le avisaremos cuando sea contada. Siga su boleta: {{lookupUrl}}'),
    email: {
      subject: 'Recibimos su boleta',
      paragraphs: [
        'Recibimos su boleta para la elección del {{electionDate}}. Ahora revisaremos la firma del sobre; le avisaremos cuando su boleta sea contada.',
        'Siga su boleta: {{lookupUrl}}',
      ],
    },
    voice: voice('es', 'Recibimos su boleta. Le avisaremos cuando sea contada.'),
  },
  counted: {
    sms: sms('es', 'Su boleta fue contada. ¡Gracias por votar!'),
    email: {
      subject: 'Su boleta fue contada',
      paragraphs: ['Su boleta para la elección del {{electionDate}} fue contada. ¡Gracias por votar!'],
    },
    voice: voice('es', 'Su boleta fue contada. Gracias por votar.'),
  },
  'not-counted': {
    sms: sms('es', 'Su boleta no pudo ser contada. Motivo: {{reasonShort}}. Lo que puede hacer: {{lookupUrl}} o llame al {{countyPhone}}.'),
    email: {
      subject: 'Su boleta no pudo ser contada',
      paragraphs: [
        'Su boleta para la elección del {{electionDate}} no pudo ser contada.',
        'Motivo: {{reason}}.',
        'Qué puede hacer: {{howToFix}}',
        '¿Preguntas? Llámenos al {{countyPhone}}. Su boleta: {{lookupUrl}}',
      ],
    },
    voice: voice('es', 'Su boleta no pudo ser contada. {{reason}}. {{howToFix}} Si tiene preguntas, llame al {{countyPhone}}.'),
  },
  'cure-needed': {
    sms: sms('es', 'Para contar su boleta, corrija este problema: {{reasonShort}}. Firme y devuelva el formulario antes de {{cureDeadline}}: {{cureFormUrl}}'),
    email: {
      subject: 'Acción necesaria: firme para que su boleta sea contada',
      paragraphs: [
        'Su boleta para la elección del {{electionDate}} no puede ser contada hasta que se corrija un problema de firma.',
        'Motivo: {{reason}}.',
        'Para corregirlo, firme el formulario de corrección y devuélvalo de modo que llegue a nuestra oficina antes de {{cureDeadline}}. El formulario y las formas de devolverlo están aquí: {{cureFormUrl}}',
        '¿Preguntas? Llámenos al {{countyPhone}}.',
      ],
    },
    voice: voice('es', 'No puede ser contada hasta que se corrija un problema de firma. {{reason}}. Firme el formulario de corrección y devuélvalo de modo que llegue antes de {{cureDeadline}}. El formulario está en nuestro sitio web; si necesita ayuda, llame al {{countyPhone}}.'),
  },
  'cure-reminder': {
    sms: sms('es', 'Recordatorio: su boleta sigue sin poder contarse. Firme y devuelva el formulario antes de {{cureDeadline}}: {{cureFormUrl}}'),
    email: {
      subject: 'Recordatorio: su boleta todavía necesita su firma',
      paragraphs: [
        'Su boleta para la elección del {{electionDate}} todavía no puede ser contada.',
        'Motivo: {{reason}}.',
        'Firme el formulario de corrección y devuélvalo de modo que llegue a nuestra oficina antes de {{cureDeadline}}: {{cureFormUrl}}',
        'Si ya lo envió, gracias: le avisaremos cuando su boleta sea contada. ¿Preguntas? Llámenos al {{countyPhone}}.',
      ],
    },
    voice: voice('es', 'Le recordamos que todavía no puede ser contada. Firme el formulario de corrección y devuélvalo de modo que llegue antes de {{cureDeadline}}. El formulario está en nuestro sitio web; si necesita ayuda, llame al {{countyPhone}}. Si ya lo envió, gracias.'),
  },
  'return-deadline-reminder': {
    sms: sms('es', 'No hemos recibido su boleta. Puede mandarla por correo con matasellos del {{returnDeadline}} o antes, o dejarla en una urna oficial hasta las 8 p. m. de esa fecha. Gracias si ya la ha enviado.'),
    email: {
      subject: 'Recordatorio: devuelva su boleta a más tardar el {{returnDeadline}}',
      paragraphs: [
        'Todavía no hemos recibido su boleta para la elección del {{electionDate}}.',
        'Envíela por correo con matasellos del {{returnDeadline}} o antes (debe llegarnos dentro de los 7 días siguientes), o déjela en un buzón oficial de boletas o en un centro de votación antes de las 8 p. m. del {{returnDeadline}}.',
        'Si ya la envió, gracias: le avisaremos cuando la recibamos. Siga su boleta: {{lookupUrl}}',
      ],
    },
    voice: voice('es', 'Todavía no la hemos recibido. Envíela por correo con matasellos del {{returnDeadline}} o antes, o déjela en un buzón oficial de boletas o en un centro de votación antes de las 8 p. m. de ese día. Si ya la envió, gracias.'),
  },
  'election-update': {
    sms: sms('es', '{{updateText}}'),
    email: {
      subject: 'Noticias sobre la elección del {{electionDate}}',
      paragraphs: ['{{updateText}}', '¿Preguntas? Llámenos al {{countyPhone}}.'],
    },
    voice: 'Hola. Le llamamos de {{countyName}} con noticias sobre la elección del {{electionDate}}. {{updateText}} Si tiene preguntas, llame al {{countyPhone}}. ' + VOICE_END.es,
  },
};

/**
 * Not counted for a signature problem: the ballot can still be counted if the voter returns the right statement
 * (EC §3019(d)): the Unsigned Ballot Statement for a missing signature, the Signature Verification Statement for one
 * that does not match. The notice names the form, links it and gives the deadline.
 */
function signatureTexts(lang: Lang, form: { en: string; es: string; esSms: string }): KindTexts {
  if (lang === 'en') {
    return {
      sms: sms('en', `Your ballot can't be counted yet: {{reasonShort}}. Sign and return the ${form.en.toLowerCase()} by {{cureDeadline}}: {{cureFormUrl}}`),
      email: {
        subject: 'Action needed: sign so your ballot can be counted',
        paragraphs: [
          'Your ballot for the {{electionDate}} election cannot be counted yet.',
          'Reason: {{reason}}.',
          `To have it counted, sign the ${form.en} and return it so that it reaches us by {{cureDeadline}}. The form, and the ways to return it, are here: {{cureFormUrl}}`,
          'Questions? Call us at {{countyPhone}}.',
        ],
      },
      voice: voice('en', `It cannot be counted yet. {{reason}}. To have it counted, sign the ${form.en.toLowerCase()} and return it so that it reaches us by {{cureDeadline}}. The form is on our website; for help, please call {{countyPhone}}.`),
    };
  }
  return {
    sms: sms('es', `Para contar su boleta, corrija este problema: {{reasonShort}}. Firme y devuelva ${form.esSms} antes de {{cureDeadline}}: {{cureFormUrl}}`),
    email: {
      subject: 'Acción necesaria: firme para que su boleta sea contada',
      paragraphs: [
        'Su boleta para la elección del {{electionDate}} todavía no puede ser contada.',
        'Motivo: {{reason}}.',
        `Para que se cuente, firme la ${form.es} y devuélvala de modo que llegue a nuestra oficina antes de {{cureDeadline}}. El formulario y las formas de devolverlo están aquí: {{cureFormUrl}}`,
        '¿Preguntas? Llámenos al {{countyPhone}}.',
      ],
    },
    voice: voice('es', `Todavía no puede ser contada. {{reason}}. Para que se cuente, firme la ${form.es.toLowerCase()} y devuélvala de modo que llegue antes de {{cureDeadline}}. El formulario está en nuestro sitio web; si necesita ayuda, llame al {{countyPhone}}.`),
  };
}

const SIGNATURE_FORMS: Partial<Record<NoticeReason, { en: string; es: string; esSms: string }>> = {
  'no-signature': { en: 'Unsigned Ballot Statement', es: 'Declaración de boleta sin firma', esSms: 'el formulario para boletas sin firma' },
  'signature-mismatch': { en: 'Signature Verification Statement', es: 'Declaración de verificación de firma', esSms: 'el formulario de firma' },
};

function templatesOf(lang: Lang, kind: NoticeKind, texts: KindTexts, reason?: NoticeReason): Template[] {
  const base = { kind, language: lang, version: 1, ...(reason ? { reason } : {}) };
  const byChannel: Record<Channel, Template> = {
    email: { ...base, channel: 'email', subject: texts.email.subject, body: emailBody(lang, texts.email.paragraphs) },
    sms: { ...base, channel: 'sms', body: texts.sms },
    voice: { ...base, channel: 'voice', body: texts.voice },
  };
  return [byChannel.email, byChannel.sms, byChannel.voice];
}

export const DEFAULT_TEMPLATES: readonly Template[] = Object.freeze([
  ...(['en', 'es'] as const).flatMap((lang) => {
    const texts = lang === 'en' ? EN : ES;
    return (Object.keys(texts) as NoticeKind[]).flatMap((kind) => templatesOf(lang, kind, texts[kind]));
  }),
  ...(['en', 'es'] as const).flatMap((lang) =>
    (Object.entries(SIGNATURE_FORMS) as [NoticeReason, { en: string; es: string; esSms: string }][]).flatMap(([reason, form]) =>
      templatesOf(lang, 'not-counted', signatureTexts(lang, form), reason))),
]);

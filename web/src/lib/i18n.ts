/**
 * The voter pages in English and Spanish (the state's minimum; notices themselves come in ten languages). The
 * language is chosen with `?lang=`, remembered in localStorage, and can be switched on every page.
 */
export type Lang = 'en' | 'es';
export const LANGS: { code: Lang; name: string }[] = [{ code: 'en', name: 'English' }, { code: 'es', name: 'Español' }];

const en = {
  brand: 'Where\'s my ballot?',
  skip: 'Skip to main content',
  language: 'Language',
  title: 'Where\'s my ballot?',
  intro: 'Find your vote-by-mail ballot with your name, date of birth and home ZIP code. You do not need an account.',
  firstName: 'First name',
  lastName: 'Last name',
  dateOfBirth: 'Date of birth',
  dateHint: 'For example 1984-02-29',
  zip: 'ZIP code of your home address',
  zipHint: '5 digits, for example 93721',
  voterId: 'Voter ID',
  voterIdHint: 'More than one voter matches. Enter the voter ID printed on your ballot envelope or sample ballot.',
  find: 'Find my ballot',
  searching: 'Looking up your ballot…',
  notFound: 'We could not find a ballot for those details. Check the spelling of your name, your date of birth and the ZIP code of your home address. If it is still not found, call your county elections office.',
  needVoterId: 'More than one voter has these details. Enter your voter ID to continue.',
  yourBallot: 'Your ballot',
  county: 'County',
  electionDay: 'Election day',
  status: 'Current status',
  expected: 'Expected to arrive',
  between: (a: string, b: string) => `between ${a} and ${b}`,
  timeline: 'What has happened',
  nextSteps: 'What comes next',
  noEvents: 'Nothing has happened to your ballot yet.',
  reason: 'Reason',
  howToFix: 'How to fix it',
  cureTitle: 'Action needed: your ballot cannot be counted yet',
  cureForm: 'Open the cure form',
  cureDeadline: 'Deadline',
  countyPhone: 'County elections office phone',
  signupTitle: 'Get notices about your ballot',
  signupIntro: 'We can tell you when your ballot is mailed, when it is received, and whether it was counted. Choose how to be contacted. We will send a code to confirm each address.',
  channelEmail: 'Email',
  channelSms: 'Text message (SMS)',
  channelVoice: 'Phone call',
  emailAddress: 'Email address',
  phoneNumber: 'Mobile phone number',
  voicePhone: 'Phone number for calls',
  phoneHint: 'US numbers like (559) 555-0143, or + and country code',
  noticeLanguage: 'Language of the notices',
  hours: 'Hours we may text or call you',
  hoursHint: 'Pacific time. Emails may arrive at any hour.',
  from: 'From',
  until: 'Until',
  consentLabel: 'I agree to the text above',
  consentText: (county: string) => `I agree to receive automated texts, calls and emails from ${county} about my vote-by-mail ballot at the contact details I gave. Consent is not a condition of voting. Message and data rates may apply. Reply STOP to cancel, HELP for help.`,
  subscribe: 'Sign up',
  pickChannel: 'Choose at least one way to be contacted.',
  mustConsent: 'Check the box to agree before signing up.',
  codeSent: (where: string) => `We sent a code to ${where}.`,
  codeLabel: (where: string) => `Code sent to ${where}`,
  confirm: 'Confirm',
  resend: 'Send a new code',
  confirmed: (where: string) => `${where} is confirmed. You will get notices there.`,
  manageLink: 'Change or stop your notices at any time with this private link (keep it):',
  manageOpen: 'Manage my notices',
  accountTitle: 'Remember this ballot (optional)',
  accountIntro: 'Create an account or sign in to keep your lookups, so you can check again without typing your details.',
  email: 'Email',
  password: 'Password',
  passwordHint: 'At least 12 characters',
  signIn: 'Sign in',
  createAccount: 'Create account',
  signOut: 'Sign out',
  signedInAs: (e: string) => `Signed in as ${e}`,
  saveLookup: 'Save this ballot to my account',
  saved: 'Saved to your account.',
  savedLookups: 'Your saved ballots',
  noSaved: 'No saved ballots yet. Look up a ballot, then save it.',
  view: 'View',
  forget: 'Remove',
  manageTitle: 'Manage my ballot notices',
  manageIntro: 'Change how we contact you, or stop the notices.',
  channels: 'Channels',
  stateConfirmed: 'confirmed',
  statePending: 'waiting for its code',
  stateOptedOut: 'stopped',
  save: 'Save changes',
  savedChanges: 'Your changes are saved.',
  stopAll: 'Stop all notices',
  stopped: 'All notices are stopped. You can sign up again at any time.',
  badLink: 'This link is not valid or has expired. Look up your ballot again to get a new one.',
  subscriptionCancelled: 'These notices were stopped.',
  lookupAgain: 'Look up my ballot',
  expiredLookup: 'Your lookup expired. Look up your ballot again.',
  statuses: {
    issued: 'Issued', mailed: 'Mailed to you', 'in-mail-stream': 'In the mail', delivered: 'Delivered to you',
    undeliverable: 'Returned as undeliverable', returned: 'On its way back', received: 'Received by the county',
    'in-review': 'Being checked', accepted: 'Counted', 'not-accepted': 'Not counted', 'cure-pending': 'Needs your signature',
    superseded: 'Replaced by a newer ballot',
  } as Record<string, string>,
  statusHelp: {
    issued: 'Your county has prepared your ballot.',
    mailed: 'Your ballot is on its way to you.',
    'in-mail-stream': 'The Postal Service has scanned your ballot.',
    delivered: 'The Postal Service delivered your ballot.',
    undeliverable: 'The Postal Service could not deliver your ballot. Call your county elections office.',
    returned: 'The Postal Service scanned your ballot on its way back to the county.',
    received: 'Your county elections office has your ballot.',
    'in-review': 'The county is checking the signature on your envelope.',
    accepted: 'Your ballot was counted.',
    'not-accepted': 'Your ballot was not counted.',
    'cure-pending': 'Your ballot needs a signature statement before it can be counted.',
    superseded: 'A newer ballot was issued to you, or you voted in person.',
  } as Record<string, string>,
};

type Dict = typeof en;

const es: Dict = {
  brand: '¿Dónde está mi boleta?',
  skip: 'Saltar al contenido principal',
  language: 'Idioma',
  title: '¿Dónde está mi boleta?',
  intro: 'Encuentre su boleta de voto por correo con su nombre, fecha de nacimiento y el código postal de su domicilio. No necesita una cuenta.',
  firstName: 'Nombre',
  lastName: 'Apellido',
  dateOfBirth: 'Fecha de nacimiento',
  dateHint: 'Por ejemplo 1984-02-29',
  zip: 'Código postal de su domicilio',
  zipHint: '5 dígitos, por ejemplo 93721',
  voterId: 'Número de votante',
  voterIdHint: 'Hay más de un votante con estos datos. Escriba el número de votante impreso en el sobre de su boleta o en la boleta de muestra.',
  find: 'Buscar mi boleta',
  searching: 'Buscando su boleta…',
  notFound: 'No encontramos una boleta con esos datos. Revise cómo escribió su nombre, su fecha de nacimiento y el código postal de su domicilio. Si aún no aparece, llame a la oficina electoral de su condado.',
  needVoterId: 'Hay más de un votante con estos datos. Escriba su número de votante para continuar.',
  yourBallot: 'Su boleta',
  county: 'Condado',
  electionDay: 'Día de la elección',
  status: 'Estado actual',
  expected: 'Debería llegar',
  between: (a: string, b: string) => `entre el ${a} y el ${b}`,
  timeline: 'Lo que ha pasado',
  nextSteps: 'Lo que sigue',
  noEvents: 'Todavía no ha pasado nada con su boleta.',
  reason: 'Motivo',
  howToFix: 'Cómo corregirlo',
  cureTitle: 'Acción necesaria: su boleta todavía no puede contarse',
  cureForm: 'Abrir el formulario de corrección',
  cureDeadline: 'Fecha límite',
  countyPhone: 'Teléfono de la oficina electoral del condado',
  signupTitle: 'Reciba avisos sobre su boleta',
  signupIntro: 'Le avisamos cuando enviemos su boleta, cuando la recibamos y si se contó. Elija cómo quiere que le contactemos. Le enviaremos un código para confirmar cada dirección.',
  channelEmail: 'Correo electrónico',
  channelSms: 'Mensaje de texto (SMS)',
  channelVoice: 'Llamada telefónica',
  emailAddress: 'Correo electrónico',
  phoneNumber: 'Número de celular',
  voicePhone: 'Número para llamadas',
  phoneHint: 'Números de EE. UU. como (559) 555-0143, o + y el código del país',
  noticeLanguage: 'Idioma de los avisos',
  hours: 'Horas en que podemos enviarle textos o llamarle',
  hoursHint: 'Hora del Pacífico. Los correos pueden llegar a cualquier hora.',
  from: 'Desde',
  until: 'Hasta',
  consentLabel: 'Acepto el texto de arriba',
  consentText: (county: string) => `Acepto recibir mensajes de texto, llamadas y correos automáticos de ${county} sobre mi boleta de voto por correo en los datos de contacto que di. No es condición para votar. Pueden aplicarse tarifas de mensajes y datos. Responda STOP para cancelar, HELP para ayuda.`,
  subscribe: 'Inscribirme',
  pickChannel: 'Elija al menos una forma de contacto.',
  mustConsent: 'Marque la casilla para aceptar antes de inscribirse.',
  codeSent: (where: string) => `Enviamos un código a ${where}.`,
  codeLabel: (where: string) => `Código enviado a ${where}`,
  confirm: 'Confirmar',
  resend: 'Enviar un código nuevo',
  confirmed: (where: string) => `${where} está confirmado. Recibirá los avisos allí.`,
  manageLink: 'Cambie o cancele sus avisos cuando quiera con este enlace privado (guárdelo):',
  manageOpen: 'Administrar mis avisos',
  accountTitle: 'Recordar esta boleta (opcional)',
  accountIntro: 'Cree una cuenta o inicie sesión para guardar sus búsquedas y consultar de nuevo sin escribir sus datos.',
  email: 'Correo electrónico',
  password: 'Contraseña',
  passwordHint: 'Al menos 12 caracteres',
  signIn: 'Iniciar sesión',
  createAccount: 'Crear cuenta',
  signOut: 'Cerrar sesión',
  signedInAs: (e: string) => `Sesión iniciada como ${e}`,
  saveLookup: 'Guardar esta boleta en mi cuenta',
  saved: 'Guardada en su cuenta.',
  savedLookups: 'Sus boletas guardadas',
  noSaved: 'Todavía no hay boletas guardadas. Busque una boleta y guárdela.',
  view: 'Ver',
  forget: 'Quitar',
  manageTitle: 'Administrar mis avisos de boleta',
  manageIntro: 'Cambie cómo le contactamos o cancele los avisos.',
  channels: 'Canales',
  stateConfirmed: 'confirmado',
  statePending: 'esperando su código',
  stateOptedOut: 'cancelado',
  save: 'Guardar cambios',
  savedChanges: 'Sus cambios están guardados.',
  stopAll: 'Cancelar todos los avisos',
  stopped: 'Se cancelaron todos los avisos. Puede inscribirse de nuevo cuando quiera.',
  badLink: 'Este enlace no es válido o ya venció. Busque su boleta de nuevo para recibir uno nuevo.',
  subscriptionCancelled: 'Estos avisos fueron cancelados.',
  lookupAgain: 'Buscar mi boleta',
  expiredLookup: 'Su búsqueda venció. Busque su boleta de nuevo.',
  statuses: {
    issued: 'Emitida', mailed: 'Enviada por correo', 'in-mail-stream': 'En el correo', delivered: 'Entregada',
    undeliverable: 'Devuelta como no entregable', returned: 'De regreso al condado', received: 'Recibida por el condado',
    'in-review': 'En revisión', accepted: 'Contada', 'not-accepted': 'No contada', 'cure-pending': 'Necesita su firma',
    superseded: 'Reemplazada por una boleta más nueva',
  },
  statusHelp: {
    issued: 'Su condado preparó su boleta.',
    mailed: 'Su boleta va en camino.',
    'in-mail-stream': 'El Servicio Postal escaneó su boleta.',
    delivered: 'El Servicio Postal entregó su boleta.',
    undeliverable: 'El Servicio Postal no pudo entregar su boleta. Llame a la oficina electoral de su condado.',
    returned: 'El Servicio Postal escaneó su boleta de regreso al condado.',
    received: 'La oficina electoral de su condado tiene su boleta.',
    'in-review': 'El condado está revisando la firma de su sobre.',
    accepted: 'Su boleta fue contada.',
    'not-accepted': 'Su boleta no fue contada.',
    'cure-pending': 'Su boleta necesita una declaración firmada antes de contarse.',
    superseded: 'Se le emitió una boleta más nueva, o votó en persona.',
  },
};

export const DICTS: Record<Lang, Dict> = { en, es };

const STORE = 'ballotflow.lang';

/** The language from `?lang=`, else the one chosen before, else the browser's, else English. */
export function initialLang(): Lang {
  const q = new URLSearchParams(location.search).get('lang');
  if (q === 'en' || q === 'es') return q;
  const saved = localStorage.getItem(STORE);
  if (saved === 'en' || saved === 'es') return saved;
  return navigator.language?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function rememberLang(l: Lang): void {
  localStorage.setItem(STORE, l);
  const u = new URL(location.href);
  u.searchParams.set('lang', l);
  history.replaceState(null, '', u);
}

/** A date (YYYY-MM-DD or an instant) as the voter reads it, in Pacific time. */
export function formatDate(d: string, lang: Lang, withTime = false): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(`${d}T12:00:00Z`) : new Date(d);
  return date.toLocaleString(lang === 'es' ? 'es-US' : 'en-US', {
    timeZone: 'America/Los_Angeles', year: 'numeric', month: 'long', day: 'numeric',
    ...(withTime ? { hour: 'numeric', minute: '2-digit' } : {}),
  });
}

/** US numbers typed any common way become E.164 (+1 and ten digits); anything starting with + is kept. */
export function toE164(s: string): string {
  const t = s.trim();
  if (t.startsWith('+')) return `+${t.slice(1).replace(/\D/g, '')}`;
  const digits = t.replace(/\D/g, '');
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return t;
}

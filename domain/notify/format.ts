/**
 * How dates, deadlines and phone numbers read in a notice. Written out by hand for English and Spanish rather than
 * with Intl: Intl's output follows the ICU data of whichever Node runs it, and a workflow replayed on another
 * Node must produce the same text. Other languages get ISO dates (2026-11-03), readable everywhere, until their
 * translators supply a format.
 */
import { DateTime } from 'luxon';
import { COUNTY_ZONE } from '../time';
import type { Channel, Language } from './channels';

const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
// Spanish month names are not capitalised (RAE).
const MONTHS_ES = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];

/** A calendar date as a voter reads it: "November 3, 2026", "3 de noviembre de 2026", else "2026-11-03". */
export function formatNoticeDate(isoDate: string, language: Language): string {
  const d = DateTime.fromISO(isoDate, { zone: 'utc' });
  if (!d.isValid) throw new Error(`not a date: ${isoDate}`);
  switch (language) {
    case 'en': return `${MONTHS_EN[d.month - 1]} ${d.day}, ${d.year}`;
    case 'es': return `${d.day} de ${MONTHS_ES[d.month - 1]} de ${d.year}`;
    default: return d.toISODate()!;
  }
}

/**
 * A deadline instant in Pacific time, the county's zone (the cure statement must *reach the county* by then), worded
 * to follow "by" / "antes de": "5 p.m. on September 28, 2026", "las 5 p. m. del 28 de septiembre de 2026" ("la 1"
 * for one o'clock; the RAE writes "p. m." with spaces). Other languages: "2026-09-28 17:00".
 */
export function formatNoticeDeadline(ms: number, language: Language): string {
  const t = DateTime.fromMillis(ms, { zone: COUNTY_ZONE });
  const date = formatNoticeDate(t.toISODate()!, language);
  const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  const clock = t.minute === 0 ? `${h12}` : `${h12}:${String(t.minute).padStart(2, '0')}`;
  switch (language) {
    case 'en': return `${clock} ${t.hour < 12 ? 'a.m.' : 'p.m.'} on ${date}`;
    case 'es': return `${h12 === 1 ? 'la' : 'las'} ${clock} ${t.hour < 12 ? 'a. m.' : 'p. m.'} del ${date}`;
    default: return `${date} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
  }
}

/**
 * A phone number as the channel should carry it. US numbers read "(559) 600-8683" in writing; on a call the digits
 * are spaced ("5 5 9, 6 0 0, 8 6 8 3") because text-to-speech reads "6008683" as a number in the millions and
 * reads spaced digits one by one, the commas making pauses.
 */
export function formatPhone(e164: string, channel: Channel): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  if (channel === 'voice') {
    const groups = us ? [us[1]!, us[2]!, us[3]!] : [e164.replace(/^\+/, '')];
    return groups.map((g) => g.split('').join(' ')).join(', ');
  }
  return us ? `(${us[1]}) ${us[2]}-${us[3]}` : e164;
}

/**
 * The county's fixed-field voter record for vote-by-mail envelopes: seed 004, Exhibit A section G ("Printing
 * Specifications for Variable Voter Data"). G.1: "County will provide the variable information for each registered
 * voter on electronic media in a fixed field format." G.2.c gives the fields, lengths and samples (the table in
 * FIXED_FIELDS below, in the seed's order); the fields add up to a 237-character record.
 *
 * The seed introduces that table as "the format of the human readable code line", but 237 characters at the
 * 12 characters per inch G.2.b requires would be a line almost 20 inches long on an envelope under 10 inches wide: the table is the
 * record layout, and the printed code line is the short label line built by `labelLine` below.
 *
 * Characters, not bytes: every length and offset counts Unicode code points, so "Núñez" takes 5 positions whether
 * the file was read as Latin-1 or UTF-8, and a name with a character outside the Basic Multilingual Plane
 * (𠮷田, Yoshida with the "tsuchi-yoshi") takes 2 although a JavaScript string gives it 3 UTF-16 units. Text values
 * are trimmed and put in Unicode NFC, so a decomposed "n + combining tilde" counts as the one letter ñ it shows as.
 * Text is left-aligned and padded with spaces; a value longer than its field is refused, never cut off, because a
 * cut name or address would print on an envelope that then goes to the wrong place.
 */
import { z } from 'zod';
import { isCalendarDate, IsoDateSchema } from './time';

/** Number of Unicode code points: the unit every length in the layout is measured in. */
export function codePointLength(s: string): number {
  return SURROGATE.test(s) ? Array.from(s).length : s.length;
}

/** Half of a character outside the Basic Multilingual Plane: without one, code points and UTF-16 units agree. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Whether the text holds a control character (\p{Cc}: U+0000-U+001F, U+007F-U+009F), a tab or line break that
 * would shift or split a record. One search, not a walk over code points: it runs on every value of every file.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
export function hasControlCharacter(s: string): boolean {
  return CONTROL.test(s);
}

/** A text field: trimmed, NFC, no control characters (a tab or line break would shift or split the record). */
function text(length: number, options: { optional?: boolean } = {}) {
  return z
    .string()
    .trim()
    .overwrite((v) => v.normalize('NFC'))
    .superRefine((v, ctx) => {
      if (!options.optional && v === '') ctx.addIssue({ code: 'custom', message: 'is blank' });
      if (hasControlCharacter(v)) ctx.addIssue({ code: 'custom', message: 'contains a control character (tab, line break...)' });
      const n = codePointLength(v);
      if (n > length) ctx.addIssue({ code: 'custom', message: `is ${n} characters; the field holds ${length}` });
    });
}

export const FixedFieldRecordSchema = z.object({
  electionDate: IsoDateSchema,
  electionNumber: z.number().int().min(0, 'must be one digit, 0-9').max(9, 'must be one digit, 0-9'),
  /** The seed's sample lists the kinds: "Regular, mailed, military". Kept as given: the seed fixes no code list. */
  fileType: text(8),
  /** When the county generated the file; "shall be used to distinguish one file from another of the same file type". */
  fileDate: IsoDateSchema,
  /** Blank allowed: the seed shows only the sample REP, and a missing party does not stop a ballot being mailed. */
  party: text(3, { optional: true }),
  precinct: z.string().regex(/^\d{4}$/, 'must be 4 digits, e.g. 0501'),
  /** No spaces: the label line separates its parts with spaces. */
  affidavitNumber: text(10).regex(/^[A-Za-z0-9-]*$/, 'must be letters, digits and dashes only'),
  /** 1 for the first ballot; a reissued ballot takes the next number (the seed's sample is 1). */
  issueNumber: z.number().int().min(1, 'must be 1-9 (1 is the first ballot issued)').max(9, 'must be 1-9 (1 is the first ballot issued)'),
  voterName: text(41),
  /**
   * Blank allowed: a voter without a street address registers with a description of where they live (EC §2025),
   * and the ballot goes to the mailing address anyway.
   */
  residenceAddress: text(50, { optional: true }),
  /** One field in the seed ("Res City/State/Zip", sample "Fresno, CA 93711"), not split into parts. */
  residenceCityStateZip: text(33, { optional: true }),
  mailingAddress: text(50),
  /** 13 characters: longer city names need the USPS abbreviation (e.g. HUNTINGTN BCH). */
  mailingCity: text(13),
  /** Two capital letters; military mail uses AA, AE or AP. */
  mailingState: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter state code such as CA'),
  mailingZip: z.string().regex(/^\d{5}$/, 'must be 5 digits'),
});
export type FixedFieldRecord = z.infer<typeof FixedFieldRecordSchema>;
export type FixedFieldName = keyof FixedFieldRecord;

/**
 * The schema as zod compiles it (z.compile): a record that passes costs one generated function instead of the
 * interpreter's work per field; one that fails runs again through the interpreter, which names its fields.
 * A county file has a record per ballot, so this runs hundreds of thousands of times per file.
 */
const RecordCheck = z.compile(FixedFieldRecordSchema);

export interface FixedField {
  name: FixedFieldName;
  /** 0-based offset, in code points. */
  start: number;
  length: number;
  description: string;
}

/** Exhibit A section G.2.c, in the seed's order. Offsets are cumulative lengths. */
export const FIXED_FIELDS: readonly FixedField[] = [
  { name: 'electionDate', start: 0, length: 8, description: 'Election date, yyyymmdd (sample 19990608)' },
  { name: 'electionNumber', start: 8, length: 1, description: 'Election number (sample 1)' },
  { name: 'fileType', start: 9, length: 8, description: 'File type: Regular, mailed, military' },
  { name: 'fileDate', start: 17, length: 8, description: 'File date, yyyymmdd: when the file was generated (sample 19990512)' },
  { name: 'party', start: 25, length: 3, description: "Voter's political party (sample REP)" },
  { name: 'precinct', start: 28, length: 4, description: 'Voting precinct (sample 0501)' },
  { name: 'affidavitNumber', start: 32, length: 10, description: 'Affidavit (registration) number (sample OOF123456)' },
  { name: 'issueNumber', start: 42, length: 1, description: 'Issue number (sample 1)' },
  { name: 'voterName', start: 43, length: 41, description: 'Voter name (sample William J Henderson Jr)' },
  { name: 'residenceAddress', start: 84, length: 50, description: 'Residence address (sample 123 W Fountain Way)' },
  { name: 'residenceCityStateZip', start: 134, length: 33, description: 'Residence city/state/zip (sample Fresno, CA 93711)' },
  { name: 'mailingAddress', start: 167, length: 50, description: 'Mailing address (sample PO Box 1234)' },
  { name: 'mailingCity', start: 217, length: 13, description: 'Mailing city (sample Fresno)' },
  { name: 'mailingState', start: 230, length: 2, description: 'Mailing state (sample CA)' },
  { name: 'mailingZip', start: 232, length: 5, description: 'Mailing ZIP code (sample 93722)' },
];

/** 8+1+8+8+3+4+10+1+41+50+33+50+13+2+5: the sum of the seed's field lengths. */
export const RECORD_LENGTH = 237;

export interface FixedFieldError {
  line: number;
  field: FixedFieldName | 'record';
  reason: string;
}
export type FixedFieldParseResult = { ok: true; value: FixedFieldRecord } | { ok: false; errors: FixedFieldError[] };
export type FixedFieldFormatResult =
  | { ok: true; value: string }
  | { ok: false; errors: { field: FixedFieldName; reason: string }[] };

const DATE_FIELDS: ReadonlySet<FixedFieldName> = new Set(['electionDate', 'fileDate']);
const DIGIT_FIELDS: ReadonlySet<FixedFieldName> = new Set(['electionNumber', 'issueNumber']);
/** Codes, not voter data: an error may quote them. Names, addresses and affidavit numbers are never quoted (PII). */
const CODE_FIELDS: ReadonlySet<FixedFieldName> = new Set(['precinct', 'mailingState', 'mailingZip']);

/** yyyymmdd -> YYYY-MM-DD, or why not. */
function decodeDate(raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (!/^\d{8}$/.test(raw)) return { ok: false, reason: `must be a date as yyyymmdd; found "${raw}"` };
  const iso = `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}`;
  return isCalendarDate(iso) ? { ok: true, value: iso } : { ok: false, reason: `${raw} is not a real calendar date` };
}

/**
 * Reads one record. `line` is the text of one line without its line break (a trailing CR from a CRLF file is
 * ignored); `lineNo` is carried into every error so a county file's problems can be reported all at once.
 */
export function parseFixedFieldRecord(line: string, lineNo: number): FixedFieldParseResult {
  const body = line.endsWith('\r') ? line.slice(0, -1) : line;
  // Positions count code points; only a line with a character outside the BMP needs splitting into them.
  const chars = SURROGATE.test(body) ? Array.from(body) : undefined;
  const length = chars === undefined ? body.length : chars.length;
  if (length !== RECORD_LENGTH) {
    return { ok: false, errors: [{ line: lineNo, field: 'record', reason: `record is ${length} characters; the layout is ${RECORD_LENGTH}` }] };
  }
  const errors: FixedFieldError[] = [];
  const draft: Record<string, unknown> = {};
  for (const f of FIXED_FIELDS) {
    const raw = chars === undefined ? body.slice(f.start, f.start + f.length) : chars.slice(f.start, f.start + f.length).join('');
    if (DATE_FIELDS.has(f.name)) {
      const d = decodeDate(raw);
      if (d.ok) draft[f.name] = d.value;
      else errors.push({ line: lineNo, field: f.name, reason: d.reason });
    } else if (DIGIT_FIELDS.has(f.name)) {
      if (/^\d$/.test(raw)) draft[f.name] = Number(raw);
      else errors.push({ line: lineNo, field: f.name, reason: `must be one digit; found "${raw}"` });
    } else {
      // Text fields are trimmed by the schema; code fields are not, since " 501" in the 4-digit precinct field is
      // a shifted record, not precinct 501.
      draft[f.name] = raw;
    }
  }
  const parsed = RecordCheck.safeParse(draft);
  if (!parsed.success) {
    const failed = new Set(errors.map((e) => e.field));
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as FixedFieldName;
      if (failed.has(field)) continue; // already reported, with the raw value, while decoding
      const found = CODE_FIELDS.has(field) ? `; found "${String(draft[field])}"` : '';
      errors.push({ line: lineNo, field, reason: `${issue.message}${found}` });
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors: sortByLayout(errors) };
  return { ok: true, value: parsed.data };
}

const ORDER = new Map(FIXED_FIELDS.map((f, i) => [f.name as string, i]));
function sortByLayout<T extends { field: string }>(errors: T[]): T[] {
  return [...errors].sort((a, b) => (ORDER.get(a.field) ?? -1) - (ORDER.get(b.field) ?? -1));
}

/**
 * Writes one record (without a line break). Every field is checked first; a value longer than its field is an
 * error naming the field, not a silently shortened name or address.
 */
export function formatFixedFieldRecord(rec: FixedFieldRecord): FixedFieldFormatResult {
  const parsed = RecordCheck.safeParse(rec);
  if (!parsed.success) {
    return {
      ok: false,
      errors: sortByLayout(parsed.error.issues.map((i) => ({ field: i.path[0] as FixedFieldName, reason: i.message }))),
    };
  }
  const v = parsed.data;
  let out = '';
  for (const f of FIXED_FIELDS) {
    const value = v[f.name];
    const s = DATE_FIELDS.has(f.name) ? String(value).replace(/-/g, '') : String(value);
    out += s + ' '.repeat(f.length - codePointLength(s));
  }
  return { ok: true, value: out };
}

/**
 * The human-readable code line printed above the name and address (Exhibit A G.2.b-c):
 * "Label format for mailing address information: 090519-1 0501 OOF123456 1 (Election date; election number; voting
 * precinct; affidavit number; issue number)", and G.2.d: "6 character election date".
 *
 * The seed's sample is inconsistent with its own record sample (election date 19990608): 090519 is none of 990608,
 * 060899 or 080699. We read it as yymmdd: 090519 is 2009-05-19, a Tuesday and the date of California's statewide
 * special election, so the label sample most likely comes from a 2009 file while the table kept its 1999 sample.
 * Read as mmddyy (or ddmmyy) it would be a Thursday in 2019, four years after the 2015 contract was signed.
 */
export function labelLine(rec: FixedFieldRecord): string {
  const yymmdd = rec.electionDate.slice(2).replace(/-/g, '');
  return `${yymmdd}-${rec.electionNumber} ${rec.precinct} ${rec.affidavitNumber} ${rec.issueNumber}`;
}

/** The whole address block, as in the seed's sample: label line, name, mailing address, "City, ST ZIP". */
export function mailingLabel(rec: FixedFieldRecord): string[] {
  return [labelLine(rec), rec.voterName, rec.mailingAddress, `${rec.mailingCity}, ${rec.mailingState} ${rec.mailingZip}`];
}

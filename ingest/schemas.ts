/**
 * Row schemas for the files that feed the ballot workflows (issue 3, "Ingestion"): the state extract, the
 * county's fixed-field voter record, the vendor's mailing manifest, USPS IV-MTR piece scans (CSV and JSON lines)
 * and the county's return and processing file. docs/file-formats.md describes the same columns for county staff
 * and vendors.
 *
 * A CSV schema's keys are the file's column names, so a zod issue's path names the column a reject report
 * shows. The parser hands every schema trimmed strings, with blank cells already removed (a blank optional
 * cell is absent, a blank required cell is "is required"). Each schema outputs the camelCase row the
 * ingestion activities use.
 *
 * These checks are structural: reason codes are only checked for shape here and matched against the state's
 * list later; whether a ballot exists in the extract is the reconciliation's job, not the parser's.
 */
import { z } from 'zod';
import { hasControlCharacter, parseFixedFieldRecord, type FixedFieldName } from '../domain/fixed-field';
import { parseImb, type Imb } from '../domain/imb';
import { ReasonCodeSchema } from '../domain/reason-codes';
import { isCalendarDate } from '../domain/time';

export const FILE_TYPES = ['state-extract', 'county-fixed-field', 'vendor-manifest', 'usps-scans', 'usps-scans-jsonl', 'county-returns'] as const;
export type FileType = (typeof FILE_TYPES)[number];
export const FileTypeSchema = z.enum(FILE_TYPES);

// ---------- field helpers ----------

/** A required field that is blank in the file reaches zod as undefined. */
const required = (iss: { input?: unknown }): string | undefined => (iss.input === undefined ? 'is required' : undefined);

/*
 * Each field is one zod string with one check where it can be: parsing runs millions of times per file. zod
 * compiles these schemas (compiledRowSchema in ./parse), but a rejected row runs again on zod's interpreter, whose cost
 * grows with the number of checks and pipes. Values are normalized (ZIP+4, phone, reason code lists) in the
 * row's transform rather than by a pipe per field. Every schema here must stay synchronous: zod cannot compile
 * an async check, and the parse test names a format that lost its compiled path.
 */

const tooLong = (max: number, input: unknown) => `is longer than ${max} characters (has ${String(input).length})`;

function text(max: number) {
  return z.string({ error: required }).refine((v) => v.length <= max && !hasControlCharacter(v), {
    error: (iss) => (String(iss.input).length > max ? tooLong(max, iss.input) : 'contains a control character (a tab or a line break?)'),
  });
}

/** Letters of any script, combining marks, spaces, apostrophes, hyphens and periods: José, Nguyễn Thị, O'Brien-Smith. */
const NAME = /^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u;
/** Most names are unaccented Latin letters: this narrower test passes them without the slower Unicode classes. */
const LATIN_NAME = /^[A-Za-z][A-Za-z .'’-]*$/;
const isName = (v: string) => LATIN_NAME.test(v) || NAME.test(v);
function personName(max: number) {
  return z.string({ error: required }).refine((v) => v.length <= max && isName(v), {
    error: (iss) => (String(iss.input).length > max ? tooLong(max, iss.input) : 'must be letters, spaces, apostrophes, hyphens or periods'),
  });
}

function pattern(re: RegExp, message: string) {
  return z.string({ error: required }).regex(re, message);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const isoDate = () =>
  z.string({ error: required }).refine(isCalendarDate, { error: (iss) => (DATE_RE.test(String(iss.input)) ? 'is not a real calendar date' : 'must be a date as YYYY-MM-DD') });

/** IV-MTR gives scan times as ISO 8601, with or without an offset (without one, the facility's local time). */
const DATETIME_RE = /^(\d{4}-\d{2}-\d{2})[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const isoDateTime = () =>
  z
    .string({ error: required })
    .refine((s) => { const m = DATETIME_RE.exec(s); return m !== null && isCalendarDate(m[1]!); }, 'must be a date-time as YYYY-MM-DDThh:mm[:ss][offset]')
    .transform((s) => (s[10] === ' ' ? `${s.slice(0, 10)}T${s.slice(11)}` : s));

export const VoterIdSchema = z
  .string({ error: required })
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,19}$/, 'must be 1 to 20 letters, digits or dashes (the VoteCal id or affidavit number)')
  .brand<'VoterId'>();
export type VoterId = z.infer<typeof VoterIdSchema>;

/** The fixed-field record has one digit for the issue number: issue 2 is the first reissue. Number() in the row transform. */
const issueNumber = () => pattern(/^[1-9]$/, 'must be a single digit 1-9');

/** ZIP or ZIP+4, given as 93711, 93711-1234 or 937111234; normalizeZip makes it 93711 or 93711-1234. */
const ZIP_RE = /^\d{5}(-?\d{4})?$/;
const ZIP_MESSAGE = 'must be a ZIP code: 5 digits, or ZIP+4 as 93711-1234';
const zip = () => pattern(ZIP_RE, ZIP_MESSAGE);
const normalizeZip = (s: string) => (s.length === 9 ? `${s.slice(0, 5)}-${s.slice(5)}` : s);

/** 50 states, DC, the territories, and the military "states" AA, AE, AP used with APO/FPO/DPO. */
const US_STATES = new Set(
  ('AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA ' +
    'RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP AA AE AP').split(' '),
);
const MILITARY_STATES = new Set(['AA', 'AE', 'AP']);

/**
 * Reason codes as the state sends them, several in one cell separated by "|" or ";". Only their shape is checked
 * here (lowercase slugs); domain/reason-codes matches them against the state's list later.
 */
const REASON_CODE = /^[a-z0-9-]{1,40}$/;
const splitCodes = (s: string) => s.split(/[|;]/).map((c) => c.trim());
const reasonCodes = () =>
  z.string({ error: required }).refine((s) => s.length <= 400 && splitCodes(s).every((c) => REASON_CODE.test(c)), {
    error: (iss) => {
      const s = String(iss.input);
      if (s.length > 400) return tooLong(400, s);
      const bad = splitCodes(s).find((c) => !REASON_CODE.test(c)) ?? '';
      return bad === '' ? 'has an empty reason code (two separators in a row?)' : `reason code "${bad.slice(0, 40)}" must be lowercase letters, digits and dashes, up to 40`;
    },
  }).superRefine((s, ctx) => {
    // Only codes of the state's list (domain/reason-codes) reach a ballot: a voter must be told what it means.
    const unknown = splitCodes(s).filter((c) => REASON_CODE.test(c) && !ReasonCodeSchema.safeParse(c).success);
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown reason code "${unknown[0]!.slice(0, 40)}"; known codes: ${ReasonCodeSchema.options.join(', ')}` });
  });

/** Stored as E.164. US numbers may be written (559) 555-0123; others need the + and country code. */
function e164(s: string): string | undefined {
  const digits = s.replace(/[\s().-]/g, '');
  if (/^\+[1-9]\d{7,14}$/.test(digits)) return digits;
  if (/^1?[2-9]\d{9}$/.test(digits)) return `+1${digits.slice(-10)}`;
  return undefined;
}
const phone = () =>
  z.string({ error: required }).refine((s) => s.length <= 25 && e164(s) !== undefined, {
    error: 'must be a 10-digit US number or an international number starting with +',
  });

const imb = () =>
  z.string({ error: required }).transform((s, ctx): Imb => {
    const r = parseImb(s);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', input: s, message: `is not a valid IMb: ${r.error}` });
      return z.NEVER;
    }
    return r.value;
  });

// ---------- shared enums ----------

/**
 * Where the ballot stands in the county's books. "not-returned" is every ballot issued and not yet back;
 * "cancelled" is a ballot superseded by a reissue or by voting in person.
 */
export const ReturnStatusSchema = z.enum(['not-returned', 'undeliverable', 'received', 'in-review', 'accepted', 'not-accepted', 'cancelled'], {
  error: (iss) => (iss.input === undefined ? 'is required' : 'must be one of not-returned, undeliverable, received, in-review, accepted, not-accepted, cancelled'),
});
export type ReturnStatus = z.infer<typeof ReturnStatusSchema>;

/** VBM: a regular vote-by-mail ballot; UOCAVA: military or overseas voter; MBP: mail-ballot precinct; RAVBM: remote accessible VBM. */
export const BallotTypeSchema = z.enum(['VBM', 'UOCAVA', 'MBP', 'RAVBM'], {
  error: (iss) => (iss.input === undefined ? 'is required' : 'must be one of VBM, UOCAVA, MBP, RAVBM'),
});
export type BallotType = z.infer<typeof BallotTypeSchema>;

/** Signature cure (EC §3019(d)): notice sent and awaiting the voter, cured, or not cured by the deadline. */
export const CureStatusSchema = z.enum(['notice-sent', 'cured', 'not-cured'], {
  error: () => 'must be one of notice-sent, cured, not-cured',
});

// ---------- 1. state extract ----------

const StateExtractColumns = z.object({
  voter_id: VoterIdSchema,
  first_name: personName(50).optional(),
  middle_name: personName(50).optional(),
  last_name: personName(50),
  name_suffix: pattern(/^[A-Za-z0-9.]{1,10}$/, 'must be a suffix such as Jr, Sr, II or III').optional(),
  date_of_birth: isoDate(),
  residence_address: text(50),
  residence_city: text(30),
  residence_state: pattern(/^CA$/, 'must be CA: the residence is in the county'),
  residence_zip: z.string({ error: required }).refine((s) => ZIP_RE.test(s) && s >= '90000' && s < '96200', {
    error: (iss) => (ZIP_RE.test(String(iss.input)) ? 'must be a California ZIP code (90000-96199)' : ZIP_MESSAGE),
  }),
  mailing_address: text(50).optional(),
  mailing_address_2: text(50).optional(),
  mailing_city: text(30).optional(),
  mailing_state: text(30).optional(),
  mailing_zip: text(12).optional(),
  mailing_country: pattern(/^[A-Z]{2}$/, 'must be a two-letter ISO country code such as DE or JP').optional(),
  precinct: pattern(/^[A-Za-z0-9-]{1,10}$/, 'must be 1 to 10 letters, digits or dashes'),
  party: pattern(/^[A-Z]{1,10}$/, 'must be the party code in capitals, e.g. DEM, REP, NPP'),
  language: pattern(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/, 'must be a language code such as es, zh-Hant or vi').optional(),
  email: z.email({ error: 'is not an email address' }).max(254, { error: (iss) => tooLong(254, iss.input) }).optional(),
  phone: phone().optional(),
  ballot_type: BallotTypeSchema,
  issue_number: issueNumber(),
  issue_date: isoDate(),
  return_status: ReturnStatusSchema,
  reason_codes: reasonCodes().optional(),
  status_date: isoDate().optional(),
});

type MailingInput = Pick<z.output<typeof StateExtractColumns>, 'mailing_address' | 'mailing_address_2' | 'mailing_city' | 'mailing_state' | 'mailing_zip' | 'mailing_country'>;

export interface MailingAddress {
  line1: string;
  line2?: string;
  city: string;
  /** US: a state code (AA, AE, AP for APO/FPO/DPO). Abroad: the province or region, when the address has one. */
  state?: string;
  /** US: 93711 or 93711-1234. Abroad: the postal code as written, when the country has them. */
  postalCode?: string;
  /** ISO 3166-1 alpha-2; US when the file leaves it blank. */
  country: string;
}

/** A mailing address is all or nothing; a US one needs a state and ZIP, a military one APO, FPO or DPO. */
function checkMailing(r: MailingInput, ctx: z.RefinementCtx): MailingAddress | undefined {
  const anyGiven = r.mailing_address ?? r.mailing_address_2 ?? r.mailing_city ?? r.mailing_state ?? r.mailing_zip ?? r.mailing_country;
  if (anyGiven === undefined) return undefined;
  const issue = (field: keyof MailingInput, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
  if (r.mailing_address === undefined) issue('mailing_address', 'is required when any mailing address column is filled');
  if (r.mailing_city === undefined) issue('mailing_city', 'is required when any mailing address column is filled');
  const country = r.mailing_country ?? 'US';
  if (country === 'US') {
    if (r.mailing_state === undefined) issue('mailing_state', 'is required for a US mailing address');
    else if (!US_STATES.has(r.mailing_state)) issue('mailing_state', 'must be a two-letter US state code (AA, AE or AP for military mail)');
    else if (r.mailing_city !== undefined) {
      // Military mail: APO, FPO or DPO as the city always goes with AA, AE or AP as the state, and back.
      const militaryCity = /^(APO|FPO|DPO)$/.test(r.mailing_city);
      if (MILITARY_STATES.has(r.mailing_state) && !militaryCity) issue('mailing_city', `must be APO, FPO or DPO with state ${r.mailing_state}`);
      if (militaryCity && !MILITARY_STATES.has(r.mailing_state)) issue('mailing_state', `must be AA, AE or AP with ${r.mailing_city} mail`);
    }
    if (r.mailing_zip === undefined) issue('mailing_zip', 'is required for a US mailing address');
    else if (!ZIP_RE.test(r.mailing_zip)) issue('mailing_zip', ZIP_MESSAGE);
  } else if (r.mailing_zip !== undefined && !/^[A-Za-z0-9][A-Za-z0-9 -]{0,11}$/.test(r.mailing_zip)) {
    issue('mailing_zip', 'must be a postal code of letters, digits, spaces and dashes');
  }
  if (r.mailing_address === undefined || r.mailing_city === undefined) return undefined;
  const postalCode = country === 'US' && r.mailing_zip !== undefined ? normalizeZip(r.mailing_zip) : r.mailing_zip;
  return {
    line1: r.mailing_address,
    ...(r.mailing_address_2 !== undefined ? { line2: r.mailing_address_2 } : {}),
    city: r.mailing_city,
    ...(r.mailing_state !== undefined ? { state: r.mailing_state } : {}),
    ...(postalCode !== undefined ? { postalCode } : {}),
    country,
  };
}

export const StateExtractRowSchema = StateExtractColumns.transform((r, ctx) => {
  const mailing = checkMailing(r, ctx);
  if (r.return_status !== 'not-returned' && r.status_date === undefined) {
    ctx.addIssue({ code: 'custom', path: ['status_date'], message: `is required when return_status is ${r.return_status}` });
  }
  if (r.status_date !== undefined && r.status_date < r.issue_date) {
    ctx.addIssue({ code: 'custom', path: ['status_date'], message: 'must not be before issue_date' });
  }
  return {
    voterId: r.voter_id,
    name: { first: r.first_name, middle: r.middle_name, last: r.last_name, suffix: r.name_suffix },
    dateOfBirth: r.date_of_birth,
    residence: { line1: r.residence_address, city: r.residence_city, state: r.residence_state, zip: normalizeZip(r.residence_zip) },
    mailing,
    precinct: r.precinct,
    party: r.party,
    language: r.language,
    email: r.email,
    phone: r.phone === undefined ? undefined : e164(r.phone)!,
    ballotType: r.ballot_type,
    issueNumber: Number(r.issue_number),
    issueDate: r.issue_date,
    returnStatus: r.return_status,
    reasonCodes: r.reason_codes === undefined ? [] : splitCodes(r.reason_codes),
    statusDate: r.status_date,
  };
});
export type StateExtractRow = z.output<typeof StateExtractRowSchema>;

// ---------- 2. the county's fixed-field voter record ----------

/*
 * One 237-character line per ballot, laid out by the vendor contract (Exhibit A section G.2.c; domain.md §6).
 * domain/fixed-field reads the line into its 15 fields (positions, widths, padding, dates, digits) with zod; the
 * schema below then checks what an extract row needs beyond the layout, keyed by the contract's own field names,
 * and gives the state extract's row wherever the record carries the same fact. What it does not carry (date of
 * birth, the name's parts, language, email, phone, return status) stays undefined rather than being made up.
 */

/** G.2.c's names for the fields, as the contract prints them: a reject names its field so, as a CSV reject names its column. */
export const FIXED_FIELD_NAMES: { readonly [K in FixedFieldName]: string } = {
  electionDate: 'Election date',
  electionNumber: 'Election number',
  fileType: 'File type',
  fileDate: 'File Date',
  party: "Voter's Political Party",
  precinct: 'Voting Precinct',
  affidavitNumber: 'Affidavit number',
  issueNumber: 'Issue number',
  voterName: 'Voter Name',
  residenceAddress: 'Residence Add',
  residenceCityStateZip: 'Res City/State/Zip',
  mailingAddress: 'Mailing Address',
  mailingCity: 'Mailing City',
  mailingState: 'Mailing State',
  mailingZip: 'Mailing Zip',
};

/**
 * G.2.c's sample file types "Regular, mailed, military" are the three kinds of mail ballot the county issues
 * (issue 3: "VBM, UOCAVA, mail-ballot precinct"); G.1.b's job line likewise carries a "Mail or vote by mail
 * indicator". Matched whatever the case, as the seed itself writes "Regular" and "mailed". Any other code is
 * rejected: a guessed ballot type would give a military voter the wrong deadlines.
 */
const FIXED_FILE_TYPES: ReadonlyMap<string, BallotType> = new Map([['regular', 'VBM'], ['mailed', 'MBP'], ['military', 'UOCAVA']]);

/** "Fresno, CA 93711" (G.2.c's sample), also without the comma as USPS writes it: FRESNO CA 93711-1234. */
const CITY_STATE_ZIP = /^(\S.*?),?\s+([A-Z]{2})\s+(\d{5}(?:-?\d{4})?)$/;

/** A full name as printed on the envelope: a person's name, and a comma for "Henderson, William J". */
const FULL_NAME = /^[\p{L}\p{M}][\p{L}\p{M} .,'’-]*$/u;

const blankAsUndefined = (s: string) => (s === '' ? undefined : s);

const FixedFieldColumns = z.object({
  /** Set when the file was sent for an election: each record must be for that election. Not a field of the record. */
  expectedElectionDate: z.string().optional(),
  'Election date': z.string(),
  'Election number': z.number(),
  'File type': z.string().transform((s, ctx): BallotType => {
    const type = FIXED_FILE_TYPES.get(s.toLowerCase());
    if (type === undefined) {
      ctx.addIssue({ code: 'custom', input: s, message: `unknown file type "${s}": must be Regular, mailed or military (Exhibit A G.2.c)` });
      return z.NEVER;
    }
    return type;
  }),
  'File Date': z.string(),
  // The contract fixes no party list; a code that is not in capitals is most likely a shifted record.
  "Voter's Political Party": z.string().regex(/^[A-Z]{0,3}$/, 'must be the party code in capitals, e.g. DEM, REP, NPP, or blank').transform(blankAsUndefined),
  'Voting Precinct': z.string(),
  'Affidavit number': VoterIdSchema,
  'Issue number': z.number(),
  'Voter Name': z.string().regex(FULL_NAME, 'must be letters, spaces, apostrophes, hyphens, periods or commas'),
  'Residence Add': z.string().transform(blankAsUndefined),
  'Res City/State/Zip': z.string().transform((s, ctx) => {
    if (s === '') return undefined;
    const m = CITY_STATE_ZIP.exec(s);
    if (m === null) {
      ctx.addIssue({ code: 'custom', input: s, message: 'must be "City, ST ZIP", e.g. Fresno, CA 93711' });
      return z.NEVER;
    }
    const [, city, state, zip] = m as unknown as [string, string, string, string];
    if (state !== 'CA') ctx.addIssue({ code: 'custom', input: s, message: 'must be in CA: the residence is in the county' });
    else if (zip < '90000' || zip >= '96200') ctx.addIssue({ code: 'custom', input: s, message: 'must have a California ZIP code (90000-96199)' });
    return { city, state, zip: normalizeZip(zip) };
  }),
  'Mailing Address': z.string(),
  'Mailing City': z.string(),
  'Mailing State': z.string().refine((s) => US_STATES.has(s), 'must be a two-letter US state code (AA, AE or AP for military mail)'),
  'Mailing Zip': z.string(),
});

/** `record` is one line without its line break; parseFile checks its length first (see parseFixed). */
export const CountyFixedFieldRowSchema = z
  .object({ record: z.string(), expectedElectionDate: z.string().optional() })
  .transform((input, ctx) => {
    const r = parseFixedFieldRecord(input.record, 0);
    if (!r.ok) {
      // A record of the wrong length has no fields to blame: the reject is for the row.
      for (const e of r.errors) ctx.addIssue({ code: 'custom', path: e.field === 'record' ? [] : [FIXED_FIELD_NAMES[e.field]], message: e.reason });
      return z.NEVER;
    }
    // One literal, each key at its own place: with the fields copied by a varying key in a loop, this transform took
    // a seventh of the fixed-field parse's CPU.
    const v = r.value;
    const N = FIXED_FIELD_NAMES;
    const columns: Record<string, unknown> = {
      expectedElectionDate: input.expectedElectionDate,
      [N.electionDate]: v.electionDate, [N.electionNumber]: v.electionNumber, [N.fileType]: v.fileType, [N.fileDate]: v.fileDate,
      [N.party]: v.party, [N.precinct]: v.precinct, [N.affidavitNumber]: v.affidavitNumber, [N.issueNumber]: v.issueNumber,
      [N.voterName]: v.voterName, [N.residenceAddress]: v.residenceAddress, [N.residenceCityStateZip]: v.residenceCityStateZip,
      [N.mailingAddress]: v.mailingAddress, [N.mailingCity]: v.mailingCity, [N.mailingState]: v.mailingState, [N.mailingZip]: v.mailingZip,
    };
    return columns;
  })
  .pipe(
    FixedFieldColumns.transform((r, ctx) => {
      const issue = (field: keyof typeof r, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
      if (r.expectedElectionDate !== undefined && r['Election date'] !== r.expectedElectionDate) {
        issue('Election date', `is ${r['Election date']}, but this file was sent for the election of ${r.expectedElectionDate}`);
      }
      // No mail ballot is issued after election day: a later file date is a swapped or mistyped date.
      if (r['File Date'] > r['Election date']) issue('File Date', `is after the Election date ${r['Election date']}`);
      if (r['Residence Add'] !== undefined && r['Res City/State/Zip'] === undefined) issue('Res City/State/Zip', 'is required when Residence Add is filled');
      // Military mail: APO, FPO or DPO as the city always goes with AA, AE or AP as the state, and back.
      const militaryCity = /^(APO|FPO|DPO)$/.test(r['Mailing City']);
      const militaryState = MILITARY_STATES.has(r['Mailing State']);
      if (militaryState && !militaryCity) issue('Mailing City', `must be APO, FPO or DPO with state ${r['Mailing State']}`);
      if (militaryCity && !militaryState) issue('Mailing State', `must be AA, AE or AP with ${r['Mailing City']} mail`);
      const where = r['Res City/State/Zip'];
      const mailing: MailingAddress = { line1: r['Mailing Address'], city: r['Mailing City'], state: r['Mailing State'], postalCode: r['Mailing Zip'], country: 'US' };
      return {
        voterId: r['Affidavit number'],
        /** One field in the record; not split, since "María Guadalupe de la Cruz" cannot be cut into parts by rule. */
        name: { full: r['Voter Name'] },
        dateOfBirth: undefined,
        /** Blank for a voter registered with a description of where they live (EC §2025); the ballot goes to the mailing address. */
        residence: where === undefined ? undefined : { line1: r['Residence Add'], city: where.city, state: where.state, zip: where.zip },
        mailing,
        precinct: r['Voting Precinct'],
        party: r["Voter's Political Party"],
        language: undefined,
        email: undefined,
        phone: undefined,
        ballotType: r['File type'],
        issueNumber: r['Issue number'],
        /** The record has no issue date: a ballot in the file was issued by the day the county generated the file. */
        issueDate: r['File Date'],
        /** The file lists ballots to print and mail: none has come back yet. */
        returnStatus: 'not-returned' as const,
        reasonCodes: [] as string[],
        statusDate: undefined,
        /** The record's own facts that an extract row has no place for. */
        record: { electionDate: r['Election date'], electionNumber: r['Election number'], fileDate: r['File Date'] },
      };
    }),
  );
export type CountyFixedFieldRow = z.output<typeof CountyFixedFieldRowSchema>;

/** What the pipeline reads of an extract, from the state's CSV or the county's fixed-field record. */
export type ExtractRow = StateExtractRow | CountyFixedFieldRow;

// ---------- 3. vendor mailing manifest ----------

const VendorManifestColumns = z.object({
  voter_id: VoterIdSchema,
  issue_number: issueNumber(),
  outbound_imb: imb(),
  return_imb: imb(),
  mailed_date: isoDate(),
});

export const VendorManifestRowSchema = VendorManifestColumns.transform((r, ctx) => {
  // One serial names the ballot both ways (USPS recommendation), but the two pieces are different mail: the
  // service types differ, so the tracking codes must too, or a return scan would read as an outbound one.
  if (r.outbound_imb.trackingCode === r.return_imb.trackingCode) {
    ctx.addIssue({ code: 'custom', path: ['return_imb'], message: 'has the same tracking code as outbound_imb' });
  }
  return { voterId: r.voter_id, issueNumber: Number(r.issue_number), outboundImb: r.outbound_imb, returnImb: r.return_imb, mailedDate: r.mailed_date };
});
export type VendorManifestRow = z.output<typeof VendorManifestRowSchema>;

// ---------- 4. USPS IV-MTR piece scans ----------

const scanFields = {
  imb: imb(),
  scanDatetime: isoDateTime(),
  operationCode: pattern(/^\d{3}$/, 'must be a 3-digit USPS operation code'),
  handlingEventType: pattern(/^[A-Z]{1,2}$/, 'must be the 1- or 2-letter USPS handling event type').optional(),
  mailPhase: text(100).optional(),
  facilityName: text(100).optional(),
  facilityCity: text(40).optional(),
  facilityState: pattern(/^[A-Z]{2}$/, 'must be a two-letter state code').optional(),
  facilityZip: zip().optional(),
  machineName: text(40).optional(),
  predictedDeliveryDate: isoDate().optional(),
};
type ScanFields = { [K in keyof typeof scanFields]: z.output<(typeof scanFields)[K]> };

function toScanRow(s: ScanFields) {
  return {
    imb: s.imb, scannedAt: s.scanDatetime, operationCode: s.operationCode, handlingEventType: s.handlingEventType,
    mailPhase: s.mailPhase, facilityName: s.facilityName, facilityCity: s.facilityCity, facilityState: s.facilityState,
    facilityZip: s.facilityZip, machineName: s.machineName, predictedDeliveryDate: s.predictedDeliveryDate,
  };
}

/** The CSV form: snake_case column names. */
export const UspsScanCsvRowSchema = z
  .object({
    imb: scanFields.imb,
    scan_datetime: scanFields.scanDatetime,
    operation_code: scanFields.operationCode,
    handling_event_type: scanFields.handlingEventType,
    mail_phase: scanFields.mailPhase,
    facility_name: scanFields.facilityName,
    facility_city: scanFields.facilityCity,
    facility_state: scanFields.facilityState,
    facility_zip: scanFields.facilityZip,
    machine_name: scanFields.machineName,
    predicted_delivery_date: scanFields.predictedDeliveryDate,
  })
  .transform((r) =>
    toScanRow({
      imb: r.imb, scanDatetime: r.scan_datetime, operationCode: r.operation_code, handlingEventType: r.handling_event_type,
      mailPhase: r.mail_phase, facilityName: r.facility_name, facilityCity: r.facility_city, facilityState: r.facility_state,
      facilityZip: r.facility_zip === undefined ? undefined : normalizeZip(r.facility_zip), machineName: r.machine_name, predictedDeliveryDate: r.predicted_delivery_date,
    }),
  );

/**
 * The JSON-lines form: one object per line with IV-MTR's JSON field names. IV-MTR sends many more fields than
 * these; the ones not listed are ignored, so a feed can be passed on as USPS delivers it.
 */
export const UspsScanJsonRowSchema = z
  .object({
    imb: scanFields.imb,
    scanDatetime: scanFields.scanDatetime,
    opcode: scanFields.operationCode,
    handlingEventType: scanFields.handlingEventType,
    mailPhase: scanFields.mailPhase,
    scanFacilityName: scanFields.facilityName,
    scanFacilityCity: scanFields.facilityCity,
    scanFacilityState: scanFields.facilityState,
    scanFacilityZip: scanFields.facilityZip,
    machineName: scanFields.machineName,
    expectedDeliveryDate: scanFields.predictedDeliveryDate,
  })
  .transform((r) =>
    toScanRow({
      imb: r.imb, scanDatetime: r.scanDatetime, operationCode: r.opcode, handlingEventType: r.handlingEventType,
      mailPhase: r.mailPhase, facilityName: r.scanFacilityName, facilityCity: r.scanFacilityCity, facilityState: r.scanFacilityState,
      facilityZip: r.scanFacilityZip === undefined ? undefined : normalizeZip(r.scanFacilityZip), machineName: r.machineName, predictedDeliveryDate: r.expectedDeliveryDate,
    }),
  );
export type UspsScanRow = z.output<typeof UspsScanCsvRowSchema>;

// ---------- 5. county return and processing file ----------

const RECEIVED_STATUSES: ReadonlySet<ReturnStatus> = new Set(['received', 'in-review', 'accepted', 'not-accepted']);

const CountyReturnColumns = z.object({
  voter_id: VoterIdSchema,
  issue_number: issueNumber(),
  receipt_date: isoDate().optional(),
  postmark_date: isoDate().optional(),
  status: ReturnStatusSchema,
  reason_codes: reasonCodes().optional(),
  cure_status: CureStatusSchema.optional(),
  status_date: isoDate().optional(),
});

export const CountyReturnRowSchema = CountyReturnColumns.transform((r, ctx) => {
  if (RECEIVED_STATUSES.has(r.status) && r.receipt_date === undefined) {
    ctx.addIssue({ code: 'custom', path: ['receipt_date'], message: `is required when status is ${r.status}` });
  }
  if (r.postmark_date !== undefined && r.receipt_date !== undefined && r.postmark_date > r.receipt_date) {
    ctx.addIssue({ code: 'custom', path: ['postmark_date'], message: 'must not be after receipt_date' });
  }
  // §2: a ballot that cannot be counted is reported with the reason and how to fix it.
  if (r.status === 'not-accepted' && r.reason_codes === undefined) {
    ctx.addIssue({ code: 'custom', path: ['reason_codes'], message: 'is required when status is not-accepted' });
  }
  return {
    voterId: r.voter_id, issueNumber: Number(r.issue_number), receiptDate: r.receipt_date, postmarkDate: r.postmark_date,
    status: r.status, reasonCodes: r.reason_codes === undefined ? [] : splitCodes(r.reason_codes), cureStatus: r.cure_status, statusDate: r.status_date,
  };
});
export type CountyReturnRow = z.output<typeof CountyReturnRowSchema>;

// ---------- the formats ----------

export interface RowTypes {
  'state-extract': StateExtractRow;
  'county-fixed-field': CountyFixedFieldRow;
  'vendor-manifest': VendorManifestRow;
  'usps-scans': UspsScanRow;
  'usps-scans-jsonl': UspsScanRow;
  'county-returns': CountyReturnRow;
}

/** One thing that must not repeat within a file, e.g. a ballot (voter id + issue number). */
export interface UniqueKey<R> {
  /** The column a duplicate is reported against. */
  field: string;
  /** How the reject names what repeated: "same voter_id and issue_number as line 3". */
  what: string;
  key: (row: R) => string;
}

export interface Format<T extends FileType> {
  /** fixed: one fixed-width record per line, handed to the schema as `{ record, expectedElectionDate }`. */
  kind: 'csv' | 'jsonl' | 'fixed';
  schema: z.ZodType<RowTypes[T], unknown>;
  /** CSV: every column the header may have, in the documented order. JSONL: the fields read. Fixed: the fields, in layout order. */
  columns: readonly string[];
  /** CSV: the columns the header must have. */
  requiredColumns: readonly string[];
  unique: readonly UniqueKey<RowTypes[T]>[];
}

function columnsOf(shape: Record<string, z.ZodType>): { columns: string[]; requiredColumns: string[] } {
  const columns = Object.keys(shape);
  return { columns, requiredColumns: columns.filter((c) => !(shape[c] instanceof z.ZodOptional)) };
}

const ballotKey = { field: 'voter_id', what: 'voter_id and issue_number', key: (r: { voterId: string; issueNumber: number }) => `${r.voterId}#${r.issueNumber}` };

export const FORMATS: { [T in FileType]: Format<T> } = {
  // A reissue (issue 2) is a second row for the voter; the same voter and issue twice is a duplicate.
  'state-extract': { kind: 'csv', schema: StateExtractRowSchema, ...columnsOf(StateExtractColumns.shape), unique: [ballotKey] },
  // The same ballot (affidavit number and issue number) twice in one file is a duplicate, as in the extract.
  'county-fixed-field': {
    kind: 'fixed', schema: CountyFixedFieldRowSchema, columns: Object.values(FIXED_FIELD_NAMES), requiredColumns: [],
    unique: [{ field: FIXED_FIELD_NAMES.affidavitNumber, what: 'Affidavit number and Issue number', key: ballotKey.key }],
  },
  'vendor-manifest': {
    kind: 'csv', schema: VendorManifestRowSchema, ...columnsOf(VendorManifestColumns.shape),
    // §8: a tracking code must not repeat (within 45 days); two ballots sharing one could not be told apart.
    unique: [
      ballotKey,
      { field: 'outbound_imb', what: 'outbound IMb tracking code', key: (r) => r.outboundImb.trackingCode },
      { field: 'return_imb', what: 'return IMb tracking code', key: (r) => r.returnImb.trackingCode },
    ],
  },
  // Repeated scans are normal (a piece goes through several machines); ingestion drops exact repeats later.
  'usps-scans': { kind: 'csv', schema: UspsScanCsvRowSchema, ...columnsOf(UspsScanCsvRowSchema.in.shape), unique: [] },
  'usps-scans-jsonl': { kind: 'jsonl', schema: UspsScanJsonRowSchema, ...columnsOf(UspsScanJsonRowSchema.in.shape), unique: [] },
  'county-returns': { kind: 'csv', schema: CountyReturnRowSchema, ...columnsOf(CountyReturnColumns.shape), unique: [ballotKey] },
};

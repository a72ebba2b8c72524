import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { csvPieces, FileFormatError, HeaderError, MAX_ROW_BYTES, parseFile, ROW, compiledRowSchema, type ParseBatch, type Reject } from './parse';
import { FORMATS, FILE_TYPES, type FileType } from './schemas';
import { isCalendarDate } from '../domain/time';
import { KeyIndex } from './key-index';
import os from 'node:os';
import { z } from 'zod';
import { generateFixedField, voterRows } from '../bench/synthetic';

const FIXTURES = path.join(__dirname, '..', 'test', 'fixtures', 'ingest');
const fixture = (name: string) => path.join(FIXTURES, name);

interface Parsed<T extends FileType> {
  batches: ParseBatch<T>[];
  rows: ParseBatch<T>['rows'];
  rejects: Reject[];
}

async function parse<T extends FileType>(type: T, source: string | Buffer | AsyncIterable<Buffer>, batchSize?: number): Promise<Parsed<T>> {
  const fileName = typeof source === 'string' ? source : 'inline.csv';
  const input = typeof source === 'string' ? fs.createReadStream(fixture(source)) : Buffer.isBuffer(source) ? Readable.from([source]) : source;
  const batches: ParseBatch<T>[] = [];
  for await (const b of parseFile(type, input, { fileName, ...(batchSize ? { batchSize } : {}) })) batches.push(b);
  return { batches, rows: batches.flatMap((b) => b.rows), rejects: batches.flatMap((b) => b.rejects) };
}

/** The same bytes in pieces of `size`: UTF-8 characters and CRLF pairs get split across chunks. */
async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function fileError(type: FileType, source: string | Buffer): Promise<FileFormatError> {
  try {
    await parse(type, source);
  } catch (e) {
    if (e instanceof FileFormatError) return e;
    throw e;
  }
  throw new Error('expected a FileFormatError');
}

const rejectsOf = (p: Parsed<FileType>) => p.rejects.map((r) => [r.line, r.field, r.reason]);

const EXTRACT_HEADER = fs.readFileSync(fixture('state-extract.csv'), 'utf8').split('\n')[0]!;
const HENDERSON = 'OOF123458,William,J,Henderson,Jr,1949-06-08,123 W Fountain Way,Fresno,CA,93711,,,,,,,0501,REP,,,,MBP,1,2026-05-04,accepted,,2026-05-22';

describe('state extract', () => {
  it('reads accented names, PO boxes, APO and foreign addresses and a reissue (issue 2) as rows with their lines', async () => {
    const { rows, rejects } = await parse('state-extract', 'state-extract.csv');
    expect(rejects).toEqual([]);
    expect(rows.map((r) => [r.line, r.value.voterId, r.value.issueNumber])).toEqual([
      [2, 'OOF123456', 1], [3, 'OOF123456', 2], [4, 'OOF123457', 1], [5, 'OOF123458', 1], [6, 'OOF123459', 1], [7, 'OOF123460', 1], [8, 'OOF123461', 1],
    ]);
    const [joseIssue1, joseIssue2, lan, henderson, maria, siobhan, kou] = rows.map((r) => r.value);
    expect(joseIssue1).toEqual({
      voterId: 'OOF123456',
      name: { first: 'José', middle: 'Luis', last: 'Núñez', suffix: undefined },
      dateOfBirth: '1958-11-23',
      residence: { line1: '4210 E Kings Canyon Rd', city: 'Fresno', state: 'CA', zip: '93702' },
      mailing: { line1: 'PO Box 1234', city: 'Fresno', state: 'CA', postalCode: '93722', country: 'US' },
      precinct: '0501',
      party: 'DEM',
      language: 'es',
      email: 'jose.nunez@example.com',
      phone: '+15595550143',
      ballotType: 'VBM',
      issueNumber: 1,
      issueDate: '2026-05-04',
      returnStatus: 'cancelled',
      reasonCodes: [],
      statusDate: '2026-05-12',
    });
    expect(joseIssue2).toMatchObject({ issueNumber: 2, issueDate: '2026-05-12', returnStatus: 'not-returned', reasonCodes: [], statusDate: undefined });
    expect(lan).toMatchObject({ name: { first: 'Lan', middle: 'Thị', last: 'Nguyễn' }, residence: { line1: '1450 N Blackstone Ave, Apt 12', zip: '93703-2217' }, mailing: undefined, phone: '+15595550188', language: 'vi' });
    expect(henderson).toMatchObject({ name: { first: 'William', middle: 'J', last: 'Henderson', suffix: 'Jr' }, ballotType: 'MBP', returnStatus: 'accepted' });
    expect(maria!.mailing).toEqual({ line1: 'Unit 2050 Box 4190', city: 'APO', state: 'AE', postalCode: '09096', country: 'US' });
    expect(maria!.ballotType).toBe('UOCAVA');
    expect(siobhan!.mailing).toEqual({ line1: 'Friedrichstraße 123', line2: '3. OG', city: 'Berlin', postalCode: '10117', country: 'DE' });
    expect(siobhan!.phone).toBe('+49301234567');
    expect(kou).toMatchObject({ returnStatus: 'not-accepted', reasonCodes: ['no-signature', 'envelope-not-sealed'], phone: '+15595550122' });
  });

  it('accepts CRLF line ends', async () => {
    const { rows, rejects, batches } = await parse('state-extract', 'state-extract-crlf.csv');
    expect(rejects).toEqual([]);
    expect(rows.map((r) => [r.line, r.value.name.last])).toEqual([[2, 'Nguyễn'], [3, 'Henderson'], [4, 'de la Cruz']]);
    expect(rows[0]!.value.statusDate).toBe('2026-05-21');
    expect(batches.at(-1)).toMatchObject({ bytesRead: 852, linesRead: 4 });
  });

  it('rejects a Latin-1 row with its line, column and the byte, and keeps the ASCII rows', async () => {
    const p = await parse('state-extract', 'state-extract-latin1.csv');
    expect(p.rows.map((r) => [r.line, r.value.name.last])).toEqual([[3, 'Henderson']]);
    expect(rejectsOf(p)).toEqual([
      [2, 'first_name', 'not UTF-8: byte 0xE9 ("é" in Latin-1) at line 2, byte 14; the file looks Latin-1 or Windows-1252 encoded, save it as UTF-8'],
      [4, 'last_name', 'not UTF-8: byte 0xF1 ("ñ" in Latin-1) at line 4, byte 18; the file looks Latin-1 or Windows-1252 encoded, save it as UTF-8'],
    ]);
    expect(p.rejects[0]!.file).toBe('state-extract-latin1.csv');
  });

  it('never lets invalid UTF-8 through as U+FFFD, wherever the chunks split', async () => {
    const bytes = fs.readFileSync(fixture('state-extract-latin1.csv'));
    for (const size of [1, 2, 3, 7, 64]) {
      const p = await parse('state-extract', inChunks(bytes, size));
      expect(p.rejects.map((r) => [r.line, r.field])).toEqual([[2, 'first_name'], [4, 'last_name']]);
      expect(JSON.stringify(p.rows)).not.toContain('\uFFFD');
    }
  });

  it('reads multi-byte UTF-8 split across chunks exactly as in one piece', async () => {
    const bytes = fs.readFileSync(fixture('state-extract.csv'));
    const whole = await parse('state-extract', bytes);
    for (const size of [1, 5, 13]) {
      const chunked = await parse('state-extract', inChunks(bytes, size));
      expect(chunked.rows).toEqual(whole.rows);
      expect(chunked.rejects).toEqual([]);
    }
  });

  it('rejects a truncated last row (too few columns) with its line', async () => {
    const p = await parse('state-extract', 'state-extract-truncated.csv');
    expect(p.rows.map((r) => r.line)).toEqual([2, 3]);
    expect(rejectsOf(p)).toEqual([[4, ROW, "has 8 of the header's 27 columns: it stops after residence_city (a truncated line?)"]]);
  });

  it('rejects a last row cut off inside a quoted value, keeping the rows before it', async () => {
    const p = await parse('state-extract', Buffer.from(`${EXTRACT_HEADER}\n${HENDERSON}\nOOF123457,Lan,Thị,Nguyễn,,1971-02-14,"1450 N Blackstone Ave, Ap`));
    expect(p.rows.map((r) => r.line)).toEqual([2]);
    expect(rejectsOf(p)).toEqual([[3, ROW, 'the file ends inside a quoted value that starts on this line (a truncated last line, or a quote never closed)']]);
  });

  it('rejects a row with more columns than the header', async () => {
    const p = await parse('state-extract', Buffer.from(`${EXTRACT_HEADER}\n${HENDERSON},extra\n`));
    expect(rejectsOf(p)).toEqual([[2, ROW, 'has 28 columns, the header 27 (an unquoted comma in a value?)']]);
  });

  it('rejects an overlong field naming the column and the length', async () => {
    const p = await parse('state-extract', 'state-extract-overlong.csv');
    expect(p.rows.map((r) => r.line)).toEqual([2]);
    expect(rejectsOf(p)).toEqual([[3, 'residence_address', 'is longer than 50 characters (has 61)']]);
  });

  it('rejects the second row for the same voter and issue, naming the first line; issue 2 is not a duplicate', async () => {
    const p = await parse('state-extract', 'state-extract-duplicate.csv');
    expect(p.rows.map((r) => [r.line, r.value.voterId, r.value.issueNumber])).toEqual([[2, 'OOF123456', 1], [3, 'OOF123458', 1], [4, 'OOF123457', 1], [6, 'OOF123456', 2]]);
    expect(rejectsOf(p)).toEqual([[5, 'voter_id', 'duplicate: same voter_id and issue_number as line 2']]);
  });

  it('rejects bad values one problem per entry, naming the column', async () => {
    const p = await parse('state-extract', 'state-extract-bad-values.csv');
    expect(p.rows).toEqual([]);
    expect(rejectsOf(p)).toEqual([
      [2, 'date_of_birth', 'is not a real calendar date'],
      [3, 'residence_state', 'must be CA: the residence is in the county'],
      [3, 'residence_zip', 'must be a California ZIP code (90000-96199)'],
      [4, 'mailing_state', 'must be AA, AE or AP with APO mail'],
      [5, 'reason_codes', 'reason code "No Signature" must be lowercase letters, digits and dashes, up to 40'],
      [6, 'ballot_type', 'must be one of VBM, UOCAVA, MBP, RAVBM'],
      [6, 'issue_number', 'must be a single digit 1-9'],
      [7, 'mailing_city', 'is required when any mailing address column is filled'],
      [8, 'status_date', 'is required when return_status is accepted'],
      [9, 'email', 'is not an email address'],
    ]);
  });

  it('rejects a blank required cell as "is required" and a control character inside quotes', async () => {
    const noName = HENDERSON.replace(',Henderson,', ',,');
    const tab = HENDERSON.replace('123 W Fountain Way', '"123 W Fountain\tWay"');
    const p = await parse('state-extract', Buffer.from(`${EXTRACT_HEADER}\n${noName}\n${tab}\n`));
    expect(rejectsOf(p)).toEqual([
      [2, 'last_name', 'is required'],
      [3, 'residence_address', 'contains a control character (a tab or a line break?)'],
    ]);
    // The other ends of \p{Cc}: DEL and the C1 controls (U+0080-U+009F); U+00A0 (no-break space) is text.
    const c1 = [0x7f, 0x85, 0x9f, 0xa0].map((c, i) => HENDERSON.replace('OOF123458', `OOF12350${i}`).replace('Fresno', `Fres${String.fromCharCode(c)}no`));
    const q = await parse('state-extract', Buffer.from(`${EXTRACT_HEADER}\n${c1.join('\n')}\n`));
    expect(rejectsOf(q)).toEqual([2, 3, 4].map((line) => [line, 'residence_city', 'contains a control character (a tab or a line break?)']));
    expect(q.rows.map((r) => r.line)).toEqual([5]);
  });

  it('counts the lines of a quoted value with line breaks, so later rows keep their true line numbers', async () => {
    const multiLine = HENDERSON.replace('OOF123458', 'OOF123490').replace('123 W Fountain Way', '"123 W Fountain Way\r\nRear"');
    const p = await parse('state-extract', Buffer.from(`${EXTRACT_HEADER}\r\n${multiLine}\r\n${HENDERSON}\r\n`));
    expect(rejectsOf(p)).toEqual([[2, 'residence_address', 'contains a control character (a tab or a line break?)']]);
    expect(p.rows.map((r) => r.line)).toEqual([4]);
  });

  it('reads CRLF and LF mixed in one file, a quoted last value before either, and a line break inside quotes split across chunks', async () => {
    const quotedLast = HENDERSON.replace('OOF123458', 'OOF123492').replace(/,2026-05-22$/, ',"2026-05-22"');
    const multiLine = HENDERSON.replace('OOF123458', 'OOF123490').replace('123 W Fountain Way', '"123 W Fountain Way\r\nRear"');
    const text = `${EXTRACT_HEADER}\r\n${HENDERSON}\n${quotedLast}\r\n${multiLine}\n${quotedLast.replace('OOF123492', 'OOF123493')}\n\r\n${HENDERSON.replace('OOF123458', 'OOF123494')}\r\n`;
    const bytes = Buffer.from(text);
    const whole = await parse('state-extract', bytes);
    expect(whole.rows.map((r) => [r.line, r.value.voterId, r.value.statusDate])).toEqual([
      [2, 'OOF123458', '2026-05-22'],
      [3, 'OOF123492', '2026-05-22'],
      [6, 'OOF123493', '2026-05-22'],
      [8, 'OOF123494', '2026-05-22'],
    ]);
    expect(rejectsOf(whole)).toEqual([[4, 'residence_address', 'contains a control character (a tab or a line break?)']]);
    for (const size of [1, 3, 17, 200]) {
      const chunked = await parse('state-extract', inChunks(bytes, size));
      expect(chunked.rows).toEqual(whole.rows);
      expect(chunked.rejects).toEqual(whole.rejects);
    }
  });

  it('rejects a quoted value with text after its closing quote, keeps a stray quote inside an unquoted value as text', async () => {
    const badQuote = HENDERSON.replace('OOF123458', 'OOF123495').replace(',Jr,', ',"Jr"Sr,').replace('123 W Fountain Way', '"123 W Fountain Way"');
    const stray = HENDERSON.replace('OOF123458', 'OOF123496').replace('123 W Fountain Way', '123 W "Fountain" Way');
    const p = await parse('state-extract', Buffer.from(`${EXTRACT_HEADER}\n${badQuote}\n${stray}\n${HENDERSON}\n`));
    expect(rejectsOf(p)).toEqual([[2, ROW, 'has a quoted value with more text after its closing quote: a quote inside a quoted value must be doubled ("")']]);
    expect(p.rows.map((r) => [r.line, r.value.voterId, r.value.residence.line1])).toEqual([
      [3, 'OOF123496', '123 W "Fountain" Way'],
      [4, 'OOF123458', '123 W Fountain Way'],
    ]);
    // With no quote after it on its own line, the value runs on to the next closing quote: the reject names every
    // line it took, and the rows after it keep their lines.
    const runsOn = HENDERSON.replace('OOF123458', 'OOF123499').replace(',Jr,', ',"Jr"Sr,');
    const quotedLater = HENDERSON.replace('OOF123458', 'OOF123500').replace('123 W Fountain Way', '"123 W Fountain Way"');
    const q = await parse('state-extract', Buffer.from(`${EXTRACT_HEADER}\n${runsOn}\n${stray}\n${quotedLater}\n${HENDERSON}\n`));
    expect(rejectsOf(q)).toEqual([
      [2, ROW, 'has a quoted value with more text after its closing quote: a quote inside a quoted value must be doubled (""); the value runs on to line 4, so lines 2-4 could not be read as rows'],
    ]);
    expect(q.rows.map((r) => r.line)).toEqual([5]);
  });

  it('a row longer than the limit stops the file at its line, even with its quotes closed', async () => {
    const huge = HENDERSON.replace('OOF123458', 'OOF123497').replace('123 W Fountain Way', `"${'x\n'.repeat(MAX_ROW_BYTES / 2 + 10)}"`);
    const bytes = Buffer.from(`${EXTRACT_HEADER}\n${HENDERSON}\n${huge}\n${HENDERSON.replace('OOF123458', 'OOF123498')}\n`);
    const e = await fileError('state-extract', bytes);
    expect(e).toMatchObject({ line: 3 });
    expect(e.message).toContain(`the row starting at line 3 is longer than ${MAX_ROW_BYTES} bytes`);
    const chunkedError = await parse('state-extract', inChunks(bytes, 4096)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(chunkedError).toMatchObject({ line: 3 });
  });

  it('accepts a UTF-8 byte order mark, trims cells and skips blank lines', async () => {
    const padded = HENDERSON.replace('Henderson', '  Henderson ');
    const p = await parse('state-extract', Buffer.from(`\uFEFF${EXTRACT_HEADER}\n\n${padded}\n\n`));
    expect(p.rejects).toEqual([]);
    expect(p.rows.map((r) => [r.line, r.value.name.last])).toEqual([[3, 'Henderson']]);
  });

  it('accepts a header without the optional columns, in any order and case', async () => {
    const header = 'Voter_ID,issue_number,LAST_NAME,date_of_birth,residence_address,residence_city,residence_state,residence_zip,precinct,party,ballot_type,issue_date,return_status';
    const p = await parse('state-extract', Buffer.from(`${header}\nOOF123458,1,Henderson,1949-06-08,123 W Fountain Way,Fresno,CA,93711,0501,REP,MBP,2026-05-04,not-returned\n`));
    expect(p.rejects).toEqual([]);
    expect(p.rows[0]!.value).toMatchObject({ voterId: 'OOF123458', issueNumber: 1, name: { last: 'Henderson', first: undefined }, mailing: undefined });
  });
});

describe('county fixed-field record (Exhibit A G.2.c)', () => {
  const LINES = fs.readFileSync(fixture('county-fixed-field.txt'), 'utf8').split('\n');
  const [NUNEZ_1, NUNEZ_2, ORTEGA, OCONNELL, NGUYEN] = LINES as [string, string, string, string, string];
  /** Replaces the characters at 0-based position `at` (the layout's offsets), keeping the record's length. */
  const put = (line: string, at: number, text: string) => {
    const chars = Array.from(line);
    chars.splice(at, Array.from(text).length, ...Array.from(text));
    return chars.join('');
  };

  it('reads a reissue, a PO box, a military voter at an APO, a mail-ballot precinct, a blank party and a voter with no street address', async () => {
    const { rows, rejects } = await parse('county-fixed-field', 'county-fixed-field.txt');
    expect(rejects).toEqual([]);
    expect(rows.map((r) => [r.line, r.value.voterId, r.value.issueNumber, r.value.ballotType, r.value.issueDate])).toEqual([
      [1, 'FRE0447120', 1, 'VBM', '2026-10-05'],
      [2, 'FRE0447120', 2, 'VBM', '2026-10-13'],
      [3, 'FRE0912244', 1, 'UOCAVA', '2026-09-18'],
      [4, 'FRE0031877', 1, 'MBP', '2026-10-05'],
      [5, 'FRE0528813', 1, 'VBM', '2026-10-05'],
      [6, 'FRE0610452', 1, 'VBM', '2026-10-05'],
    ]);
    const [nunez1, , ortega, , nguyen, vang] = rows.map((r) => r.value);
    expect(nunez1).toEqual({
      voterId: 'FRE0447120',
      name: { full: 'José Luis Núñez Ibáñez' },
      dateOfBirth: undefined,
      residence: { line1: '4821 E Olive Ave', city: 'Fresno', state: 'CA', zip: '93727' },
      mailing: { line1: 'PO Box 1234', city: 'Fresno', state: 'CA', postalCode: '93722', country: 'US' },
      precinct: '1203',
      party: 'DEM',
      language: undefined,
      email: undefined,
      phone: undefined,
      ballotType: 'VBM',
      issueNumber: 1,
      issueDate: '2026-10-05',
      returnStatus: 'not-returned',
      reasonCodes: [],
      statusDate: undefined,
      record: { electionDate: '2026-11-03', electionNumber: 1, fileDate: '2026-10-05' },
    });
    expect(ortega!.mailing).toEqual({ line1: 'Unit 2050 Box 4190', city: 'APO', state: 'AP', postalCode: '96278', country: 'US' });
    expect(nguyen).toMatchObject({ name: { full: 'Nguyễn Thị Lan' }, party: undefined });
    expect(vang!.residence).toEqual({ line1: undefined, city: 'Fresno', state: 'CA', zip: '93706' });
  });

  it('rejects a short line and a long line as a whole, with the length found and the layout length', async () => {
    const short = NUNEZ_1.replace('José Luis Núñez Ibáñez                   ', 'José Luis Núñez Ibáñez');
    const p = await parse('county-fixed-field', Buffer.from(`${short}\n${NUNEZ_2}0\n${ORTEGA}\n`));
    expect(p.rows.map((r) => r.line)).toEqual([3]);
    expect(rejectsOf(p)).toEqual([
      [1, ROW, 'record is 218 characters; the layout is 237 (a field not padded to its width?)'],
      [2, ROW, 'record is 238 characters; the layout is 237'],
    ]);
  });

  it('rejects a date that does not exist or is not yyyymmdd, naming the field as the contract does', async () => {
    const nov31 = put(NUNEZ_1, 17, '20261131');
    const mmddyyyy = put(ORTEGA, 0, '11032026');
    const p = await parse('county-fixed-field', Buffer.from(`${nov31}\n${mmddyyyy}\n`));
    expect(rejectsOf(p)).toEqual([
      [1, 'File Date', '20261131 is not a real calendar date'],
      [2, 'Election date', '11032026 is not a real calendar date'],
    ]);
  });

  it('rejects a record for another election when the file is sent for one, and a file date after the election', async () => {
    const june = put(NUNEZ_1, 0, '20260602');
    const late = put(ORTEGA, 17, '20261104');
    const batches: ParseBatch<'county-fixed-field'>[] = [];
    for await (const b of parseFile('county-fixed-field', Readable.from([Buffer.from(`${june}\n${late}\n${NGUYEN}\n`)]), { electionDate: '2026-11-03' })) batches.push(b);
    expect(batches.flatMap((b) => b.rows.map((r) => r.line))).toEqual([3]);
    expect(batches.flatMap((b) => b.rejects.map((r) => [r.line, r.field, r.reason]))).toEqual([
      [1, 'Election date', 'is 2026-06-02, but this file was sent for the election of 2026-11-03'],
      [1, 'File Date', 'is after the Election date 2026-06-02'],
      [2, 'File Date', 'is after the Election date 2026-11-03'],
    ]);
  });

  it('reads CRLF line ends as LF', async () => {
    const { rows, rejects, batches } = await parse('county-fixed-field', 'county-fixed-field-crlf.txt');
    expect(rejects).toEqual([]);
    expect(rows.map((r) => [r.line, r.value.name])).toEqual([[1, { full: 'Nguyễn Thị Lan' }], [2, { full: 'Daniel Ortega Ruiz' }], [3, { full: 'José Luis Núñez Ibáñez' }]]);
    const lf = await parse('county-fixed-field', Buffer.from(`${NGUYEN}\n${ORTEGA}\n${NUNEZ_1}\n`));
    expect(rows.map((r) => r.value)).toEqual(lf.rows.map((r) => r.value));
    expect(batches.at(-1)).toMatchObject({ bytesRead: 726, linesRead: 3 });
  });

  it('rejects a Latin-1 record naming the field its first accented letter is in, and keeps the UTF-8 records', async () => {
    const p = await parse('county-fixed-field', 'county-fixed-field-latin1.txt');
    expect(p.rows.map((r) => [r.line, r.value.voterId])).toEqual([[1, 'OOF123456'], [3, 'FRE0912244']]);
    expect(rejectsOf(p)).toEqual([
      [2, 'Voter Name', 'not UTF-8: byte 0xE9 ("é" in Latin-1) at line 2, byte 47; the file looks Latin-1 or Windows-1252 encoded, save it as UTF-8'],
    ]);
  });

  it('never lets Latin-1 through as U+FFFD, and reads UTF-8 split anywhere across chunks as in one piece', async () => {
    const latin1 = fs.readFileSync(fixture('county-fixed-field-latin1.txt'));
    const utf8 = fs.readFileSync(fixture('county-fixed-field.txt'));
    const whole = await parse('county-fixed-field', utf8);
    for (const size of [1, 2, 3, 7, 64]) {
      const bad = await parse('county-fixed-field', inChunks(latin1, size));
      expect(bad.rejects.map((r) => [r.line, r.field])).toEqual([[2, 'Voter Name']]);
      expect(JSON.stringify(bad.rows)).not.toContain('\uFFFD');
      expect((await parse('county-fixed-field', inChunks(utf8, size))).rows).toEqual(whole.rows);
    }
  });

  it('rejects a truncated last line (no line end) as a record cut short, and keeps the records before it', async () => {
    const p = await parse('county-fixed-field', Buffer.from(`${NUNEZ_1}\n${ORTEGA}\n${OCONNELL.slice(0, 100)}`));
    expect(p.rows.map((r) => r.line)).toEqual([1, 2]);
    expect(rejectsOf(p)).toEqual([[3, ROW, 'record is 100 characters; the layout is 237: the file ends inside this record (a truncated last line?)']]);
    // A complete last record without a line end is fine.
    expect((await parse('county-fixed-field', Buffer.from(`${NUNEZ_1}\n${ORTEGA}`))).rows.map((r) => r.line)).toEqual([1, 2]);
  });

  it('rejects unknown file types, bad military mail and a repeated ballot; good rows in the same file go through', async () => {
    const p = await parse('county-fixed-field', 'county-fixed-field-bad.txt');
    expect(p.rows.map((r) => [r.line, r.value.voterId])).toEqual([[1, 'OOF123456']]);
    expect(rejectsOf(p)).toEqual([
      [2, ROW, 'record is 213 characters; the layout is 237 (a field not padded to its width?)'],
      [3, ROW, 'record is 238 characters; the layout is 237'],
      [4, 'File Date', '20261131 is not a real calendar date'],
      [5, 'File type', 'unknown file type "Overseas": must be Regular, mailed or military (Exhibit A G.2.c)'],
      [6, 'Mailing City', 'must be APO, FPO or DPO with state AE'],
      [7, 'Affidavit number', 'duplicate: same Affidavit number and Issue number as line 1'],
      [8, ROW, 'record is 120 characters; the layout is 237: the file ends inside this record (a truncated last line?)'],
    ]);
  });

  it('checks the residence city/state/zip and the other codes an extract needs', async () => {
    const noComma = put(NUNEZ_1, 134, 'FRESNO CA 93727-4410            ');
    const nevada = put(NUNEZ_1, 134, 'Reno, NV 89501                   ');
    const unparsed = put(NUNEZ_1, 134, 'Fresno                           ');
    const lowerParty = put(NUNEZ_1, 25, 'dem');
    const shiftedPrecinct = put(NUNEZ_1, 28, ' 203');
    const digitsInName = put(NUNEZ_1, 43, 'José 4821 Núñez       ');
    const p = await parse('county-fixed-field', Buffer.from([noComma, nevada, unparsed, lowerParty, shiftedPrecinct, digitsInName, ''].join('\n')));
    expect(p.rows.map((r) => [r.line, r.value.residence])).toEqual([[1, { line1: '4821 E Olive Ave', city: 'FRESNO', state: 'CA', zip: '93727-4410' }]]);
    expect(rejectsOf(p)).toEqual([
      [2, 'Res City/State/Zip', 'must be in CA: the residence is in the county'],
      [3, 'Res City/State/Zip', 'must be "City, ST ZIP", e.g. Fresno, CA 93711'],
      [4, "Voter's Political Party", 'must be the party code in capitals, e.g. DEM, REP, NPP, or blank'],
      [5, 'Voting Precinct', 'must be 4 digits, e.g. 0501; found " 203"'],
      [6, 'Voter Name', 'must be letters, spaces, apostrophes, hyphens, periods or commas'],
    ]);
  });

  it('counts a decomposed accent (n + combining tilde) as the one letter it shows as', async () => {
    const decomposed = NUNEZ_1.normalize('NFD');
    expect(Array.from(decomposed).length).toBe(242); // é ú ñ á ñ: two code points each
    const p = await parse('county-fixed-field', Buffer.from(`${decomposed}\n`));
    expect(p.rejects).toEqual([]);
    expect(p.rows[0]!.value.name.full).toBe('José Luis Núñez Ibáñez');
  });

  it('names records run together without line breaks, skips blank lines and a byte order mark', async () => {
    const runTogether = await parse('county-fixed-field', Buffer.from(`${ORTEGA}${OCONNELL}${NGUYEN}\n`));
    expect(rejectsOf(runTogether)).toEqual([[1, ROW, 'record is 711 characters; the layout is 237 (3 records with no line break between them?)']]);
    const p = await parse('county-fixed-field', Buffer.from(`\uFEFF${ORTEGA}\n\n   \n${NGUYEN}\n\n`));
    expect(p.rejects).toEqual([]);
    expect(p.rows.map((r) => r.line)).toEqual([1, 4]);
  });

  it('an empty file and a file with CR-only line ends are refused as files', async () => {
    expect((await fileError('county-fixed-field', Buffer.from('\n\r\n'))).message).toContain('line 1: the file is empty: expected one 237-character record per line');
    expect((await fileError('county-fixed-field', Buffer.from(`${ORTEGA}\r${NGUYEN}\r`))).message).toContain('lines end with CR alone');
  });
});

describe('file-level errors', () => {
  it('an empty file is an error, not an empty success', async () => {
    const e = await fileError('state-extract', 'state-extract-empty.csv');
    expect(e).toMatchObject({ file: 'state-extract-empty.csv', line: 1 });
    expect(e.message).toContain('the file is empty');
    expect((await fileError('state-extract', Buffer.from('\n\r\n  \n'))).message).toContain('the file is empty');
    expect((await fileError('usps-scans-jsonl', Buffer.from('\n\n'))).message).toContain('the file is empty');
  });

  it('an unknown column is a header error naming it', async () => {
    const e = await fileError('state-extract', 'state-extract-unknown-column.csv');
    expect(e).toBeInstanceOf(HeaderError);
    expect(e).toMatchObject({ file: 'state-extract-unknown-column.csv', line: 1, unknownColumns: ['county_code'], missingColumns: [] });
    expect(e.message).toContain('unknown column: "county_code"');
  });

  it('missing required columns are a header error naming them', async () => {
    const e = await fileError('state-extract', 'state-extract-missing-columns.csv');
    expect(e).toMatchObject({ line: 1, missingColumns: ['precinct', 'party'], unknownColumns: [] });
    expect(e.message).toContain('missing required columns: precinct, party');
  });

  it('a file with no header line says so', async () => {
    const e = await fileError('state-extract', Buffer.from(`${HENDERSON}\n`));
    expect(e.message).toContain('(does the file start with the header line?)');
  });

  it('a repeated column is a header error', async () => {
    const e = await fileError('vendor-manifest', Buffer.from('voter_id,issue_number,outbound_imb,return_imb,mailed_date,voter_id\n'));
    expect(e.message).toContain('repeated column: voter_id');
  });

  it('a header that is not UTF-8 is a file error with its line', async () => {
    const e = await fileError('county-returns', Buffer.concat([Buffer.from('voter_id,issue_number,status,recepci'), Buffer.from([0xf3]), Buffer.from('n\n')]));
    expect(e.line).toBe(1);
    expect(e.message).toContain('the header is not UTF-8: byte 0xF3 ("ó" in Latin-1) at line 1, byte 37');
  });

  it('a UTF-16 file is refused as such', async () => {
    const e = await fileError('state-extract', Buffer.from([0xff, 0xfe, 0x76, 0x00]));
    expect(e.message).toContain('the file is UTF-16; save it as UTF-8');
  });

  it('CR-only line ends are refused', async () => {
    const e = await fileError('vendor-manifest', Buffer.from('voter_id,issue_number,outbound_imb,return_imb,mailed_date\rOOF1,1,1,2,2026-05-04\r'));
    expect(e.message).toContain('lines end with CR alone');
  });

  it('a quote never closed stops the file at the row where it opened, before memory grows', async () => {
    const good = `${HENDERSON}\n`;
    const runaway = HENDERSON.replace('OOF123458', 'OOF123491').replace('123 W Fountain Way', '"123 W Fountain Way');
    const rest = Array.from({ length: 1000 }, (_, i) => HENDERSON.replace('OOF123458', `OOF2${String(i).padStart(5, '0')}`)).join('\n');
    const e = await fileError('state-extract', Buffer.from(`${EXTRACT_HEADER}\n${good}${runaway}\n${rest}\n`));
    expect(e).toMatchObject({ line: 3 });
    expect(e.message).toContain(`the row starting at line 3 is longer than ${MAX_ROW_BYTES} bytes: most likely a quote that is never closed`);
  });

  it('a stream with an encoding set (already decoded text) is refused', async () => {
    const stream = fs.createReadStream(fixture('state-extract.csv'), { encoding: 'utf8' });
    await expect(parse('state-extract', stream as unknown as AsyncIterable<Buffer>)).rejects.toThrow('the source must yield bytes');
  });
});

describe('vendor manifest', () => {
  it('links each ballot to its outbound and return IMb', async () => {
    const { rows, rejects } = await parse('vendor-manifest', 'vendor-manifest.csv');
    expect(rejects).toEqual([]);
    expect(rows.map((r) => [r.line, r.value.voterId, r.value.issueNumber, r.value.outboundImb.pieceKey, r.value.returnImb.serviceTypeId, r.value.mailedDate])).toEqual([
      [2, 'OOF123456', 1, '314159:000000101', '708', '2026-05-04'],
      [3, 'OOF123456', 2, '314159:000000102', '708', '2026-05-13'],
      [4, 'OOF123457', 1, '314159:000000103', '708', '2026-05-04'],
      [5, 'OOF123458', 1, '314159:000000104', '708', '2026-05-04'],
      [6, 'OOF123459', 1, '314159:000000105', '708', '2026-04-18'],
    ]);
    expect(rows[0]!.value.outboundImb).toEqual({
      digits: '0070031415900000010193722123401', barcodeId: '00', serviceTypeId: '700', mailerId: '314159', serial: '000000101',
      routingCode: '93722123401', trackingCode: '00700314159000000101', pieceKey: '314159:000000101',
    });
  });

  it('rejects invalid IMbs with the reason from parseImb, and an outbound IMb used twice', async () => {
    const p = await parse('vendor-manifest', 'vendor-manifest-bad-imb.csv');
    expect(p.rows.map((r) => r.line)).toEqual([2]);
    expect(rejectsOf(p)).toEqual([
      [3, 'outbound_imb', 'is not a valid IMb: barcode identifier 05: its second digit must be 0-4'],
      [4, 'outbound_imb', 'is not a valid IMb: an IMb has 20, 25, 29 or 31 digits (tracking code + 0, 5, 9 or 11 routing digits); this has 24'],
      [5, 'outbound_imb', 'duplicate: same outbound IMb tracking code as line 2'],
      [6, 'return_imb', 'is not a valid IMb: an IMb is digits only'],
    ]);
  });

  it('a row rejected for one repeated key does not make a later row a duplicate of it', async () => {
    const header = 'voter_id,issue_number,outbound_imb,return_imb,mailed_date';
    const first = 'OOF1,1,00700314159000000101,00708314159000000101,2026-05-04';
    const sameOutbound = 'OOF2,1,00700314159000000101,00708314159000000102,2026-05-04';
    const ballot2 = 'OOF2,1,00700314159000000102,00708314159000000102,2026-05-04';
    const p = await parse('vendor-manifest', Buffer.from([header, first, sameOutbound, ballot2, ''].join('\n')));
    expect(rejectsOf(p)).toEqual([[3, 'outbound_imb', 'duplicate: same outbound IMb tracking code as line 2']]);
    expect(p.rows.map((r) => r.line)).toEqual([2, 4]);
  });

  it('rejects a return IMb with the same tracking code as the outbound one', async () => {
    const p = await parse('vendor-manifest', Buffer.from('voter_id,issue_number,outbound_imb,return_imb,mailed_date\nOOF1,1,00700314159000000101,00700314159000000101937212600,2026-05-04\n'));
    expect(rejectsOf(p)).toEqual([[2, 'return_imb', 'has the same tracking code as outbound_imb']]);
  });

  it('streams in batches: batchSize 2 on a 5-row file gives 3 batches with lines and progress', async () => {
    const { batches } = await parse('vendor-manifest', 'vendor-manifest.csv', 2);
    expect(batches.map((b) => [b.rows.map((r) => r.line), b.linesRead])).toEqual([
      [[2, 3], 3],
      [[4, 5], 5],
      [[6], 6],
    ]);
    expect(batches[2]!.bytesRead).toBe(483);
  });

  it('counts rejected rows towards a batch, so a file of rejects still streams', async () => {
    const { batches } = await parse('vendor-manifest', 'vendor-manifest-bad-imb.csv', 2);
    expect(batches.map((b) => [b.rows.length, b.rejects.map((r) => r.line)])).toEqual([
      [1, [3]],
      [0, [4, 5]],
      [0, [6]],
    ]);
  });

  it('a header-only file gives one empty batch', async () => {
    const { batches } = await parse('vendor-manifest', Buffer.from('voter_id,issue_number,outbound_imb,return_imb,mailed_date\n'));
    expect(batches).toEqual([{ rows: [], rejects: [], bytesRead: 58, linesRead: 1 }]);
  });

  it('stopping early stops reading the source', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `OOF${i},1,00700314159${String(i).padStart(9, '0')},00708314159${String(i).padStart(9, '0')},2026-05-04`);
    const bytes = Buffer.from(['voter_id,issue_number,outbound_imb,return_imb,mailed_date', ...rows, ''].join('\n'));
    let pulled = 0;
    let closed = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        for (let i = 0; i < bytes.length; i += 40) {
          pulled++;
          yield bytes.subarray(i, i + 40);
        }
      } finally {
        closed = true;
      }
    }
    for await (const batch of parseFile('vendor-manifest', source(), { batchSize: 1 })) {
      expect(batch.rows.map((r) => r.line)).toEqual([2]);
      break;
    }
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(Math.ceil(bytes.length / 40));
  });
});

describe('USPS piece scans', () => {
  const expected = [
    { line: 2, pieceKey: '314159:000000101', scannedAt: '2026-05-04T19:42:10', operationCode: '919', mailPhase: 'Phase 1 - Origin Processing', facilityZip: '93706', predictedDeliveryDate: '2026-05-06' },
    { line: 3, pieceKey: '314159:000000101', scannedAt: '2026-05-05T03:15:44', operationCode: '271', mailPhase: 'Phase 2 - Destination Processing', facilityZip: '93706', predictedDeliveryDate: '2026-05-06' },
    { line: 4, pieceKey: '314159:000000101', scannedAt: '2026-05-06T07:05:31', operationCode: '919', mailPhase: 'Phase 3 - Delivery', facilityZip: '93722', predictedDeliveryDate: undefined },
  ];

  it('reads the CSV form, with or without an offset, and a space for the T', async () => {
    const { rows, rejects } = await parse('usps-scans', 'usps-scans.csv');
    expect(rejects).toEqual([]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(rows.slice(0, 3).map((r) => ({ line: r.line, pieceKey: r.value.imb.pieceKey, scannedAt: r.value.scannedAt, operationCode: r.value.operationCode, mailPhase: r.value.mailPhase, facilityZip: r.value.facilityZip, predictedDeliveryDate: r.value.predictedDeliveryDate }))).toEqual(expected);
    expect(rows[3]!.value).toMatchObject({ scannedAt: '2026-05-04T20:01:00-07:00', facilityZip: '93706-9998', facilityName: 'FRESNO CA P&DC', machineName: 'DIOSS-012', handlingEventType: 'L' });
    expect(rows[4]!.value.imb.serviceTypeId).toBe('708');
  });

  it('reads the JSON-lines form (CRLF, a blank line, extra IV-MTR fields ignored) into the same rows', async () => {
    const { rows, rejects } = await parse('usps-scans-jsonl', 'usps-scans.jsonl');
    expect(rejects).toEqual([]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 5]);
    expect(rows.slice(0, 3).map((r, i) => ({ line: expected[i]!.line, pieceKey: r.value.imb.pieceKey, scannedAt: r.value.scannedAt, operationCode: r.value.operationCode, mailPhase: r.value.mailPhase, facilityZip: r.value.facilityZip, predictedDeliveryDate: r.value.predictedDeliveryDate }))).toEqual(expected);
    expect(Object.keys(rows[0]!.value)).not.toContain('scannerType');
  });

  it('rejects bad JSON lines with their line: missing and bad fields, not JSON, not an object, bad IMb, truncated last line', async () => {
    const p = await parse('usps-scans-jsonl', 'usps-scans-bad.jsonl');
    expect(p.rows.map((r) => r.line)).toEqual([1]);
    expect(rejectsOf(p)).toEqual([
      [2, 'scanDatetime', 'is required'],
      [2, 'opcode', 'must be a 3-digit USPS operation code'],
      [3, ROW, 'is not valid JSON (Unexpected number in JSON at position 1)'],
      [4, ROW, 'is not a JSON object'],
      [5, 'imb', 'is not a valid IMb: an IMb has 20, 25, 29 or 31 digits (tracking code + 0, 5, 9 or 11 routing digits); this has 19'],
      [6, ROW, 'is not valid JSON (Unterminated string in JSON at position 60); the last line may be truncated'],
    ]);
  });

  it('rejects a JSON line that is not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"imb":"00700314159000000101","scanDatetime":"2026-05-04T19:42:10","opcode":"919","scanFacilityCity":"PE'), Buffer.from([0xd1]), Buffer.from('A"}\n')]);
    const p = await parse('usps-scans-jsonl', bytes);
    expect(rejectsOf(p)).toEqual([[1, ROW, 'not UTF-8: byte 0xD1 ("Ñ" in Latin-1) at line 1, byte 105; the file looks Latin-1 or Windows-1252 encoded, save it as UTF-8']]);
  });
});

describe('county returns', () => {
  it('rejects a reason code that is not on the state list, naming it and the known codes', async () => {
    const text = 'voter_id,issue_number,receipt_date,postmark_date,status,reason_codes,cure_status,status_date\n' +
      'OOF123461,1,2026-05-22,2026-05-20,not-accepted,signature-mismatch|ballot-eaten-by-dog,,2026-05-23\n' +
      'OOF123462,1,2026-05-22,2026-05-20,not-accepted,no-signature,,2026-05-23\n';
    const p = await parse('county-returns', Buffer.from(text));
    expect(p.rows.map((r) => r.line)).toEqual([3]);
    expect(p.rejects).toHaveLength(1);
    expect(p.rejects[0]).toMatchObject({ line: 2, field: 'reason_codes' });
    expect(p.rejects[0]!.reason).toMatch(/^unknown reason code "ballot-eaten-by-dog"; known codes: already-voted, no-signature/);
  });

  it('reads receipt, postmark, status, reason codes (| or ;) and cure status', async () => {
    const { rows, rejects } = await parse('county-returns', 'county-returns.csv');
    expect(rejects).toEqual([]);
    expect(rows.map((r) => [r.line, r.value])).toEqual([
      [2, { voterId: 'OOF123457', issueNumber: 1, receiptDate: '2026-05-21', postmarkDate: '2026-05-19', status: 'received', reasonCodes: [], cureStatus: undefined, statusDate: '2026-05-21' }],
      [3, { voterId: 'OOF123458', issueNumber: 1, receiptDate: '2026-05-20', postmarkDate: '2026-05-18', status: 'accepted', reasonCodes: [], cureStatus: undefined, statusDate: '2026-05-22' }],
      [4, { voterId: 'OOF123461', issueNumber: 1, receiptDate: '2026-05-22', postmarkDate: undefined, status: 'not-accepted', reasonCodes: ['signature-mismatch', 'no-postmark'], cureStatus: 'notice-sent', statusDate: '2026-05-23' }],
      [5, { voterId: 'OOF123462', issueNumber: 1, receiptDate: '2026-05-26', postmarkDate: '2026-05-22', status: 'in-review', reasonCodes: ['signature-mismatch'], cureStatus: undefined, statusDate: '2026-05-27' }],
      [6, { voterId: 'OOF123463', issueNumber: 1, receiptDate: undefined, postmarkDate: undefined, status: 'undeliverable', reasonCodes: ['undeliverable', 'registration-cancelled'], cureStatus: undefined, statusDate: '2026-05-11' }],
    ]);
  });

  it('rejects a postmark after receipt, a not-accepted ballot without a reason, unknown statuses and a repeated ballot', async () => {
    const p = await parse('county-returns', 'county-returns-bad.csv');
    expect(p.rows.map((r) => r.line)).toEqual([2]);
    expect(rejectsOf(p)).toEqual([
      [3, 'postmark_date', 'must not be after receipt_date'],
      [4, 'reason_codes', 'is required when status is not-accepted'],
      [5, 'status', 'must be one of not-returned, undeliverable, received, in-review, accepted, not-accepted, cancelled'],
      [5, 'cure_status', 'must be one of notice-sent, cured, not-cured'],
      [6, 'voter_id', 'duplicate: same voter_id and issue_number as line 2'],
    ]);
  });

  it('rejects an empty reason code between two separators', async () => {
    const p = await parse('county-returns', Buffer.from('voter_id,issue_number,receipt_date,status,reason_codes\nOOF1,1,2026-05-22,not-accepted,no-signature||no-postmark\n'));
    expect(rejectsOf(p)).toEqual([[2, 'reason_codes', 'has an empty reason code (two separators in a row?)']]);
  });
});

describe('building blocks', () => {
  it('runs every row schema compiled, as zod\'s interpreter does: the same rows and the same rejects, for every format', async () => {
    const files: [FileType, string][] = [
      ['state-extract', 'state-extract.csv'], ['state-extract', 'state-extract-bad-values.csv'], ['state-extract', 'state-extract-overlong.csv'],
      ['state-extract', 'state-extract-duplicate.csv'], ['vendor-manifest', 'vendor-manifest.csv'], ['vendor-manifest', 'vendor-manifest-bad-imb.csv'],
      ['usps-scans', 'usps-scans.csv'], ['county-returns', 'county-returns.csv'], ['county-returns', 'county-returns-bad.csv'],
      ['usps-scans-jsonl', 'usps-scans.jsonl'], ['usps-scans-jsonl', 'usps-scans-bad.jsonl'],
      ['county-fixed-field', 'county-fixed-field.txt'], ['county-fixed-field', 'county-fixed-field-bad.txt'],
    ];
    let good = 0;
    let bad = 0;
    const formats = new Set<FileType>();
    for (const [type, name] of files) {
      formats.add(type);
      const schema = FORMATS[type].schema as z.ZodType<unknown, unknown>;
      const compiled = compiledRowSchema(schema);
      // A schema change that zod cannot compile still parses, only slower: this names the format that lost it.
      expect([type, compiled.compiled]).toEqual([type, true]);
      expect(compiled.schema).not.toBe(schema);
      const inputs: unknown[] = [];
      if (name.endsWith('.jsonl')) {
        for (const l of fs.readFileSync(fixture(name), 'utf8').split('\n')) {
          try { inputs.push(JSON.parse(l)); } catch { /* not JSON: rejected before the schema */ }
        }
      } else if (name.endsWith('.txt')) {
        for (const l of fs.readFileSync(fixture(name), 'utf8').split('\n')) {
          if (l !== '') for (const date of ['2026-11-03', '2026-06-02']) inputs.push({ record: l, expectedElectionDate: date });
        }
      } else {
        const records = [];
        for await (const piece of csvPieces(fs.createReadStream(fixture(name)))) records.push(...piece.records);
        const header = records[0]!.map((h) => h.trim().toLowerCase());
        for (const r of records.slice(1)) if (r.length === header.length) inputs.push(Object.fromEntries(header.map((h, i) => [h, r[i]!.trim() || undefined])));
      }
      for (const input of inputs) {
        // The schema itself is not changed by compiling: its safeParse is zod's interpreter.
        const zod = schema.safeParse(input);
        const ours = compiled.schema.safeParse(input);
        if (zod.success) {
          good++;
          expect(ours).toEqual({ success: true, data: zod.data });
        } else {
          bad++;
          expect(ours.success).toBe(false);
          const issues = ours.success ? [] : ours.error.issues;
          expect(issues.map((i) => [i.path[0], i.message])).toEqual(zod.error.issues.map((i) => [i.path[0], i.message]));
        }
      }
    }
    expect([...formats].sort()).toEqual([...FILE_TYPES].sort());
    expect(good).toBeGreaterThan(25);
    expect(bad).toBeGreaterThan(20);
  });

  it('runs a schema zod cannot compile on the interpreter, with the same answers', () => {
    // An async refinement is one thing z.compile refuses.
    const schema = z.object({ n: z.string().refine(async (v) => v !== '') }).transform((r) => r.n);
    const compiled = compiledRowSchema(schema);
    expect(compiled.compiled).toBe(false);
    expect(compiled.schema).toBe(schema);
    expect(compiled.schema.safeParse({ n: 1 }).error?.issues).toEqual([expect.objectContaining({ path: ['n'], message: 'Invalid input: expected string, received number' })]);
    // Once per schema: every file of a type runs the same compiled function.
    expect(compiledRowSchema(FORMATS['state-extract'].schema)).toBe(compiledRowSchema(FORMATS['state-extract'].schema));
  });

  it('isCalendarDate knows leap years', () => {
    expect(['2024-02-29', '2000-02-29', '2026-06-02', '2026-12-31'].map(isCalendarDate)).toEqual([true, true, true, true]);
    expect(['2025-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-6-2', '20260602'].map(isCalendarDate)).toEqual([false, false, false, false, false, false, false]);
  });

  it('KeyIndex remembers the first line of each of 100,000 keys through its growth', () => {
    const index = new KeyIndex(16);
    const repeats: number[] = [];
    for (let i = 0; i < 100_000; i++) if (index.addOrGet(`V${i}#1`, i + 2) !== undefined) repeats.push(i);
    expect(repeats).toEqual([]);
    expect(index.size).toBe(100_000);
    expect(index.addOrGet('V0#1', 200_000)).toBe(2);
    expect(index.addOrGet('V99999#1', 200_001)).toBe(100_001);
    expect(index.get('V99999#2')).toBeUndefined();
    expect(index.get('V5#1')).toBe(7);
  });

  it('docs/file-formats.md documents every column of every format', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'file-formats.md'), 'utf8');
    const section = (type: FileType) => doc.split(`<!-- ${type} -->`)[1]?.split('<!-- end -->')[0] ?? '';
    const undocumented = FILE_TYPES.flatMap((type) => FORMATS[type].columns.filter((c) => !section(type).includes(`| \`${c}\` |`)).map((c) => `${type}.${c}`));
    expect(undocumented).toEqual([]);
  });
});

describe('the benchmark county as fixed-field records (bench:parse --type county-fixed-field)', () => {
  it('writes 500 records of 237 characters that parse without a reject, the same voters as the CSV extract', async () => {
    const file = path.join(os.tmpdir(), `bf-fixed-${process.pid}.txt`);
    try {
      await generateFixedField(file, 500, 7, { electionDate: '2026-06-02' });
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(500);
      expect(new Set(lines.map((l) => Array.from(l).length))).toEqual(new Set([237]));
      const batches: ParseBatch<'county-fixed-field'>[] = [];
      for await (const b of parseFile('county-fixed-field', fs.createReadStream(file), { fileName: 'bench.txt', electionDate: '2026-06-02' })) batches.push(b);
      expect(batches.flatMap((b) => b.rejects)).toEqual([]);
      const rows = batches.flatMap((b) => b.rows);
      expect(rows).toHaveLength(500);
      const cols = FORMATS['state-extract'].columns as string[];
      const ids = [...voterRows(500, 7, { electionDate: '2026-06-02' })].map((r) => r[cols.indexOf('voter_id')]);
      expect(rows.map((r) => (r.value as { voterId: string }).voterId)).toEqual(ids);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});

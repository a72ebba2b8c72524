/**
 * The county's fixed-field voter record (seed 004, Exhibit A section G.2.c). Every fixture line is written out field
 * by field with its padding, so the 237-character layout can be checked by eye; each comment gives the field length.
 */
import {
  codePointLength, FIXED_FIELDS, formatFixedFieldRecord, labelLine, mailingLabel, parseFixedFieldRecord, RECORD_LENGTH,
  type FixedFieldRecord,
} from './fixed-field';

/** The contract's own sample (G.2.c), with the label sample's mailing address: PO Box 1234, Fresno CA 93722. */
const HENDERSON_PIECES = [
  '19990608', // election date 8
  '1', // election number 1
  'Regular ', // file type 8
  '19990512', // file date 8
  'REP', // party 3
  '0501', // precinct 4
  'OOF123456 ', // affidavit number 10: the seed's sample has 9 characters
  '1', // issue number 1
  'William J Henderson Jr                   ', // voter name 41
  '123 W Fountain Way                                ', // residence address 50
  'Fresno, CA 93711                 ', // residence city/state/zip 33
  'PO Box 1234                                       ', // mailing address 50
  'Fresno       ', // mailing city 13
  'CA', // mailing state 2
  '93722', // mailing zip 5
];
const HENDERSON_LINE = HENDERSON_PIECES.join('');
const HENDERSON: FixedFieldRecord = {
  electionDate: '1999-06-08',
  electionNumber: 1,
  fileType: 'Regular',
  fileDate: '1999-05-12',
  party: 'REP',
  precinct: '0501',
  affidavitNumber: 'OOF123456',
  issueNumber: 1,
  voterName: 'William J Henderson Jr',
  residenceAddress: '123 W Fountain Way',
  residenceCityStateZip: 'Fresno, CA 93711',
  mailingAddress: 'PO Box 1234',
  mailingCity: 'Fresno',
  mailingState: 'CA',
  mailingZip: '93722',
};

/** A reissued ballot (issue 2) for a voter with an accented name, first extract of the 2026-06-02 primary (E-29). */
const NUNEZ_LINE =
  '20260602' + // 8
  '1' + // 1
  'Regular ' + // 8
  '20260504' + // 8
  'DEM' + // 3
  '1203' + // 4
  'FRE0447120' + // 10
  '2' + // 1
  'José Luis Núñez Ibáñez                   ' + // 41: 22 letters + 19 spaces
  '4821 E Olive Ave                                  ' + // 50
  'Fresno, CA 93727                 ' + // 33
  '4821 E Olive Ave                                  ' + // 50
  'Fresno       ' + // 13
  'CA' + // 2
  '93727'; // 5
const NUNEZ: FixedFieldRecord = {
  electionDate: '2026-06-02',
  electionNumber: 1,
  fileType: 'Regular',
  fileDate: '2026-05-04',
  party: 'DEM',
  precinct: '1203',
  affidavitNumber: 'FRE0447120',
  issueNumber: 2,
  voterName: 'José Luis Núñez Ibáñez',
  residenceAddress: '4821 E Olive Ave',
  residenceCityStateZip: 'Fresno, CA 93727',
  mailingAddress: '4821 E Olive Ave',
  mailingCity: 'Fresno',
  mailingState: 'CA',
  mailingZip: '93727',
};

/** A UOCAVA military voter from Clovis whose ballot goes to an APO address in the Pacific. */
const ORTEGA_LINE =
  '20260602' + // 8
  '1' + // 1
  'military' + // 8
  '20260417' + // 8
  'NPP' + // 3
  '3107' + // 4
  'FRE0912244' + // 10
  '1' + // 1
  'Daniel Ortega Ruiz                       ' + // 41
  '2310 Alluvial Ave                                 ' + // 50
  'Clovis, CA 93611                 ' + // 33
  'Unit 2050 Box 4190                                ' + // 50
  'APO          ' + // 13
  'AP' + // 2
  '96278'; // 5

/** The Henderson line with one field replaced (the replacement must keep the field's width). */
function hendersonWith(index: number, piece: string): string {
  const pieces = [...HENDERSON_PIECES];
  pieces[index] = piece;
  return pieces.join('');
}
const PRECINCT = 5;
const VOTER_NAME = 8;
const MAILING_ZIP = 14;

describe('the record layout of Exhibit A section G.2.c', () => {
  test('the 15 fields sit at the offsets the seed lengths give, in the seed order, and end at 237', () => {
    expect(FIXED_FIELDS.map((f) => [f.name, f.start, f.length])).toEqual([
      ['electionDate', 0, 8],
      ['electionNumber', 8, 1],
      ['fileType', 9, 8],
      ['fileDate', 17, 8],
      ['party', 25, 3],
      ['precinct', 28, 4],
      ['affidavitNumber', 32, 10],
      ['issueNumber', 42, 1],
      ['voterName', 43, 41],
      ['residenceAddress', 84, 50],
      ['residenceCityStateZip', 134, 33],
      ['mailingAddress', 167, 50],
      ['mailingCity', 217, 13],
      ['mailingState', 230, 2],
      ['mailingZip', 232, 5],
    ]);
    expect(RECORD_LENGTH).toBe(237);
  });

  test('each field starts where the one before it ends: no gap, no overlap', () => {
    for (let i = 1; i < FIXED_FIELDS.length; i++) {
      expect(FIXED_FIELDS[i]!.start).toBe(FIXED_FIELDS[i - 1]!.start + FIXED_FIELDS[i - 1]!.length);
    }
    const last = FIXED_FIELDS[FIXED_FIELDS.length - 1]!;
    expect(last.start + last.length).toBe(RECORD_LENGTH);
  });

  test('the fixture lines are 237 characters long', () => {
    expect(HENDERSON_LINE.length).toBe(237);
    expect(NUNEZ_LINE.length).toBe(237);
    expect(ORTEGA_LINE.length).toBe(237);
  });
});

describe('parseFixedFieldRecord', () => {
  test("reads the contract's sample record for William J Henderson Jr, PO Box 1234, Fresno CA 93722", () => {
    expect(parseFixedFieldRecord(HENDERSON_LINE, 1)).toEqual({ ok: true, value: HENDERSON });
  });

  test('an accented name takes one position per letter, not one per UTF-8 byte', () => {
    expect(Buffer.byteLength(NUNEZ_LINE, 'utf8')).toBe(242);
    const r = parseFixedFieldRecord(NUNEZ_LINE, 2);
    expect(r).toEqual({ ok: true, value: NUNEZ });
  });

  test('a character outside the Basic Multilingual Plane is one position (code points, not UTF-16 units)', () => {
    // 𠮷 (U+20BB7) is one code point but two UTF-16 units: the string is 238 units long, the record 237 positions.
    const line = hendersonWith(VOTER_NAME, '𠮷田 Hanako                                ');
    expect(line.length).toBe(238);
    expect(codePointLength(line)).toBe(237);
    const r = parseFixedFieldRecord(line, 3);
    expect(r.ok && [r.value.voterName, r.value.residenceAddress]).toEqual(['𠮷田 Hanako', '123 W Fountain Way']);
  });

  test('a military voter: file type military, mailing address Unit 2050 Box 4190, APO AP 96278', () => {
    const r = parseFixedFieldRecord(ORTEGA_LINE, 4);
    expect(r.ok && [r.value.fileType, r.value.party, r.value.mailingAddress, r.value.mailingCity, r.value.mailingState, r.value.mailingZip])
      .toEqual(['military', 'NPP', 'Unit 2050 Box 4190', 'APO', 'AP', '96278']);
  });

  test('a trailing CR from a CRLF file is not part of the record', () => {
    expect(parseFixedFieldRecord(`${HENDERSON_LINE}\r`, 5)).toEqual({ ok: true, value: HENDERSON });
  });

  test('a line one character short is rejected, naming the length found and the length expected', () => {
    expect(parseFixedFieldRecord(HENDERSON_LINE.slice(0, 236), 12)).toEqual({
      ok: false,
      errors: [{ line: 12, field: 'record', reason: 'record is 236 characters; the layout is 237' }],
    });
  });

  test('a line one character long is rejected, naming the length found and the length expected', () => {
    expect(parseFixedFieldRecord(`${HENDERSON_LINE} `, 13)).toEqual({
      ok: false,
      errors: [{ line: 13, field: 'record', reason: 'record is 238 characters; the layout is 237' }],
    });
  });

  test('a UTF-8 file read as bytes (Latin-1) gives a line too long, not a silently shifted record', () => {
    // "é" read byte by byte as Latin-1 becomes "Ã©": every accented letter adds one position.
    const mojibake = NUNEZ_LINE.replace('José Luis Núñez Ibáñez', 'JosÃ© Luis NÃºÃ±ez IbÃ¡Ã±ez');
    expect(parseFixedFieldRecord(mojibake, 14)).toEqual({
      ok: false,
      errors: [{ line: 14, field: 'record', reason: 'record is 242 characters; the layout is 237' }],
    });
  });

  test('a non-numeric precinct (letter O for zero) is rejected, naming the field and what was found', () => {
    expect(parseFixedFieldRecord(hendersonWith(PRECINCT, '05O1'), 7)).toEqual({
      ok: false,
      errors: [{ line: 7, field: 'precinct', reason: 'must be 4 digits, e.g. 0501; found "05O1"' }],
    });
  });

  test('a precinct shifted right by one space is not read as precinct 501', () => {
    const r = parseFixedFieldRecord(hendersonWith(PRECINCT, ' 501'), 8);
    expect(r).toEqual({ ok: false, errors: [{ line: 8, field: 'precinct', reason: 'must be 4 digits, e.g. 0501; found " 501"' }] });
  });

  test('election date 19990231 is rejected: February has no 31st', () => {
    const line = `19990231${HENDERSON_LINE.slice(8)}`;
    expect(parseFixedFieldRecord(line, 9)).toEqual({
      ok: false,
      errors: [{ line: 9, field: 'electionDate', reason: '19990231 is not a real calendar date' }],
    });
  });

  test('a file date written mmddyyyy (05121999) is rejected, not misread', () => {
    const line = `${HENDERSON_LINE.slice(0, 17)}05121999${HENDERSON_LINE.slice(25)}`;
    expect(parseFixedFieldRecord(line, 10)).toEqual({
      ok: false,
      errors: [{ line: 10, field: 'fileDate', reason: '05121999 is not a real calendar date' }],
    });
  });

  test('a blank election date is rejected as not yyyymmdd', () => {
    const line = `        ${HENDERSON_LINE.slice(8)}`;
    expect(parseFixedFieldRecord(line, 11)).toEqual({
      ok: false,
      errors: [{ line: 11, field: 'electionDate', reason: 'must be a date as yyyymmdd; found "        "' }],
    });
  });

  test('issue number 0 is rejected: the first ballot issued is issue 1', () => {
    const line = `${HENDERSON_LINE.slice(0, 42)}0${HENDERSON_LINE.slice(43)}`;
    expect(parseFixedFieldRecord(line, 15)).toEqual({
      ok: false,
      errors: [{ line: 15, field: 'issueNumber', reason: 'must be 1-9 (1 is the first ballot issued)' }],
    });
  });

  test('a blank issue number is rejected as not a digit', () => {
    const line = `${HENDERSON_LINE.slice(0, 42)} ${HENDERSON_LINE.slice(43)}`;
    expect(parseFixedFieldRecord(line, 16)).toEqual({
      ok: false,
      errors: [{ line: 16, field: 'issueNumber', reason: 'must be one digit; found " "' }],
    });
  });

  test('a blank voter name is rejected without quoting any voter data', () => {
    expect(parseFixedFieldRecord(hendersonWith(VOTER_NAME, ' '.repeat(41)), 17)).toEqual({
      ok: false,
      errors: [{ line: 17, field: 'voterName', reason: 'is blank' }],
    });
  });

  test('a blank party is allowed: the seed fixes no party list', () => {
    const line = `${HENDERSON_LINE.slice(0, 25)}   ${HENDERSON_LINE.slice(28)}`;
    const r = parseFixedFieldRecord(line, 18);
    expect(r.ok && r.value.party).toBe('');
  });

  test('a mailing state in lower case is rejected', () => {
    const line = `${HENDERSON_LINE.slice(0, 230)}ca${HENDERSON_LINE.slice(232)}`;
    expect(parseFixedFieldRecord(line, 19)).toEqual({
      ok: false,
      errors: [{ line: 19, field: 'mailingState', reason: 'must be a 2-letter state code such as CA; found "ca"' }],
    });
  });

  test('every problem on a line is reported at once, in layout order', () => {
    let line = hendersonWith(MAILING_ZIP, '9372 ');
    line = `${line.slice(0, 28)}05O1${line.slice(32)}`;
    line = `${line.slice(0, 8)}X${line.slice(9)}`;
    expect(parseFixedFieldRecord(line, 20)).toEqual({
      ok: false,
      errors: [
        { line: 20, field: 'electionNumber', reason: 'must be one digit; found "X"' },
        { line: 20, field: 'precinct', reason: 'must be 4 digits, e.g. 0501; found "05O1"' },
        { line: 20, field: 'mailingZip', reason: 'must be 5 digits; found "9372 "' },
      ],
    });
  });
});

describe('formatFixedFieldRecord', () => {
  test('writes each fixture record back to the exact line it was read from', () => {
    for (const line of [HENDERSON_LINE, NUNEZ_LINE, ORTEGA_LINE]) {
      const parsed = parseFixedFieldRecord(line, 1);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      expect(formatFixedFieldRecord(parsed.value)).toEqual({ ok: true, value: line });
    }
  });

  test('the sample record formats to the padded line and parses back unchanged', () => {
    expect(formatFixedFieldRecord(HENDERSON)).toEqual({ ok: true, value: HENDERSON_LINE });
    expect(parseFixedFieldRecord(HENDERSON_LINE, 1)).toEqual({ ok: true, value: HENDERSON });
  });

  test('a decomposed ñ (n + combining tilde) is written as the one composed letter it shows as', () => {
    const decomposed = NUNEZ.voterName.normalize('NFD');
    expect(decomposed.length).toBe(27);
    expect(formatFixedFieldRecord({ ...NUNEZ, voterName: decomposed })).toEqual({ ok: true, value: NUNEZ_LINE });
  });

  test('text values are trimmed before they are measured and padded', () => {
    expect(formatFixedFieldRecord({ ...HENDERSON, voterName: '  William J Henderson Jr ' })).toEqual({ ok: true, value: HENDERSON_LINE });
  });

  test('an overlong voter name is refused, naming the field, never cut off', () => {
    const name = 'Guadalupe Maximiliana Fernández-Villaseñor de la Cruz';
    expect(formatFixedFieldRecord({ ...HENDERSON, voterName: name })).toEqual({
      ok: false,
      errors: [{ field: 'voterName', reason: 'is 53 characters; the field holds 41' }],
    });
  });

  test('Huntington Beach (16 letters) does not fit the 13-character mailing city', () => {
    expect(formatFixedFieldRecord({ ...HENDERSON, mailingCity: 'Huntington Beach' })).toEqual({
      ok: false,
      errors: [{ field: 'mailingCity', reason: 'is 16 characters; the field holds 13' }],
    });
  });

  test('a name of exactly 41 characters fits', () => {
    const name = 'María de los Ángeles Villaseñor Gutiérrez'; // 41
    const r = formatFixedFieldRecord({ ...HENDERSON, voterName: name });
    expect(r.ok && r.value.slice(43, 84)).toBe('María de los Ángeles Villaseñor Gutiérrez');
  });

  test('precinct 501 is refused rather than zero-padded to 0501', () => {
    expect(formatFixedFieldRecord({ ...HENDERSON, precinct: '501' })).toEqual({
      ok: false,
      errors: [{ field: 'precinct', reason: 'must be 4 digits, e.g. 0501' }],
    });
  });

  test('a line break inside the mailing address is refused: it would split the record', () => {
    expect(formatFixedFieldRecord({ ...HENDERSON, mailingAddress: 'PO Box 1234\nFresno' })).toEqual({
      ok: false,
      errors: [{ field: 'mailingAddress', reason: 'contains a control character (tab, line break...)' }],
    });
  });

  test('an affidavit number with a space is refused: the label line separates its parts with spaces', () => {
    expect(formatFixedFieldRecord({ ...HENDERSON, affidavitNumber: 'OOF 123456' })).toEqual({
      ok: false,
      errors: [{ field: 'affidavitNumber', reason: 'must be letters, digits and dashes only' }],
    });
  });

  test('an impossible election date is refused', () => {
    expect(formatFixedFieldRecord({ ...HENDERSON, electionDate: '2026-02-30' })).toEqual({
      ok: false,
      errors: [{ field: 'electionDate', reason: 'is not a real calendar date' }],
    });
  });

  test('issue number 10 does not fit the one-digit field', () => {
    expect(formatFixedFieldRecord({ ...HENDERSON, issueNumber: 10 })).toEqual({
      ok: false,
      errors: [{ field: 'issueNumber', reason: 'must be 1-9 (1 is the first ballot issued)' }],
    });
  });

  test('every field that does not fit is named at once, in layout order', () => {
    expect(formatFixedFieldRecord({ ...HENDERSON, mailingCity: 'Rancho Cucamonga', voterName: '' })).toEqual({
      ok: false,
      errors: [
        { field: 'voterName', reason: 'is blank' },
        { field: 'mailingCity', reason: 'is 16 characters; the field holds 13' },
      ],
    });
  });
});

describe('labelLine: the human-readable code line (G.2.c "Label format for mailing address information")', () => {
  test('the election date is printed as 6 characters yymmdd, then -election number, precinct, affidavit, issue', () => {
    expect(labelLine(HENDERSON)).toBe('990608-1 0501 OOF123456 1');
  });

  test("an election on 2009-05-19 gives the seed's own sample, 090519-1 0501 OOF123456 1", () => {
    expect(labelLine({ ...HENDERSON, electionDate: '2009-05-19' })).toBe('090519-1 0501 OOF123456 1');
  });

  test('a reissued ballot ends in its issue number 2', () => {
    expect(labelLine(NUNEZ)).toBe('260602-1 1203 FRE0447120 2');
  });

  test("the mailing label is the code line, the name, the mailing address and 'City, ST ZIP'", () => {
    expect(mailingLabel(HENDERSON)).toEqual(['990608-1 0501 OOF123456 1', 'William J Henderson Jr', 'PO Box 1234', 'Fresno, CA 93722']);
  });
});

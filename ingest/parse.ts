/**
 * Streaming parsers for the ingestion files (issue 3): CSV through papaparse's tokenizer, JSON lines and the county's
 * fixed-field records through a line splitter, every row validated with the zod schemas in ./schemas. Rows come
 * out in batches with their line numbers; a bad row becomes a reject (file, line, field, reason) and parsing goes
 * on; a file that cannot be read as its type at all (empty, wrong header, not UTF-8 in its header, a runaway
 * quote) throws a FileFormatError naming the file and line.
 *
 * Memory stays bounded whatever the file's size: input is read chunk by chunk with back-pressure, a row may be
 * at most MAX_ROW_BYTES, and only one batch is held at a time. The one thing that grows with the file is the
 * duplicate index, which a duplicate check cannot do without: a KeyIndex of about 24 bytes per distinct ballot
 * (or IMb), some 240 MB for a 10-million-row file.
 */
import { isUtf8 } from 'node:buffer';
import Papa from 'papaparse';
import { compile as zCompile, type z } from 'zod';
import { codePointLength, FIXED_FIELDS, RECORD_LENGTH } from '../domain/fixed-field';
import { KeyIndex } from './key-index';
import { FIXED_FIELD_NAMES, FORMATS, type FileType, type Format, type RowTypes } from './schemas';

export { FILE_TYPES, type FileType } from './schemas';

/** The field name a reject carries when the problem is the whole row (its encoding, its column count, its JSON). */
export const ROW = '(row)';

/** The longest row accepted. Real rows are under 1 KiB; a longer one is a broken file (often an unclosed quote). */
export const MAX_ROW_BYTES = 64 * 1024;

export interface Reject {
  file: string;
  /** 1-based physical line where the row starts (the header is line 1). */
  line: number;
  /** The column (CSV) or key (JSON lines) at fault, or "(row)". */
  field: string;
  reason: string;
}

export interface ParsedRow<T extends FileType = FileType> {
  line: number;
  value: RowTypes[T];
}

export interface ParseBatch<T extends FileType = FileType> {
  rows: ParsedRow<T>[];
  /** One entry per problem: a row with two bad fields has two entries with the same line. */
  rejects: Reject[];
  /** Bytes read from the source so far. */
  bytesRead: number;
  /** Lines read so far, through the last row of this batch. */
  linesRead: number;
}

export interface ParseOptions {
  /** The name rejects and errors carry; defaults to the file type. */
  fileName?: string;
  /** Rows (accepted or rejected) per batch; default 1000. */
  batchSize?: number;
  /**
   * The date (YYYY-MM-DD) of the election the file was sent for. A county fixed-field record names its election
   * date; a record for another election is rejected rather than becoming a ballot of this one.
   */
  electionDate?: string;
}

/** The file as a whole cannot be read as its type. */
export class FileFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}, line ${line}: ${detail}`);
    this.name = 'FileFormatError';
  }
}

export type Source = AsyncIterable<Buffer | Uint8Array | string> | NodeJS.ReadableStream;

/**
 * Parses a file of the given type as it streams in. Batches are yielded as they fill; stop iterating to stop
 * reading (the source is destroyed).
 */
export async function* parseFile<T extends FileType>(type: T, source: Source, opts: ParseOptions = {}): AsyncGenerator<ParseBatch<T>> {
  const format = FORMATS[type] as Format<T>;
  const ctx = new Context<T>(opts.fileName ?? type, format, opts.batchSize ?? 1000);
  const input = new Utf8Lines(ctx.file, source as AsyncIterable<Buffer | Uint8Array | string>);
  switch (format.kind) {
    case 'csv': yield* parseCsv(ctx, input); break;
    case 'jsonl': yield* parseJsonl(ctx, input); break;
    case 'fixed': yield* parseFixed(ctx, input, opts.electionDate); break;
    default: { const never: never = format.kind; throw new Error(`unknown file kind ${String(never)}`); }
  }
}

// ---------- shared per-file state ----------

class Context<T extends FileType> {
  private rows: ParsedRow<T>[] = [];
  private rejects: Reject[] = [];
  private inBatch = 0;
  private yielded = 0;
  private readonly seen: KeyIndex[];
  private readonly schema: z.ZodType<RowTypes[T], unknown>;

  constructor(
    readonly file: string,
    readonly format: Format<T>,
    readonly batchSize: number,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    this.seen = format.unique.map(() => new KeyIndex());
    this.schema = compiledRowSchema(format.schema).schema;
  }

  reject(line: number, field: string, reason: string): void {
    this.rejects.push({ file: this.file, line, field, reason });
  }

  /** Validates one row (already a plain object) and files it as accepted or rejected. */
  validate(line: number, input: unknown): void {
    this.inBatch++;
    const result = this.schema.safeParse(input);
    if (!result.success) {
      for (const issue of result.error.issues) this.reject(line, fieldOf(issue), issue.message);
      return;
    }
    const row = result.data;
    const unique = this.format.unique;
    if (unique.length === 1) {
      const first = this.seen[0]!.addOrGet(unique[0]!.key(row), line);
      if (first !== undefined) return this.reject(line, unique[0]!.field, `duplicate: same ${unique[0]!.what} as line ${first}`);
    } else if (unique.length > 1) {
      // Check every key before recording any: a rejected row must not make a later good row a "duplicate".
      const keys = unique.map((u) => u.key(row));
      for (let i = 0; i < keys.length; i++) {
        const first = this.seen[i]!.get(keys[i]!);
        if (first !== undefined) return this.reject(line, unique[i]!.field, `duplicate: same ${unique[i]!.what} as line ${first}`);
      }
      for (let i = 0; i < keys.length; i++) this.seen[i]!.addOrGet(keys[i]!, line);
    }
    this.rows.push({ line, value: row });
  }

  /** A row rejected before validation (encoding, column count, JSON). */
  rejectRow(line: number, field: string, reason: string): void {
    this.inBatch++;
    this.reject(line, field, reason);
  }

  get full(): boolean {
    return this.inBatch >= this.batchSize;
  }

  /** The batch so far, or undefined at the end when it is empty (unless nothing at all was yielded). */
  take(bytesRead: number, linesRead: number, final = false): ParseBatch<T> | undefined {
    if (final && this.inBatch === 0 && this.yielded > 0) return undefined;
    const batch = { rows: this.rows, rejects: this.rejects, bytesRead, linesRead };
    this.rows = [];
    this.rejects = [];
    this.inBatch = 0;
    this.yielded++;
    return batch;
  }
}

/**
 * The row schema as parseFile runs it millions of times per file: compiled by zod (`z.compile`) into one
 * generated function of plain checks. A row that passes costs that function alone; zod's interpreter gives each
 * cell a payload, an issues array and a closure context, which was about a third of the parse's CPU and over a
 * third of its garbage. A row that fails runs again through the interpreter, which gives the issues (column and
 * message) that the rejects report, exactly as the schema's own `safeParse` would. Compiled once per schema, so
 * every file of a type runs the same, already optimized, function. The test "runs every row schema compiled, as
 * zod's interpreter does" holds this to the interpreter on good and bad rows of every format. A schema zod cannot
 * compile (none of ours today: the test says which) is returned as it is and still works, on the interpreter.
 */
export function compiledRowSchema<S extends z.ZodType>(schema: S): { schema: S; compiled: boolean } {
  const known = COMPILED.get(schema);
  if (known !== undefined) return known as { schema: S; compiled: boolean };
  let result: { schema: S; compiled: boolean };
  try {
    result = { schema: zCompile(schema, { strict: true }), compiled: true };
  } catch {
    result = { schema, compiled: false };
  }
  COMPILED.set(schema, result);
  return result;
}
const COMPILED = new WeakMap<z.ZodType, { schema: z.ZodType; compiled: boolean }>();

function fieldOf(issue: z.core.$ZodIssue): string {
  const head = issue.path[0];
  return head === undefined ? ROW : String(head);
}

// ---------- UTF-8: strict, per line ----------

interface BadLine {
  line: number;
  /** 1-based byte position in the line of the first byte that is not UTF-8. */
  column: number;
  byte: number;
}

/**
 * Passes the source's bytes on unchanged, having checked that every line is UTF-8. A line that is not is
 * remembered (line number, position, byte) so the row it belongs to is rejected instead of reaching the
 * schemas with U+FFFD in place of "ñ". Lines end at LF, which never occurs inside a multi-byte character, so
 * checking whole lines is safe across chunk boundaries.
 */
class Utf8Lines implements AsyncIterable<Buffer> {
  bytesRead = 0;
  /** Lines whose LF has been seen. */
  linesEnded = 0;
  private readonly bad: BadLine[] = [];
  private badHead = 0;
  private partial: Buffer[] = [];
  private partialBytes = 0;

  constructor(
    private readonly file: string,
    private readonly source: AsyncIterable<Buffer | Uint8Array | string>,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for await (const raw of this.source) {
      if (typeof raw === 'string') {
        throw new TypeError('the source must yield bytes: a stream with an encoding set has already replaced invalid UTF-8');
      }
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      if (chunk.length === 0) continue;
      if (this.bytesRead === 0) this.checkBom(chunk);
      this.bytesRead += chunk.length;
      this.check(chunk);
      yield chunk;
    }
    this.flush();
  }

  /** The first line in [from, to] that is not UTF-8, forgetting those before `from`. */
  badLineIn(from: number, to: number): BadLine | undefined {
    while (this.badHead < this.bad.length && this.bad[this.badHead]!.line < from) this.badHead++;
    if (this.badHead > 1024) {
      this.bad.splice(0, this.badHead);
      this.badHead = 0;
    }
    const b = this.bad[this.badHead];
    return b !== undefined && b.line <= to ? b : undefined;
  }

  private checkBom(chunk: Buffer): void {
    if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
      throw new FileFormatError(this.file, 1, 'the file is UTF-16; save it as UTF-8');
    }
  }

  private check(chunk: Buffer): void {
    let start = 0;
    const lf = chunk.indexOf(10);
    if (lf === -1) {
      this.keep(chunk);
      return;
    }
    // The line begun in earlier chunks ends in this one.
    if (this.partialBytes > 0) {
      this.partial.push(chunk.subarray(0, lf + 1));
      this.checkLine(Buffer.concat(this.partial), this.linesEnded + 1);
      this.partial = [];
      this.partialBytes = 0;
      this.linesEnded++;
      start = lf + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) {
      const whole = chunk.subarray(start, last + 1);
      const first = this.linesEnded + 1;
      let count = 0;
      for (let i = whole.indexOf(10); i !== -1; i = whole.indexOf(10, i + 1)) count++;
      if (!isUtf8(whole)) this.findBadLines(whole, first);
      this.linesEnded += count;
    }
    if (last + 1 < chunk.length) this.keep(chunk.subarray(last + 1));
  }

  private keep(piece: Buffer): void {
    this.partial.push(piece);
    this.partialBytes += piece.length;
    // A row is at most MAX_ROW_BYTES; a line many times that is not a row of any of our files.
    if (this.partialBytes > 16 * MAX_ROW_BYTES) {
      throw new FileFormatError(this.file, this.linesEnded + 1, `line ${this.linesEnded + 1} is longer than ${16 * MAX_ROW_BYTES} bytes without a line end: not a CSV, JSON-lines or fixed-field file`);
    }
  }

  private flush(): void {
    if (this.partialBytes === 0) return;
    this.checkLine(Buffer.concat(this.partial), this.linesEnded + 1);
    this.partial = [];
    this.partialBytes = 0;
  }

  private findBadLines(segment: Buffer, firstLine: number): void {
    let line = firstLine;
    let from = 0;
    while (from < segment.length) {
      const lf = segment.indexOf(10, from);
      const end = lf === -1 ? segment.length : lf + 1;
      this.checkLine(segment.subarray(from, end), line);
      line++;
      from = end;
    }
  }

  private checkLine(bytes: Buffer, line: number): void {
    if (isUtf8(bytes)) return;
    const at = firstInvalidByte(bytes);
    this.bad.push({ line, column: at + 1, byte: bytes[at]! });
  }
}

/** Index of the first byte that does not belong to a well-formed UTF-8 sequence (only called on bad lines). */
function firstInvalidByte(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > b.length) return i;
    if (n > 1 && !isUtf8(b.subarray(i, i + n))) return i;
    i += n;
  }
  return 0;
}

function encodingReason(bad: BadLine): string {
  const hex = bad.byte.toString(16).toUpperCase().padStart(2, '0');
  const asLatin1 = bad.byte >= 0xa0 ? ` ("${String.fromCharCode(bad.byte)}" in Latin-1)` : '';
  const where = `line ${bad.line}, byte ${bad.column}`;
  return `not UTF-8: byte 0x${hex}${asLatin1} at ${where}; the file looks Latin-1 or Windows-1252 encoded, save it as UTF-8`;
}

// ---------- CSV ----------

/** A piece of a CSV file: the records of some whole lines, tokenized. */
export interface CsvPiece {
  records: string[][];
  /** Whether some record spans lines (a line break inside quotes): without one, every record is one line. */
  multiLine: boolean;
  /** Indexes (in `records`) of records with a quoted value followed by more text before its comma: "Smith"Jr. */
  badQuotes: number[];
  /** The last piece only: its last record is a quoted value the file never closes. */
  unclosedQuote: boolean;
  /** Characters held back for the next piece: a record whose quoted value goes on past the lines read so far. */
  pending: number;
}

/**
 * Tokenizes a CSV file as it streams in, with papaparse's Parser (RFC 4180: quoted values, doubled quotes, line
 * breaks inside quotes). Each chunk is decoded up to its last LF, so no UTF-8 character is cut; a record whose
 * quoted value runs on past that LF is held back and parsed again with the next chunk. A stray quote inside an
 * unquoted value (O"Brien, 5'10") is text. CRLF and LF may be mixed: the CR stays at the end of the last value,
 * which parseCsv trims. bench:parse --tokenizer-only times this alone.
 */
export async function* csvPieces(source: AsyncIterable<Buffer>): AsyncGenerator<CsvPiece> {
  const parser = new Papa.Parser({ delimiter: ',', newline: '\n', quoteChar: '"' });
  let carry: Buffer | undefined;
  let rest = '';
  let first = true;
  const piece = (text: string, final: boolean): CsvPiece => {
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const result = parser.parse(text, 0, !final) as Papa.ParseResult<string[]>;
    const records = result.data;
    rest = final ? '' : text.slice(result.meta.cursor);
    const badQuotes: number[] = [];
    let unclosedQuote = false;
    for (const e of result.errors) {
      if (e.row === undefined || e.row >= records.length) continue;
      if (e.code === 'MissingQuotes') unclosedQuote = true;
      else if (badQuotes.at(-1) !== e.row) badQuotes.push(e.row);
    }
    return { records, multiLine: linesIn(text, final ? text.length : result.meta.cursor) !== records.length, badQuotes, unclosedQuote, pending: rest.length };
  };
  for await (const chunk of source) {
    const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    const lf = bytes.lastIndexOf(10);
    if (lf === -1) {
      carry = bytes;
      continue;
    }
    carry = lf + 1 < bytes.length ? bytes.subarray(lf + 1) : undefined;
    yield piece(rest + bytes.toString('utf8', 0, lf + 1), false);
  }
  const tail = rest + (carry === undefined ? '' : carry.toString('utf8'));
  if (tail !== '' || first) yield piece(tail, true);
}

/** The lines of text[0, end): its LFs, and a last line without one. Each record takes one line unless a value spans more. */
function linesIn(text: string, end: number): number {
  let n = 0;
  let at = text.indexOf('\n');
  while (at !== -1 && at < end) {
    n++;
    at = text.indexOf('\n', at + 1);
  }
  return end > 0 && text.charCodeAt(end - 1) !== 10 ? n + 1 : n;
}

async function* parseCsv<T extends FileType>(ctx: Context<T>, input: Utf8Lines): AsyncGenerator<ParseBatch<T>> {
  let header: string[] | undefined;
  let width = 0;
  let toObject: ((record: string[]) => Record<string, string | undefined>) | undefined;
  /** The line the next record starts on. */
  let line = 1;
  let lastRowLine = 0;
  const tooLong = (at: number) =>
    new FileFormatError(ctx.file, at, `the row starting at line ${at} is longer than ${MAX_ROW_BYTES} bytes: most likely a quote that is never closed`);

  for await (const piece of csvPieces(input)) {
    const { records, multiLine, badQuotes } = piece;
    let nextBad = 0;
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      const start = line;
      line = multiLine ? start + 1 + embeddedLineBreaks(record) : start + 1;
      if (recordLength(record) > MAX_ROW_BYTES) throw tooLong(start);
      // A blank line (most often at the end of the file) carries no row.
      if (record.length === 1 && record[0]!.trim() === '') continue;
      const unclosed = piece.unclosedQuote && r === records.length - 1;
      if (header === undefined) {
        if (unclosed) throw new FileFormatError(ctx.file, start, 'the file ends inside a quoted value that starts on the first line');
        const bad = input.badLineIn(start, line - 1);
        if (bad) throw new FileFormatError(ctx.file, bad.line, `the header is ${encodingReason(bad)}`);
        header = checkHeader(ctx, record, start);
        width = header.length;
        toObject = rowBuilder(header);
        lastRowLine = line - 1;
        continue;
      }
      lastRowLine = line - 1;
      const badQuote = nextBad < badQuotes.length && badQuotes[nextBad] === r;
      if (badQuote) nextBad++;
      const bad = input.badLineIn(start, line - 1);
      if (unclosed) {
        ctx.rejectRow(start, ROW, 'the file ends inside a quoted value that starts on this line (a truncated last line, or a quote never closed)');
        lastRowLine = input.linesEnded + 1;
      } else if (bad) {
        ctx.rejectRow(start, badField(header, record), encodingReason(bad));
      } else if (badQuote) {
        // The tokenizer looks for the quote that really closes the value, which may be lines further down: the
        // lines in between are part of this rejected row, and the reason says so.
        const span = line - 1 > start ? `; the value runs on to line ${line - 1}, so lines ${start}-${line - 1} could not be read as rows` : '';
        ctx.rejectRow(start, ROW, `has a quoted value with more text after its closing quote: a quote inside a quoted value must be doubled ("")${span}`);
      } else if (record.length !== width) {
        ctx.rejectRow(start, ROW, columnCountReason(header, record.length));
      } else {
        ctx.validate(start, toObject!(record));
      }
      if (ctx.full) yield ctx.take(input.bytesRead, lastRowLine)!;
    }
    if (piece.pending > MAX_ROW_BYTES) throw tooLong(line);
  }
  if (header === undefined) {
    throw new FileFormatError(ctx.file, 1, `the file is empty: expected a header line naming the columns (${ctx.format.requiredColumns.join(', ')})`);
  }
  const last = ctx.take(input.bytesRead, lastRowLine, true);
  if (last) yield last;
}

/** A trimmed cell; a blank one is absent. */
const cell = (value: string): string | undefined => {
  const v = value.trim();
  return v === '' ? undefined : v;
};

/**
 * The function that turns a record of this header into the object its schema validates: every column present
 * (blank ones as undefined), in one object literal. Assigning the columns one by one by name, in a loop, cost
 * about five times as much per row (the stores by a varying key cannot be optimized) and was a tenth of the
 * parse. The names are known columns of the file type (checkHeader refused any other) and are quoted by
 * JSON.stringify, so the generated source is only property names and indexes.
 */
function rowBuilder(header: readonly string[]): (record: string[]) => Record<string, string | undefined> {
  const body = `return (r) => ({ ${header.map((name, i) => `${JSON.stringify(name)}: cell(r[${i}])`).join(', ')} });`;
  return new Function('cell', body)(cell) as (record: string[]) => Record<string, string | undefined>;
}

/** The characters of a record's values. */
function recordLength(record: string[]): number {
  let n = 0;
  for (let i = 0; i < record.length; i++) n += record[i]!.length;
  return n;
}

/** Line breaks inside quoted values: the next record starts that many lines further down. */
function embeddedLineBreaks(record: string[]): number {
  let n = 0;
  for (const v of record) {
    if (v.length === 0) continue;
    for (let i = v.indexOf('\n'); i !== -1; i = v.indexOf('\n', i + 1)) n++;
  }
  return n;
}

function checkHeader<T extends FileType>(ctx: Context<T>, record: string[], line: number): string[] {
  // A CRLF line leaves its CR at the end of the last name; a CR anywhere else means the lines end with CR alone.
  const last = record.length - 1;
  if (record.some((n, i) => (i === last ? n.replace(/\r$/, '') : n).includes('\r'))) {
    throw new FileFormatError(ctx.file, line, 'lines end with CR alone (an old Mac format): save the file with LF or CRLF line ends');
  }
  const names = record.map((n) => n.trim().toLowerCase());
  const known = new Set(ctx.format.columns);
  const problems: string[] = [];
  const unknown = names.filter((n) => !known.has(n));
  const missing = ctx.format.requiredColumns.filter((c) => !names.includes(c));
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (missing.length > 0) problems.push(`missing required column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (unknown.length > 0) problems.push(`unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
  if (repeated.length > 0) problems.push(`repeated column${repeated.length > 1 ? 's' : ''}: ${[...new Set(repeated)].join(', ')}`);
  if (problems.length > 0) {
    const hint = names.every((n) => !known.has(n)) ? ' (does the file start with the header line?)' : '';
    throw new HeaderError(ctx.file, line, `${problems.join('; ')}${hint}. The columns of this file type are: ${ctx.format.columns.join(', ')}`, missing, unknown);
  }
  return names;
}

/** A header that does not match the file type: it names what is missing and what is unknown. */
export class HeaderError extends FileFormatError {
  constructor(
    file: string,
    line: number,
    detail: string,
    readonly missingColumns: string[],
    readonly unknownColumns: string[],
  ) {
    super(file, line, detail);
    this.name = 'HeaderError';
  }
}

function columnCountReason(header: string[], count: number): string {
  if (count < header.length) {
    return `has ${count} of the header's ${header.length} columns: it stops after ${header[count - 1] ?? 'the start'} (a truncated line?)`;
  }
  return `has ${count} columns, the header ${header.length} (an unquoted comma in a value?)`;
}

/** The column whose value the decoder had to patch with U+FFFD: where the non-UTF-8 byte sits. */
function badField(header: string[], record: string[]): string {
  const i = record.findIndex((v) => v.includes('\uFFFD'));
  return i >= 0 && i < header.length ? header[i]! : ROW;
}

// ---------- lines (JSON lines, fixed-field records) ----------

/**
 * The source's complete lines, chunk by chunk, each with its LF (the last line of the file may have none). A line
 * begun in one chunk and ended in a later one is joined; nothing else is copied.
 */
async function* linesOf(input: Utf8Lines): AsyncGenerator<Buffer[]> {
  let partial: Buffer[] = [];
  let partialBytes = 0;
  for await (const chunk of input) {
    const lines: Buffer[] = [];
    let from = 0;
    for (let lf = chunk.indexOf(10); lf !== -1; lf = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, lf + 1);
      if (partialBytes > 0) {
        partial.push(piece);
        lines.push(Buffer.concat(partial));
        partial = [];
        partialBytes = 0;
      } else {
        lines.push(piece);
      }
      from = lf + 1;
    }
    if (from < chunk.length) {
      partial.push(chunk.subarray(from));
      partialBytes += chunk.length - from;
    }
    if (lines.length > 0) yield lines;
  }
  if (partialBytes > 0) yield [Buffer.concat(partial)];
}

/** The line without its LF or CRLF. */
function bodyOf(bytes: Buffer): Buffer {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 10) end--;
  if (end > 0 && bytes[end - 1] === 13) end--;
  return bytes.subarray(0, end);
}

function isBlank(body: Buffer): boolean {
  for (const b of body) if (b !== 0x20 && b !== 0x09) return false;
  return true;
}

// ---------- JSON lines ----------

async function* parseJsonl<T extends FileType>(ctx: Context<T>, input: Utf8Lines): AsyncGenerator<ParseBatch<T>> {
  let line = 0;
  let sawContent = false;

  const handle = (bytes: Buffer): void => {
    line++;
    const body = bodyOf(bytes);
    if (isBlank(body)) return;
    sawContent = true;
    const bad = input.badLineIn(line, line);
    if (bad) return ctx.rejectRow(line, ROW, encodingReason(bad));
    if (body.length > MAX_ROW_BYTES) return ctx.rejectRow(line, ROW, `is longer than ${MAX_ROW_BYTES} bytes`);
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (e) {
      return ctx.rejectRow(line, ROW, `is not valid JSON (${(e as Error).message})${bytes[bytes.length - 1] === 10 ? '' : '; the last line may be truncated'}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return ctx.rejectRow(line, ROW, 'is not a JSON object');
    ctx.validate(line, normalizeJson(value as Record<string, unknown>));
  };

  for await (const lines of linesOf(input)) {
    for (const bytes of lines) {
      handle(bytes);
      if (ctx.full) yield ctx.take(input.bytesRead, line)!;
    }
  }
  if (!sawContent) throw new FileFormatError(ctx.file, 1, 'the file is empty: expected one JSON object per line');
  const last = ctx.take(input.bytesRead, line, true);
  if (last) yield last;
}

// ---------- the county's fixed-field record ----------

/**
 * One record per line, no header (Exhibit A G.1: "in a fixed field format"; domain/fixed-field has the layout).
 * Positions count characters (Unicode code points), so the file is read as UTF-8 like every other file: a line
 * that is not UTF-8 is rejected, naming the field its first bad byte falls in, and never decoded by guesswork.
 */
async function* parseFixed<T extends FileType>(ctx: Context<T>, input: Utf8Lines, electionDate: string | undefined): AsyncGenerator<ParseBatch<T>> {
  let line = 0;
  let sawContent = false;

  const handle = (bytes: Buffer): void => {
    line++;
    // A UTF-8 byte order mark before the first record is not part of it.
    const bom = line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const body = bodyOf(bytes).subarray(bom);
    if (isBlank(body)) return;
    if (!sawContent && body.includes(13)) {
      throw new FileFormatError(ctx.file, line, 'lines end with CR alone (an old Mac format): save the file with LF or CRLF line ends');
    }
    sawContent = true;
    const bad = input.badLineIn(line, line);
    if (bad) return ctx.rejectRow(line, fieldAtByte(bytes, bad.column - 1, bom), encodingReason(bad));
    if (body.length > MAX_ROW_BYTES) return ctx.rejectRow(line, ROW, `record is more than ${MAX_ROW_BYTES} bytes; the layout is ${RECORD_LENGTH} characters`);
    let record = body.toString('utf8');
    const length = codePointLength(record);
    if (length !== RECORD_LENGTH) {
      // A decomposed accent (e + combining acute) is the one letter it shows as, as domain/fixed-field counts it.
      const composed = record.normalize('NFC');
      if (codePointLength(composed) !== RECORD_LENGTH) return ctx.rejectRow(line, ROW, lengthReason(length, bytes[bytes.length - 1] !== 10));
      record = composed;
    }
    ctx.validate(line, { record, expectedElectionDate: electionDate });
  };

  for await (const lines of linesOf(input)) {
    for (const bytes of lines) {
      handle(bytes);
      if (ctx.full) yield ctx.take(input.bytesRead, line)!;
    }
  }
  if (!sawContent) throw new FileFormatError(ctx.file, 1, `the file is empty: expected one ${RECORD_LENGTH}-character record per line`);
  const last = ctx.take(input.bytesRead, line, true);
  if (last) yield last;
}

/** A record of the wrong length, with the likeliest cause when the length suggests one. */
function lengthReason(length: number, unterminated: boolean): string {
  const reason = `record is ${length} characters; the layout is ${RECORD_LENGTH}`;
  if (length < RECORD_LENGTH && unterminated) return `${reason}: the file ends inside this record (a truncated last line?)`;
  if (length < RECORD_LENGTH) return `${reason} (a field not padded to its width?)`;
  if (length % RECORD_LENGTH === 0) return `${reason} (${length / RECORD_LENGTH} records with no line break between them?)`;
  return reason;
}

/** The field (by the contract's name) holding the character at byte `at` of a line whose bytes before it are UTF-8. */
function fieldAtByte(bytes: Buffer, at: number, skip: number): string {
  const position = Array.from(bytes.subarray(skip, at).toString('utf8')).length;
  const f = FIXED_FIELDS.find((x) => position >= x.start && position < x.start + x.length);
  return f === undefined ? ROW : FIXED_FIELD_NAMES[f.name];
}

/** Trimmed strings, with blank strings and nulls treated as absent, as for a CSV cell. */
function normalizeJson(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    if (typeof v === 'string') {
      const t = v.trim();
      if (t !== '') out[k] = t;
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * A synthetic county's state extract: realistic names (accents, Hmong, Vietnamese, Punjabi), PO boxes,
 * UOCAVA voters abroad (APO/FPO and foreign addresses), reissued ballots. Seeded, so runs are repeatable.
 * Used by the benchmarks and by tests that need a file larger than a fixture.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { SingleBar, Presets } from 'cli-progress';
import { stringify } from 'csv-stringify';
import { formatFixedFieldRecord } from '../domain/fixed-field';
import { addDays } from '../domain/time';
import { FORMATS } from '../ingest/schemas';

/** mulberry32: a small seeded generator, so two runs write the same file. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['José', 'María', 'Lan', 'William', 'Mary', 'Jesús', 'Guadalupe', 'Minh', 'Pa', 'Kou', 'Gurpreet', 'Harjit', 'Ana', 'Luis', 'Chloé', 'Zoë', 'Seo-yeon', 'Ji-ho', 'Aiyana', 'Fatima', 'Michael', 'Jennifer', 'David', 'Linda', 'Renée', 'François', 'Björn', 'Siobhán', 'Dolores', 'Héctor'];
const MIDDLE = ['', '', '', 'J', 'A', 'Thị', 'Văn', 'Luis', 'Ann', 'Marie', 'de la Cruz', 'Kaur', 'Singh'];
const LAST = ['Núñez', 'Nguyễn', 'Henderson', 'García', 'Hernández', 'Trần', 'Lê', 'Phạm', 'Vang', 'Xiong', 'Lor', 'Her', 'Sandhu', 'Gill', "O'Brien", 'Smith-Jones', 'Muñoz', 'Peña', 'Chávez', 'Ibáñez', 'Kim', 'Park', 'Yamamoto', 'Okonkwo', 'Johnson', 'Martínez', 'Gómez', 'Pérez', 'Álvarez', 'Søren'];
const SUFFIX = ['Jr', 'Sr', 'II', 'III'];
const STREETS = ['W Fountain Way', 'N Blackstone Ave', 'E Shields Ave', 'S Cedar Ave', 'N First St', 'W Shaw Ave', 'E Kings Canyon Rd', 'N Palm Ave', 'W Olive Ave', 'E Belmont Ave', 'N Maple Ave', 'S Elm Ave', 'W Herndon Ave', 'N Fresno St', 'E McKinley Ave'];
const CITIES: [string, string][] = [['Fresno', '93711'], ['Fresno', '93722'], ['Fresno', '93726'], ['Clovis', '93612'], ['Sanger', '93657'], ['Reedley', '93654'], ['Selma', '93662'], ['Kerman', '93630'], ['Coalinga', '93210'], ['Fowler', '93625']];
const PARTIES = ['DEM', 'DEM', 'DEM', 'REP', 'REP', 'NPP', 'NPP', 'AI', 'GRN', 'LIB', 'PF'];
const LANGUAGES = ['', '', '', '', '', '', 'es', 'es', 'vi', 'zh-Hant', 'hmn', 'pa', 'ko', 'tl'];
const ABROAD: { line1: string; line2: string; city: string; state: string; postal: string; country: string }[] = [
  { line1: 'Unit 2050 Box 4190', line2: '', city: 'APO', state: 'AE', postal: '09096', country: '' },
  { line1: 'PSC 473 Box 12', line2: '', city: 'FPO', state: 'AP', postal: '96349-0001', country: '' },
  { line1: 'Friedrichstraße 123', line2: '3. OG', city: 'Berlin', state: '', postal: '10117', country: 'DE' },
  { line1: '1-2-3 Shibuya', line2: 'Apt 405', city: 'Shibuya-ku', state: 'Tokyo', postal: '150-0002', country: 'JP' },
  { line1: 'Av. Insurgentes Sur 1602', line2: 'Col. Crédito Constructor', city: 'Ciudad de México', state: 'CDMX', postal: '03940', country: 'MX' },
  { line1: '10 Downing Street', line2: '', city: 'London', state: '', postal: 'SW1A 2AA', country: 'GB' },
];

export interface SyntheticOptions {
  /** Issue and status dates are counted back from it: ballots go out at E-29, to UOCAVA voters at E-45. */
  electionDate?: string;
  /** The extract as sent at issuance: no ballot returned yet (the ingestion benchmark's starting point). */
  atIssuance?: boolean;
}

export function* voterRows(count: number, seed: number, opts: SyntheticOptions = {}): Generator<string[]> {
  const e = opts.electionDate ?? '2026-06-02';
  const at = (days: number) => addDays(e, days);
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const date = (fromYear: number, years: number) => {
    const d = new Date(Date.UTC(fromYear, 0, 1) + Math.floor(r() * years * 365.25) * 86_400_000);
    return d.toISOString().slice(0, 10);
  };
  let written = 0;
  for (let i = 0; written < count; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const [city, zip] = pick(CITIES);
    const uocava = r() < 0.02;
    const poBox = !uocava && r() < 0.1;
    const abroad = uocava ? pick(ABROAD) : undefined;
    const mailing = abroad
      ? [abroad.line1, abroad.line2, abroad.city, abroad.state, abroad.postal, abroad.country]
      : poBox
        ? [`PO Box ${1 + Math.floor(r() * 9000)}`, '', city, 'CA', zip, '']
        : ['', '', '', '', '', ''];
    const email = r() < 0.4 ? `${first.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()}.${i}@example.com` : '';
    const phone = r() < 0.3 ? `(559) 555-${String(1000 + Math.floor(r() * 9000))}` : '';
    const ballotType = uocava ? 'UOCAVA' : r() < 0.03 ? 'MBP' : r() < 0.01 ? 'RAVBM' : 'VBM';
    const reissued = r() < 0.01;
    const base = [
      String(100_000_000 + i), first, pick(MIDDLE), last, r() < 0.03 ? pick(SUFFIX) : '', date(1935, 70),
      `${1 + Math.floor(r() * 9999)} ${pick(STREETS)}`, city, 'CA', r() < 0.5 ? zip : `${zip}-${String(1000 + Math.floor(r() * 9000))}`,
      ...mailing,
      String(1 + Math.floor(r() * 800)).padStart(4, '0'), pick(PARTIES), pick(LANGUAGES), email, phone, ballotType,
    ];
    const issueDate = uocava ? at(-45) : at(-29);
    if (reissued) {
      // Issue 1 was cancelled when the voter asked for a replacement; issue 2 is the live ballot.
      yield [...base, '1', issueDate, 'cancelled', '', at(-21)];
      if (++written === count) return;
      yield [...base, '2', at(-21), 'not-returned', '', ''];
    } else {
      const draw = r(); // drawn either way, so both variants name the same voters
      const u = opts.atIssuance ? 0 : draw;
      const status = u < 0.7 ? ['not-returned', '', ''] : u < 0.95 ? ['accepted', '', at(-13)] : u < 0.98 ? ['in-review', 'signature-mismatch', at(-12)] : ['not-accepted', 'no-signature|envelope-not-sealed', at(-11)];
      yield [...base, '1', issueDate, ...status];
    }
    written++;
  }
}

/** Writes `rows` extract rows to `file` as a stream (never held in memory). */
export async function generate(file: string, rows: number, seed: number, progress: boolean, opts: SyntheticOptions = {}): Promise<void> {
  const out = fs.createWriteStream(file);
  const csv = stringify({ header: true, columns: FORMATS['state-extract'].columns as string[] });
  csv.pipe(out);
  const bar = progress ? new SingleBar({ format: 'writing  [{bar}] {percentage}% | {value}/{total} rows', hideCursor: true }, Presets.shades_classic) : undefined;
  bar?.start(rows, 0);
  let n = 0;
  for (const row of voterRows(rows, seed, opts)) {
    if (!csv.write(row)) await once(csv, 'drain');
    if (++n % 10_000 === 0) bar?.update(n);
  }
  csv.end();
  await finished(out);
  bar?.update(rows);
  bar?.stop();
}


/**
 * The same voters as the county's fixed-field record (domain/fixed-field.ts), one 237-character line each: the
 * election date and file date, the label fields, and name and addresses cut to their field widths.
 */
export async function generateFixedField(file: string, rows: number, seed: number, opts: SyntheticOptions = {}): Promise<void> {
  const cols = FORMATS['state-extract'].columns as string[];
  const at = (r: string[], c: string) => r[cols.indexOf(c)] ?? '';
  const electionDate = opts.electionDate ?? '2026-06-02';
  const out = fs.createWriteStream(file);
  for (const r of voterRows(rows, seed, opts)) {
    const zip = at(r, 'residence_zip').slice(0, 5);
    // A US mailing address (a PO box, or APO/FPO mail) as given; a foreign one has no place in the layout, so the
    // residence stands in.
    const mail = at(r, 'mailing_address') !== '' && at(r, 'mailing_country') === '';
    const name = [at(r, 'first_name'), at(r, 'middle_name'), at(r, 'last_name'), at(r, 'name_suffix')].filter(Boolean).join(' ');
    const rec = formatFixedFieldRecord({
      electionDate, electionNumber: 1, fileType: 'Regular', fileDate: at(r, 'issue_date'),
      party: at(r, 'party').slice(0, 3), precinct: at(r, 'precinct'), affidavitNumber: at(r, 'voter_id'), issueNumber: Number(at(r, 'issue_number')),
      voterName: name.slice(0, 41), residenceAddress: at(r, 'residence_address').slice(0, 50), residenceCityStateZip: `${at(r, 'residence_city')}, CA ${zip}`.slice(0, 33),
      mailingAddress: (mail ? at(r, 'mailing_address') : at(r, 'residence_address')).slice(0, 50),
      mailingCity: (mail ? at(r, 'mailing_city') : at(r, 'residence_city')).slice(0, 13),
      mailingState: mail ? at(r, 'mailing_state') : 'CA', mailingZip: mail ? at(r, 'mailing_zip').slice(0, 5) : zip,
    });
    if (!rec.ok) throw new Error(`synthetic fixed-field record for ${at(r, 'voter_id')}: ${rec.errors.map((e) => `${e.field} ${e.reason}`).join('; ')}`);
    if (!out.write(`${rec.value}\n`)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
}

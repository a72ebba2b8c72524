/**
 * Parsing benchmark (issue 3: "parsing at 100,000 rows/s or more", memory bounded on a multi-gigabyte file).
 *
 *   npm run build && npm run bench:parse -- --rows 1000000
 *
 * Writes N synthetic state-extract rows to a temporary file (streamed, never held in memory), parses the file
 * with parseFile exactly as ingestion does, and prints rows/s, MB/s, the time taken, the peak resident memory
 * and the machine. The figures depend on the machine: compare runs on the same one.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { Command, Option } from 'commander';
import { positiveInt } from './args';
import { SingleBar, Presets } from 'cli-progress';
import { csvPieces, parseFile, type Reject } from '../ingest/parse';
import { generate, generateFixedField } from './synthetic';

// ---------- the run ----------

interface Options {
  rows: number;
  batchSize: number;
  seed: number;
  file?: string;
  type: 'state-extract' | 'county-fixed-field';
  keep: boolean;
  progress: boolean;
  tokenizerOnly: boolean;
  /** Internal: generate the file at this path and exit (main() runs it in a child process). */
  generateOnly?: string;
}


async function main(opts: Options): Promise<void> {
  const generated = opts.file === undefined;
  const fixed = opts.type === 'county-fixed-field';
  if (fixed && opts.tokenizerOnly) throw new Error('--tokenizer-only times the CSV tokenizer: use it with --type state-extract');
  const file = opts.file ?? path.join(os.tmpdir(), `ballotflow-bench-parse-${process.pid}.${fixed ? 'txt' : 'csv'}`);
  const showProgress = opts.progress && process.stderr.isTTY === true;
  let genSeconds = 0;
  if (opts.generateOnly !== undefined) {
    if (fixed) await generateFixedField(opts.generateOnly, opts.rows, opts.seed);
    else await generate(opts.generateOnly, opts.rows, opts.seed, showProgress);
    return;
  }
  if (generated) {
    // In a child process: generating in this one left a heap that slowed the parse after it by a fifth to a third
    // (county fixed-field, 300,000 rows: 34,000 rows/s after generating here, 51,000-58,000 from a file).
    const t0 = process.hrtime.bigint();
    const args = [__filename, '--generate-only', file, '--rows', String(opts.rows), '--seed', String(opts.seed), '--type', opts.type, ...(opts.progress ? [] : ['--no-progress'])];
    const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`generating ${file} failed (${child.error?.message ?? `exit ${child.status ?? child.signal}`})`);
    genSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  const bytes = fs.statSync(file).size;

  let peakRss = process.memoryUsage.rss();
  const sample = () => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); };
  const sampler = setInterval(sample, 50);
  const bar = showProgress ? new SingleBar({ format: 'parsing  [{bar}] {percentage}% | {rows} rows | {mb} MB', hideCursor: true }, Presets.shades_classic) : undefined;
  bar?.start(bytes, 0, { rows: 0, mb: 0 });

  let rows = 0;
  let rejected = 0;
  const firstRejects: Reject[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  try {
    if (opts.tokenizerOnly) {
      // The tokenizer alone (decoding and papaparse, as parseFile runs them): what the rest of parsing (UTF-8
      // check, zod, the duplicate index, batching) costs is the difference.
      for await (const piece of csvPieces(fs.createReadStream(file))) {
        rows += piece.records.length;
        sample();
      }
      rows -= 1; // the header
    } else {
      for await (const batch of parseFile(opts.type, fs.createReadStream(file), { fileName: path.basename(file), batchSize: opts.batchSize, ...(fixed ? { electionDate: '2026-06-02' } : {}) })) {
        rows += batch.rows.length;
        rejected += new Set(batch.rejects.map((r) => r.line)).size;
        for (const r of batch.rejects) if (firstRejects.length < 5) firstRejects.push(r);
        sample();
        bar?.update(batch.bytesRead, { rows, mb: (batch.bytesRead / 1e6).toFixed(0) });
      }
    }
  } finally {
    clearInterval(sampler);
    bar?.stop();
    if (generated && !opts.keep) fs.rmSync(file, { force: true });
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  sample();

  const cpus = os.cpus();
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    `file         ${generated ? `${fmt(opts.rows)} synthetic ${opts.type} rows (seed ${opts.seed})` : file}${generated && opts.keep ? ` kept at ${file}` : ''}`,
    `size         ${(bytes / 1e6).toFixed(1)} MB`,
    ...(generated ? [`generated in ${genSeconds.toFixed(2)} s`] : []),
    opts.tokenizerOnly ? `tokenized    ${fmt(rows)} rows by the tokenizer alone (no validation), in ${seconds.toFixed(2)} s` : `parsed       ${fmt(rows)} rows accepted, ${fmt(rejected)} rejected, in ${seconds.toFixed(2)} s`,
    `throughput   ${fmt((rows + rejected) / seconds)} rows/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s (goal: 100,000 rows/s)`,
    `CPU          ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (${((cpu.user + cpu.system) / (rows + rejected)).toFixed(1)} µs a row, GC threads included); V8 new space ${youngGenerationMb()} MiB`,
    `peak RSS     ${(peakRss / 1024 / 1024).toFixed(0)} MiB (sampled every 50 ms and after each batch of ${fmt(opts.batchSize)})`,
    `machine      ${cpus[0]?.model.trim() ?? 'unknown cpu'}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.version}, ${os.platform()} ${os.arch()}`,
  ];
  console.log(lines.join('\n'));
  if (firstRejects.length > 0) console.log(`first rejects:\n${firstRejects.map((r) => `  line ${r.line} ${r.field}: ${r.reason}`).join('\n')}`);
}

/** The size of V8's new space (two semi-spaces; --max-semi-space-size sets them, 16 MiB each by default): it changes GC time a lot here. */
function youngGenerationMb(): string {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space === undefined ? 'unknown' : `${(space.space_size / 1024 / 1024).toFixed(0)}`;
}

const program = new Command('bench:parse')
  .description('generate a synthetic state extract and measure how fast parseFile reads it')
  .option('--rows <n>', 'rows to generate', positiveInt, 1_000_000)
  .option('--batch-size <n>', 'rows per batch', positiveInt, 1000)
  .option('--seed <n>', 'seed for the synthetic data', positiveInt, 20260602)
  .option('--type <type>', 'state-extract (CSV) or county-fixed-field (the contract\'s 237-character record)', (v: string) => {
    if (v !== 'state-extract' && v !== 'county-fixed-field') throw new Error(`--type must be state-extract or county-fixed-field, not "${v}"`);
    return v;
  }, 'state-extract')
  .option('--file <path>', 'parse this file (of --type) instead of generating one')
  .option('--keep', 'keep the generated file', false)
  .option('--tokenizer-only', 'time the CSV tokenizer alone (decoding and papaparse, as parseFile runs them), nothing else', false)
  .option('--no-progress', 'no progress bars')
  .addOption(new Option('--generate-only <path>').hideHelp());

program
  .parseAsync(process.argv)
  .then(() => main(program.opts<Options>()))
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });

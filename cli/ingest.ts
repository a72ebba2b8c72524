/**
 * `ballotflow ingest --election ID --type TYPE FILE`: sends a file to the API and shows its ingestion
 * progress until every row is accepted or rejected, then prints the rejects report's first lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { FILE_TYPES } from '../ingest/schemas';
import { cliApiKey } from './keys';

interface FileStatus { id: string; status: string; linesDone: number; accepted: number; rejected: number; signalled: number; error: string | null; rejects: { line: number; field: string; reason: string }[]; rejectsTotal: number }

export async function ingest(o: { api: string; election: string; type: string; file: string; key?: string; out?: NodeJS.WritableStream; progress?: boolean }): Promise<FileStatus> {
  const out = o.out ?? process.stdout;
  const auth: Record<string, string> = o.key ? { Authorization: `Bearer ${o.key}` } : {};
  if (!(FILE_TYPES as readonly string[]).includes(o.type)) throw new Error(`--type: must be one of ${FILE_TYPES.join(', ')}`);
  const size = fs.statSync(o.file).size;
  let lines = 0;
  const counter = new Transform({ transform(chunk: Buffer, _e, cb) { for (const b of chunk) if (b === 10) lines++; cb(null, chunk); } });
  const body = Readable.toWeb(fs.createReadStream(o.file).pipe(counter));
  const url = `${o.api}/api/elections/${encodeURIComponent(o.election)}/files?type=${o.type}&name=${encodeURIComponent(path.basename(o.file).replace(/[^A-Za-z0-9._ -]/g, '_'))}`;
  const res = await fetch(url, { method: 'POST', body: body as never, headers: { 'Content-Type': o.type.endsWith('jsonl') ? 'application/x-ndjson' : o.type === 'county-fixed-field' ? 'text/plain' : 'text/csv', ...auth }, duplex: 'half' } as RequestInit);
  const sent = (await res.json()) as { id?: string; detail?: string };
  if (!res.ok || !sent.id) throw new Error(`the API refused the file (${res.status}): ${sent.detail ?? JSON.stringify(sent)}`);
  if (res.status === 200) out.write(`this file was received before (${sent.id}); showing its outcome\n`);
  const total = Math.max(lines, 1);
  const bar = o.progress === false ? undefined : new SingleBar({ format: 'ingesting |{bar}| {percentage}% {value}/{total} lines | {accepted} accepted, {rejected} rejected', stream: process.stderr }, Presets.shades_classic);
  bar?.start(total, 0, { accepted: 0, rejected: 0 });
  for (;;) {
    const f = (await (await fetch(`${o.api}/api/files/${encodeURIComponent(sent.id)}?rejects=20`, { headers: auth })).json()) as FileStatus;
    bar?.update(Math.min(f.linesDone, total), { accepted: f.accepted, rejected: f.rejected });
    if (f.status === 'done' || f.status === 'failed') {
      bar?.stop();
      out.write(`${sent.id}: ${f.status}. ${f.linesDone} lines (${size} bytes): ${f.accepted} rows accepted, ${f.rejected} rejected, ${f.signalled} ballot signals\n`);
      if (f.error) out.write(`error: ${f.error}\n`);
      for (const r of f.rejects) out.write(`  reject line ${r.line}, ${r.field}: ${r.reason}\n`);
      if (f.rejectsTotal > f.rejects.length) out.write(`  ... ${f.rejectsTotal - f.rejects.length} more: GET /api/files/${sent.id}?rejects=10000\n`);
      return f;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function registerIngest(program: Command): void {
  program
    .command('ingest <file>')
    .description('send a file for ingestion and follow its progress (needs a running system: npm start)')
    .requiredOption('--election <id>', 'election id, e.g. election:fresno:2026-06-02')
    .requiredOption('--type <type>', FILE_TYPES.join(' | '))
    .option('--api <url>', 'the API', process.env.BALLOTFLOW_API ?? 'http://127.0.0.1:3000')
    .option('--key <key>', 'API key (default: BALLOTFLOW_API_KEY, else the local state admin key npm start saved)')
    .action(async (file: string, o: { election: string; type: string; api: string; key?: string }) => {
      try {
        const key = cliApiKey(o.key);
        const f = await ingest({ api: o.api, election: o.election, type: o.type, file, ...(key ? { key } : {}) });
        process.exit(f.status === 'done' ? 0 : 1);
      } catch (e) {
        console.error(`ballotflow ingest: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(2);
      }
    });
}

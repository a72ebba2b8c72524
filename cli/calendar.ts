/** `ballotflow calendar`: the computed calendar of one election, with no server. */
import type { Command } from 'commander';
import { computeCalendar, ELECTION_TYPE_LABELS, ElectionTypeSchema, resolveCountywide } from '../domain/calendar';
import { IsoDateSchema } from '../domain/time';

export function calendarReport(opts: { date: string; type: string; countywide?: boolean }): { ok: true; text: string; json: unknown } | { ok: false; error: string } {
  const date = IsoDateSchema.safeParse(opts.date);
  if (!date.success) return { ok: false, error: `--date: ${date.error.issues[0]!.message} (got "${opts.date}")` };
  const type = ElectionTypeSchema.safeParse(opts.type);
  if (!type.success) return { ok: false, error: `--type: must be one of ${ElectionTypeSchema.options.join(', ')} (got "${opts.type}")` };
  const cw = resolveCountywide(type.data, opts.countywide);
  if (!cw.ok) return { ok: false, error: `--not-countywide: ${cw.error}` };
  const cal = computeCalendar(date.data, cw.value);
  const header = `${ELECTION_TYPE_LABELS[type.data]} on ${date.data} (${cw.value ? 'county-wide' : 'not county-wide'}); deadlines are end of day Pacific time unless shown`;
  const rows = cal.map((e) => [
    e.offsetLabel,
    e.windowStart && e.windowStart !== e.dueDate ? `${e.windowStart}..${e.dueDate}` : e.dueDate,
    e.dueAt.slice(11, 16) === '23:59' ? '' : e.dueAt.slice(11, 16),
    e.owner,
    e.liquidatedDamages ? '$' : '',
    e.key,
    e.name,
  ]);
  const head = ['when', 'date', 'time', 'owner', 'LD', 'key', 'milestone'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const text = [header, '', line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', '$ = vendor deadline from the County Deadlines table: $10,000 per calendar day late (Agreement §12).',
    'Each subsequent extract (E-28..E-6) opens a mailing due 2 days later, and each election-day order a delivery due within 2 hours; both accrue the same way.'].join('\n');
  return { ok: true, text, json: { electionDate: date.data, type: type.data, countywide: cw.value, milestones: cal.map(({ dueAtMs: _ms, ...rest }) => rest) } };
}

export function registerCalendar(program: Command): void {
  program
    .command('calendar')
    .description('print the computed calendar of an election (no server needed)')
    .requiredOption('--date <YYYY-MM-DD>', 'election day')
    .requiredOption('--type <type>', `one of: ${ElectionTypeSchema.options.join(', ')}`)
    .option('--countywide', 'a county-wide election (envelope order E-90)')
    .option('--not-countywide', 'not county-wide (envelope order E-85)')
    .option('--json', 'print JSON')
    .action((o: { date: string; type: string; countywide?: boolean; notCountywide?: boolean; json?: boolean }) => {
      if (o.countywide && o.notCountywide) { console.error('choose --countywide or --not-countywide, not both'); process.exit(2); }
      const r = calendarReport({ date: o.date, type: o.type, ...(o.countywide ? { countywide: true } : o.notCountywide ? { countywide: false } : {}) });
      if (!r.ok) { console.error(`ballotflow calendar: ${r.error}`); process.exit(2); }
      console.log(o.json ? JSON.stringify(r.json, null, 2) : r.text);
    });
}

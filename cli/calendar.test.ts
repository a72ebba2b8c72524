/** `ballotflow calendar`: the compiled command as a user runs it, and its errors. */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { calendarReport } from './calendar';

const bin = path.resolve(__dirname, '..', 'dist', 'cli', 'ballotflow.js');

test('prints the 2028-11-07 general election calendar with E-90 envelope order and E+38 certification', () => {
  const out = execFileSync(process.execPath, [bin, 'calendar', '--date', '2028-11-07', '--type', 'statewide-general'], { encoding: 'utf8' });
  expect(out).toContain('Statewide general on 2028-11-07 (county-wide)');
  expect(out).toMatch(/E-90\s+2028-08-09\s+county\s+envelope-order/);
  expect(out).toMatch(/E-29\s+2028-10-09\s+vendor\s+\$\s+first-mailing/);
  expect(out).toMatch(/E\+28\s+2028-12-05\s+17:00\s+county\s+cure-statement-deadline/);
  expect(out).toMatch(/E\+38\s+2028-12-15\s+state\s+sos-certification/);
});

test('--json gives every milestone with its due instant in Pacific time', () => {
  const out = JSON.parse(execFileSync(process.execPath, [bin, 'calendar', '--date', '2027-11-02', '--type', 'udel', '--json'], { encoding: 'utf8' }));
  expect(out.countywide).toBe(false);
  const env = out.milestones.find((m: { key: string }) => m.key === 'envelope-order');
  expect(env.dueDate).toBe('2027-08-09'); // E-85: not county-wide
  expect(env.dueAt).toBe('2027-08-09T23:59:59.999-07:00');
  expect(out.milestones).toHaveLength(19);
});

test('a bad date or type is refused with a message naming the option, exit code 2', () => {
  const r = spawnSync(process.execPath, [bin, 'calendar', '--date', '2027-02-29', '--type', 'udel'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('--date: is not a real calendar date');
  expect(calendarReport({ date: '2028-03-07', type: 'primary' })).toMatchObject({ ok: false, error: expect.stringContaining('--type: must be one of') });
  expect(calendarReport({ date: '2028-03-07', type: 'statewide-presidential-primary', countywide: false })).toMatchObject({ ok: false, error: expect.stringContaining('county-wide in every county') });
});

/**
 * `ballotflow simulate` on every shipped example, under the time-skipping test server. Every figure asserted
 * here was worked out by hand from the contract's rules (§12: $10,000 per calendar day late, $100,000 cap for
 * the whole agreement) and is written next to its example in docs/scenarios.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { simulate, type SimulationResult } from '../cli/simulate';
import { resolveScenario } from '../domain/scenario';
import { addDays, pacificDate } from '../domain/time';
import { retryOnTestServerStalls } from './helpers/flaky-server';

retryOnTestServerStalls();

const examples = path.resolve(__dirname, '..', 'examples');

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { text += chunk.toString(); cb(); } });
  return { stream, text: () => text };
}

/** Runs an example in JSON mode and checks that what was printed is the result returned. */
async function run(name: string): Promise<SimulationResult> {
  const out = sink();
  const r = await simulate(path.join(examples, name), { json: true, out: out.stream });
  const printed = JSON.parse(out.text()) as SimulationResult;
  expect(printed.contract.ledger.totals).toEqual(r.contract.ledger.totals);
  return r;
}

function line(r: SimulationResult, electionDate: string, key: string) {
  const l = r.contract.ledger.lines.find((x) => x.electionId === `election:fresno:${electionDate}` && x.deliverableKey === key);
  if (!l) throw new Error(`no ledger line ${electionDate}/${key}`);
  return l;
}

function milestone(r: SimulationResult, electionDate: string, key: string) {
  const m = r.elections.find((e) => e.id === `election:fresno:${electionDate}`)?.calendar.find((x) => x.key === key);
  if (!m) throw new Error(`no milestone ${electionDate}/${key}`);
  return m;
}

describe('shipped examples', () => {
  test('on-time.json: every deadline met costs the vendor nothing; the invoice is $390,830.00', async () => {
    const r = await run('on-time.json');
    expect(r.refused).toEqual([]);
    const [el] = r.elections;
    expect(el!.finalStatus).toBe('finished');
    for (const m of el!.calendar.filter((x) => x.kind === 'task')) expect([m.key, m.status]).toEqual([m.key, 'done']);
    // 8 calendar deliverables + 2 subsequent extracts + 1 election-day order.
    expect(r.contract.ledger.lines).toHaveLength(11);
    for (const l of r.contract.ledger.lines) expect([l.deliverableKey, l.daysLate]).toEqual([l.deliverableKey, 0]);
    expect(r.contract.ledger.totals).toEqual({
      daysLate: 0, damagesAccrued: 0, damagesCharged: 0, damagesCapped: 0, damagesWaived: 0, damagesExcused: 0, capRemaining: 100_000,
    });
    expect(r.contract.ledger.spend.periods[0]).toMatchObject({ label: 'Initial term', spent: 390_830, remaining: 1_174_170 });
    expect(r.contract.ledger.netPayable).toBe(390_830);
    // autoComplete did the county's and the state's 7 tasks at noon on their due days.
    expect(r.events.filter((e) => e.synthesized).map((e) => e.when)).toEqual(['E-90 12:00', 'E-60 12:00', 'E-56 12:00', 'E-56 12:00', 'E+22 12:00', 'E+30 12:00', 'E+38 12:00']);
  });

  test('late-envelopes-force-majeure.json: 3 days waived under §12(b), ballot proofs 2 days late charge $20,000', async () => {
    const r = await run('late-envelopes-force-majeure.json');
    expect(r.refused).toEqual([]);
    const env = line(r, '2028-11-07', 'envelopes-delivered');
    expect(env.lateDates).toEqual(['2028-09-14', '2028-09-15', '2028-09-16']);
    expect(env).toMatchObject({ daysLate: 3, damagesAccrued: 30_000, damagesWaived: 30_000, damagesCharged: 0, damagesCapped: 0 });
    expect(milestone(r, '2028-11-07', 'envelopes-delivered').status).toBe('waived');
    const notice = r.elections[0]!.delayNotices[0]!;
    expect(notice).toMatchObject({ noticeId: 'FM-2028-01', kind: 'force-majeure', timely: true });
    const proofs = line(r, '2028-11-07', 'ballot-proofs');
    expect(proofs.lateDates).toEqual(['2028-09-19', '2028-09-20']);
    expect(proofs).toMatchObject({ daysLate: 2, damagesAccrued: 20_000, damagesCharged: 20_000, damagesWaived: 0 });
    expect(r.contract.ledger.totals).toEqual({
      daysLate: 5, damagesAccrued: 50_000, damagesCharged: 20_000, damagesCapped: 0, damagesWaived: 30_000, damagesExcused: 0, capRemaining: 80_000,
    });
    expect(r.contract.ledger.spend.total).toBe(60_750);
    expect(r.contract.ledger.netPayable).toBe(40_750);
  });

  test('county-late-input.json: a ballot order 4 days late moves the proof to E-54; 1 day after that is $10,000', async () => {
    const r = await run('county-late-input.json');
    const order = milestone(r, '2027-11-02', 'ballot-order');
    expect(order).toMatchObject({ status: 'done', daysLate: 4 });
    // The update lands a few real milliseconds after the server's clock reaches E-56 16:30.
    expect(order.completedAt!.slice(0, 16)).toBe('2027-09-07T16:30');
    const proof = line(r, '2027-11-02', 'ballot-order-proof');
    expect(proof.shift?.days).toBe(4);
    expect(proof.dueAt.slice(0, 10)).toBe('2027-09-09');
    expect(proof.lateDates).toEqual(['2027-09-10']);
    expect(proof).toMatchObject({ daysLate: 1, damagesAccrued: 10_000, damagesCharged: 10_000, damagesWaived: 0 });
    expect(proof.why.join(' ')).toMatch(/due date moved 4 day\(s\) later because the county input "County sends ballot order to vendor".*was 4 day\(s\) late/);
    // §12 excuses only (a) and (b): a waiver on an "other" notice is refused, and the refusal is reported.
    expect(r.refused).toHaveLength(1);
    expect(r.refused[0]).toMatchObject({ index: 4, action: 'waiver', refusal: { type: 'invalid' } });
    expect(r.refused[0]!.refusal!.message).toMatch(/excuses only a county priority \(a\) or an unforeseen cause/);
    expect(r.contract.ledger.totals).toEqual({
      daysLate: 1, damagesAccrued: 10_000, damagesCharged: 10_000, damagesCapped: 0, damagesWaived: 0, damagesExcused: 0, capRemaining: 90_000,
    });
    expect(r.contract.ledger.netPayable).toBe(120_040);
  });

  test('cap-two-elections.json: 7 + 6 days late accrue $130,000, of which the $100,000 cap lets $100,000 be charged', async () => {
    const r = await run('cap-two-elections.json');
    expect(r.elections.map((e) => e.finalStatus)).toEqual(['finished', 'finished']);
    expect(line(r, '2027-11-02', 'envelopes-delivered')).toMatchObject({ daysLate: 4, damagesCharged: 40_000, damagesCapped: 0 });
    expect(line(r, '2027-11-02', 'office-test-ballots')).toMatchObject({ daysLate: 3, damagesCharged: 30_000, damagesCapped: 0, damagesWaived: 0 });
    const polling = line(r, '2028-03-07', 'polling-ballots');
    expect(polling.lateDates).toEqual(['2028-02-22', '2028-02-23', '2028-02-24', '2028-02-25', '2028-02-26', '2028-02-27']);
    expect(polling).toMatchObject({ daysLate: 6, damagesAccrued: 60_000, damagesCharged: 30_000, damagesCapped: 30_000 });
    expect(r.contract.ledger.totals).toEqual({
      daysLate: 13, damagesAccrued: 130_000, damagesCharged: 100_000, damagesCapped: 30_000, damagesWaived: 0, damagesExcused: 0, capRemaining: 0,
    });
    // The force-majeure notice came 73 hours after the delay: §12(b) allows one day, so the waiver is refused.
    expect(r.refused).toHaveLength(1);
    expect(r.refused[0]!.refusal!.message).toMatch(/came 73 hours after the delay began/);
    expect(r.contract.ledger.spend.total).toBe(520_870);
    expect(r.contract.ledger.netPayable).toBe(420_870);
  });
});

describe('malformed scenario files are refused with the file and the field named', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballotflow-scenario-')); });
  afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  const onTime = () => JSON.parse(fs.readFileSync(path.join(examples, 'on-time.json'), 'utf8')) as { events: Record<string, unknown>[]; elections: Record<string, unknown>[] };
  const write = (name: string, body: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
    return file;
  };
  const refusal = async (file: string) => {
    const out = sink();
    const e = await simulate(file, { json: true, out: out.stream }).then(() => undefined, (err: Error) => err);
    expect(out.text()).toBe('');
    return e?.message ?? '(no error)';
  };

  test('a JSON syntax error gives its line and column', async () => {
    const file = write('syntax.json', '{\n  "name": "x",\n  "autoComplete": true\n  "elections": []\n}\n');
    expect(await refusal(file)).toBe(`${file}: line 4, column 3: not valid JSON: expected "," or "}" after a property value, found "\\""`);
  });

  test('a trailing comma is named as such', async () => {
    const file = write('comma.json', '{\n  "events": [1, 2,]\n}');
    expect(await refusal(file)).toMatch(/comma\.json: line 2, column 19: .*trailing commas are not allowed/);
  });

  test('an unknown action names events[i].action and lists the actions', async () => {
    const s = onTime();
    s.events[3]!.action = 'vendor-finished';
    const file = write('action.json', s);
    expect(await refusal(file)).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: events\\[3\\]\\.action: "vendor-finished" is not an action; the actions are: county-complete, vendor-complete`));
  });

  test('a missing field names events[i].key', async () => {
    const s = onTime();
    delete s.events[2]!.key;
    expect(await refusal(write('missing.json', s))).toMatch(/missing\.json: events\[2\]\.key: is required/);
  });

  test('an unknown field is named, not silently dropped', async () => {
    const s = onTime();
    s.events[0]!.evidense = { quantity: 1 };
    expect(await refusal(write('typo.json', s))).toMatch(/typo\.json: events\[0\]\.evidense: unknown field/);
  });

  test('a misspelt contract term is named instead of falling back to its default', async () => {
    const s = onTime() as unknown as { contract: Record<string, unknown> };
    s.contract.liquidatedDamage = s.contract.liquidatedDamages;
    delete s.contract.liquidatedDamages;
    expect(await refusal(write('term.json', s))).toMatch(/term\.json: contract\.liquidatedDamage: unknown field/);
  });

  test('a malformed time names events[i].at and shows the accepted forms', async () => {
    const s = onTime();
    s.events[1]!.at = 'E-55 3pm';
    expect(await refusal(write('time.json', s))).toMatch(/time\.json: events\[1\]\.at: must be an ISO 8601 date-time with offset .* "E-52 14:00"/);
  });

  test('events out of chronological order are refused at the first one out of place', async () => {
    const s = onTime();
    [s.events[4]!.at, s.events[5]!.at] = [s.events[5]!.at, s.events[4]!.at];
    expect(await refusal(write('order.json', s))).toMatch(/order\.json: events\[5\]\.at: E-35 17:00 \(2028-02-01T17:00:00\.000-08:00\) is before events\[4\] .*chronological order/);
  });

  test('an election whose E-90 has passed cannot be simulated on a clock that starts today', async () => {
    const s = onTime();
    const soon = addDays(pacificDate(Date.now()), 60);
    s.elections[0]!.electionDate = soon;
    s.events = [];
    expect(await refusal(write('soon.json', s))).toMatch(new RegExp(`soon\\.json: elections\\[0\\]\\.electionDate: ${soon} is too soon to simulate: its E-90 \\(${addDays(soon, -90)}\\) is not in the future`));
  });

  test('an event naming no election of the scenario names events[i].election', async () => {
    const s = onTime();
    s.events[0]!.election = '2028-06-06';
    expect(await refusal(write('election.json', s))).toMatch(/election\.json: events\[0\]\.election: no election "2028-06-06"/);
  });

  test('a missing file is named', async () => {
    const file = path.join(dir, 'nope.json');
    expect(await refusal(file)).toBe(`${file}: cannot read the file: ENOENT`);
  });
});

describe('autoComplete', () => {
  const scenario = (events: unknown[]) => {
    const s = JSON.parse(fs.readFileSync(path.join(examples, 'on-time.json'), 'utf8')) as Record<string, unknown>;
    return resolveScenario({ ...s, events }, Date.now());
  };
  const synthesized = (r: ReturnType<typeof resolveScenario>) => {
    if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
    return r.value.timeline.filter((e) => e.synthesized).map((e) => `${e.command.action === 'county-complete' || e.command.action === 'state-complete' ? e.command.arg.key : '?'} ${e.at.slice(0, 16)}`);
  };

  test('completes each county and state task not named in the events at noon on its due day', () => {
    expect(synthesized(scenario([{ at: 'E-58 09:00', action: 'county-complete', key: 'ballot-order' }]))).toEqual([
      'envelope-order 2027-12-08T12:00', 'ballot-artwork 2028-01-11T12:00', 'first-extract 2028-01-11T12:00',
      'cure-notice-deadline 2028-03-29T12:00', 'county-certification 2028-04-06T12:00', 'sos-certification 2028-04-14T12:00',
    ]);
  });

  test('follows a date change made before the due day, and stops at a cancellation', () => {
    const r = scenario([
      { at: 'E-70 10:00', action: 'change-date', newDate: '2028-03-14', reason: 'consolidated with a city special' },
      { at: 'E+1 10:00', action: 'cancel', reason: 'withdrawn' },
    ]);
    // The envelope order (E-90, 2027-12-08) came before the change; the rest follow the new date (+7 days).
    expect(synthesized(r)).toEqual([
      'envelope-order 2027-12-08T12:00', 'ballot-order 2028-01-14T12:00', 'ballot-artwork 2028-01-18T12:00', 'first-extract 2028-01-18T12:00',
    ]);
  });
});

/**
 * Which number a voter's texts come from (issue 4: "messages come from the county, not from us"): the county's own
 * sending numbers when it has set them, else the state's pool, and always the same number for the same voter.
 */
import { queueFor, smsFromNumber, type NotifySettings } from '../activities/notify';

const settings: Pick<NotifySettings, 'taskQueue' | 'defaultSender'> = {
  taskQueue: 'bf-notify',
  defaultSender: { emailFrom: 'alerts@ballots.example.gov', smsNumbers: ['+15595550100', '+15595550101', '+15595550102', '+15595550103'], voiceCallerId: '+15595550199' },
};
const phones = Array.from({ length: 200 }, (_, i) => `+1559${String(3000000 + i * 7919).padStart(7, '0')}`);
const county = (numbers: string[]) => ({ sender: { email: { fromName: 'Fresno County Elections', fromAddress: 'elections@fresnocountyca.gov' }, sms: { numbers }, voice: { callerId: '+15596000000' } } });

test('with the state pool, a voter texts from the number of the queue that carries their texts', () => {
  const pool = county(settings.defaultSender.smsNumbers);
  for (const p of phones) {
    const lane = Number(queueFor(settings, 'sms', p).slice('bf-notify-sms-'.length));
    expect([p, smsFromNumber(pool, p)]).toEqual([p, settings.defaultSender.smsNumbers[lane]]);
  }
});

test('a county with its own numbers sends from them only, the same one to each voter, spread over all of them', () => {
  const own = ['+15596001001', '+15596001002', '+15596001003'];
  const used = phones.map((p) => smsFromNumber(county(own), p));
  expect(new Set(used)).toEqual(new Set(own));
  expect(phones.map((p) => smsFromNumber(county(own), p))).toEqual(used);
  // Each number carries a fair share (200 voters over 3 numbers: 67 each on average).
  for (const n of own) expect(used.filter((u) => u === n).length).toBeGreaterThan(40);
  expect(smsFromNumber(county(['+15596009999']), phones[0]!)).toBe('+15596009999');
});

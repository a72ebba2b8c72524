/**
 * The election state machine without Temporal: date changes, cutoffs and per-request windows.
 * Times are Pacific wall-clock instants; expected dates are worked out by hand.
 */
import { ExemptionsSchema } from './contract';
import {
  buildElectionInput, calendarView, changeDate, completeMilestone, ElectionRequestSchema, initialState, reconcile,
  sendExtract, type ElectionState,
} from './election';
import { pacificTime } from './time';

const contractRef = { id: 'contract:fresno:26-101', effectiveDate: '2026-07-01', ratePerDay: 10_000, exemptions: ExemptionsSchema.parse({}) } as const;

function election(date: string, startedAtMs: number): ElectionState {
  const req = ElectionRequestSchema.parse({ county: 'fresno', electionDate: date, type: 'statewide-presidential-primary', contractId: contractRef.id });
  const built = buildElectionInput(req, contractRef as never);
  if (!built.ok) throw new Error(built.error.message);
  return initialState(built.value, startedAtMs);
}

const view = (s: ElectionState, now: number, key: string) => calendarView(s, now).find((m) => m.key === key)!;
const by = { by: 'test' };

describe('moving the election earlier judges nothing retroactively', () => {
  // 2028-03-07 primary: UOCAVA due E-45 = 2028-01-22; VBM printing due E-34 = 2028-02-02.
  const t = (date: string, h = 12) => pacificTime(date, h);
  let s: ElectionState;
  beforeEach(() => {
    s = election('2028-03-07', t('2027-11-01'));
    // The county did everything due so far on time.
    for (const [key, date] of [['envelope-order', '2027-12-08'], ['ballot-order', '2028-01-07'], ['ballot-artwork', '2028-01-11'], ['first-extract', '2028-01-11']] as const) {
      reconcile(s, t(date, 9));
      expect(completeMilestone(s, { key, ...by }, 'county', t(date, 9), true).ok).toBe(true);
    }
    reconcile(s, t('2028-01-21', 11));
    expect(completeMilestone(s, { key: 'uocava-mailing', ...by }, 'vendor', t('2028-01-21', 11), true).ok).toBe(true);
    reconcile(s, t('2028-01-21', 11));
    // Moved ten days earlier to 2028-02-26: UOCAVA would now be due 2028-01-12, VBM printing 2028-01-23.
    expect(changeDate(s, { newDate: '2028-02-26', reason: 'consolidated with a special election', ...by }, t('2028-01-27', 10), true).ok).toBe(true);
  });

  test('a deliverable delivered on time before the change keeps 0 late days', () => {
    reconcile(s, t('2028-01-28'));
    expect(view(s, t('2028-01-28'), 'uocava-mailing')).toMatchObject({ daysLate: 0, lateDates: [], damagesAccrued: 0, status: 'done' });
  });

  test('county tasks done on time before the change stay on time and move no vendor deadline', () => {
    reconcile(s, t('2028-01-28'));
    expect(view(s, t('2028-01-28'), 'ballot-order')).toMatchObject({ daysLate: 0, status: 'done' });
    const proof = view(s, t('2028-01-28'), 'ballot-order-proof');
    expect(proof.shift).toBeUndefined();
    expect(proof.dueDate).toBe('2027-12-30'); // E'-58 for 2028-02-26: 26 days back to Jan 31, 32 more
  });

  test('an open deliverable whose new deadline already passed counts late days only from the change', () => {
    // VBM printing, new due 2028-01-23, was still open at the change on 01-27 10:00; delivered 01-28 noon.
    reconcile(s, t('2028-01-28', 0) + 1);
    completeMilestone(s, { key: 'vbm-printing', ...by }, 'vendor', t('2028-01-28'), true);
    reconcile(s, t('2028-01-29'));
    expect(view(s, t('2028-01-29'), 'vbm-printing').lateDates).toEqual(['2028-01-28']);
  });
});

test('a date moved later keeps the days already accrued and counts new ones against the new deadline', () => {
  const t = (date: string, h = 12) => pacificTime(date, h);
  const s = election('2028-03-07', t('2027-11-01'));
  reconcile(s, t('2027-12-08', 9));
  completeMilestone(s, { key: 'envelope-order', ...by }, 'county', t('2027-12-08', 9), true);
  // Envelopes due E-55 = 2028-01-12; at 01-14 noon two late days have accrued.
  reconcile(s, t('2028-01-14'));
  expect(view(s, t('2028-01-14'), 'envelopes-delivered').lateDates).toEqual(['2028-01-13', '2028-01-14']);
  changeDate(s, { newDate: '2028-03-14', reason: 'moved a week', ...by }, t('2028-01-14'), true);
  // New deadline 2028-01-19; delivered 2028-01-21 noon: two more late days.
  reconcile(s, t('2028-01-21'));
  completeMilestone(s, { key: 'envelopes-delivered', ...by }, 'vendor', t('2028-01-21'), true);
  reconcile(s, t('2028-01-25'));
  expect(view(s, t('2028-01-25'), 'envelopes-delivered')).toMatchObject({ lateDates: ['2028-01-13', '2028-01-14', '2028-01-20', '2028-01-21'], damagesAccrued: 40_000 });
});

test('legal cutoffs pass by themselves: done, never late', () => {
  const s = election('2028-03-07', pacificTime('2027-11-01', 12));
  const later = pacificTime('2028-04-10', 12);
  expect(view(s, later, 'ballot-receipt-deadline')).toMatchObject({ status: 'done', daysLate: 0 });
  expect(view(s, later, 'cure-statement-deadline')).toMatchObject({ status: 'done', daysLate: 0 });
});

test('the subsequent-mailings window is done once it closes with every extract mailed, late if one is not', () => {
  const t = (date: string, h = 12) => pacificTime(date, h);
  const s = election('2028-03-07', t('2027-11-01'));
  // Window E-28..E-6 = 2028-02-08..2028-03-01.
  sendExtract(s, { extractId: 'X1', ...by }, t('2028-02-10'), true);
  completeMilestone(s, { key: 'subsequent-mailing:X1', ...by }, 'vendor', t('2028-02-11'), true);
  expect(view(s, t('2028-03-02'), 'subsequent-mailings').status).toBe('done');
  sendExtract(s, { extractId: 'X2', ...by }, t('2028-02-20'), true);
  expect(view(s, t('2028-03-02'), 'subsequent-mailings').status).toBe('late');
  expect(view(s, t('2028-02-15'), 'subsequent-mailings').status).toBe('pending');
});

/**
 * Pacific-time calendar arithmetic. Every expected instant below was worked out by hand from the 2028 daylight-saving
 * dates in America/Los_Angeles: DST starts Sunday 2028-03-12 at 2 a.m. (PST -08:00 -> PDT -07:00, a 23-hour day) and
 * ends Sunday 2028-11-05 at 2 a.m. (PDT -07:00 -> PST -08:00, a 25-hour day).
 */
import { DateTime } from 'luxon';
import {
  addDays, daysBetween, endOfPacificDay, isCalendarDate, IsoDateSchema, lateDatesAt, lateDayStart, lateDaysAt, pacificDate,
  pacificTime, parseInstant, toPacificIso,
} from './time';

const utc = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('addDays: pure calendar-date arithmetic', () => {
  test('E-90 from the 2028-11-07 general is 2028-08-09', () => {
    expect(addDays('2028-11-07', -90)).toBe('2028-08-09');
  });

  test('E-90 from the 2028-03-07 primary crosses the year boundary into 2027-12-08', () => {
    expect(addDays('2028-03-07', -90)).toBe('2027-12-08');
  });

  test('2028 is a leap year: the day after 2028-02-28 is 2028-02-29', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
  });

  test('2027 is not a leap year: the day after 2027-02-28 is 2027-03-01', () => {
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
  });

  test('month and year boundaries roll over', () => {
    expect(addDays('2028-12-31', 1)).toBe('2029-01-01');
    expect(addDays('2028-01-01', -1)).toBe('2027-12-31');
    expect(addDays('2028-04-30', 1)).toBe('2028-05-01');
  });

  test('a daylight-saving change neither skips nor repeats a date', () => {
    expect(addDays('2028-03-11', 1)).toBe('2028-03-12');
    expect(addDays('2028-03-12', 1)).toBe('2028-03-13');
    expect(addDays('2028-11-04', 1)).toBe('2028-11-05');
    expect(addDays('2028-11-05', 1)).toBe('2028-11-06');
    expect(addDays('2028-03-13', -2)).toBe('2028-03-11');
  });

  test('adding 0 days returns the same date', () => {
    expect(addDays('2028-11-07', 0)).toBe('2028-11-07');
  });
});

describe('daysBetween: whole calendar days b - a', () => {
  test('E-90 is 90 days before election day, and negative the other way round', () => {
    expect(daysBetween('2028-08-09', '2028-11-07')).toBe(90);
    expect(daysBetween('2028-11-07', '2028-08-09')).toBe(-90);
  });

  test('February 2028 has 29 days, February 2027 has 28', () => {
    expect(daysBetween('2028-02-01', '2028-03-01')).toBe(29);
    expect(daysBetween('2027-02-01', '2027-03-01')).toBe(28);
  });

  test('a year containing 2028-02-29 has 366 days', () => {
    expect(daysBetween('2027-11-07', '2028-11-07')).toBe(366);
    expect(daysBetween('2028-11-07', '2029-11-07')).toBe(365);
  });

  test('the 23-hour and 25-hour days still count as one day each', () => {
    expect(daysBetween('2028-03-11', '2028-03-13')).toBe(2);
    expect(daysBetween('2028-11-04', '2028-11-06')).toBe(2);
    expect(daysBetween('2028-03-01', '2028-11-30')).toBe(274);
  });

  test('the same date is 0 days apart', () => {
    expect(daysBetween('2028-11-07', '2028-11-07')).toBe(0);
  });
});

describe('endOfPacificDay: a "due on D" deadline passes at 23:59:59.999 Pacific', () => {
  test('in summer the deadline is at -07:00 (PDT)', () => {
    expect(endOfPacificDay('2028-08-09')).toBe(utc('2028-08-10T06:59:59.999Z'));
  });

  test('in winter the deadline is at -08:00 (PST)', () => {
    expect(endOfPacificDay('2028-12-07')).toBe(utc('2028-12-08T07:59:59.999Z'));
  });

  test('the day DST starts (2028-03-12) ends at -07:00, the day before at -08:00', () => {
    expect(endOfPacificDay('2028-03-11')).toBe(utc('2028-03-12T07:59:59.999Z'));
    expect(endOfPacificDay('2028-03-12')).toBe(utc('2028-03-13T06:59:59.999Z'));
    expect(toPacificIso(endOfPacificDay('2028-03-11'))).toBe('2028-03-11T23:59:59.999-08:00');
    expect(toPacificIso(endOfPacificDay('2028-03-12'))).toBe('2028-03-12T23:59:59.999-07:00');
  });

  test('the day DST ends (2028-11-05) ends at -08:00, the day before at -07:00', () => {
    expect(endOfPacificDay('2028-11-04')).toBe(utc('2028-11-05T06:59:59.999Z'));
    expect(endOfPacificDay('2028-11-05')).toBe(utc('2028-11-06T07:59:59.999Z'));
    expect(toPacificIso(endOfPacificDay('2028-11-04'))).toBe('2028-11-04T23:59:59.999-07:00');
    expect(toPacificIso(endOfPacificDay('2028-11-05'))).toBe('2028-11-05T23:59:59.999-08:00');
  });

  test('2028-03-12 lasts 23 hours and 2028-11-05 lasts 25 hours', () => {
    expect(endOfPacificDay('2028-03-12') - endOfPacificDay('2028-03-11')).toBe(23 * HOUR);
    expect(endOfPacificDay('2028-11-05') - endOfPacificDay('2028-11-04')).toBe(25 * HOUR);
    expect(endOfPacificDay('2028-11-06') - endOfPacificDay('2028-11-05')).toBe(24 * HOUR);
  });

  test('the end of 2028-02-29 exists and is a day before the end of 2028-03-01', () => {
    expect(endOfPacificDay('2028-02-29')).toBe(utc('2028-03-01T07:59:59.999Z'));
    expect(endOfPacificDay('2028-03-01') - endOfPacificDay('2028-02-29')).toBe(24 * HOUR);
  });
});

describe('pacificTime: a wall-clock time on a Pacific day', () => {
  test('the cure statement deadline, 5 p.m. on 2028-12-05, is 01:00 UTC the next day (PST)', () => {
    expect(pacificTime('2028-12-05', 17)).toBe(utc('2028-12-06T01:00:00.000Z'));
    expect(toPacificIso(pacificTime('2028-12-05', 17))).toBe('2028-12-05T17:00:00.000-08:00');
  });

  test('9:30 a.m. on a summer day is 16:30 UTC (PDT)', () => {
    expect(pacificTime('2028-07-04', 9, 30)).toBe(utc('2028-07-04T16:30:00.000Z'));
  });

  test('5 p.m. on the DST change days uses the offset in force at 5 p.m.', () => {
    expect(pacificTime('2028-03-12', 17)).toBe(utc('2028-03-13T00:00:00.000Z'));
    expect(pacificTime('2028-11-05', 17)).toBe(utc('2028-11-06T01:00:00.000Z'));
  });

  test('midnight is the start of the Pacific day', () => {
    expect(pacificTime('2028-11-07', 0)).toBe(utc('2028-11-07T08:00:00.000Z'));
  });
});

describe('pacificDate: the Pacific calendar date of an instant', () => {
  test('the last millisecond of a Pacific day and the next millisecond fall on different dates', () => {
    expect(pacificDate(utc('2028-03-13T06:59:59.999Z'))).toBe('2028-03-12');
    expect(pacificDate(utc('2028-03-13T07:00:00.000Z'))).toBe('2028-03-13');
    expect(pacificDate(utc('2028-11-08T07:59:59.999Z'))).toBe('2028-11-07');
    expect(pacificDate(utc('2028-11-08T08:00:00.000Z'))).toBe('2028-11-08');
  });

  test('UTC New Year midnight is still 2027-12-31 in Fresno', () => {
    expect(pacificDate(utc('2028-01-01T00:00:00.000Z'))).toBe('2027-12-31');
  });

  test('both 1:30 a.m. instants of 2028-11-05 (PDT and PST) are on 2028-11-05', () => {
    expect(pacificDate(utc('2028-11-05T08:30:00.000Z'))).toBe('2028-11-05');
    expect(pacificDate(utc('2028-11-05T09:30:00.000Z'))).toBe('2028-11-05');
  });
});

describe('toPacificIso and parseInstant', () => {
  test('an instant with an offset parses to the same instant as its UTC form', () => {
    expect(parseInstant('2028-11-05T01:30:00-08:00')).toBe(utc('2028-11-05T09:30:00.000Z'));
    expect(parseInstant('2028-11-05T01:30:00-07:00')).toBe(utc('2028-11-05T08:30:00.000Z'));
    expect(parseInstant('2028-08-09T23:59:59.999Z')).toBe(utc('2028-08-09T23:59:59.999Z'));
  });

  test('a string that is not an instant is an error naming it', () => {
    expect(() => parseInstant('next Tuesday')).toThrow('invalid instant: next Tuesday');
  });

  test('toPacificIso shows the Pacific offset in force at the instant', () => {
    expect(toPacificIso(utc('2028-11-05T08:30:00.000Z'))).toBe('2028-11-05T01:30:00.000-07:00');
    expect(toPacificIso(utc('2028-11-05T09:30:00.000Z'))).toBe('2028-11-05T01:30:00.000-08:00');
  });
});

test('isCalendarDate agrees with luxon on every day of 1899-2101 and on impossible days', () => {
  const luxonSays = (s: string) => DateTime.fromISO(s, { zone: 'utc' }).isValid;
  let checked = 0, valid = 0;
  const disagree: string[] = [];
  for (let y = 1899; y <= 2101; y++) {
    for (let m = 0; m <= 13; m++) {
      for (let d = 0; d <= 32; d++) {
        const s = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        if (isCalendarDate(s) !== luxonSays(s)) disagree.push(s);
        if (luxonSays(s)) valid++;
        checked++;
      }
    }
  }
  expect(disagree).toEqual([]);
  expect(checked).toBe(203 * 14 * 33);
  // 203 years of 365 days, plus the 49 leap days from 1899 to 2101 (1900 and 2100 are not leap years).
  expect(valid).toBe(203 * 365 + 49);
  // Only the date form: luxon would also take a date-time.
  for (const s of ['1900-02-29', '2100-02-29', '2028-2-29', '2028-02-29T00:00Z', '2028/02/29']) expect([s, isCalendarDate(s)]).toEqual([s, false]);
  for (const s of ['0000-01-01', '2000-02-29', '9999-12-31']) expect([s, isCalendarDate(s)]).toEqual([s, true]);
});

describe('IsoDateSchema: a real calendar date as YYYY-MM-DD', () => {
  test('2028-02-29 exists', () => {
    expect(IsoDateSchema.safeParse('2028-02-29').success).toBe(true);
  });

  test('2027-02-29 and 2028-13-01 do not exist', () => {
    const r = IsoDateSchema.safeParse('2027-02-29');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('is not a real calendar date');
    expect(IsoDateSchema.safeParse('2028-13-01').success).toBe(false);
    expect(IsoDateSchema.safeParse('2028-04-31').success).toBe(false);
  });

  test('a date not written as YYYY-MM-DD is rejected with the format', () => {
    const r = IsoDateSchema.safeParse('11/07/2028');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('must be a date as YYYY-MM-DD');
    expect(IsoDateSchema.safeParse('2028-2-29').success).toBe(false);
    expect(IsoDateSchema.safeParse('2028-11-07T00:00:00Z').success).toBe(false);
  });
});

describe('lateDayStart: late day n begins one Pacific calendar day after late day n-1', () => {
  test('late day 1 of a deadline on 2028-03-11 starts at midnight PST on 2028-03-12; day 2 only 23 hours later', () => {
    const due = endOfPacificDay('2028-03-11');
    expect(lateDayStart(due, 1)).toBe(utc('2028-03-12T08:00:00.000Z'));
    expect(lateDayStart(due, 2)).toBe(utc('2028-03-13T07:00:00.000Z'));
    expect(lateDayStart(due, 3)).toBe(utc('2028-03-14T07:00:00.000Z'));
  });

  test('late day 1 of a deadline on 2028-11-04 starts at midnight PDT on 2028-11-05; day 2 25 hours later', () => {
    const due = endOfPacificDay('2028-11-04');
    expect(lateDayStart(due, 1)).toBe(utc('2028-11-05T07:00:00.000Z'));
    expect(lateDayStart(due, 2)).toBe(utc('2028-11-06T08:00:00.000Z'));
    expect(lateDayStart(due, 3)).toBe(utc('2028-11-07T08:00:00.000Z'));
  });

  test('late day 1 begins the millisecond after the deadline', () => {
    const due = endOfPacificDay('2028-10-09');
    expect(lateDayStart(due, 1)).toBe(due + 1);
  });

  test('for a 5 p.m. deadline each next late day starts at 5 p.m. the following day', () => {
    const due = pacificTime('2028-11-04', 17);
    expect(lateDayStart(due, 1)).toBe(utc('2028-11-05T00:00:00.001Z'));
    // 2028-11-05 is the 25-hour day: 5 p.m. PST on 2028-11-05 is 01:00 UTC on 2028-11-06.
    expect(lateDayStart(due, 2)).toBe(utc('2028-11-06T01:00:00.001Z'));
  });
});

describe('lateDaysAt: calendar days late, however long the day', () => {
  test('delivered exactly at the deadline, or before it, is on time', () => {
    const due = endOfPacificDay('2028-10-09');
    expect(lateDaysAt(due, due)).toBe(0);
    expect(lateDaysAt(due, due - 1)).toBe(0);
    expect(lateDaysAt(due, utc('2028-10-09T09:00:00.000Z'))).toBe(0);
  });

  test('one millisecond after the deadline is 1 late day', () => {
    const due = endOfPacificDay('2028-10-09');
    expect(lateDaysAt(due, due + 1)).toBe(1);
  });

  test('due 2028-03-11: delivered any time on the 23-hour day 2028-03-12 is exactly 1 late day', () => {
    const due = endOfPacificDay('2028-03-11');
    expect(lateDaysAt(due, utc('2028-03-12T08:00:00.000Z'))).toBe(1); // 00:00 PST
    expect(lateDaysAt(due, utc('2028-03-12T20:00:00.000Z'))).toBe(1); // 13:00 PDT
    expect(lateDaysAt(due, utc('2028-03-13T06:59:59.999Z'))).toBe(1); // 23:59:59.999 PDT
  });

  test('due 2028-03-11: 00:30 PDT on 2028-03-13, only 23.5 hours after late day 1 began, is 2 late days', () => {
    const due = endOfPacificDay('2028-03-11');
    expect(lateDaysAt(due, utc('2028-03-13T07:00:00.000Z'))).toBe(2);
    expect(lateDaysAt(due, utc('2028-03-13T07:30:00.000Z'))).toBe(2);
  });

  test('due 2028-03-11: delivered any time on 2028-03-14 (day + 3) is 3 late days', () => {
    const due = endOfPacificDay('2028-03-11');
    expect(lateDaysAt(due, utc('2028-03-14T07:00:00.000Z'))).toBe(3);
    expect(lateDaysAt(due, utc('2028-03-14T19:00:00.000Z'))).toBe(3);
    expect(lateDaysAt(due, utc('2028-03-15T06:59:59.999Z'))).toBe(3);
    expect(lateDaysAt(due, utc('2028-03-15T07:00:00.000Z'))).toBe(4);
  });

  test('due on 2028-03-12, the day DST starts: delivered on 2028-03-13 is 1 late day, on 2028-03-15 is 3', () => {
    const due = endOfPacificDay('2028-03-12');
    expect(lateDaysAt(due, utc('2028-03-13T07:00:00.000Z'))).toBe(1);
    expect(lateDaysAt(due, utc('2028-03-14T06:59:59.999Z'))).toBe(1);
    expect(lateDaysAt(due, utc('2028-03-15T19:00:00.000Z'))).toBe(3);
  });

  test('due 2028-11-04: delivered at 23:30 PST on the 25-hour day 2028-11-05 is still exactly 1 late day', () => {
    const due = endOfPacificDay('2028-11-04');
    expect(lateDaysAt(due, utc('2028-11-05T07:00:00.000Z'))).toBe(1); // 00:00 PDT
    expect(lateDaysAt(due, utc('2028-11-06T07:30:00.000Z'))).toBe(1); // 23:30 PST, 24.5 hours in
    expect(lateDaysAt(due, utc('2028-11-06T07:59:59.999Z'))).toBe(1);
    expect(lateDaysAt(due, utc('2028-11-06T08:00:00.000Z'))).toBe(2); // 00:00 PST 2028-11-06
  });

  test('due 2028-11-04: delivered any time on 2028-11-07 (day + 3) is 3 late days', () => {
    const due = endOfPacificDay('2028-11-04');
    expect(lateDaysAt(due, utc('2028-11-07T08:00:00.000Z'))).toBe(3);
    expect(lateDaysAt(due, utc('2028-11-08T07:59:59.999Z'))).toBe(3);
  });

  test('due on 2028-11-05, the day DST ends: delivered on 2028-11-06 is 1 late day, on 2028-11-08 is 3', () => {
    const due = endOfPacificDay('2028-11-05');
    expect(due).toBe(utc('2028-11-06T07:59:59.999Z'));
    expect(lateDaysAt(due, utc('2028-11-06T08:00:00.000Z'))).toBe(1);
    expect(lateDaysAt(due, utc('2028-11-07T07:59:59.999Z'))).toBe(1);
    expect(lateDaysAt(due, utc('2028-11-09T07:59:59.999Z'))).toBe(3);
  });

  test('40 late days across the end of DST: due 2028-10-20, delivered noon 2028-11-29', () => {
    const due = endOfPacificDay('2028-10-20');
    // 2028-10-21..2028-10-31 is 11 days, 2028-11-01..2028-11-29 is 29.
    expect(lateDaysAt(due, utc('2028-11-29T20:00:00.000Z'))).toBe(40);
  });

  test('30 late days across the start of DST: due 2028-03-01, delivered 23:59 PDT 2028-03-31', () => {
    const due = endOfPacificDay('2028-03-01');
    expect(lateDaysAt(due, utc('2028-04-01T06:59:00.000Z'))).toBe(30);
  });

  test('a 5 p.m. deadline is not late at 5 p.m. sharp, and 1 day late until 5 p.m. the next day', () => {
    const due = pacificTime('2028-12-05', 17);
    expect(lateDaysAt(due, utc('2028-12-06T01:00:00.000Z'))).toBe(0);
    expect(lateDaysAt(due, utc('2028-12-06T01:00:00.001Z'))).toBe(1);
    expect(lateDaysAt(due, utc('2028-12-07T01:00:00.000Z'))).toBe(1);
    expect(lateDaysAt(due, utc('2028-12-07T01:00:00.001Z'))).toBe(2);
  });
});

describe('lateDatesAt: the Pacific dates damages accrue under', () => {
  test('on time means no late dates', () => {
    const due = endOfPacificDay('2028-10-09');
    expect(lateDatesAt(due, due)).toEqual([]);
  });

  test('across the end of DST: due 2028-11-04, delivered noon 2028-11-07 -> 11-05, 11-06, 11-07', () => {
    const due = endOfPacificDay('2028-11-04');
    expect(lateDatesAt(due, utc('2028-11-07T20:00:00.000Z'))).toEqual(['2028-11-05', '2028-11-06', '2028-11-07']);
  });

  test('across the start of DST: due 2028-03-11, delivered 2028-03-13 -> 03-12, 03-13', () => {
    const due = endOfPacificDay('2028-03-11');
    expect(lateDatesAt(due, utc('2028-03-13T16:00:00.000Z'))).toEqual(['2028-03-12', '2028-03-13']);
  });

  test('across the year end and leap day', () => {
    expect(lateDatesAt(endOfPacificDay('2027-12-30'), utc('2028-01-02T18:00:00.000Z')))
      .toEqual(['2027-12-31', '2028-01-01', '2028-01-02']);
    expect(lateDatesAt(endOfPacificDay('2028-02-27'), utc('2028-03-01T18:00:00.000Z')))
      .toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(lateDatesAt(endOfPacificDay('2027-02-27'), utc('2027-03-01T18:00:00.000Z')))
      .toEqual(['2027-02-28', '2027-03-01']);
  });
});

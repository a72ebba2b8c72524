/**
 * Contact hours on the voter's clock. Expected instants worked out by hand from the 2026 daylight-saving dates in
 * America/Los_Angeles: DST starts Sunday 2026-03-08 at 2 a.m. (PST -08:00 -> PDT -07:00; 02:00-02:59 never happens)
 * and ends Sunday 2026-11-01 at 2 a.m. (PDT -> PST; 01:00-01:59 happens twice).
 */
import { ContactWindowSchema, defaultContactWindow, isInsideWindow, nextSendAt, type ContactWindow } from './contact-hours';

const utc = (iso: string) => Date.parse(iso);
const at = (ms: number) => new Date(ms).toISOString();
const LA = 'America/Los_Angeles';
const DAY: ContactWindow = defaultContactWindow('sms', LA);

describe('default contact hours (domain.md §10)', () => {
  test('texts and calls 8 a.m. to 9 p.m. on the voter\'s clock; email at any hour', () => {
    expect(defaultContactWindow('sms', LA)).toEqual({ start: '08:00', end: '21:00', zone: LA });
    expect(defaultContactWindow('voice', 'America/New_York')).toEqual({ start: '08:00', end: '21:00', zone: 'America/New_York' });
    expect(defaultContactWindow('email')).toEqual({ start: '00:00', end: '24:00', zone: LA });
  });
});

describe('nextSendAt', () => {
  test('a notice due inside the window goes at once', () => {
    const noon = utc('2026-06-10T19:00:00Z'); // 12:00 PDT
    expect(nextSendAt(noon, DAY, 'sms')).toBe(noon);
  });

  test('a notice due at 23:30 waits until 08:00 the next morning Pacific', () => {
    expect(at(nextSendAt(utc('2026-06-11T06:30:00Z'), DAY, 'sms'))).toBe('2026-06-11T15:00:00.000Z'); // 23:30 PDT June 10 -> 08:00 PDT June 11
  });

  test('a notice due at 06:00 waits until 08:00 the same morning', () => {
    expect(at(nextSendAt(utc('2026-01-15T14:00:00Z'), DAY, 'voice'))).toBe('2026-01-15T16:00:00.000Z'); // PST
  });

  test('the window ends at 21:00: a notice due at 21:00 sharp waits; one due at 20:59:59 goes', () => {
    expect(at(nextSendAt(utc('2026-06-11T04:00:00Z'), DAY, 'sms'))).toBe('2026-06-11T15:00:00.000Z');
    expect(nextSendAt(utc('2026-06-11T03:59:59Z'), DAY, 'sms')).toBe(utc('2026-06-11T03:59:59Z'));
  });

  test('the window opens at 08:00 sharp: a notice due at 07:59:59 waits one second', () => {
    expect(nextSendAt(utc('2026-06-10T14:59:59Z'), DAY, 'sms')).toBe(utc('2026-06-10T15:00:00Z'));
  });

  test('an email goes at once, even at 3 a.m.', () => {
    const threeAm = utc('2026-06-10T10:00:00Z');
    expect(nextSendAt(threeAm, DAY, 'email')).toBe(threeAm);
  });

  test('spring-forward day: a notice due at 23:30 Saturday goes at 08:00 PDT Sunday, 15:00 UTC and not 16:00', () => {
    expect(at(nextSendAt(utc('2026-03-08T07:30:00Z'), DAY, 'sms'))).toBe('2026-03-08T15:00:00.000Z');
  });

  test('fall-back day: a notice due at 23:30 Saturday goes at 08:00 PST Sunday, 16:00 UTC and not 15:00', () => {
    expect(at(nextSendAt(utc('2026-11-01T06:30:00Z'), DAY, 'sms'))).toBe('2026-11-01T16:00:00.000Z');
  });

  test('the window follows the voter\'s zone: 08:00 in New York is 12:00 UTC in summer', () => {
    expect(at(nextSendAt(utc('2026-06-10T10:00:00Z'), { ...DAY, zone: 'America/New_York' }, 'sms'))).toBe('2026-06-10T12:00:00.000Z');
  });

  describe('a window that wraps past midnight, 20:00 to 02:00', () => {
    const NIGHT: ContactWindow = { start: '20:00', end: '02:00', zone: LA };

    test('it is open before and after midnight, closed from 02:00 to 20:00', () => {
      expect(isInsideWindow(utc('2026-06-11T06:59:00Z'), NIGHT)).toBe(true); // 23:59
      expect(isInsideWindow(utc('2026-06-11T08:30:00Z'), NIGHT)).toBe(true); // 01:30
      expect(isInsideWindow(utc('2026-06-11T09:00:00Z'), NIGHT)).toBe(false); // 02:00
      expect(at(nextSendAt(utc('2026-06-11T09:00:00Z'), NIGHT, 'sms'))).toBe('2026-06-12T03:00:00.000Z'); // -> 20:00 PDT
    });

    test('spring-forward night: the clock jumps from 01:59 to 03:00, so the window shuts an hour early', () => {
      expect(isInsideWindow(utc('2026-03-08T09:59:00Z'), NIGHT)).toBe(true); // 01:59 PST
      expect(at(nextSendAt(utc('2026-03-08T10:00:00Z'), NIGHT, 'sms'))).toBe('2026-03-09T03:00:00.000Z'); // 03:00 PDT -> 20:00 PDT
    });

    test('fall-back night: 01:00 to 02:00 happens twice and the window is open both times', () => {
      const second130 = utc('2026-11-01T09:30:00Z'); // 01:30 PST, after the clock went back
      expect(nextSendAt(second130, NIGHT, 'sms')).toBe(second130);
    });
  });

  test('a window starting in the hour spring-forward skips opens when the clock jumps, at 03:00 PDT', () => {
    const w: ContactWindow = { start: '02:30', end: '06:00', zone: LA };
    expect(at(nextSendAt(utc('2026-03-08T09:00:00Z'), w, 'sms'))).toBe('2026-03-08T10:00:00.000Z'); // 01:00 PST -> 03:00 PDT
  });

  test('a window the repeated hour holds opens twice on fall-back night', () => {
    const w: ContactWindow = { start: '01:30', end: '01:45', zone: LA };
    expect(at(nextSendAt(utc('2026-11-01T08:10:00Z'), w, 'sms'))).toBe('2026-11-01T08:30:00.000Z'); // 01:10 PDT -> 01:30 PDT
    expect(at(nextSendAt(utc('2026-11-01T08:50:00Z'), w, 'sms'))).toBe('2026-11-01T09:30:00.000Z'); // 01:50 PDT -> 01:30 PST
  });

  test('a window ending in the repeated hour reopens when the clock goes back', () => {
    const w: ContactWindow = { start: '20:00', end: '01:30', zone: LA };
    expect(at(nextSendAt(utc('2026-11-01T08:40:00Z'), w, 'sms'))).toBe('2026-11-01T09:00:00.000Z'); // 01:40 PDT -> 01:00 PST
  });
});

describe('ContactWindowSchema', () => {
  const problems = (w: unknown) => {
    const r = ContactWindowSchema.safeParse(w);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  test('times are HH:MM on a 24-hour clock; 24:00 only as an end', () => {
    expect(problems({ start: '8:00', end: '21:00', zone: LA })).toEqual(['start: must be a time as HH:MM, 00:00 to 23:59']);
    expect(problems({ start: '08:00', end: '25:00', zone: LA })).toEqual(['end: must be a time as HH:MM, 00:01 to 24:00']);
    expect(problems({ start: '24:00', end: '08:00', zone: LA })).toEqual(['start: must be a time as HH:MM, 00:00 to 23:59']);
    expect(problems({ start: '00:00', end: '24:00', zone: LA })).toEqual([]);
  });

  test('the zone must be an IANA zone by name; abbreviations such as EST (no daylight saving) are refused', () => {
    expect(problems({ ...DAY, zone: 'Pacific' })).toEqual(['zone: must be an IANA time zone such as America/Los_Angeles']);
    expect(problems({ ...DAY, zone: 'PST' })).toEqual(['zone: must be an IANA time zone such as America/Los_Angeles']);
    expect(problems({ ...DAY, zone: 'EST' })).toEqual(['zone: must be an IANA time zone such as America/Los_Angeles']);
    expect(problems({ ...DAY, zone: 'America/Atlantis' })).toEqual(['zone: must be an IANA time zone such as America/Los_Angeles']);
    expect(problems({ ...DAY, zone: 'Asia/Ho_Chi_Minh' })).toEqual([]);
    expect(problems({ ...DAY, zone: 'UTC' })).toEqual([]);
  });

  test('a window from a time to the same time is refused: it is empty', () => {
    expect(problems({ start: '08:00', end: '08:00', zone: LA })).toEqual([expect.stringMatching(/^end: must differ from start/)]);
    expect(problems({ start: '00:00', end: '00:00', zone: LA })).toHaveLength(1);
  });
});

import { pacificTime } from '../time';
import { formatNoticeDate, formatNoticeDeadline, formatPhone } from './format';

describe('dates, deadlines and phone numbers as voters read them', () => {
  test('dates are written out in English and Spanish (Spanish months in lower case), ISO otherwise', () => {
    expect(formatNoticeDate('2028-11-07', 'en')).toBe('November 7, 2028');
    expect(formatNoticeDate('2028-11-07', 'es')).toBe('7 de noviembre de 2028');
    expect(formatNoticeDate('2028-11-07', 'zh')).toBe('2028-11-07');
  });

  test('the cure deadline is 5 p.m. Pacific, worded to follow "by" and "antes de"', () => {
    const deadline = pacificTime('2028-12-05', 17);
    expect(formatNoticeDeadline(deadline, 'en')).toBe('5 p.m. on December 5, 2028');
    expect(formatNoticeDeadline(deadline, 'es')).toBe('las 5 p. m. del 5 de diciembre de 2028');
    expect(formatNoticeDeadline(deadline, 'vi')).toBe('2028-12-05 17:00');
  });

  test('the deadline is read in Pacific time whatever the server\'s zone: 00:59 UTC on Dec 6 is still Dec 5 in California', () => {
    expect(formatNoticeDeadline(Date.parse('2028-12-06T00:59:00Z'), 'en')).toBe('4:59 p.m. on December 5, 2028');
  });

  test('Spanish says "la 1" but "las 2"; noon and midnight read as 12', () => {
    expect(formatNoticeDeadline(pacificTime('2028-12-05', 13), 'es')).toBe('la 1 p. m. del 5 de diciembre de 2028');
    expect(formatNoticeDeadline(pacificTime('2028-12-05', 12), 'en')).toBe('12 p.m. on December 5, 2028');
    expect(formatNoticeDeadline(pacificTime('2028-12-05', 0, 30), 'en')).toBe('12:30 a.m. on December 5, 2028');
  });

  test('a US phone number reads (559) 600-8683 in writing and digit by digit on a call', () => {
    expect(formatPhone('+15596008683', 'sms')).toBe('(559) 600-8683');
    expect(formatPhone('+15596008683', 'email')).toBe('(559) 600-8683');
    expect(formatPhone('+15596008683', 'voice')).toBe('5 5 9, 6 0 0, 8 6 8 3');
    expect(formatPhone('+525555555555', 'sms')).toBe('+525555555555');
  });
});

/**
 * Intelligent Mail barcode structure (USPS-B-3200). Fixtures: Fresno County's ballot mail under the 9-digit mailer
 * id 900012345, serial 000001 on both the outbound envelope (STID 700, outbound First-Class ballot mail) and the
 * return envelope (STID 708 in these fixtures: since 2018 USPS gives all returning ballots one STID of their own; the
 * parser does not care which), routed to the county elections office, 2221 Kern Street, Fresno CA 93721.
 */
import bwipjs from 'bwip-js';
import { parseImb } from './imb';

const OUTBOUND = '0070090001234500000193721';
const RETURN = '0070890001234500000193721';

function parsed(input: string) {
  const r = parseImb(input);
  if (!r.ok) throw new Error(`expected ${input} to parse: ${r.error}`);
  return r.value;
}

describe('parseImb: the 20-digit tracking code and the routing code', () => {
  test('an outbound ballot IMb splits into barcode id 00, STID 700, 9-digit mailer id, 6-digit serial, ZIP 93721', () => {
    expect(parseImb(OUTBOUND)).toEqual({
      ok: true,
      value: {
        digits: '0070090001234500000193721',
        barcodeId: '00',
        serviceTypeId: '700',
        mailerId: '900012345',
        serial: '000001',
        routingCode: '93721',
        trackingCode: '00700900012345000001',
        pieceKey: '900012345:000001',
      },
    });
  });

  test('a tracking code alone (no routing code) is 20 digits', () => {
    const v = parsed('00700900012345000001');
    expect([v.trackingCode, v.routingCode]).toEqual(['00700900012345000001', '']);
  });

  test('ZIP+4 routing makes 29 digits', () => {
    const v = parsed('00700900012345000001937212600');
    expect([v.trackingCode, v.routingCode]).toEqual(['00700900012345000001', '937212600']);
  });

  test('ZIP+4 plus the 2-digit delivery point makes 31 digits', () => {
    const v = parsed('0070090001234500000193721260021');
    expect([v.trackingCode, v.routingCode]).toEqual(['00700900012345000001', '93721260021']);
  });

  test('a 6-digit mailer id (first digit 0-8) is followed by a 9-digit serial', () => {
    const v = parsed('0070012345600000421793721');
    expect([v.mailerId, v.serial, v.pieceKey]).toEqual(['123456', '000004217', '123456:000004217']);
  });

  test('a mailer id starting with 8 is still a 6-digit one', () => {
    const v = parsed('00700812345000000001');
    expect([v.mailerId, v.serial]).toEqual(['812345', '000000001']);
  });

  test('a mailer id starting with 9 is a 9-digit one, followed by a 6-digit serial', () => {
    const v = parsed('00700912345678000042');
    expect([v.mailerId, v.serial]).toEqual(['912345678', '000042']);
  });

  test('the barcode id may be 00 to 94: 14 (second digit 4) is accepted', () => {
    expect(parsed('14700900012345000001').barcodeId).toBe('14');
  });

  test('a barcode id whose second digit is 5-9 is rejected, naming it', () => {
    expect(parseImb('05700900012345000001')).toEqual({ ok: false, error: 'barcode identifier 05: its second digit must be 0-4' });
    expect(parseImb('09700900012345000001')).toEqual({ ok: false, error: 'barcode identifier 09: its second digit must be 0-4' });
  });
});

describe('parseImb: what a scan file or a manifest may contain', () => {
  test('spaces between the groups are allowed', () => {
    expect(parsed('00 700 900012345 000001 93721').digits).toBe('0070090001234500000193721');
  });

  test('dashes between the groups are allowed', () => {
    expect(parsed('00-700-900012345-000001-93721-2600-21').digits).toBe('0070090001234500000193721260021');
  });

  test('a letter O typed for a zero is rejected', () => {
    expect(parseImb('00700900O12345000001')).toEqual({ ok: false, error: 'an IMb is digits only' });
  });

  test('an empty field is rejected', () => {
    expect(parseImb('')).toEqual({ ok: false, error: 'an IMb is digits only' });
  });

  test.each([
    ['19 digits: a digit lost from the tracking code', '0070090001234500000', 19],
    ['21 digits', '007009000123450000019', 21],
    ['24 digits: a ZIP with a digit missing', '007009000123450000019372', 24],
    ['26 digits', '00700900012345000001937212', 26],
    ['30 digits', '007009000123450000019372126002', 30],
    ['32 digits', '00700900012345000001937212600211', 32],
  ])('a wrong length is rejected, saying how many digits it has (%s)', (_what, input, n) => {
    expect(parseImb(input)).toEqual({
      ok: false,
      error: `an IMb has 20, 25, 29 or 31 digits (tracking code + 0, 5, 9 or 11 routing digits); this has ${n}`,
    });
  });
});

describe('pieceKey: one ballot both ways', () => {
  test('the outbound and the return IMb of one ballot share a piece key though their service types differ', () => {
    const out = parsed(OUTBOUND);
    const ret = parsed(RETURN);
    expect([out.serviceTypeId, ret.serviceTypeId]).toEqual(['700', '708']);
    expect(out.trackingCode).not.toBe(ret.trackingCode);
    expect(out.pieceKey).toBe('900012345:000001');
    expect(ret.pieceKey).toBe('900012345:000001');
  });

  test('the piece key does not depend on the barcode id or the routing code', () => {
    expect(parsed('0470090001234500000193721260021').pieceKey).toBe('900012345:000001');
  });

  test('another serial is another ballot', () => {
    expect(parsed('0070090001234500000293721').pieceKey).toBe('900012345:000002');
  });
});

/** The bars of a bwip-js 'onecode' SVG, as USPS-B-3200 letters: F full, A ascender, D descender, T tracker. */
function bars(svg: string): string {
  return [...svg.matchAll(/M[\d.]+ (\d+)L[\d.]+ (\d+)/g)]
    .map((m) => {
      const bottom = Number(m[1]);
      const top = Number(m[2]);
      if (top === 0 && bottom === 23) return 'F';
      if (top === 0) return 'A';
      if (bottom === 23) return 'D';
      return 'T';
    })
    .join('');
}

describe('every IMb parseImb accepts is one bwip-js can encode as 65 bars', () => {
  test('the USPS-B-3200 example (tracking 01234567094987654321, routing 01234567891) parses and encodes to its published bars', () => {
    const v = parsed('01234567094987654321 01234567891');
    expect([v.barcodeId, v.serviceTypeId, v.mailerId, v.serial, v.routingCode]).toEqual(['01', '234', '567094', '987654321', '01234567891']);
    expect(bars(bwipjs.toSVG({ bcid: 'onecode', text: v.digits }))).toBe(
      'AADTFFDFTDADTAADAATFDTDDAAADDTDTTDAFADADDDTFFFDDTTTADFAAADFTDAADA',
    );
  });

  test.each([
    OUTBOUND,
    RETURN,
    '00700900012345000001',
    '00700900012345000001937212600',
    '0070090001234500000193721260021',
    '0070012345600000421793721',
    '00700812345000000001',
    '14700900012345000001',
    '00 700 900012345 000001 93721',
    '00-700-900012345-000001-93721-2600-21',
  ])('%s encodes', (input) => {
    const v = parsed(input);
    const svg = bwipjs.toSVG({ bcid: 'onecode', text: v.trackingCode + v.routingCode });
    expect(bars(svg)).toHaveLength(65);
  });

  test('all 50 barcode ids with a second digit 0-4 parse and encode', () => {
    let n = 0;
    for (let first = 0; first <= 9; first++) {
      for (let second = 0; second <= 4; second++) {
        const v = parsed(`${first}${second}70090001234500000193721`);
        expect(bars(bwipjs.toSVG({ bcid: 'onecode', text: v.digits }))).toHaveLength(65);
        n++;
      }
    }
    expect(n).toBe(50);
  });
});

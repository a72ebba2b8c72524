import {
  BALLOT_STATUSES, BallotStatusSchema, parseReasonCodes, REASONS, ReasonCodeSchema, type ReasonCode,
} from './reason-codes';

describe('reason codes: the state list (2 CCR §19092) and the national ones', () => {
  test('every reason of the state list and the national list has a stable code', () => {
    expect(ReasonCodeSchema.options).toEqual([
      'already-voted', 'no-signature', 'signature-mismatch', 'ballot-missing', 'voter-deceased', 'not-received-on-time',
      'registration-cancelled', 'undeliverable', 'not-cured', 'multiple-ballots', 'envelope-not-sealed', 'no-postmark',
      'unofficial-envelope',
    ]);
  });

  test('the eight reasons of 2 CCR §19092 are marked as the state list; four more are national practice', () => {
    const bySource = (s: string) => ReasonCodeSchema.options.filter((c) => REASONS[c].source === s);
    expect(bySource('ca-2ccr-19092')).toEqual([
      'already-voted', 'no-signature', 'signature-mismatch', 'ballot-missing', 'voter-deceased', 'not-received-on-time',
      'registration-cancelled', 'undeliverable',
    ]);
    expect(bySource('ca-ec-3019')).toEqual(['not-cured']);
    expect(bySource('national')).toEqual(['multiple-ballots', 'envelope-not-sealed', 'no-postmark', 'unofficial-envelope']);
  });

  test('only signature problems are curable by the voter (EC §3019), each with its own cure form', () => {
    const curable = ReasonCodeSchema.options.filter((c) => REASONS[c].curable);
    expect(curable).toEqual(['no-signature', 'signature-mismatch']);
    expect(REASONS['no-signature'].cureForm).toBe('unsigned-ballot-statement');
    expect(REASONS['signature-mismatch'].cureForm).toBe('signature-verification-statement');
  });

  test('a curable reason does not make the ballot not-accepted for good; every other reason does', () => {
    for (const code of ReasonCodeSchema.options) {
      expect([code, REASONS[code].final]).toEqual([code, !REASONS[code].curable]);
    }
  });

  test('only curable reasons name a cure form', () => {
    const withForm = ReasonCodeSchema.options.filter((c) => REASONS[c].cureForm !== undefined);
    expect(withForm).toEqual(['no-signature', 'signature-mismatch']);
  });

  test('a signature problem left uncured past the deadline is final and no longer curable', () => {
    expect([REASONS['not-cured'].curable, REASONS['not-cured'].final]).toEqual([false, true]);
  });

  test('every reason tells the voter what happened and how to fix it, in English and Spanish', () => {
    for (const code of ReasonCodeSchema.options) {
      const r = REASONS[code];
      for (const text of [r.label.en, r.label.es, r.howToFix.en, r.howToFix.es]) {
        expect(text.trim()).not.toBe('');
        expect(text.length).toBeLessThanOrEqual(240); // short enough for a text message of a few segments
      }
      expect(r.label.es).not.toBe(r.label.en);
      expect(r.howToFix.es).not.toBe(r.howToFix.en);
    }
  });

  test('the signature-mismatch notice names the cure form and its 5 p.m. deadline', () => {
    expect(REASONS['signature-mismatch'].howToFix.en).toBe(
      'Sign and return the signature verification statement (the cure form) so your ballot can be counted. '
        + 'It must reach the county elections office by 5 p.m. two days before the county certifies the election.',
    );
    expect(REASONS['signature-mismatch'].label.es).toBe('Su firma no coincide con la de su registro');
  });

  test('a late ballot is told the EC §3020 rule: postmarked by election day and received within 7 days', () => {
    expect(REASONS['not-received-on-time'].howToFix.en).toBe(
      'A mailed ballot counts only if it is postmarked by election day and arrives within 7 days after it. '
        + 'Next time, mail it early or use an official drop box.',
    );
  });
});

describe('ballot statuses', () => {
  test('the statuses from issued to counted, not counted, cure and superseded', () => {
    expect(BallotStatusSchema.options).toEqual([
      'issued', 'mailed', 'in-mail-stream', 'delivered', 'undeliverable', 'returned', 'received', 'in-review',
      'accepted', 'not-accepted', 'cure-pending', 'superseded',
    ]);
  });

  test('only accepted, not-accepted and superseded are final; in-review is temporary (2 CCR §19092)', () => {
    expect(BallotStatusSchema.options.filter((s) => BALLOT_STATUSES[s].final)).toEqual(['accepted', 'not-accepted', 'superseded']);
    expect(BALLOT_STATUSES['in-review'].final).toBe(false);
  });

  test('every status has an English and a Spanish label', () => {
    for (const s of BallotStatusSchema.options) {
      expect(BALLOT_STATUSES[s].label.en.trim()).not.toBe('');
      expect(BALLOT_STATUSES[s].label.es.trim()).not.toBe('');
    }
    expect(BALLOT_STATUSES['not-accepted'].label).toEqual({ en: 'Not counted', es: 'No contada' });
  });
});

describe('parseReasonCodes: a field of several codes', () => {
  test('codes separated by "|" are read in order', () => {
    expect(parseReasonCodes('no-signature|signature-mismatch')).toEqual({ ok: true, value: ['no-signature', 'signature-mismatch'] });
  });

  test('codes separated by ";" are read in order', () => {
    expect(parseReasonCodes('signature-mismatch;not-received-on-time')).toEqual({ ok: true, value: ['signature-mismatch', 'not-received-on-time'] });
  });

  test('both separators may appear in one field, with spaces around the codes', () => {
    expect(parseReasonCodes(' no-signature | ballot-missing ;voter-deceased ')).toEqual({
      ok: true,
      value: ['no-signature', 'ballot-missing', 'voter-deceased'],
    });
  });

  test('a single code is a list of one', () => {
    expect(parseReasonCodes('undeliverable')).toEqual({ ok: true, value: ['undeliverable'] });
  });

  test('an empty field, or one of separators only, is no reason at all', () => {
    expect(parseReasonCodes('')).toEqual({ ok: true, value: [] });
    expect(parseReasonCodes(' | ; ')).toEqual({ ok: true, value: [] });
  });

  test('codes in capitals are the same codes', () => {
    expect(parseReasonCodes('NO-SIGNATURE|Signature-Mismatch')).toEqual({ ok: true, value: ['no-signature', 'signature-mismatch'] });
  });

  test('a code given twice counts once', () => {
    expect(parseReasonCodes('no-signature|no-signature;signature-mismatch')).toEqual({ ok: true, value: ['no-signature', 'signature-mismatch'] });
  });

  test('every unknown code is an error naming it, and the known ones do not hide them', () => {
    const r = parseReasonCodes('no-signature|SIG_MISMATCH;deceased');
    expect(r).toEqual({
      ok: false,
      errors: [
        { code: 'SIG_MISMATCH', reason: 'unknown reason code "SIG_MISMATCH"' },
        { code: 'deceased', reason: 'unknown reason code "deceased"' },
      ],
    });
  });

  test('a comma is not a separator: "no-signature,ballot-missing" is one unknown code', () => {
    expect(parseReasonCodes('no-signature,ballot-missing')).toEqual({
      ok: false,
      errors: [{ code: 'no-signature,ballot-missing', reason: 'unknown reason code "no-signature,ballot-missing"' }],
    });
  });

  test('every code in the table parses to itself', () => {
    const all: ReasonCode[] = [...ReasonCodeSchema.options];
    expect(parseReasonCodes(all.join('|'))).toEqual({ ok: true, value: all });
  });
});

import { REASONS, ReasonCodeSchema } from '../reason-codes';
import { isCurable, NoticeReasonSchema, reasonText, SMS_REASONS } from './reasons';
import { isGsm7 } from './sms';

describe('reason texts in notices', () => {
  test('a notice can give every reason code, or say the county gave none', () => {
    expect(NoticeReasonSchema.options).toEqual([...ReasonCodeSchema.options, 'unspecified']);
  });

  test('the full texts are those of domain/reason-codes.ts', () => {
    expect(reasonText('signature-mismatch', 'es')).toEqual({
      language: 'es', fellBack: false,
      label: REASONS['signature-mismatch'].label.es,
      short: 'su firma no coincide con la registrada',
      howToFix: REASONS['signature-mismatch'].howToFix.es,
    });
  });

  test('a county record without a reason still tells the voter something, in English and Spanish', () => {
    expect(reasonText('unspecified', 'en').label).toBe('The county did not record a reason');
    expect(reasonText('unspecified', 'es').howToFix).toContain('Llame a la oficina electoral del condado');
  });

  test('languages without reason texts get the English ones, and the fallback is reported', () => {
    expect(reasonText('no-postmark', 'ko')).toMatchObject({ language: 'en', fellBack: true, label: REASONS['no-postmark'].label.en });
  });

  test('every short SMS reason is at most 46 characters, and the Spanish ones use GSM-7 letters only', () => {
    for (const r of NoticeReasonSchema.options) {
      const { en, es } = SMS_REASONS[r];
      expect([r, en.length <= 46, es.length <= 46, isGsm7(es), es !== en]).toEqual([r, true, true, true, true]);
    }
  });

  test('only the signature problems are curable', () => {
    expect(NoticeReasonSchema.options.filter(isCurable)).toEqual(['no-signature', 'signature-mismatch']);
  });
});

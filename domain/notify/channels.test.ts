import { ChannelSchema, LANGUAGE_INFO, LanguageSchema, sayVoiceFor } from './channels';

describe('channels and languages (EC §3019.7; domain.md §10)', () => {
  test('voters choose email, text message or voice', () => {
    expect(ChannelSchema.options).toEqual(['email', 'sms', 'voice']);
  });

  test('the ten languages: English and Spanish statewide, and the eight California counties serve', () => {
    expect(LanguageSchema.options).toEqual(['en', 'es', 'zh', 'vi', 'ko', 'tl', 'km', 'ja', 'hi', 'th']);
  });

  test('every language has an English name for admins and a native name for voters', () => {
    expect(Object.fromEntries(LanguageSchema.options.map((l) => [l, [LANGUAGE_INFO[l].english, LANGUAGE_INFO[l].native]]))).toEqual({
      en: ['English', 'English'],
      es: ['Spanish', 'Español'],
      zh: ['Chinese', '中文'],
      vi: ['Vietnamese', 'Tiếng Việt'],
      ko: ['Korean', '한국어'],
      tl: ['Tagalog (Filipino)', 'Tagalog'],
      km: ['Khmer (Cambodian)', 'ខ្មែរ'],
      ja: ['Japanese', '日本語'],
      hi: ['Hindi', 'हिन्दी'],
      th: ['Thai', 'ไทย'],
    });
  });

  test('calls are read in the Twilio <Say> locale of each language that has one', () => {
    expect(Object.fromEntries(LanguageSchema.options.map((l) => [l, LANGUAGE_INFO[l].say?.language ?? null]))).toEqual({
      en: 'en-US', es: 'es-US', zh: 'cmn-CN', vi: 'vi-VN', ko: 'ko-KR', tl: 'fil-PH', km: null, ja: 'ja-JP', hi: 'hi-IN', th: 'th-TH',
    });
  });

  test('each <Say> voice belongs to its locale (an invalid voice and language pair makes Twilio fail the call)', () => {
    for (const l of LanguageSchema.options) {
      const say = LANGUAGE_INFO[l].say;
      if (say) expect(say.voice.startsWith(`Google.${say.language}-`)).toBe(true);
    }
  });

  test('Khmer has no Twilio voice: a Khmer voter\'s call is read in English, and the fallback is reported', () => {
    expect(sayVoiceFor('km')).toEqual({ language: 'en', say: LANGUAGE_INFO.en.say, fellBack: true });
    expect(sayVoiceFor('vi')).toEqual({ language: 'vi', say: LANGUAGE_INFO.vi.say, fellBack: false });
  });
});

/**
 * The ways a voter can be reached and the languages notices are written in (issue 4; domain.md §10).
 *
 * Voters choose email, text message (SMS) or voice (EC §3019.7). English and Spanish are served statewide; the other
 * eight are languages California counties serve. Pure data: safe inside workflows.
 */
import { z } from 'zod';

export const ChannelSchema = z.enum(['email', 'sms', 'voice']);
export type Channel = z.infer<typeof ChannelSchema>;
export const CHANNELS: readonly Channel[] = ChannelSchema.options;

/** ISO 639-1 codes. Tagalog is `tl` (the code VoteCal and most county sites use for "Tagalog (Filipino)"). */
export const LanguageSchema = z.enum(['en', 'es', 'zh', 'vi', 'ko', 'tl', 'km', 'ja', 'hi', 'th']);
export type Language = z.infer<typeof LanguageSchema>;
export const LANGUAGES: readonly Language[] = LanguageSchema.options;

/** The language every notice falls back to when a translation is missing. */
export const FALLBACK_LANGUAGE: Language = 'en';

/** A TwiML `<Say>` voice: the `language` and `voice` attributes, e.g. `<Say language="es-US" voice="Google.es-US-Standard-A">`. */
export interface SayVoice {
  language: string;
  voice: string;
}

export interface LanguageInfo {
  /** How the admin pages name it. */
  english: string;
  /** How a voter recognises it in a language picker. */
  native: string;
  /**
   * The `<Say>` voice for calls in this language, or null when Twilio has no text-to-speech voice for it.
   * Google Standard voices are used throughout because Twilio offers one for each of these locales; the ids
   * are Twilio's ("Google.<locale>-Standard-<letter>") and should be checked against Twilio's voice list when
   * it changes (third-party voices can be withdrawn).
   */
  say: SayVoice | null;
}

export const LANGUAGE_INFO: Record<Language, LanguageInfo> = {
  en: { english: 'English', native: 'English', say: { language: 'en-US', voice: 'Google.en-US-Standard-C' } },
  // US Spanish rather than Castilian: the voters are Californians.
  es: { english: 'Spanish', native: 'Español', say: { language: 'es-US', voice: 'Google.es-US-Standard-A' } },
  // Written Chinese is served by counties; for calls, Mandarin. Many Chinese-speaking Californians speak
  // Cantonese: a county that wants it would use yue-HK ("Google.yue-HK-Standard-A") instead.
  zh: { english: 'Chinese', native: '中文', say: { language: 'cmn-CN', voice: 'Google.cmn-CN-Standard-A' } },
  vi: { english: 'Vietnamese', native: 'Tiếng Việt', say: { language: 'vi-VN', voice: 'Google.vi-VN-Standard-A' } },
  ko: { english: 'Korean', native: '한국어', say: { language: 'ko-KR', voice: 'Google.ko-KR-Standard-A' } },
  // Twilio's locale for Tagalog is Filipino (fil-PH), the standardised form of Tagalog.
  tl: { english: 'Tagalog (Filipino)', native: 'Tagalog', say: { language: 'fil-PH', voice: 'Google.fil-PH-Standard-A' } },
  // Khmer: Twilio offers no text-to-speech voice (neither Amazon Polly nor Google), so a call cannot be read in
  // Khmer. See sayVoiceFor: calls fall back to English.
  km: { english: 'Khmer (Cambodian)', native: 'ខ្មែរ', say: null },
  ja: { english: 'Japanese', native: '日本語', say: { language: 'ja-JP', voice: 'Google.ja-JP-Standard-A' } },
  hi: { english: 'Hindi', native: 'हिन्दी', say: { language: 'hi-IN', voice: 'Google.hi-IN-Standard-A' } },
  th: { english: 'Thai', native: 'ไทย', say: { language: 'th-TH', voice: 'Google.th-TH-Standard-A' } },
};

/**
 * The voice a call in `language` is read with. A language with no Twilio voice (Khmer) is read in English, and
 * the call's text must then be the English template too: a Khmer text read by an English voice is noise. The
 * caller renders the voice template in `language` of the result, not in the voter's language.
 */
export function sayVoiceFor(language: Language): { language: Language; say: SayVoice; fellBack: boolean } {
  const own = LANGUAGE_INFO[language].say;
  if (own) return { language, say: own, fellBack: false };
  const fallback = LANGUAGE_INFO[FALLBACK_LANGUAGE].say;
  if (!fallback) throw new Error('the fallback language has no <Say> voice');
  return { language: FALLBACK_LANGUAGE, say: fallback, fellBack: true };
}

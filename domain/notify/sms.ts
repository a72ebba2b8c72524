/**
 * SMS length in Twilio's terms, with Twilio's own segment calculator (sms-segments-calculator): a message is sent
 * as GSM-7 (160 characters, or 153 a segment when split) unless one character is outside GSM-7, and then the
 * whole message is UCS-2 (70, or 67 a segment). Carriers bill per segment, and long multi-segment messages are
 * more often delayed or reassembled out of order.
 */
import { SegmentedMessage } from 'sms-segments-calculator';

export interface SmsSize {
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  /** The characters that forced UCS-2, e.g. ["ó"]: what to reword to get back to GSM-7. */
  nonGsmCharacters: string[];
}

export function smsSize(text: string): SmsSize {
  const m = new SegmentedMessage(text);
  return { segments: m.segmentsCount, encoding: m.encodingName, nonGsmCharacters: m.getNonGsmCharacters() };
}

export function isGsm7(text: string): boolean {
  return smsSize(text).encoding === 'GSM-7';
}

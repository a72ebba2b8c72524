/**
 * The values a notice's placeholders are filled with, from what the sender knows at send time: the ballot's
 * event, the county's identity and the voter's language. Pure, so the admin preview and the real send fill a
 * template the same way.
 */
import { addDays } from '../time';
import type { Channel, Language } from './channels';
import { formatNoticeDate, formatNoticeDeadline, formatPhone } from './format';
import { reasonText, type NoticeReason } from './reasons';
import { placeholdersFor, type TemplateValues } from './templates';
import { countyNameFor, type CountyOverride, type NoticeKind } from './triggers';

export interface NoticeFacts {
  kind: NoticeKind;
  channel: Channel;
  language: Language;
  reason?: NoticeReason;
  county: CountyOverride;
  programName: string;
  electionDate: string;
  cureDeadlineAtMs: number;
  voterFirstName: string;
  /** From the event (mailed, in the mail stream, delayed): the window the voter should expect the ballot in. */
  expectedWindow?: { from: string; to: string };
  /** The voter's signed link to change or stop notices (email). */
  unsubscribeUrl?: string;
  updateText?: string;
}

/** Every placeholder the template may use for this kind and channel, and only those. A value the facts lack is a broken invariant. */
export function noticeValues(f: NoticeFacts): TemplateValues {
  const all: TemplateValues = {
    voterFirstName: f.voterFirstName,
    countyName: countyNameFor(f.county, f.language),
    countyPhone: formatPhone(f.county.phone, f.channel),
    electionDate: formatNoticeDate(f.electionDate, f.language),
    // EC §3020: postmarked on or before election day (or dropped off by 8 p.m. that day).
    returnDeadline: formatNoticeDate(f.electionDate, f.language),
    lookupUrl: f.county.lookupUrl,
    programName: f.programName,
    ...(f.unsubscribeUrl ? { unsubscribeUrl: f.unsubscribeUrl } : {}),
    ...(f.expectedWindow ? { expectedFrom: formatNoticeDate(f.expectedWindow.from, f.language), expectedTo: formatNoticeDate(f.expectedWindow.to, f.language) } : {}),
    ...(f.updateText ? { updateText: f.updateText } : {}),
    cureFormUrl: f.county.cureFormUrl,
    cureDeadline: formatNoticeDeadline(f.cureDeadlineAtMs, f.language),
  };
  const reason = reasonText(f.reason ?? 'unspecified', f.language);
  Object.assign(all, { reason: reason.label, reasonShort: reason.short, howToFix: reason.howToFix });
  const out: TemplateValues = {};
  for (const p of placeholdersFor(f.kind, f.channel)) {
    const v = all[p];
    if (v === undefined) throw new Error(`notice ${f.kind}/${f.channel} needs {{${p}}} and the sender has no value for it`);
    out[p] = v;
  }
  return out;
}

/** A sample ballot for previews: a voter with an accented name, mailed six days ago, in the county's words. */
export function sampleNoticeFacts(o: { kind: NoticeKind; channel: Channel; language: Language; reason?: NoticeReason; county: CountyOverride; programName: string; electionDate: string; cureDeadlineAtMs: number }): NoticeFacts {
  const mailed = addDays(o.electionDate, -29);
  return {
    ...o, voterFirstName: 'María José', expectedWindow: { from: addDays(mailed, 1), to: addDays(mailed, 5) },
    unsubscribeUrl: `${o.county.lookupUrl.replace(/\/$/, '')}/m/sample`, updateText: 'Vote centers open Saturday 10 a.m.',
  };
}

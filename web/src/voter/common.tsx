import type { ComponentChildren } from 'preact';
import { Field, Layout, Select } from '../lib/ui';
import { DICTS, LANGS, rememberLang, type Lang } from '../lib/i18n';

export type VoterDict = (typeof DICTS)['en'];

/** Every voter page: the language can be switched in its header. */
export function VoterLayout(props: { lang: Lang; setLang: (l: Lang) => void; title: string; children: ComponentChildren }) {
  const t = DICTS[props.lang];
  return (
    <Layout
      title={props.title}
      lang={props.lang}
      brand={t.brand}
      skipLabel={t.skip}
      tools={<LanguageSwitch lang={props.lang} setLang={props.setLang} />}
    >
      {props.children}
    </Layout>
  );
}

function LanguageSwitch({ lang, setLang }: { lang: Lang; setLang: (l: Lang) => void }) {
  const other = LANGS.find((l) => l.code !== lang)!;
  return (
    <button
      type="button"
      class="secondary"
      lang={other.code}
      aria-label={other.code === 'es' ? 'Cambiar a español' : 'Switch to English'}
      onClick={() => { rememberLang(other.code); setLang(other.code); }}
    >
      {other.name}
    </button>
  );
}

export type Channel = 'email' | 'sms' | 'voice';
export const CHANNELS: Channel[] = ['email', 'sms', 'voice'];
export const NOTICE_LANGUAGES = [
  ['en', 'English'], ['es', 'Español'], ['zh', '中文'], ['vi', 'Tiếng Việt'], ['ko', '한국어'], ['tl', 'Tagalog'],
  ['km', 'ខ្មែរ'], ['ja', '日本語'], ['hi', 'हिन्दी'], ['th', 'ไทย'],
] as const;

export interface NoticeChoicesProps {
  t: VoterDict;
  /** Keeps ids unique when two forms share a page. */
  idPrefix: string;
  want: Record<Channel, boolean>; setWant: (w: Record<Channel, boolean>) => void;
  addr: Record<Channel, string>; setAddr: (a: Record<Channel, string>) => void;
  language: string; setLanguage: (l: string) => void;
  hours: { start: string; end: string }; setHours: (h: { start: string; end: string }) => void;
  consent: string; agree: boolean; setAgree: (a: boolean) => void;
  addressError?: (c: Channel) => string | undefined;
}

/** The choices of the sign-up and manage forms: channels and addresses, language, hours, and the consent text. */
export function NoticeChoices(p: NoticeChoicesProps) {
  const { t } = p;
  const channelName = (c: Channel) => (c === 'email' ? t.channelEmail : c === 'sms' ? t.channelSms : t.channelVoice);
  return (
    <>
      <fieldset>
        <legend>{t.channels}</legend>
        {CHANNELS.map((c) => (
          <div key={c}>
            <div class="check">
              <input type="checkbox" id={`${p.idPrefix}want-${c}`} checked={p.want[c]} onChange={(e) => p.setWant({ ...p.want, [c]: (e.currentTarget as HTMLInputElement).checked })} />
              <label for={`${p.idPrefix}want-${c}`}>{channelName(c)}</label>
            </div>
            {p.want[c] ? (
              <Field
                label={c === 'email' ? t.emailAddress : c === 'sms' ? t.phoneNumber : t.voicePhone}
                hint={c === 'email' ? undefined : t.phoneHint}
                type={c === 'email' ? 'email' : 'tel'}
                name={`address-${c}`}
                autoComplete={c === 'email' ? 'email' : 'tel'}
                value={p.addr[c]}
                onValue={(v) => p.setAddr({ ...p.addr, [c]: v })}
                error={p.addressError?.(c)}
              />
            ) : null}
          </div>
        ))}
      </fieldset>
      <Select label={t.noticeLanguage} value={p.language} onValue={p.setLanguage} options={NOTICE_LANGUAGES.map(([value, label]) => ({ value, label }))} />
      <fieldset>
        <legend>{t.hours}</legend>
        <p class="hint">{t.hoursHint}</p>
        <div class="grid">
          <Field label={t.from} type="time" value={p.hours.start} onValue={(v) => p.setHours({ ...p.hours, start: v })} />
          <Field label={t.until} type="time" value={p.hours.end} onValue={(v) => p.setHours({ ...p.hours, end: v })} />
        </div>
      </fieldset>
      <p class="panel" id={`${p.idPrefix}consent-text`}>{p.consent}</p>
      <div class="check">
        <input type="checkbox" id={`${p.idPrefix}consent`} checked={p.agree} aria-describedby={`${p.idPrefix}consent-text`} onChange={(e) => p.setAgree((e.currentTarget as HTMLInputElement).checked)} />
        <label for={`${p.idPrefix}consent`}>{t.consentLabel}</label>
      </div>
    </>
  );
}

/**
 * The page a voter's private manage link opens: change the notices' language, hours and channels, confirm a new
 * address with its code, or stop everything. The signed link is the only credential; no account is needed.
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { DICTS, initialLang, toE164, type Lang } from '../lib/i18n';
import { ErrorBox, Live, Loading, Pill, useAsync } from '../lib/ui';
import { CodeForm } from './code-form';
import { CHANNELS, NoticeChoices, VoterLayout, type Channel, type VoterDict } from './common';

interface Subscription {
  subscriptionId: string; county: string; status: string; language: string;
  contactWindow: { start: string; end: string; zone: string };
  channels: { channel: Channel; address: string; state: string }[];
}


function App() {
  const [lang, setLang] = useState<Lang>(initialLang());
  const t = DICTS[lang];
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `/api/voter/subscriptions/manage?token=${encodeURIComponent(token)}`;
  const sub = useAsync(() => api<Subscription>(url), [url]);
  return (
    <VoterLayout lang={lang} setLang={setLang} title={t.manageTitle}>
      <p>{t.manageIntro}</p>
      {sub.loading && !sub.data ? <Loading /> : null}
      {sub.error ? (
        <div class="alert error" role="alert">
          {sub.error instanceof ApiError && [401, 403, 404, 422].includes(sub.error.status) ? t.badLink : (sub.error as Error).message}{' '}
          <a href={`/voter/?lang=${lang}`}>{t.lookupAgain}</a>
        </div>
      ) : null}
      {sub.data ? <Manage key={sub.data.subscriptionId + sub.data.status} t={t} s={sub.data} url={url} token={token} reload={sub.reload} /> : null}
    </VoterLayout>
  );
}

function Manage({ t, s, url, token, reload }: { t: VoterDict; s: Subscription; url: string; token: string; reload: () => void }) {
  const current = Object.fromEntries(s.channels.filter((c) => c.state !== 'withdrawn' && c.state !== 'opted-out').map((c) => [c.channel, c.address])) as Partial<Record<Channel, string>>;
  const [want, setWant] = useState<Record<Channel, boolean>>({ email: !!current.email, sms: !!current.sms, voice: !!current.voice });
  const [addr, setAddr] = useState<Record<Channel, string>>({ email: current.email ?? '', sms: current.sms ?? '', voice: current.voice ?? '' });
  const [language, setLanguage] = useState(s.language);
  const [hours, setHours] = useState({ start: s.contactWindow.start, end: s.contactWindow.end });
  const [agree, setAgree] = useState(false);
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState<string>();
  const [added, setAdded] = useState<{ channel: Channel; address: string }[]>([]);
  const consent = t.consentText(s.county);

  if (s.status === 'cancelled') return <div class="alert warn" role="status">{t.subscriptionCancelled} <a href="/voter/">{t.lookupAgain}</a></div>;

  async function save(e: Event) {
    e.preventDefault();
    setError(undefined); setNote(undefined);
    const channels = CHANNELS.filter((c) => want[c]).map((c) => ({ channel: c, address: c === 'email' ? addr.email.trim() : toE164(addr[c]) }));
    if (!channels.length) return setError(new Error(t.pickChannel));
    const adding = channels.filter((c) => current[c.channel] !== c.address);
    if (adding.length && !agree) return setError(new Error(t.mustConsent));
    try {
      const r = await api<{ added: { channel: Channel }[] }>(url, {
        method: 'PUT',
        body: { language, contactWindow: { ...hours, zone: s.contactWindow.zone }, channels, ...(adding.length ? { consentText: consent } : {}) },
      });
      setAdded(r.added.map((a) => ({ channel: a.channel, address: channels.find((c) => c.channel === a.channel)!.address })));
      setNote(t.savedChanges);
    } catch (err) {
      setError(err);
    }
  }
  async function stop() {
    setError(undefined);
    try {
      await api(url, { method: 'DELETE' });
      setNote(t.stopped);
      reload();
    } catch (err) {
      setError(err);
    }
  }
  const stateLabel = (st: string) => (st === 'confirmed' ? t.stateConfirmed : st === 'pending' || st === 'locked' ? t.statePending : t.stateOptedOut);

  return (
    <>
      <section class="panel" aria-labelledby="now-h">
        <h2 id="now-h">{t.channels}</h2>
        <ul>
          {s.channels.map((c) => <li key={c.channel}>{c.channel === 'email' ? t.channelEmail : c.channel === 'sms' ? t.channelSms : t.channelVoice}: {c.address} <Pill status={c.state} label={stateLabel(c.state)} /></li>)}
        </ul>
        {s.channels.filter((c) => c.state === 'pending' || c.state === 'locked').map((c) => (
          <CodeForm key={c.channel} t={t} subscriptionId={s.subscriptionId} manageToken={token} p={c} />
        ))}
      </section>
      <form class="panel" onSubmit={save} aria-labelledby="change-h" noValidate>
        <h2 id="change-h">{t.save}</h2>
        <NoticeChoices
          t={t} idPrefix="m-" want={want} setWant={setWant} addr={addr} setAddr={setAddr} language={language} setLanguage={setLanguage}
          hours={hours} setHours={setHours} consent={consent} agree={agree} setAgree={setAgree}
        />
        <div class="actions">
          <button type="submit">{t.save}</button>
          <button type="button" class="danger" onClick={stop}>{t.stopAll}</button>
        </div>
        {note ? <Live kind="success">{note}</Live> : null}
        <ErrorBox error={error} />
      </form>
      {added.map((a) => <CodeForm key={a.channel} t={t} subscriptionId={s.subscriptionId} manageToken={token} p={a} />)}
    </>
  );
}

render(<App />, document.getElementById('app')!);

/**
 * "Where's my ballot?": look up a ballot by name, date of birth and ZIP (no account), see its timeline, sign up for
 * notices with a code per address, and optionally keep the lookup in an account.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, accountCredential } from '../lib/api';
import { DICTS, formatDate, initialLang, toE164, type Lang } from '../lib/i18n';
import { ErrorBox, Field, Live, Loading, Pill, useAsync } from '../lib/ui';
import { CodeForm } from './code-form';
import { NoticeChoices, VoterLayout, type VoterDict } from './common';

type Dict = VoterDict;

interface Reason { code: string; label: Record<Lang, string>; howToFix: Record<Lang, string>; curable: boolean }
export interface VoterBallot {
  county: string; countyName: string; electionDate: string; status: string | null; reasonCodes: string[]; reasons: Reason[];
  expectedWindow?: { from: string; to: string }; cure: { formUrl: string | null; deadline: string } | null;
  countyPhone: string | null; timeline: { status: string; at: string; reasonCodes: string[] }[];
}

/** The usual path of a ballot; the steps after the current one are shown as what comes next. */
const PATH = ['issued', 'mailed', 'in-mail-stream', 'delivered', 'returned', 'received', 'accepted'];
const FINAL = new Set(['accepted', 'not-accepted', 'superseded', 'undeliverable']);

function App() {
  const [lang, setLang] = useState<Lang>(initialLang());
  const t = DICTS[lang];
  const [lookupToken, setLookupToken] = useState<string>();
  return (
    <VoterLayout lang={lang} setLang={setLang} title={t.title}>
      <p>{t.intro}</p>
      <LookupForm t={t} onFound={setLookupToken} />
      {lookupToken ? <BallotSection key={lookupToken} t={t} lang={lang} token={lookupToken} /> : null}
      <AccountPanel t={t} lookupToken={lookupToken} onView={setLookupToken} />
    </VoterLayout>
  );
}

function LookupForm({ t, onFound }: { t: Dict; onFound: (token: string) => void }) {
  const [f, setF] = useState({ firstName: '', lastName: '', dateOfBirth: '', zip: '', voterId: '' });
  const [needId, setNeedId] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<'not-found' | 'need-voter-id' | null>(null);
  const [error, setError] = useState<unknown>();
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const fieldError = (name: string) => (error instanceof ApiError && error.field === `body.${name}` ? error.detail.replace(/^body\.\w+:\s*/, '') : undefined);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true); setError(undefined); setOutcome(null);
    try {
      const body = { firstName: f.firstName, lastName: f.lastName, dateOfBirth: f.dateOfBirth, zip: f.zip, ...(needId && f.voterId ? { voterId: f.voterId } : {}) };
      const r = await api<{ result: string; lookupToken: string | null }>('/api/voter/lookup', { method: 'POST', body });
      if (r.result === 'found' && r.lookupToken) onFound(r.lookupToken);
      else if (r.result === 'need-voter-id') { setNeedId(true); setOutcome('need-voter-id'); }
      else setOutcome('not-found');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel" onSubmit={submit} aria-labelledby="lookup-h" noValidate>
      <h2 id="lookup-h">{t.find}</h2>
      <div class="grid">
        <Field label={t.firstName} value={f.firstName} onValue={set('firstName')} name="firstName" autoComplete="given-name" required error={fieldError('firstName')} />
        <Field label={t.lastName} value={f.lastName} onValue={set('lastName')} name="lastName" autoComplete="family-name" required error={fieldError('lastName')} />
        <Field label={t.dateOfBirth} hint={t.dateHint} type="date" value={f.dateOfBirth} onValue={set('dateOfBirth')} name="dateOfBirth" autoComplete="bday" required error={fieldError('dateOfBirth')} />
        <Field label={t.zip} hint={t.zipHint} value={f.zip} onValue={set('zip')} name="zip" inputMode="numeric" autoComplete="postal-code" required error={fieldError('zip')} />
        {needId ? <Field label={t.voterId} hint={t.voterIdHint} value={f.voterId} onValue={set('voterId')} name="voterId" error={fieldError('voterId')} /> : null}
      </div>
      <div class="actions"><button type="submit" disabled={busy}>{t.find}</button></div>
      {busy ? <Loading label={t.searching} /> : null}
      {outcome === 'not-found' ? <div class="alert warn" role="alert">{t.notFound}</div> : null}
      {outcome === 'need-voter-id' ? <div class="alert warn" role="alert">{t.needVoterId}</div> : null}
      {error && !(error instanceof ApiError && error.field) ? <ErrorBox error={error} /> : null}
    </form>
  );
}

function BallotSection({ t, lang, token }: { t: Dict; lang: Lang; token: string }) {
  const { data: ballot, error } = useAsync(() => api<VoterBallot>(`/api/voter/ballot?token=${encodeURIComponent(token)}`), [token]);
  if (error) return <ErrorBox error={error instanceof ApiError && error.status === 403 ? new Error(t.expiredLookup) : error} />;
  if (!ballot) return <Loading />;
  return (
    <>
      <BallotView t={t} lang={lang} b={ballot} />
      <Signup t={t} lang={lang} token={token} countyName={ballot.countyName} />
    </>
  );
}

export function BallotView({ t, lang, b }: { t: Dict; lang: Lang; b: VoterBallot }) {
  const status = b.status ?? 'issued';
  const seen = new Set(b.timeline.map((e) => e.status));
  const at = PATH.indexOf(status);
  const next = FINAL.has(status) || status === 'cure-pending' || at < 0 ? [] : PATH.slice(at + 1).filter((s) => !seen.has(s));
  return (
    <section class="panel" aria-labelledby="ballot-h">
      <h2 id="ballot-h">{t.yourBallot}</h2>
      <dl class="facts">
        <dt>{t.county}</dt><dd>{b.countyName}</dd>
        <dt>{t.electionDay}</dt><dd>{formatDate(b.electionDate, lang)}</dd>
        <dt>{t.status}</dt><dd><Pill status={status} label={t.statuses[status] ?? status} /> {t.statusHelp[status] ?? ''}</dd>
        {b.expectedWindow && ['mailed', 'in-mail-stream'].includes(status) ? (
          <><dt>{t.expected}</dt><dd>{t.between(formatDate(b.expectedWindow.from, lang), formatDate(b.expectedWindow.to, lang))}</dd></>
        ) : null}
        {b.countyPhone ? <><dt>{t.countyPhone}</dt><dd><a href={`tel:${b.countyPhone}`}>{b.countyPhone}</a></dd></> : null}
      </dl>
      {b.reasons.length ? (
        <div class={b.cure ? 'alert warn' : 'alert error'} role="region" aria-label={b.cure ? t.cureTitle : t.reason}>
          {b.cure ? <h3>{t.cureTitle}</h3> : null}
          {b.reasons.map((r) => (
            <div key={r.code}>
              <p><strong>{t.reason}:</strong> {r.label[lang]}</p>
              <p><strong>{t.howToFix}:</strong> {r.howToFix[lang]}</p>
            </div>
          ))}
          {b.cure ? (
            <p>
              <strong>{t.cureDeadline}:</strong> {formatDate(b.cure.deadline, lang, true)}
              {b.cure.formUrl ? <> · <a href={b.cure.formUrl}>{t.cureForm}</a></> : null}
            </p>
          ) : null}
        </div>
      ) : null}
      <h3>{t.timeline}</h3>
      {b.timeline.length === 0 ? <p>{t.noEvents}</p> : (
        <ol class="timeline">
          {b.timeline.map((e, i) => (
            <li key={i}>
              <strong>{t.statuses[e.status] ?? e.status}</strong>
              <span class="when">{formatDate(e.at, lang, true)}</span>
              {e.status === 'mailed' && b.expectedWindow ? <span>{t.expected} {t.between(formatDate(b.expectedWindow.from, lang), formatDate(b.expectedWindow.to, lang))}</span> : null}
            </li>
          ))}
        </ol>
      )}
      {next.length ? (
        <>
          <h3>{t.nextSteps}</h3>
          <ol class="timeline">{next.map((s) => <li class="future" key={s}>{t.statuses[s] ?? s}</li>)}</ol>
        </>
      ) : null}
    </section>
  );
}


interface Pending { channel: 'email' | 'sms' | 'voice'; address: string; codeRequested: boolean }

function Signup({ t, lang, token, countyName }: { t: Dict; lang: Lang; token: string; countyName: string }) {
  const [want, setWant] = useState({ email: false, sms: false, voice: false });
  const [addr, setAddr] = useState({ email: '', sms: '', voice: '' });
  const [noticeLang, setNoticeLang] = useState<string>(lang);
  const [hours, setHours] = useState({ start: '08:00', end: '21:00' });
  const [agree, setAgree] = useState(false);
  const [error, setError] = useState<unknown>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ subscriptionId: string; manageToken: string; pending: Pending[] }>();
  const consent = t.consentText(countyName);

  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined); setProblem(undefined);
    const channels = (['email', 'sms', 'voice'] as const).filter((c) => want[c]).map((c) => ({ channel: c, address: c === 'email' ? addr.email.trim() : toE164(addr[c]) }));
    if (!channels.length) return setProblem(t.pickChannel);
    if (!agree) return setProblem(t.mustConsent);
    setBusy(true);
    try {
      const r = await api<{ subscriptionId: string; manageToken: string; pending: Pending[] }>('/api/voter/subscriptions', {
        method: 'POST',
        body: { lookupToken: token, channels, language: noticeLang, contactWindow: { ...hours, zone: 'America/Los_Angeles' }, consentText: consent, source: 'web' },
      });
      setDone(r);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (done) return <ConfirmCodes t={t} lang={lang} {...done} />;
  const err = (c: string) => (error instanceof ApiError && error.field?.startsWith('body.channels') && error.detail.includes(c) ? error.detail : undefined);
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="signup-h" noValidate>
      <h2 id="signup-h">{t.signupTitle}</h2>
      <p>{t.signupIntro}</p>
      <NoticeChoices
        t={t} idPrefix="" want={want} setWant={setWant} addr={addr} setAddr={setAddr} language={noticeLang} setLanguage={setNoticeLang}
        hours={hours} setHours={setHours} consent={consent} agree={agree} setAgree={setAgree} addressError={(c) => err(c === 'email' ? 'email' : 'E.164')}
      />
      <div class="actions"><button type="submit" disabled={busy}>{t.subscribe}</button></div>
      {problem ? <div class="alert error" role="alert">{problem}</div> : null}
      <ErrorBox error={error} />
    </form>
  );
}

function ConfirmCodes({ t, lang, subscriptionId, manageToken, pending }: { t: Dict; lang: Lang; subscriptionId: string; manageToken: string; pending: Pending[] }) {
  const manageHref = `/voter/manage?token=${encodeURIComponent(manageToken)}&lang=${lang}`;
  return (
    <section class="panel" aria-labelledby="codes-h">
      <h2 id="codes-h">{t.signupTitle}</h2>
      {pending.map((p) => <CodeForm key={p.channel} t={t} subscriptionId={subscriptionId} manageToken={manageToken} p={p} />)}
      <p>{t.manageLink} <a href={manageHref}>{t.manageOpen}</a></p>
    </section>
  );
}

interface SavedLookup { id: string; savedAt: string; county: string; countyName: string; status: string | null }

function AccountPanel({ t, lookupToken, onView }: { t: Dict; lookupToken: string | undefined; onView: (token: string) => void }) {
  const [account, setAccount] = useState(accountCredential.get());
  const [form, setForm] = useState({ email: '', password: '' });
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState<string>();
  const [saved, setSaved] = useState<SavedLookup[]>();

  async function refresh() {
    try {
      const me = await api<{ email: string; lookups: SavedLookup[] }>('/api/voter/accounts/me', { auth: 'account' });
      setSaved(me.lookups);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) { accountCredential.clear(); setAccount(null); }
      setError(err);
    }
  }
  // Load the saved ballots once signed in (and after each sign-in).
  useEffect(() => { if (account) void refresh(); }, [account?.token]);

  async function signIn(kind: 'create' | 'sign-in') {
    setError(undefined); setNote(undefined);
    try {
      const r = await api<{ accountToken: string; email: string }>(kind === 'create' ? '/api/voter/accounts' : '/api/voter/accounts/session', { method: 'POST', body: form });
      accountCredential.set({ token: r.accountToken, email: r.email });
      setAccount({ token: r.accountToken, email: r.email });
      setForm({ email: '', password: '' });
      setSaved(undefined);
    } catch (err) {
      setError(err);
    }
  }
  async function save() {
    setError(undefined); setNote(undefined);
    try {
      await api('/api/voter/accounts/me/lookups', { method: 'POST', auth: 'account', body: { lookupToken } });
      setNote(t.saved);
      await refresh();
    } catch (err) {
      setError(err);
    }
  }
  async function view(id: string) {
    setError(undefined);
    try {
      const r = await api<{ lookupToken: string }>(`/api/voter/accounts/me/lookups/${encodeURIComponent(id)}/token`, { method: 'POST', auth: 'account' });
      onView(r.lookupToken);
      document.getElementById('ballot-h')?.scrollIntoView();
    } catch (err) {
      setError(err);
    }
  }
  async function forget(id: string) {
    setError(undefined);
    try {
      await api(`/api/voter/accounts/me/lookups/${encodeURIComponent(id)}`, { method: 'DELETE', auth: 'account' });
      await refresh();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section class="panel" aria-labelledby="account-h">
      <h2 id="account-h">{t.accountTitle}</h2>
      {!account ? (
        <form onSubmit={(e) => { e.preventDefault(); void signIn('sign-in'); }} noValidate>
          <p>{t.accountIntro}</p>
          <div class="grid">
            <Field label={t.email} type="email" autoComplete="username" value={form.email} onValue={(v) => setForm({ ...form, email: v })} name="account-email" />
            <Field label={t.password} hint={t.passwordHint} type="password" autoComplete="current-password" value={form.password} onValue={(v) => setForm({ ...form, password: v })} name="account-password" />
          </div>
          <div class="actions">
            <button type="submit">{t.signIn}</button>
            <button type="button" class="secondary" onClick={() => void signIn('create')}>{t.createAccount}</button>
          </div>
        </form>
      ) : (
        <>
          <p>{t.signedInAs(account.email)} <button type="button" class="secondary" onClick={() => { accountCredential.clear(); setAccount(null); setSaved(undefined); }}>{t.signOut}</button></p>
          {lookupToken ? <div class="actions"><button type="button" onClick={save}>{t.saveLookup}</button></div> : null}
          <h3>{t.savedLookups}</h3>
          {saved === undefined ? <Loading /> : saved.length === 0 ? <p>{t.noSaved}</p> : (
            <ul>
              {saved.map((s) => (
                <li key={s.id}>
                  {s.countyName}: <Pill status={s.status ?? 'issued'} label={t.statuses[s.status ?? 'issued']} />{' '}
                  <button type="button" class="secondary" onClick={() => void view(s.id)} aria-label={`${t.view}: ${s.countyName}`}>{t.view}</button>{' '}
                  <button type="button" class="secondary" onClick={() => void forget(s.id)} aria-label={`${t.forget}: ${s.countyName}`}>{t.forget}</button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {note ? <Live kind="success">{note}</Live> : null}
      <ErrorBox error={error} />
    </section>
  );
}

render(<App />, document.getElementById('app')!);

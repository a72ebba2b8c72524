/**
 * The state administrator's pages: which notices go out on which channels (triggers), the notice texts and their
 * translations with a live preview (templates), each county's identity in its messages (counties), and the audit
 * log export. Every change goes through the same API as everyone else's, which validates it and names the field.
 *
 * Only types come from domain/ (erased at build time): the lists below are checked against them by the compiler, so
 * a new notice kind, reason or language fails the web typecheck until it is named here.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Channel, Language } from '../../../domain/notify/channels';
import type { NoticeReason } from '../../../domain/notify/reasons';
import type { CountyOverride, NoticeKind, TriggerConfig } from '../../../domain/notify/triggers';
import { ApiError, download, enc, staffApi, staffCredential } from '../lib/api';
import { ErrorBox, Field, Live, Loading, Select, num, useAsync, useId } from '../lib/ui';
import { href, type Me } from './shell';

// ---------- names ----------

const CHANNEL_NAMES: Record<Channel, string> = { email: 'Email', sms: 'Text message (SMS)', voice: 'Voice call' };
const CHANNELS = Object.keys(CHANNEL_NAMES) as Channel[];
const CHANNEL_SHORT: Record<Channel, string> = { email: 'email', sms: 'SMS', voice: 'voice' };

const KIND_NAMES: Record<NoticeKind, string> = {
  mailed: 'Ballot mailed',
  'expected-delivery': 'Expected delivery',
  delayed: 'Ballot delayed',
  undeliverable: 'Undeliverable',
  received: 'Received by the county',
  counted: 'Counted',
  'not-counted': 'Not counted',
  'cure-needed': 'Signature cure needed',
  'cure-reminder': 'Cure reminder',
  'return-deadline-reminder': 'Return deadline reminder',
  'election-update': 'Election update',
};
const KINDS = Object.keys(KIND_NAMES) as NoticeKind[];
/** Kinds whose texts may be specific to one reason (domain/notify/templates.ts REASON_SPECIFIC_KINDS). */
const REASON_SPECIFIC_KINDS: readonly NoticeKind[] = ['not-counted', 'cure-needed'];

const REASON_NAMES: Record<NoticeReason, string> = {
  'already-voted': 'Already voted',
  'no-signature': 'Envelope not signed',
  'signature-mismatch': 'Signature does not match',
  'ballot-missing': 'No ballot in the envelope',
  'voter-deceased': 'Voter recorded as deceased',
  'not-received-on-time': 'Arrived too late',
  'registration-cancelled': 'Registration cancelled',
  undeliverable: 'Undeliverable',
  'not-cured': 'Signature not cured in time',
  'multiple-ballots': 'More than one ballot in the envelope',
  'envelope-not-sealed': 'Envelope not sealed',
  'no-postmark': 'No postmark',
  'unofficial-envelope': 'Not in the official envelope',
  unspecified: 'No reason given by the county',
};
const REASONS = Object.keys(REASON_NAMES) as NoticeReason[];

const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English', es: 'Spanish', zh: 'Chinese', vi: 'Vietnamese', ko: 'Korean', tl: 'Tagalog (Filipino)', km: 'Khmer', ja: 'Japanese', hi: 'Hindi', th: 'Thai',
};
const LANGUAGES = Object.keys(LANGUAGE_NAMES) as Language[];

const ZONE = 'America/Los_Angeles';
const dateTime = (iso: string, seconds = false) =>
  new Date(iso).toLocaleString('en-US', { timeZone: ZONE, dateStyle: 'medium', timeStyle: seconds ? 'medium' : 'short' });

// ---------- shared parts ----------

interface FieldProblem { field: string; message: string }

/** The per-field problems of a 422 (`errors: [{ field, message }]`), or none. */
function fieldProblems(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.body.errors)) return [];
  return (error.body.errors as unknown[]).filter((e): e is FieldProblem =>
    typeof e === 'object' && e !== null && typeof (e as FieldProblem).field === 'string' && typeof (e as FieldProblem).message === 'string');
}

/** An API refusal: one problem as ErrorBox shows it, several as a list, each with its field. */
function Problems({ error, title, label = (f) => f }: { error: unknown; title?: string; label?: (field: string) => string }) {
  const list = fieldProblems(error);
  if (list.length < 2) return <ErrorBox error={error} title={title} />;
  return (
    <div class="alert error" role="alert">
      {title ? <strong>{title}</strong> : null}
      <ul>{list.map((p, i) => <li key={i}>{label(p.field)}: {p.message}</li>)}</ul>
    </div>
  );
}

function StateAdminOnly({ me, children }: { me: Me; children: ComponentChildren }) {
  if (me.role !== 'state-admin') return <p>This page is for the Secretary of State's administrators; your role cannot use it.</p>;
  return <>{children}</>;
}

/** A checkbox in a table cell: the visible column header, and a name of its own for screen readers. */
function CellCheck(props: { name: string; checked: boolean; disabled?: boolean; onChecked: (on: boolean) => void }) {
  return (
    <label class="check">
      <input type="checkbox" checked={props.checked} disabled={props.disabled} onChange={(e) => props.onChecked((e.currentTarget as HTMLInputElement).checked)} />
      <span class="visually-hidden">{props.name}</span>
    </label>
  );
}

const channelList = (cs: readonly Channel[]) => (cs.length ? cs.map((c) => CHANNEL_SHORT[c]).join(', ') : 'Not sent');
/** The list with `c` switched on or off, in the order email, sms, voice. */
const withChannel = (cs: readonly Channel[], c: Channel, on: boolean): Channel[] => CHANNELS.filter((x) => (x === c ? on : cs.includes(x)));

// ---------- triggers ----------

interface TriggerState { version: number; config: TriggerConfig; isDefault: boolean; createdBy?: string; createdAt?: string }

export function TriggersPage({ me }: { me: Me }) {
  return <StateAdminOnly me={me}><Triggers me={me} /></StateAdminOnly>;
}

function Triggers({ me }: { me: Me }) {
  const loaded = useAsync(() => staffApi<TriggerState>('/api/admin/notify/triggers'), []);
  if (loaded.error) return <ErrorBox error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  return <TriggerForm me={me} initial={loaded.data} />;
}

function TriggerForm({ me, initial }: { me: Me; initial: TriggerState }) {
  const [base, setBase] = useState(initial);
  const [draft, setDraft] = useState<TriggerConfig>(initial.config);
  const [saved, setSaved] = useState<number>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const dirty = JSON.stringify(draft) !== JSON.stringify(base.config);
  const general = draft.notices['not-counted'];

  const setNotice = (k: NoticeKind, c: Channel, on: boolean) =>
    setDraft({ ...draft, notices: { ...draft.notices, [k]: withChannel(draft.notices[k], c, on) } });
  const setOwn = (r: NoticeReason, own: boolean) => {
    const next = { ...draft.notCountedByReason };
    if (own) next[r] = [...general];
    else delete next[r];
    setDraft({ ...draft, notCountedByReason: next });
  };
  const setReason = (r: NoticeReason, c: Channel, on: boolean) =>
    setDraft({ ...draft, notCountedByReason: { ...draft.notCountedByReason, [r]: withChannel(draft.notCountedByReason[r] ?? general, c, on) } });

  async function save(e: Event) {
    e.preventDefault();
    setError(undefined); setSaved(undefined); setBusy(true);
    try {
      const r = await staffApi<{ version: number; config: TriggerConfig }>('/api/admin/notify/triggers', { method: 'PUT', body: draft });
      setBase({ version: r.version, config: r.config, isDefault: false, createdBy: me.subject, createdAt: new Date().toISOString() });
      setDraft(r.config);
      setSaved(r.version);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  // Reasons the configuration names that this page does not know yet are kept and shown too.
  const reasons = [...REASONS, ...(Object.keys(draft.notCountedByReason) as NoticeReason[]).filter((r) => !REASONS.includes(r))];
  return (
    <form onSubmit={save} noValidate>
      <p>
        In force: <strong>version {base.version}</strong>
        {base.isDefault ? ' (the shipped default, never changed)' : base.createdAt ? `, saved ${dateTime(base.createdAt)}${base.createdBy ? ` by ${base.createdBy}` : ''}` : ''}.
        A voter gets a notice only on the channels ticked here that they also chose.
      </p>
      <section aria-labelledby="tr-n-h">
        <h2 id="tr-n-h">Channels for each notice</h2>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Channels each notice is sent on</caption>
            <thead>
              <tr><th scope="col">Notice</th>{CHANNELS.map((c) => <th scope="col" key={c}>{CHANNEL_NAMES[c]}</th>)}<th scope="col">Sent on</th></tr>
            </thead>
            <tbody>
              {KINDS.map((k) => (
                <tr key={k}>
                  <th scope="row">{KIND_NAMES[k]}<br /><small><code>{k}</code></small></th>
                  {CHANNELS.map((c) => (
                    <td key={c}><CellCheck name={`${k} by ${c}`} checked={draft.notices[k].includes(c)} onChecked={(on) => setNotice(k, c, on)} /></td>
                  ))}
                  <td>{channelList(draft.notices[k])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="tr-r-h">
        <h2 id="tr-r-h">“Not counted” by reason</h2>
        <p>
          A reason with channels of its own replaces the “Not counted” row above for that reason; the others follow it.
          Untick every channel to tell a reason by letter or staff call only (as for a voter recorded as deceased).
        </p>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Channels of the not-counted notice for each reason</caption>
            <thead>
              <tr><th scope="col">Reason</th><th scope="col">Own channels</th>{CHANNELS.map((c) => <th scope="col" key={c}>{CHANNEL_NAMES[c]}</th>)}<th scope="col">Sent on</th></tr>
            </thead>
            <tbody>
              {reasons.map((r) => {
                const own = draft.notCountedByReason[r];
                const effective = own ?? general;
                return (
                  <tr key={r}>
                    <th scope="row">{REASON_NAMES[r] ?? r}<br /><small><code>{r}</code></small></th>
                    <td><CellCheck name={`${r}: own channels`} checked={own !== undefined} onChecked={(on) => setOwn(r, on)} /></td>
                    {CHANNELS.map((c) => (
                      <td key={c}>
                        <CellCheck name={`not-counted ${r} by ${c}`} checked={effective.includes(c)} disabled={own === undefined} onChecked={(on) => setReason(r, c, on)} />
                      </td>
                    ))}
                    <td>{channelList(effective)}{own === undefined ? ' (as “Not counted”)' : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      <div class="actions">
        <button type="submit" disabled={busy || !dirty}>{busy ? 'Saving…' : 'Save as a new version'}</button>
        <button type="button" class="secondary" disabled={busy || !dirty} onClick={() => { setDraft(base.config); setError(undefined); }}>Undo changes</button>
      </div>
      <p>{dirty ? 'You have unsaved changes.' : 'No unsaved changes.'}</p>
      {saved !== undefined ? <Live kind="success">Saved as version {saved}. Notices sent from now on follow it.</Live> : null}
      <Problems error={error} title="Not saved:" />
    </form>
  );
}

// ---------- templates ----------

interface TemplateView {
  kind: NoticeKind; channel: Channel; language: Language; reason?: NoticeReason; version: number;
  subject?: string; body: string; source: 'default' | 'state'; createdBy: string | null; createdAt: string | null;
}
interface ServedTemplate {
  kind: NoticeKind; channel: Channel; language: Language; reason?: NoticeReason;
  fellBackToEnglish: boolean; reasonSpecific?: boolean; template: TemplateView | null;
}
interface MissingTemplate { kind: NoticeKind; channel: Channel; reason?: NoticeReason }
interface MissingAnswer { missing: Partial<Record<Language, MissingTemplate[]>>; counts: Partial<Record<Language, number>> }
interface PreviewAnswer {
  template: { source: 'draft' | 'default' | 'state'; version?: number; fellBackToEnglish: boolean; reasonSpecific: boolean; language: Language };
  county: { county: string | null; configured: boolean };
  subject?: string;
  text: string;
  values: Record<string, string>;
  sms?: { segments: number; encoding: string; nonGsmCharacters: string[]; maxSegments: number; withinLimit: boolean };
  voice?: { sayLanguage: string; voice: string; fellBackToEnglish: boolean };
  problems: FieldProblem[];
  warnings: string[];
}
interface CountyRecord { county: string; override: CountyOverride; updatedBy: string; updatedAt: string }

interface Selection { kind: NoticeKind; channel: Channel; language: Language; reason: NoticeReason | '' }
const selKey = (s: Selection) => `${s.kind}/${s.channel}/${s.language}/${s.reason}`;
const templateField = (f: string) => (f.endsWith('.subject') ? 'Subject' : f.endsWith('.body') ? 'Text' : f);

export function TemplatesPage({ me }: { me: Me }) {
  return <StateAdminOnly me={me}><Templates /></StateAdminOnly>;
}

function Templates() {
  const [sel, setSel] = useState<Selection>({ kind: 'mailed', channel: 'email', language: 'en', reason: '' });
  const missing = useAsync(() => staffApi<MissingAnswer>('/api/admin/notify/templates/missing'), []);
  const editorHeading = useRef<HTMLHeadingElement>(null);
  const pick = (m: MissingTemplate, language: Language) => {
    setSel({ kind: m.kind, channel: m.channel, language, reason: m.reason ?? '' });
    editorHeading.current?.scrollIntoView({ block: 'start' });
    editorHeading.current?.focus();
  };
  return (
    <>
      <TemplateEditor sel={sel} setSel={setSel} headingRef={editorHeading} onSaved={missing.reload} />
      <section aria-labelledby="mt-h">
        <h2 id="mt-h">Missing translations</h2>
        <p>A notice with no text in a voter's language goes out in English. Choose one to write its translation in the editor above.</p>
        {missing.error ? <ErrorBox error={missing.error} /> : !missing.data ? <Loading /> : <MissingList data={missing.data} onPick={pick} />}
      </section>
    </>
  );
}

function MissingList({ data, onPick }: { data: MissingAnswer; onPick: (m: MissingTemplate, language: Language) => void }) {
  const english = data.missing.en ?? [];
  return (
    <>
      {english.length ? (
        <div class="alert error">
          <strong>English lacks {num(english.length)} texts.</strong> These notices cannot be sent at all until they have one.
        </div>
      ) : null}
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Missing texts per language</caption>
          <thead><tr><th scope="col">Language</th><th scope="col" class="num">Missing texts</th></tr></thead>
          <tbody>
            {LANGUAGES.map((l) => (
              <tr key={l}><th scope="row">{LANGUAGE_NAMES[l]} ({l})</th><td class="num">{num(data.counts[l] ?? data.missing[l]?.length ?? 0)}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      {LANGUAGES.filter((l) => (data.missing[l] ?? []).length > 0).map((l) => {
        const items = data.missing[l] ?? [];
        return (
          <details key={l}>
            <summary>{LANGUAGE_NAMES[l]}: {num(items.length)} missing</summary>
            <ul>
              {items.map((m) => (
                <li key={`${m.kind}/${m.channel}/${m.reason ?? ''}`}>
                  <button type="button" class="secondary" onClick={() => onPick(m, l)}>
                    {KIND_NAMES[m.kind] ?? m.kind} · {CHANNEL_NAMES[m.channel] ?? m.channel}{m.reason ? ` · ${REASON_NAMES[m.reason] ?? m.reason}` : ''}
                    <span class="visually-hidden"> in {LANGUAGE_NAMES[l]}: edit</span>
                  </button>
                </li>
              ))}
            </ul>
          </details>
        );
      })}
    </>
  );
}

function TemplateEditor(props: { sel: Selection; setSel: (s: Selection) => void; headingRef: { current: HTMLHeadingElement | null }; onSaved: () => void }) {
  const { sel, setSel } = props;
  const key = selKey(sel);
  const served = useAsync(
    () => staffApi<{ templates: ServedTemplate[] }>(`/api/admin/notify/templates?${new URLSearchParams({ kind: sel.kind, channel: sel.channel, language: sel.language })}`),
    [sel.kind, sel.channel, sel.language],
  );
  const counties = useAsync(() => staffApi<{ counties: CountyRecord[] }>('/api/admin/notify/counties'), []);
  const [county, setCounty] = useState('');

  // The served rows of this kind, channel and language: the general text and any reason's own text.
  const rows = served.data?.templates.filter((t) => t.kind === sel.kind && t.channel === sel.channel && t.language === sel.language);
  const current = rows?.find((t) => (t.reason ?? '') === sel.reason) ?? rows?.find((t) => t.reason === undefined);
  const orig = current?.template ?? null;

  const [draft, setDraft] = useState<{ key: string; subject: string; body: string }>();
  useEffect(() => {
    if (current) setDraft({ key, subject: orig?.subject ?? '', body: orig?.body ?? '' });
  }, [served.data, key]);
  const ready = draft !== undefined && draft.key === key;
  const dirty = ready && (draft.body !== (orig?.body ?? '') || (sel.channel === 'email' && draft.subject !== (orig?.subject ?? '')));
  const ownText = !!current && !current.fellBackToEnglish && (sel.reason === '' || current.reason === sel.reason);

  // ---- live preview, 300 ms after the last change ----
  const [preview, setPreview] = useState<{ key: string; answer?: PreviewAnswer; error?: unknown }>();
  const [placeholders, setPlaceholders] = useState<{ kind: NoticeKind; channel: Channel; values: Record<string, string> }>();
  const [previewing, setPreviewing] = useState(false);
  const seq = useRef(0);
  useEffect(() => {
    if (!ready || !draft.body.trim()) return;
    const n = ++seq.current;
    const timer = setTimeout(() => {
      setPreviewing(true);
      const body = {
        kind: sel.kind, channel: sel.channel, language: sel.language,
        ...(sel.reason ? { reason: sel.reason } : {}),
        ...(county ? { county } : {}),
        template: { ...(sel.channel === 'email' ? { subject: draft.subject } : {}), body: draft.body },
      };
      staffApi<PreviewAnswer>('/api/admin/notify/templates/preview', { method: 'POST', body }).then(
        (answer) => {
          if (n !== seq.current) return;
          setPreview({ key, answer });
          setPlaceholders({ kind: sel.kind, channel: sel.channel, values: answer.values });
        },
        (error: unknown) => { if (n === seq.current) setPreview({ key, error }); },
      ).finally(() => { if (n === seq.current) setPreviewing(false); });
    }, 300);
    return () => clearTimeout(timer);
  }, [ready, key, draft?.subject, draft?.body, county]);

  // ---- saving ----
  const [saved, setSaved] = useState<{ text: string; warnings: string[] }>();
  const [saveError, setSaveError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function save(e: Event) {
    e.preventDefault();
    if (!draft) return;
    setSaveError(undefined); setSaved(undefined); setBusy(true);
    try {
      const body = {
        kind: sel.kind, channel: sel.channel, language: sel.language,
        ...(sel.reason ? { reason: sel.reason } : {}),
        ...(sel.channel === 'email' ? { subject: draft.subject } : {}),
        body: draft.body,
      };
      const r = await staffApi<{ template: TemplateView; warnings: string[] }>('/api/admin/notify/templates', { method: 'POST', body });
      setSaved({
        text: `Saved ${LANGUAGE_NAMES[r.template.language]} “${KIND_NAMES[r.template.kind]}” ${CHANNEL_NAMES[r.template.channel].toLowerCase()}${r.template.reason ? ` for “${REASON_NAMES[r.template.reason]}”` : ''} as version ${r.template.version}. It applies to every message not yet sent.`,
        warnings: r.warnings,
      });
      served.reload();
      props.onSaved();
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  }

  const change = (s: Partial<Selection>) => {
    const next = { ...sel, ...s };
    if (!REASON_SPECIFIC_KINDS.includes(next.kind)) next.reason = '';
    setSaved(undefined); setSaveError(undefined);
    setSel(next);
  };

  const bodyId = useId('tpl-body');
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const insert = (name: string) => {
    if (!draft) return;
    const text = `{{${name}}}`;
    const ta = bodyRef.current;
    const start = ta?.selectionStart ?? draft.body.length;
    const end = ta?.selectionEnd ?? start;
    setDraft({ ...draft, body: draft.body.slice(0, start) + text + draft.body.slice(end) });
    requestAnimationFrame(() => { ta?.focus(); ta?.setSelectionRange(start + text.length, start + text.length); });
  };

  const answer = preview?.key === key ? preview.answer : undefined;
  const previewError = preview?.key === key ? preview.error : undefined;
  const shownValues = placeholders && placeholders.kind === sel.kind && placeholders.channel === sel.channel ? placeholders.values : undefined;
  const lang = LANGUAGE_NAMES[sel.language];

  return (
    <section aria-labelledby="te-h">
      <h2 id="te-h" ref={props.headingRef} tabIndex={-1}>Edit a template</h2>
      <div class="panel">
        <div class="grid">
          <Select label="Notice" value={sel.kind} onValue={(v) => change({ kind: v as NoticeKind })} options={KINDS.map((k) => ({ value: k, label: KIND_NAMES[k] }))} />
          <Select label="Channel" value={sel.channel} onValue={(v) => change({ channel: v as Channel })} options={CHANNELS.map((c) => ({ value: c, label: CHANNEL_NAMES[c] }))} />
          <Select label="Language" value={sel.language} onValue={(v) => change({ language: v as Language })} options={LANGUAGES.map((l) => ({ value: l, label: `${LANGUAGE_NAMES[l]} (${l})` }))} />
          {REASON_SPECIFIC_KINDS.includes(sel.kind) ? (
            <Select
              label="Reason" hint="A reason may have a text of its own; the others get the general text."
              value={sel.reason} onValue={(v) => change({ reason: v as NoticeReason | '' })}
              options={[{ value: '', label: 'Any reason (the general text)' }, ...REASONS.map((r) => ({ value: r, label: REASON_NAMES[r] }))]}
            />
          ) : null}
        </div>
      </div>

      {served.error ? <ErrorBox error={served.error} /> : !ready || !current ? <Loading label="Loading the template…" /> : (
        <>
          {current.fellBackToEnglish ? (
            <div class="alert warn">
              <strong>No {lang} text yet.</strong> {lang}-speaking voters get the English text{orig ? ` (version ${orig.version})` : ''}, shown below for you to translate. Saving creates the first {lang} version.
            </div>
          ) : sel.reason && current.reason !== sel.reason ? (
            <div class="alert warn">
              <strong>No text of its own for “{REASON_NAMES[sel.reason]}”.</strong> These voters get the general text, shown below. Saving creates a text for this reason only.
            </div>
          ) : null}
          {orig ? (
            <dl class="facts">
              <dt>Served now</dt>
              <dd>{LANGUAGE_NAMES[orig.language]} version {orig.version}{orig.reason ? ` for “${REASON_NAMES[orig.reason]}”` : ''}</dd>
              <dt>Written by</dt>
              <dd>{orig.source === 'default' ? 'Shipped default' : `${orig.createdBy ?? 'unknown'}${orig.createdAt ? `, ${dateTime(orig.createdAt)}` : ''}`}</dd>
              <dt>Fell back to English</dt>
              <dd>{current.fellBackToEnglish ? 'Yes' : 'No'}</dd>
            </dl>
          ) : <p>There is no text for this notice in {lang} or English.</p>}

          <form onSubmit={save} noValidate>
            <div class="grid">
              <div>
                <h3>Text</h3>
                {sel.channel === 'email' ? (
                  <Field label="Subject" hint="At most 78 characters once the placeholders are filled in." value={draft.subject} onValue={(v) => setDraft({ ...draft, subject: v })} />
                ) : null}
                <div class="field">
                  <label for={bodyId}>{sel.channel === 'email' ? 'Email body' : sel.channel === 'sms' ? 'Text message' : 'What the call says'}</label>
                  <p class="hint" id={`${bodyId}-hint`}>
                    Placeholders in double braces, such as {'{{countyName}}'}.{' '}
                    {sel.channel === 'sms' ? 'A text message must say how to opt out with STOP.' : sel.channel === 'email' ? 'An email must carry the {{unsubscribeUrl}} link.' : 'A call should stay under about a minute (900 characters).'}
                  </p>
                  <textarea
                    id={bodyId} ref={bodyRef} rows={12} lang={sel.language} value={draft.body} aria-describedby={`${bodyId}-hint`}
                    onInput={(e) => setDraft({ ...draft, body: (e.currentTarget as HTMLTextAreaElement).value })}
                  />
                </div>
                <div class="actions">
                  <button type="submit" disabled={busy || !draft.body.trim() || (ownText && !dirty)}>{busy ? 'Saving…' : 'Save as a new version'}</button>
                  <button type="button" class="secondary" disabled={busy || !dirty} onClick={() => setDraft({ key, subject: orig?.subject ?? '', body: orig?.body ?? '' })}>Undo changes</button>
                </div>
                <p>{dirty ? 'You have unsaved changes.' : ownText ? 'No changes to save.' : 'Not saved in this language or for this reason yet.'}</p>
                {saved ? (
                  <Live kind="success">
                    {saved.text}
                    {saved.warnings.length ? <ul>{saved.warnings.map((w) => <li key={w}>{w}</li>)}</ul> : null}
                  </Live>
                ) : null}
                <Problems error={saveError} title="Not saved:" label={templateField} />
              </div>
              <div>
                <h3>Preview for a sample ballot</h3>
                {counties.data && counties.data.counties.length ? (
                  <Select
                    label="In the words of" value={county} onValue={setCounty}
                    options={[{ value: '', label: 'A sample county' }, ...counties.data.counties.map((c) => ({ value: c.county, label: c.override.displayName }))]}
                  />
                ) : null}
                <p class="hint">{previewing ? 'Updating the preview…' : 'The preview follows your text as you type.'}</p>
                <div aria-live="polite">
                  {!draft.body.trim() ? <p>Write the text to see a preview.</p> : null}
                  {previewError ? <PreviewError error={previewError} /> : null}
                  {answer && draft.body.trim() ? <PreviewView answer={answer} /> : null}
                </div>
              </div>
            </div>
          </form>

          <h3>Placeholders</h3>
          {shownValues ? (
            <>
              <p>The placeholders a {KIND_NAMES[sel.kind].toLowerCase()} {CHANNEL_NAMES[sel.channel].toLowerCase()} may use, with the sample ballot's values.</p>
              <div class="table-wrap">
                <table>
                  <thead><tr><th scope="col">Placeholder</th><th scope="col">Sample value</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
                  <tbody>
                    {Object.entries(shownValues).map(([name, value]) => (
                      <tr key={name}>
                        <th scope="row"><code>{`{{${name}}}`}</code></th>
                        <td>{value}</td>
                        <td><button type="button" class="secondary" onClick={() => insert(name)}>Insert<span class="visually-hidden"> {`{{${name}}}`} into the text</span></button></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : <p>The list appears with the first preview.</p>}
        </>
      )}
    </section>
  );
}

/** A draft that cannot be rendered: inside the polite preview region, so not role=alert (it changes as one types). */
function PreviewError({ error }: { error: unknown }) {
  const list = fieldProblems(error);
  const e = error as Error;
  return (
    <div class="alert error">
      <strong>The preview cannot be shown:</strong>
      {list.length ? <ul>{list.map((p, i) => <li key={i}>{templateField(p.field)}: {p.message}</li>)}</ul> : <> {e instanceof ApiError ? e.detail || e.title : e.message}</>}
    </div>
  );
}

function PreviewView({ answer }: { answer: PreviewAnswer }) {
  const lang = answer.template.language;
  return (
    <>
      {answer.subject !== undefined ? <p><strong>Subject:</strong> <span lang={lang}>{answer.subject}</span></p> : null}
      <pre class="preview" lang={lang}>{answer.text}</pre>
      {answer.sms ? (
        <p>
          <strong>SMS segments:</strong> {answer.sms.segments} of at most {answer.sms.maxSegments} ({answer.sms.encoding})
          {answer.sms.withinLimit ? ' — within the limit.' : ' — over the limit.'}
          {answer.sms.nonGsmCharacters.length ? ` Characters outside GSM-7: ${answer.sms.nonGsmCharacters.join(' ')}` : ''}
          {' '}Counted with the sample values; saving checks the longest possible ones.
        </p>
      ) : null}
      {answer.voice ? (
        <p><strong>Read by:</strong> {answer.voice.voice} ({answer.voice.sayLanguage}){answer.voice.fellBackToEnglish ? ', in English: there is no voice for this language.' : ''}</p>
      ) : null}
      {answer.problems.length ? (
        <div class="alert error">
          <strong>This draft cannot be saved yet:</strong>
          <ul>{answer.problems.map((p, i) => <li key={i}>{templateField(p.field)}: {p.message}</li>)}</ul>
        </div>
      ) : null}
      {answer.warnings.length ? (
        <div class="alert warn">
          <strong>Note:</strong>
          <ul>{answer.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
        </div>
      ) : null}
    </>
  );
}

// ---------- counties ----------

const COUNTY_SLUG = /^[a-z]+(-[a-z]+)*$/;

export function CountiesPage({ me, county }: { me: Me; county?: string | undefined }) {
  if (county && me.role === 'county-manager' && me.county === county) return <CountyEdit key={county} county={county} readOnly />;
  return (
    <StateAdminOnly me={me}>
      {county ? <CountyEdit key={county} county={county} readOnly={false} /> : <CountyList />}
    </StateAdminOnly>
  );
}

function CountyList() {
  const list = useAsync(() => staffApi<{ counties: CountyRecord[] }>('/api/admin/notify/counties'), []);
  return (
    <>
      <section aria-labelledby="cl-h">
        <h2 id="cl-h">Configured counties</h2>
        <p>Messages come from the county: its name, phone, links and senders. A county with no settings cannot send its voters notices that reach anyone.</p>
        {list.error ? <ErrorBox error={list.error} /> : !list.data ? <Loading /> : list.data.counties.length === 0 ? <p>No county is configured yet.</p> : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr><th scope="col">County</th><th scope="col">Name in messages</th><th scope="col">Phone</th><th scope="col">Website</th><th scope="col">Last changed</th></tr>
              </thead>
              <tbody>
                {list.data.counties.map((c) => (
                  <tr key={c.county}>
                    <th scope="row"><a href={href('admin', 'counties', c.county)}>{c.county}</a></th>
                    <td>{c.override.displayName}</td>
                    <td>{c.override.phone}</td>
                    <td>{c.override.websiteUrl}</td>
                    <td>{dateTime(c.updatedAt)} by {c.updatedBy}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="cn-h">
        <h2 id="cn-h">Add a county</h2>
        <CountyForm initial={null} readOnly={false} onSaved={list.reload} />
      </section>
    </>
  );
}

function CountyEdit({ county, readOnly }: { county: string; readOnly: boolean }) {
  const rec = useAsync(
    () => staffApi<CountyRecord>(`/api/admin/notify/counties/${enc(county)}`).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
    [county],
  );
  return (
    <section aria-labelledby="ce-h">
      <p><a href={href('admin', 'counties')}>All counties</a></p>
      <h2 id="ce-h">Settings of {county}</h2>
      {rec.error ? <ErrorBox error={rec.error} /> : rec.data === undefined ? <Loading /> : (
        <>
          {rec.data ? <p>Last changed {dateTime(rec.data.updatedAt)} by {rec.data.updatedBy}.</p> : <Live>{county} has no settings yet: saving this form creates them.</Live>}
          {readOnly ? <p>Only the Secretary of State's administrators can change these settings.</p> : null}
          <CountyForm county={county} initial={rec.data?.override ?? null} readOnly={readOnly} />
        </>
      )}
    </section>
  );
}

interface CountyDraft {
  county: string; displayName: string; displayNameEs: string; phone: string; websiteUrl: string; lookupUrl: string; cureFormUrl: string;
  fromName: string; fromAddress: string; smsNumbers: string; callerId: string;
}

function draftOf(county: string, o: CountyOverride | null): CountyDraft {
  return {
    county, displayName: o?.displayName ?? '', displayNameEs: o?.displayNameByLanguage.es ?? '', phone: o?.phone ?? '',
    websiteUrl: o?.websiteUrl ?? '', lookupUrl: o?.lookupUrl ?? '', cureFormUrl: o?.cureFormUrl ?? '',
    fromName: o?.sender.email.fromName ?? '', fromAddress: o?.sender.email.fromAddress ?? '',
    smsNumbers: o?.sender.sms.numbers.join(', ') ?? '', callerId: o?.sender.voice.callerId ?? '',
  };
}

function CountyForm(props: { county?: string; initial: CountyOverride | null; readOnly: boolean; onSaved?: () => void }) {
  const [d, setD] = useState<CountyDraft>(draftOf(props.county ?? '', props.initial));
  const [idError, setIdError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof CountyDraft) => (v: string) => setD({ ...d, [k]: v });
  const problems = fieldProblems(error);
  /** The message of the first problem at `path` of the body (or under it: `sender.sms.numbers.1`). */
  const err = (path: string): string | undefined => {
    const p = problems.find((x) => x.field === `body.${path}` || x.field.startsWith(`body.${path}.`));
    if (!p) return undefined;
    const index = /\.(\d+)$/.exec(p.field.slice(`body.${path}`.length))?.[1];
    return index !== undefined ? `Number ${Number(index) + 1}: ${p.message}` : p.message;
  };

  async function save(e: Event) {
    e.preventDefault();
    setError(undefined); setSaved(undefined); setIdError(undefined);
    const county = (props.county ?? d.county).trim();
    if (!COUNTY_SLUG.test(county)) {
      setIdError(county ? 'must be a lowercase county slug such as "fresno" or "san-luis-obispo"' : 'Enter the county id.');
      return;
    }
    // Names in languages this form does not show are kept as they were.
    const { es: _es, ...otherNames } = props.initial?.displayNameByLanguage ?? {};
    const es = d.displayNameEs.trim();
    const body = {
      county,
      displayName: d.displayName.trim(),
      displayNameByLanguage: { ...otherNames, ...(es ? { es } : {}) },
      phone: d.phone.trim(),
      websiteUrl: d.websiteUrl.trim(),
      lookupUrl: d.lookupUrl.trim(),
      cureFormUrl: d.cureFormUrl.trim(),
      sender: {
        email: { fromName: d.fromName.trim(), fromAddress: d.fromAddress.trim() },
        sms: { numbers: d.smsNumbers.split(',').map((n) => n.trim()).filter(Boolean) },
        voice: { callerId: d.callerId.trim() },
      },
    };
    setBusy(true);
    try {
      await staffApi<CountyRecord>(`/api/admin/notify/counties/${enc(county)}`, { method: 'PUT', body });
      setSaved(county);
      props.onSaved?.();
    } catch (ex) {
      setError(ex);
    } finally {
      setBusy(false);
    }
  }

  const urlHint = 'An https:// link on a public domain, at most 60 characters (it goes into text messages; use a short link).';
  return (
    <form onSubmit={save} noValidate>
      <fieldset disabled={props.readOnly || busy}>
        <legend>County</legend>
        <div class="grid">
          {props.county === undefined ? (
            <Field
              label="County id" required value={d.county} onValue={set('county')} autoComplete="off"
              hint={'Lower case, words joined by hyphens: "fresno", "los-angeles", "san-luis-obispo".'}
              error={idError ?? (problems.find((p) => p.field === 'params.county' || p.field === 'body.county')?.message)}
            />
          ) : null}
          <Field label="Name in messages" required value={d.displayName} onValue={set('displayName')} error={err('displayName')} hint={'E.g. "Fresno County Elections". At most 32 characters and no accented letters: it starts every text message.'} />
          <Field label="Name in Spanish messages (optional)" value={d.displayNameEs} onValue={set('displayNameEs')} error={err('displayNameByLanguage')} hint={'E.g. "Elecciones del Condado de Fresno". At most 32 characters; á, í, ó and ú are refused (they double the cost of every text message). Without it, the name above is used.'} />
        </div>
      </fieldset>
      <fieldset disabled={props.readOnly || busy}>
        <legend>Phone and links voters get</legend>
        <div class="grid">
          <Field label="Elections office phone" type="tel" required value={d.phone} onValue={set('phone')} error={err('phone')} hint="E.164: + and country code, digits only, e.g. +15596008683." />
          <Field label="Website" required value={d.websiteUrl} onValue={set('websiteUrl')} error={err('websiteUrl')} hint={urlHint} />
          <Field label="Ballot lookup page" required value={d.lookupUrl} onValue={set('lookupUrl')} error={err('lookupUrl')} hint={`Where a voter looks up their ballot without an account. ${urlHint}`} />
          <Field label="Cure form page" required value={d.cureFormUrl} onValue={set('cureFormUrl')} error={err('cureFormUrl')} hint={`The county's signature cure forms, e.g. https://www.sccvote.org/cure. ${urlHint}`} />
        </div>
      </fieldset>
      <fieldset disabled={props.readOnly || busy}>
        <legend>Senders</legend>
        <div class="grid">
          <Field label="Email sender name" required value={d.fromName} onValue={set('fromName')} error={err('sender.email.fromName')} hint={'E.g. "Fresno County Elections". At most 64 characters; no line breaks, <, > or ".'} />
          <Field label="Email sender address" type="email" required value={d.fromAddress} onValue={set('fromAddress')} error={err('sender.email.fromAddress')} hint="E.g. elections@fresnocountyca.gov." />
          <Field label="SMS sending numbers" required value={d.smsNumbers} onValue={set('smsNumbers')} error={err('sender.sms.numbers')} hint="E.164 numbers separated by commas, e.g. +15596008684, +15596008685. Each sends about one message a second: more numbers send faster." />
          <Field label="Voice caller ID" type="tel" required value={d.callerId} onValue={set('callerId')} error={err('sender.voice.callerId')} hint="The E.164 number voters see when called, e.g. +15596008683." />
        </div>
      </fieldset>
      {props.readOnly ? null : (
        <div class="actions"><button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save settings'}</button></div>
      )}
      {saved ? (
        <Live kind="success">
          Saved the settings of {saved}: messages from now on use them.
          {props.county === undefined ? <> <a href={href('admin', 'counties', saved)}>Open the settings of {saved}</a>.</> : null}
        </Live>
      ) : null}
      <Problems error={error} title="Not saved:" />
    </form>
  );
}

// ---------- audit ----------

interface AuditEntry {
  id: string; at: string; actor: string; role: string | null; county: string | null; action: string;
  target: string | null; requestId: string | null; result: string; detail: unknown;
}
interface AuditQuery { fromDate: string; toDate: string; county: string }

const PAGE_SIZE = 100;
/** The API's largest page: the CSV is fetched in pages this size and joined. */
const CSV_PAGE_SIZE = 50_000;

/** Today's date in California (the counties' day), e.g. "2026-11-23". */
function pacificToday(ms = Date.now()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The instant a California day starts, with its offset: "2026-11-16T00:00:00-08:00" (PST) or "-07:00" (PDT). */
function pacificMidnight(date: string): string {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
  for (const offset of ['-08:00', '-07:00']) {
    const iso = `${date}T00:00:00${offset}`;
    const parts = fmt.formatToParts(new Date(iso));
    const part = (t: string) => parts.find((p) => p.type === t)?.value;
    if (`${part('year')}-${part('month')}-${part('day')}` === date && part('hour') === '00') return iso;
  }
  return `${date}T00:00:00-08:00`;
}

function auditUrl(q: AuditQuery, format: 'json' | 'csv', limit: number, after?: string): string {
  const p = new URLSearchParams({ from: pacificMidnight(q.fromDate), to: pacificMidnight(addDays(q.toDate, 1)), format, limit: String(limit) });
  if (q.county) p.set('county', q.county);
  if (after) p.set('after', after);
  return `/api/admin/audit?${p}`;
}

/** One CSV page and the X-Next-After header (apiText gives the text only). Same credential and errors as staffApi. */
async function csvPage(url: string): Promise<{ text: string; next: string | null }> {
  const credential = staffCredential.get();
  const r = await fetch(url, { headers: { Accept: 'text/csv', ...(credential ? { Authorization: `Bearer ${credential}` } : {}) } });
  if (!r.ok) {
    let body: Record<string, unknown> = {};
    try {
      body = (await r.json()) as Record<string, unknown>;
    } catch {
      // not JSON: the status says enough
    }
    throw new ApiError(r.status, String(body.title ?? r.statusText), String(body.detail ?? ''), body);
  }
  return { text: await r.text(), next: r.headers.get('X-Next-After') };
}

export function AuditPage({ me }: { me: Me }) {
  return <StateAdminOnly me={me}><Audit /></StateAdminOnly>;
}

function Audit() {
  const today = pacificToday();
  const [form, setForm] = useState<AuditQuery>({ fromDate: addDays(today, -6), toDate: today, county: '' });
  const [formErrors, setFormErrors] = useState<Partial<Record<keyof AuditQuery, string>>>({});
  const [query, setQuery] = useState<AuditQuery>(form);
  /** The `after` of each page shown so far: the last is the current page's; none for the first page. */
  const [afters, setAfters] = useState<string[]>([]);
  const after = afters[afters.length - 1];
  const page = useAsync(() => staffApi<{ entries: AuditEntry[]; next?: string }>(auditUrl(query, 'json', PAGE_SIZE, after)), [query, after]);
  const [csv, setCsv] = useState<{ busy?: boolean; status?: string; error?: unknown }>({});

  function search(e: Event) {
    e.preventDefault();
    const errors: Partial<Record<keyof AuditQuery, string>> = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(form.fromDate)) errors.fromDate = 'Enter the first day.';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(form.toDate)) errors.toDate = 'Enter the last day.';
    else if (!errors.fromDate && form.toDate < form.fromDate) errors.toDate = 'The last day must not be before the first.';
    const county = form.county.trim();
    if (county && !COUNTY_SLUG.test(county)) errors.county = 'must be a lowercase county slug such as "fresno" or "san-luis-obispo"';
    setFormErrors(errors);
    if (Object.keys(errors).length) return;
    setAfters([]);
    setCsv({});
    setQuery({ ...form, county });
  }

  async function downloadCsv() {
    setCsv({ busy: true, status: 'Preparing the CSV…' });
    try {
      let text = '';
      let next: string | undefined;
      let pages = 0;
      do {
        const r = await csvPage(auditUrl(query, 'csv', CSV_PAGE_SIZE, next));
        // Every page starts with the header line: keep the first page's only.
        text += pages === 0 ? r.text : r.text.slice(r.text.indexOf('\n') + 1);
        next = r.next ?? undefined;
        pages += 1;
        if (next) setCsv({ busy: true, status: `Preparing the CSV: ${num(pages * CSV_PAGE_SIZE)} entries so far…` });
      } while (next);
      download(`ballotflow-audit-${query.fromDate}-to-${query.toDate}${query.county ? `-${query.county}` : ''}.csv`, text);
      setCsv({ status: 'The CSV of every entry in this range was downloaded.' });
    } catch (error) {
      setCsv({ error });
    }
  }

  const entries = page.data?.entries ?? [];
  const first = afters.length * PAGE_SIZE + 1;
  const range = `${query.fromDate} to ${query.toDate}${query.county ? `, ${query.county}` : ', all counties'}`;
  return (
    <>
      <form class="panel" onSubmit={search} noValidate>
        <h2>Find entries</h2>
        <p>Days are California days (Pacific time), both included. Oldest entries first. Every export is itself recorded in the log.</p>
        <div class="grid">
          <Field label="From" type="date" required value={form.fromDate} onValue={(v) => setForm({ ...form, fromDate: v })} error={formErrors.fromDate} />
          <Field label="To" type="date" required value={form.toDate} onValue={(v) => setForm({ ...form, toDate: v })} error={formErrors.toDate} />
          <Field label="County (optional)" value={form.county} onValue={(v) => setForm({ ...form, county: v })} error={formErrors.county} hint={'E.g. "fresno"; leave empty for all counties and the state.'} />
        </div>
        <div class="actions"><button type="submit">Show entries</button></div>
      </form>

      <section aria-labelledby="al-h">
        <h2 id="al-h">Entries, {range}</h2>
        <div class="actions">
          <button type="button" class="secondary" onClick={() => void downloadCsv()} disabled={csv.busy}>Download CSV (every entry in this range)</button>
        </div>
        {csv.status ? <Live kind={csv.busy ? 'info' : 'success'}>{csv.status}</Live> : null}
        <ErrorBox error={csv.error} title="The CSV could not be downloaded:" />
        {page.error ? <ErrorBox error={page.error} /> : !page.data ? <Loading /> : (
          <>
            {page.loading ? <Loading label="Loading entries…" /> : (
              <p role="status">{entries.length ? `Entries ${num(first)}–${num(first + entries.length - 1)}${page.data.next ? '; there are more' : ''}.` : afters.length ? 'No more entries.' : 'No entries in this range.'}</p>
            )}
            {entries.length ? (
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Audit entries {num(first)} to {num(first + entries.length - 1)}, {range}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Time (Pacific)</th><th scope="col">Actor</th><th scope="col">Role</th><th scope="col">County</th>
                      <th scope="col">Action</th><th scope="col">Target</th><th scope="col">Result</th>
                    </tr>
                  </thead>
                  <tbody>
                    {entries.map((a) => (
                      <tr key={a.id}>
                        <th scope="row"><time dateTime={a.at}>{dateTime(a.at, true)}</time></th>
                        <td>{a.actor}</td>
                        <td>{a.role ?? '(none)'}</td>
                        <td>{a.county ?? '(none)'}</td>
                        <td>{a.action}</td>
                        <td>{a.target || '(none)'}</td>
                        <td>{a.result}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            <div class="actions">
              {afters.length ? <button type="button" class="secondary" disabled={page.loading} onClick={() => setAfters(afters.slice(0, -1))}>Previous page</button> : null}
              {page.data.next ? <button type="button" disabled={page.loading} onClick={() => setAfters([...afters, page.data!.next!])}>Next page</button> : null}
            </div>
          </>
        )}
      </section>
    </>
  );
}

/**
 * The vendor's deadlines: every open vendor deliverable across the elections of its contracts, soonest first, with
 * "Mark delivered" and "File a delay notice"; then what was delivered, and when. The API scopes the elections to the
 * vendor's contracts and refuses what the vendor may not do.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { enc, staffApi } from '../lib/api';
import { ErrorBox, Field, Live, Loading, Pill, Select, useAsync } from '../lib/ui';
import {
  apiFieldError, fmtDue, fmtInstant, loadElections, TextArea, type CalendarItem, type ElectionDetail,
} from './contracts';
import { href, type Me } from './shell';

interface Row { election: ElectionDetail; item: CalendarItem }
interface Action { kind: 'deliver' | 'notice'; electionId: string; key: string }

const DELAY_KINDS = [
  { value: 'county-priority', label: 'County priority or allocation, §12(a)' },
  { value: 'force-majeure', label: 'Unforeseen cause beyond our control (force majeure), §12(b)' },
  { value: 'other', label: 'Other' },
];

const PACIFIC = 'America/Los_Angeles';
const NOTICE_ID = /^[A-Za-z0-9._-]{1,60}$/;

/** The Pacific wall-clock parts of an instant. */
function pacificParts(ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: PACIFIC, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const get = (t: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour') % 24, mi: get('minute'), s: get('second') };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Now in Pacific time, as the values of a date and a time input. */
function pacificNow(): { date: string; time: string } {
  const p = pacificParts(Date.now());
  return { date: `${p.y}-${pad(p.mo)}-${pad(p.d)}`, time: `${pad(p.h)}:${pad(p.mi)}` };
}

/** Pacific offset in minutes at an instant (−480 in winter, −420 in summer). */
function pacificOffsetMin(ms: number): number {
  const p = pacificParts(ms);
  return Math.round((Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** A Pacific wall-clock date and time as an ISO 8601 instant with its offset, e.g. 2026-11-23T09:30:00-08:00. */
function pacificIso(date: string, time: string): string {
  const [y = 0, mo = 1, d = 1] = date.split('-').map(Number);
  const [h = 0, mi = 0] = time.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let off = pacificOffsetMin(wall);
  off = pacificOffsetMin(wall - off * 60_000);
  const sign = off <= 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${date}T${pad(h)}:${pad(mi)}:00${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

function newNoticeId(): string {
  const { date } = pacificNow();
  return `DN-${date.replace(/-/g, '')}-${Math.random().toString(36).slice(2, 6).toUpperCase().padEnd(4, '0')}`;
}

const isOpen = (r: Row) => r.election.status === 'active' && !r.item.completedAt && r.item.status !== 'done' && r.item.status !== 'cancelled';
const isDelivered = (r: Row) => !!r.item.completedAt || r.item.status === 'done';
/**
 * A window of per-request deliverables (subsequent mailings, election-day orders): each request is its own line and
 * the window closes by itself. Such windows accrue no damages themselves; windowed deadlines such as UOCAVA do.
 */
const PER_REQUEST_WINDOWS = new Set(['subsequent-mailings', 'election-day-ballots']);
const isWindow = (i: CalendarItem) => !i.parent && (PER_REQUEST_WINDOWS.has(i.key) || (!!i.windowStart && !i.liquidatedDamages));

export function DeadlinesPage({ me }: { me: Me }) {
  const r = useAsync(() => loadElections(''), []);
  const [action, setAction] = useState<Action | null>(null);
  const [message, setMessage] = useState('');
  const trigger = useRef<HTMLElement | null>(null);
  const messageRef = useRef<HTMLDivElement>(null);

  useEffect(() => { if (message) messageRef.current?.focus(); }, [message]);

  const rows: Row[] = (r.data?.elections ?? []).flatMap((election) =>
    election.calendar.filter((item) => item.owner === 'vendor' && item.kind !== 'cutoff').map((item) => ({ election, item })));
  const open = rows.filter(isOpen).sort((a, b) => a.item.dueAtMs - b.item.dueAtMs);
  const delivered = rows.filter((x) => !isOpen(x) && isDelivered(x))
    .sort((a, b) => (b.item.completedAt ?? b.item.dueAt).localeCompare(a.item.completedAt ?? a.item.dueAt));

  function start(kind: Action['kind'], row: Row, e: Event) {
    trigger.current = e.currentTarget as HTMLElement;
    setMessage('');
    setAction({ kind, electionId: row.election.id, key: row.item.key });
  }
  function cancel() {
    setAction(null);
    const t = trigger.current;
    if (t && document.body.contains(t)) t.focus();
  }
  function succeeded(text: string) {
    setAction(null);
    setMessage(text);
    r.reload();
  }

  const current = action ? rows.find((x) => x.election.id === action.electionId && x.item.key === action.key) : undefined;

  return (
    <>
      <section aria-labelledby="open-h">
        <h2 id="open-h">Open deliverables</h2>
        <p>
          {me.role === 'vendor' ? 'Every deliverable of yours' : 'Every vendor deliverable'} not yet done, across the elections of {me.role === 'vendor' ? 'your contracts' : 'the contracts you can see'}, soonest first.
          Times are Pacific. Liquidated damages accrue for each calendar day a deliverable marked "damages" is late.
        </p>
        {r.loading ? <Loading label={r.data ? 'Refreshing deadlines…' : 'Loading deadlines…'} /> : null}
        <ErrorBox error={r.error} title="The elections could not be loaded." />
        {r.data?.failed.map((f) => <ErrorBox key={f.id} error={f.error} title={`Election ${f.id} could not be loaded.`} />)}
        {message ? <div ref={messageRef} tabIndex={-1}><Live kind="success">{message}</Live></div> : null}
        {r.data && r.data.elections.length === 0 ? <p>There are no elections under your contracts.</p> : null}
        {r.data && r.data.elections.length > 0 && open.length === 0 ? <p>Nothing is open: every deliverable is done.</p> : null}
        {open.length > 0 ? (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Open vendor deliverables, soonest due first</caption>
              <thead>
                <tr><th scope="col">Deliverable</th><th scope="col">Election</th><th scope="col">Status</th><th scope="col">Due</th><th scope="col">Actions</th></tr>
              </thead>
              <tbody>
                {open.map((row) => <OpenRow key={`${row.election.id}/${row.item.key}`} row={row} onAction={start} active={action} />)}
              </tbody>
            </table>
          </div>
        ) : null}
        {action && current ? (
          action.kind === 'deliver'
            ? <DeliverForm key={`d/${action.electionId}/${action.key}`} row={current} onDone={succeeded} onCancel={cancel} />
            : <NoticeForm key={`n/${action.electionId}/${action.key}`} row={current} onDone={succeeded} onCancel={cancel} />
        ) : null}
      </section>
      <section aria-labelledby="done-h">
        <h2 id="done-h">Delivered</h2>
        {r.data && delivered.length === 0 ? <p>Nothing has been delivered yet.</p> : null}
        {delivered.length > 0 ? (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Delivered vendor deliverables, most recent first</caption>
              <thead>
                <tr><th scope="col">Deliverable</th><th scope="col">Election</th><th scope="col">Status</th><th scope="col">Due</th><th scope="col">Completed</th><th scope="col">Evidence</th></tr>
              </thead>
              <tbody>
                {delivered.map(({ election, item }) => (
                  <tr key={`${election.id}/${item.key}`}>
                    <th scope="row">{item.name}</th>
                    <td><ElectionLinks election={election} /></td>
                    <td>
                      <Pill status={item.status} />
                      {item.daysLate > 0 ? <><br />{item.daysLate} day{item.daysLate === 1 ? '' : 's'} late</> : null}
                    </td>
                    <td><time dateTime={item.dueAt}>{fmtDue(item.dueAt)}</time></td>
                    <td>
                      {item.completedAt
                        ? <><time dateTime={item.completedAt}>{fmtInstant(item.completedAt)}</time>{item.completedBy ? <><br /><span class="hint">by {item.completedBy}</span></> : null}</>
                        : 'Window closed with every request delivered'}
                    </td>
                    <td>
                      {item.evidence && Object.keys(item.evidence).length
                        ? <ul>{Object.entries(item.evidence).map(([k, v]) => <li key={k}>{k}: {String(v)}</li>)}</ul>
                        : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}

function ElectionLinks({ election }: { election: ElectionDetail }) {
  return (
    <>
      <a href={href('elections', election.id)}>Election {election.electionDate}</a>
      <br />
      <a href={href('contracts', election.contractId)}>Contract {election.contractId.replace(/^contract:[^:]+:/, '')}</a>
    </>
  );
}

function OpenRow({ row, onAction, active }: { row: Row; onAction: (k: Action['kind'], r: Row, e: Event) => void; active: Action | null }) {
  const { election, item } = row;
  const isActive = (k: Action['kind']) => active?.kind === k && active.electionId === election.id && active.key === item.key;
  return (
    <tr>
      <th scope="row">
        {item.name}
        <br /><span class="hint">{item.offsetLabel}{item.liquidatedDamages ? ' · damages apply' : ''}</span>
      </th>
      <td><ElectionLinks election={election} /></td>
      <td>
        <Pill status={item.status} />
        {item.daysLate > 0 ? <><br />{item.daysLate} day{item.daysLate === 1 ? '' : 's'} late</> : null}
        {item.waiver ? <><br />Waiver {item.waiver.decision}</> : null}
      </td>
      <td>
        <time dateTime={item.dueAt}>{fmtDue(item.dueAt)}</time>
        {item.windowStart ? <><br /><span class="hint">window opens {item.windowStart}</span></> : null}
        {item.shift ? <><br /><span class="hint">Moved from {item.baseDueDate}: {item.shift.reason}</span></> : null}
      </td>
      <td>
        {isWindow(item) ? <span class="hint">Each request in this window appears as its own deliverable; the window closes by itself.</span> : (
          <div class="actions">
            <button type="button" aria-expanded={isActive('deliver')} aria-label={`Mark delivered: ${item.name}, election ${election.electionDate}`} onClick={(e) => onAction('deliver', row, e)}>
              Mark delivered
            </button>
            {item.liquidatedDamages ? (
              <button type="button" class="secondary" aria-expanded={isActive('notice')} aria-label={`File a delay notice: ${item.name}, election ${election.electionDate}`} onClick={(e) => onAction('notice', row, e)}>
                File a delay notice
              </button>
            ) : null}
          </div>
        )}
      </td>
    </tr>
  );
}

/** Moves focus to a form's heading when it opens, so keyboard and screen reader users land on it. */
function useFocusOnOpen() {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => { ref.current?.focus(); }, []);
  return ref;
}

function DeliverForm({ row, onDone, onCancel }: { row: Row; onDone: (msg: string) => void; onCancel: () => void }) {
  const { election, item } = row;
  const [reference, setReference] = useState('');
  const [quantity, setQuantity] = useState('');
  const [errors, setErrors] = useState<{ reference?: string; quantity?: string }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnOpen();

  async function submit(ev: Event) {
    ev.preventDefault();
    setError(undefined);
    const errs: { reference?: string; quantity?: string } = {};
    if (reference.length > 2000) errs.reference = 'At most 2,000 characters.';
    if (quantity.trim() && !/^\d+$/.test(quantity.trim())) errs.quantity = 'Enter a whole number, or leave it empty.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const evidence: Record<string, string | number> = {};
    if (reference.trim()) evidence.reference = reference.trim();
    if (quantity.trim()) evidence.quantity = Number(quantity.trim());
    setBusy(true);
    try {
      const r = await staffApi<{ alreadyDone?: boolean }>(`/api/elections/${enc(election.id)}/deliverables/${enc(item.key)}/complete`, {
        method: 'POST',
        body: Object.keys(evidence).length ? { evidence } : {},
      });
      onDone(r.alreadyDone
        ? `"${item.name}" (election ${election.electionDate}) was already marked delivered.`
        : `"${item.name}" (election ${election.electionDate}) is marked delivered.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="deliver-h">
      <h3 id="deliver-h" ref={heading} tabIndex={-1}>Mark delivered: {item.name}</h3>
      <p>Election <a href={href('elections', election.id)}>{election.electionDate}</a>, due {fmtDue(item.dueAt)}. The time of delivery is recorded as now.</p>
      <Field label="Evidence or reference (optional)" value={reference} onValue={setReference} hint="For example a USPS tracking number, a proof file name or a delivery receipt." error={errors.reference} />
      <Field label="Quantity (optional)" inputMode="numeric" value={quantity} onValue={setQuantity} hint="Pieces, ballots or envelopes delivered." error={errors.quantity} />
      <div class="actions">
        <button type="submit" disabled={busy}>{busy ? 'Recording…' : 'Mark delivered'}</button>
        <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
      </div>
      <ErrorBox error={error} title="The delivery was not recorded." />
    </form>
  );
}

interface NoticeErrors { noticeId?: string; deliverableKey?: string; kind?: string; date?: string; time?: string; description?: string }

function NoticeForm({ row, onDone, onCancel }: { row: Row; onDone: (msg: string) => void; onCancel: () => void }) {
  const { election } = row;
  const now = pacificNow();
  const [noticeId, setNoticeId] = useState(newNoticeId);
  const [deliverableKey, setDeliverableKey] = useState(row.item.key);
  const [kind, setKind] = useState('county-priority');
  const [date, setDate] = useState(now.date);
  const [time, setTime] = useState(now.time);
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<NoticeErrors>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnOpen();

  // Delay notices are for the vendor deadlines that accrue liquidated damages.
  const options = election.calendar
    .filter((c) => c.owner === 'vendor' && c.liquidatedDamages)
    .map((c) => ({ value: c.key, label: `${c.name} (due ${fmtDue(c.dueAt)})` }));
  const item = election.calendar.find((c) => c.key === deliverableKey) ?? row.item;

  async function submit(ev: Event) {
    ev.preventDefault();
    setError(undefined);
    const errs: NoticeErrors = {};
    if (!NOTICE_ID.test(noticeId.trim())) errs.noticeId = 'Use 1 to 60 letters, digits, dots, dashes or underscores.';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) errs.date = 'Enter the date the delay began.';
    if (!/^\d{2}:\d{2}$/.test(time)) errs.time = 'Enter the time the delay began.';
    if (!description.trim()) errs.description = 'Describe the delay and its cause.';
    const delayStartedAt = errs.date || errs.time ? '' : pacificIso(date, time);
    if (delayStartedAt && Date.parse(delayStartedAt) > Date.now()) errs.time = 'The delay must already have begun: this time is in the future.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const r = await staffApi<{ timely?: boolean; alreadyFiled?: boolean }>(`/api/elections/${enc(election.id)}/delay-notices`, {
        method: 'POST',
        body: { noticeId: noticeId.trim(), deliverableKey, kind, delayStartedAt, description: description.trim() },
      });
      const late = kind === 'force-majeure' && r.timely === false
        ? ' It came after the contract\'s notice period, so it cannot support a force-majeure waiver.'
        : ' The contract manager will decide whether to waive the late days.';
      onDone(r.alreadyFiled
        ? `Delay notice ${noticeId.trim()} was already filed for "${item.name}".`
        : `Delay notice ${noticeId.trim()} is filed for "${item.name}" (election ${election.electionDate}).${late}`);
    } catch (e) {
      const f = apiFieldError(e);
      if (f) {
        if (f.field === 'delayStartedAt') setErrors({ time: f.message });
        else if (f.field in { noticeId: 1, deliverableKey: 1, kind: 1, description: 1 }) setErrors({ [f.field]: f.message });
      }
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="notice-h">
      <h3 id="notice-h" ref={heading} tabIndex={-1}>File a delay notice: {row.item.name}</h3>
      <p>
        Election <a href={href('elections', election.id)}>{election.electionDate}</a>. Contract §12 excuses late days caused by a county priority, or by a cause
        beyond your control if you give notice within one day of the delay beginning.
      </p>
      <Field label="Notice id" value={noticeId} onValue={setNoticeId} required hint="Your reference for this notice: letters, digits, dots, dashes or underscores." error={errors.noticeId} />
      <Select label="Deliverable" value={deliverableKey} onValue={setDeliverableKey} options={options} />
      {errors.deliverableKey ? <p class="error-text">{errors.deliverableKey}</p> : null}
      <Select label="Kind of delay" value={kind} onValue={setKind} options={DELAY_KINDS} />
      {errors.kind ? <p class="error-text">{errors.kind}</p> : null}
      <fieldset>
        <legend>When the delay began (Pacific time)</legend>
        <div class="grid">
          <Field label="Date" type="date" value={date} onValue={setDate} required error={errors.date} />
          <Field label="Time" type="time" value={time} onValue={setTime} required error={errors.time} />
        </div>
      </fieldset>
      <TextArea label="Description" value={description} onValue={setDescription} required maxLength={4000} hint="What happened, its cause, and when you expect to deliver." error={errors.description} />
      <div class="actions">
        <button type="submit" disabled={busy}>{busy ? 'Filing…' : 'File the delay notice'}</button>
        <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
      </div>
      <ErrorBox error={error} title="The delay notice was not filed." />
    </form>
  );
}

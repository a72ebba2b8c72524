/**
 * Elections for county managers (and the state, vendors and contract managers, each seeing what the API lets them):
 * the calendar with each milestone's status and "mark done", file uploads with live progress and the rejects
 * report, ballot counts by status and reason, and one ballot's timeline.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, enc, staffApi, uploadWithProgress } from '../lib/api';
import { BarChart, ErrorBox, Field, Live, Loading, Pill, Select, num, useAsync, usd } from '../lib/ui';
import type { MilestoneView } from '../../../domain/election';
import type { ElectionSnapshot } from '../../../workflows/election/messages';
import { href, type Me } from './shell';

interface ElectionRow { id: string; county: string; electionDate: string; type: string; contractId: string; status: string }
/** `GET /api/elections/:id` is the election workflow's snapshot; its calendar items are domain/election.ts views. */
type Election = ElectionSnapshot;
type CalendarItem = MilestoneView;

const nice = (s: string) => s.replace(/-/g, ' ');
const dateTime = (iso: string) => new Date(iso).toLocaleString('en-US', { timeZone: 'America/Los_Angeles', dateStyle: 'medium', timeStyle: 'short' });

export function ElectionsPage({ me }: { me: Me }) {
  const list = useAsync(() => staffApi<{ elections: ElectionRow[] }>('/api/elections'), []);
  if (list.error) return <ErrorBox error={list.error} />;
  if (!list.data) return <Loading />;
  const rows = [...list.data.elections].sort((a, b) => a.electionDate.localeCompare(b.electionDate));
  return (
    <section aria-labelledby="el-h">
      <h2 id="el-h">{me.county ? `Elections in ${me.county}` : 'Elections you can see'}</h2>
      {rows.length === 0 ? <p>No elections yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Election</th><th scope="col">County</th><th scope="col">Type</th><th scope="col">Contract</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id}>
                  <th scope="row"><a href={href('elections', e.id)}>{e.electionDate}</a></th>
                  <td>{e.county}</td><td>{nice(e.type)}</td><td>{e.contractId.replace(/^contract:/, '')}</td><td><Pill status={e.status} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ElectionPage({ me, id }: { me: Me; id: string }) {
  const el = useAsync(() => staffApi<Election>(`/api/elections/${enc(id)}`), [id]);
  if (el.error) return <ErrorBox error={el.error} />;
  if (!el.data) return <Loading />;
  const e = el.data;
  const county = me.role === 'state-admin' || me.role === 'county-manager';
  return (
    <>
      <dl class="facts">
        <dt>County</dt><dd>{e.county}</dd>
        <dt>Election day</dt><dd>{e.electionDate} ({nice(e.type)})</dd>
        <dt>Status</dt><dd><Pill status={e.status} /></dd>
        <dt>Contract</dt><dd><a href={href('contracts', e.contractId)}>{e.contractId.replace(/^contract:/, '')}</a></dd>
        <dt>Vendor deliverables</dt><dd>{e.sla.deliverables} ({e.sla.late} late, {e.sla.daysLate} days late, {usd(e.sla.damagesNet)} net damages)</dd>
        <dt>As of</dt><dd>{dateTime(e.asOf)}</dd>
      </dl>
      <Calendar me={me} e={e} reload={el.reload} />
      {county || me.role === 'vendor' ? <Upload me={me} electionId={e.id} /> : null}
      {me.role !== 'vendor' ? <Counts electionId={e.id} /> : null}
      {county ? <BallotSearch electionId={e.id} /> : null}
      {county ? <ElectionUpdateForm electionId={e.id} /> : null}
    </>
  );
}

/** Who may mark an item done: the county (and the state) its own milestones, the vendor its deliverables. */
function canComplete(me: Me, item: CalendarItem): boolean {
  if (item.status === 'done' || item.kind === 'cutoff') return false;
  if (item.owner === 'vendor') return me.role === 'vendor' || me.role === 'county-manager' || me.role === 'state-admin';
  return me.role === 'county-manager' || me.role === 'state-admin';
}

function Calendar({ me, e, reload }: { me: Me; e: Election; reload: () => void }) {
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  async function complete(item: CalendarItem) {
    setError(undefined); setNote(undefined); setBusy(item.key);
    const url = item.owner === 'vendor'
      ? `/api/elections/${enc(e.id)}/deliverables/${enc(item.key)}/complete`
      : `/api/elections/${enc(e.id)}/milestones/${enc(item.key)}/complete`;
    try {
      await staffApi(url, { method: 'POST', body: { evidence: { via: 'staff portal' } } });
      setNote(`“${item.name}” is marked done.`);
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  }
  return (
    <section aria-labelledby="cal-h">
      <h2 id="cal-h">Calendar</h2>
      {note ? <Live kind="success">{note}</Live> : null}
      <ErrorBox error={error} />
      <div class="table-wrap">
        <table id="calendar">
          <thead>
            <tr><th scope="col">Milestone</th><th scope="col">Who</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col" class="num">Days late</th><th scope="col" class="num">Damages</th><th scope="col"><span class="visually-hidden">Action</span></th></tr>
          </thead>
          <tbody>
            {e.calendar.map((c) => (
              <tr key={c.key} data-key={c.key}>
                <th scope="row">{c.name}<br /><small>{c.offsetLabel}{c.source ? ` · ${c.source}` : ''}</small></th>
                <td>{c.owner}</td>
                <td>{c.dueDate}{c.shift ? <><br /><small>moved from {c.baseDueDate}: {c.shift.reason}</small></> : null}</td>
                <td><Pill status={c.status} />{c.completedAt ? <><br /><small>{dateTime(c.completedAt)}{c.completedBy ? ` by ${c.completedBy}` : ''}</small></> : null}</td>
                <td class="num">{c.daysLate || ''}</td>
                <td class="num">{c.liquidatedDamages && c.damagesAccrued ? usd(c.damagesAccrued) : ''}</td>
                <td>{canComplete(me, c) ? <button type="button" class="secondary" disabled={busy === c.key} onClick={() => void complete(c)} aria-label={`Mark done: ${c.name}`}>Mark done</button> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const FILE_TYPES = [
  { value: 'state-extract', label: 'State voter/ballot extract (CSV)', type: 'text/csv' },
  { value: 'county-fixed-field', label: 'County fixed-field record (text)', type: 'text/plain' },
  { value: 'vendor-manifest', label: 'Vendor mailing manifest (CSV)', type: 'text/csv' },
  { value: 'usps-scans', label: 'USPS IV-MTR scans (CSV)', type: 'text/csv' },
  { value: 'usps-scans-jsonl', label: 'USPS IV-MTR scans (JSON lines)', type: 'application/x-ndjson' },
  { value: 'county-returns', label: 'County return and processing file (CSV)', type: 'text/csv' },
];

interface FileProgress {
  id: string; fileName: string; status: string; bytes: number; bytesDone: number; linesDone: number; accepted: number; rejected: number; signalled: number;
  error: string | null; unmatchedScans: number; rejects: { line: number; field: string; reason: string }[]; rejectsTotal: number;
}

function Upload({ me, electionId }: { me: Me; electionId: string }) {
  const types = me.role === 'vendor' ? FILE_TYPES.filter((t) => t.value === 'vendor-manifest') : FILE_TYPES;
  const [type, setType] = useState(types[0]!.value);
  const [file, setFile] = useState<File>();
  const [sent, setSent] = useState<number>();
  const [fileId, setFileId] = useState<string>();
  const [error, setError] = useState<unknown>();
  const input = useRef<HTMLInputElement>(null);

  async function submit(ev: Event) {
    ev.preventDefault();
    if (!file) return setError(new Error('Choose a file to send.'));
    setError(undefined); setFileId(undefined); setSent(0);
    const ct = FILE_TYPES.find((t) => t.value === type)!.type;
    try {
      const r = (await uploadWithProgress(`/api/elections/${enc(electionId)}/files?type=${enc(type)}&name=${enc(file.name.replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 120))}`, file, ct, (s) => setSent(s))) as { id: string };
      setSent(file.size);
      setFileId(r.id);
    } catch (err) {
      setError(err);
      setSent(undefined);
    }
  }

  return (
    <section aria-labelledby="up-h" class="panel">
      <h2 id="up-h">Send a file</h2>
      <form onSubmit={submit} noValidate>
        <Select label="File type" value={type} onValue={setType} options={types} name="fileType" />
        <div class="field">
          <label for="upload-file">File</label>
          <p class="hint" id="upload-hint">Large files are streamed; the same file sent twice is recognised and not processed again.</p>
          <input id="upload-file" ref={input} type="file" aria-describedby="upload-hint" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0])} />
        </div>
        <div class="actions"><button type="submit">Send file</button></div>
      </form>
      {sent !== undefined && file ? (
        <div>
          <label for="upload-progress">Upload</label>{' '}
          <progress id="upload-progress" max={file.size || 1} value={sent}>{Math.round((sent / (file.size || 1)) * 100)}%</progress>{' '}
          <span>{Math.round((sent / (file.size || 1)) * 100)}% sent</span>
        </div>
      ) : null}
      <ErrorBox error={error} />
      {fileId ? <FileStatus id={fileId} /> : null}
    </section>
  );
}

/** Polls the file's progress every second until it is done or failed. */
export function FileStatus({ id }: { id: string }) {
  const [f, setF] = useState<FileProgress>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const r = await staffApi<FileProgress>(`/api/files/${enc(id)}?rejects=200`);
        if (!live) return;
        setF(r);
        if (r.status !== 'done' && r.status !== 'failed') timer = setTimeout(() => void poll(), 1000);
      } catch (err) {
        if (live) setError(err);
      }
    };
    void poll();
    return () => { live = false; clearTimeout(timer); };
  }, [id]);
  if (error) return <ErrorBox error={error} />;
  if (!f) return <Loading label="Waiting for the file to be processed…" />;
  const done = f.status === 'done';
  // Bytes read of the file's bytes; 100% only once the last batch is counted.
  const pct = done ? 100 : f.status === 'queued' ? undefined : Math.min(99, Math.floor((f.bytesDone / Math.max(1, f.bytes)) * 100));
  return (
    <div class="file-status" data-status={f.status}>
      <h3>Processing {f.fileName}</h3>
      <div>
        <label for="ingest-progress">Processing</label>{' '}
        {pct === undefined ? <progress id="ingest-progress" aria-valuetext={`${num(f.linesDone)} lines read`} /> : <progress id="ingest-progress" max={100} value={pct}>{pct}%</progress>}{' '}
        <span id="ingest-percent">{pct === undefined ? 'waiting to start' : `${pct}%`}</span>
      </div>
      <div role="status" aria-live="polite" class={`alert ${done ? 'success' : f.status === 'failed' ? 'error' : 'info'}`}>
        {done ? 'Done: ' : f.status === 'failed' ? `Failed: ${f.error ?? ''} ` : `${nice(f.status)}: `}
        {num(f.linesDone)} lines read, {num(f.accepted)} accepted, {num(f.rejected)} rejected, {num(f.signalled)} ballots updated
        {f.unmatchedScans ? `, ${num(f.unmatchedScans)} scans waiting for their manifest` : ''}.
      </div>
      {f.rejectsTotal ? (
        <>
          <h3>Rejected rows ({num(f.rejectsTotal)})</h3>
          <p>Nothing was dropped silently: fix these rows and send them again.</p>
          <div class="table-wrap">
            <table>
              <thead><tr><th scope="col" class="num">Line</th><th scope="col">Field</th><th scope="col">Reason</th></tr></thead>
              <tbody>{f.rejects.map((r) => <tr key={`${r.line}:${r.field}`}><td class="num">{r.line}</td><td>{r.field}</td><td>{r.reason}</td></tr>)}</tbody>
            </table>
          </div>
          {f.rejectsTotal > f.rejects.length ? <p>Showing the first {f.rejects.length}; the API gives all of them.</p> : null}
        </>
      ) : null}
    </div>
  );
}

interface Stats { total: number; byStatus: Record<string, number>; byReason: Record<string, number> }
const STATUS_ORDER = ['issued', 'mailed', 'in-mail-stream', 'delivered', 'undeliverable', 'returned', 'received', 'in-review', 'accepted', 'not-accepted', 'cure-pending', 'superseded'];

function Counts({ electionId }: { electionId: string }) {
  const s = useAsync(() => staffApi<Stats>(`/api/elections/${enc(electionId)}/stats`), [electionId]);
  if (s.error) return <ErrorBox error={s.error} />;
  if (!s.data) return <Loading />;
  const statuses = STATUS_ORDER.filter((k) => s.data!.byStatus[k]).concat(Object.keys(s.data.byStatus).filter((k) => !STATUS_ORDER.includes(k)));
  const reasons = Object.entries(s.data.byReason).sort((a, b) => b[1] - a[1]);
  return (
    <section aria-labelledby="counts-h">
      <h2 id="counts-h">Ballots by status ({num(s.data.total)} in all)</h2>
      <div class="actions"><button type="button" class="secondary" onClick={s.reload}>Refresh counts</button></div>
      {s.data.total === 0 ? <p>No ballots yet: send a state extract.</p> : (
        <BarChart
          id="status-chart"
          title="Ballots by current status"
          labels={statuses.map(nice)}
          series={[{ label: 'Ballots', values: statuses.map((k) => s.data!.byStatus[k] ?? 0), color: '#005ea2' }]}
          summary={`${num(s.data.total)} ballots: ${statuses.map((k) => `${num(s.data!.byStatus[k] ?? 0)} ${nice(k)}`).join(', ')}.`}
        />
      )}
      {reasons.length ? (
        <BarChart
          id="reason-chart"
          title="Ballots by reason code"
          horizontal
          labels={reasons.map(([r]) => nice(r))}
          series={[{ label: 'Ballots', values: reasons.map(([, n]) => n), color: '#b35c00' }]}
          summary={`Reasons: ${reasons.map(([r, n]) => `${num(n)} ${nice(r)}`).join(', ')}.`}
        />
      ) : null}
    </section>
  );
}

function BallotSearch({ electionId }: { electionId: string }) {
  const [voterId, setVoterId] = useState('');
  const [status, setStatus] = useState('');
  const [rows, setRows] = useState<{ ballotId: string; status: string; reasonCodes: string[]; at: string }[]>();
  const [error, setError] = useState<unknown>();
  async function search(ev: Event) {
    ev.preventDefault();
    setError(undefined);
    const v = voterId.trim();
    if (v) {
      // Every issue of the voter's ballot; the latest (highest issue) is the one that counts.
      try {
        const r = await staffApi<{ ballots: { ballotId: string }[] }>(`/api/elections/${enc(electionId)}/ballots?voterId=${enc(v)}`);
        const latest = r.ballots.map((b) => b.ballotId).sort((x, y) => Number(x.split(':').pop()) - Number(y.split(':').pop())).at(-1);
        if (latest) location.hash = href('ballots', latest);
        else setError(new Error(`No ballot of voter ${v} in this election.`));
      } catch (err) {
        setError(err);
      }
      return;
    }
    try {
      const r = await staffApi<{ ballots: { ballotId: string; status: string; reasonCodes: string[]; at: string }[] }>(`/api/elections/${enc(electionId)}/ballots?limit=50${status ? `&status=${enc(status)}` : ''}`);
      setRows(r.ballots);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <section aria-labelledby="bs-h" class="panel">
      <h2 id="bs-h">Find a ballot</h2>
      <form onSubmit={search} noValidate>
        <div class="grid">
          <Field label="Voter ID" hint="Opens that voter's latest ballot" value={voterId} onValue={setVoterId} name="voterId" />
          <Select label="Or list ballots by status" value={status} onValue={setStatus} options={[{ value: '', label: 'Any status' }, ...STATUS_ORDER.map((s) => ({ value: s, label: nice(s) }))]} />
        </div>
        <div class="actions"><button type="submit">Search</button></div>
      </form>
      <ErrorBox error={error} />
      {rows ? (
        rows.length === 0 ? <p role="status">No ballots match.</p> : (
          <div class="table-wrap">
            <table>
              <thead><tr><th scope="col">Ballot</th><th scope="col">Status</th><th scope="col">Reasons</th><th scope="col">Since</th></tr></thead>
              <tbody>{rows.map((b) => <tr key={b.ballotId}><th scope="row"><a href={href('ballots', b.ballotId)}>{b.ballotId.split(':').slice(-2).join(' issue ')}</a></th><td><Pill status={b.status} /></td><td>{b.reasonCodes.map(nice).join(', ')}</td><td>{dateTime(b.at)}</td></tr>)}</tbody>
            </table>
          </div>
        )
      ) : null}
    </section>
  );
}

interface BallotDetail { ballotId: string; status: string; reasonCodes: string[]; expectedWindow?: { from: string; to: string; source: string }; timeline: { eventId: string; type: string; status: string | null; reasonCodes: string[]; at: string; detail: Record<string, unknown> }[] }

export function BallotPage({ id }: { me: Me; id: string }) {
  const b = useAsync(() => staffApi<BallotDetail>(`/api/ballots/${enc(id)}`), [id]);
  if (b.error) return <ErrorBox error={b.error} />;
  if (!b.data) return <Loading />;
  const electionId = id.replace(/^ballot:/, '').split(':').slice(0, -2).join(':');
  return (
    <>
      <p><a href={href('elections', electionId)}>Back to the election</a></p>
      <dl class="facts">
        <dt>Ballot</dt><dd>{b.data.ballotId}</dd>
        <dt>Status</dt><dd><Pill status={b.data.status} /></dd>
        {b.data.reasonCodes.length ? <><dt>Reasons</dt><dd>{b.data.reasonCodes.map(nice).join(', ')}</dd></> : null}
        {b.data.expectedWindow ? <><dt>Expected delivery</dt><dd>{b.data.expectedWindow.from} to {b.data.expectedWindow.to} ({nice(b.data.expectedWindow.source)})</dd></> : null}
      </dl>
      <h2>Timeline</h2>
      <ol class="timeline">
        {b.data.timeline.map((e) => (
          <li key={e.eventId}>
            <strong>{e.status ? nice(e.status) : nice(e.type)}</strong>
            <span class="when">{dateTime(e.at)}</span>
            {e.reasonCodes.length ? <span>Reasons: {e.reasonCodes.map(nice).join(', ')}</span> : null}
          </li>
        ))}
      </ol>
    </>
  );
}

/** News about the election to every subscribed voter (POST /api/elections/:id/updates), in English and Spanish. */
function ElectionUpdateForm({ electionId }: { electionId: string }) {
  const [en, setEn] = useState('');
  const [es, setEs] = useState('');
  const [updateId, setUpdateId] = useState(() => `update-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')}`);
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<unknown>();
  async function send(ev: Event) {
    ev.preventDefault();
    setError(undefined); setNote(undefined);
    try {
      const r = await staffApi<{ alreadySent: boolean }>(`/api/elections/${enc(electionId)}/updates`, { method: 'POST', body: { updateId, text: { en, ...(es.trim() ? { es } : {}) } } });
      setNote(r.alreadySent ? `Update “${updateId}” was already sent: nothing was sent again.` : `Update “${updateId}” is on its way to every subscribed voter, inside their contact hours.`);
    } catch (err) {
      setError(err);
    }
  }
  const fieldError = (f: string) => (error instanceof ApiError && error.field === f ? error.detail.replace(/^[\w.]+:\s*/, '') : undefined);
  return (
    <section aria-labelledby="upd-h" class="panel">
      <h2 id="upd-h">Send news to subscribed voters</h2>
      <p>For news about the election itself, such as vote centers opening. Each voter hears it once, by the channels the state enables for election updates, in Spanish when a Spanish text is given.</p>
      <form onSubmit={send} noValidate>
        <Field label="Update id" hint="Names this update: sending the same id again sends nothing twice." value={updateId} onValue={setUpdateId} name="updateId" error={fieldError('body.updateId')} />
        <Field label="News in English" hint={`At most 70 characters (${en.length} so far).`} value={en} onValue={setEn} name="updateEn" error={fieldError('body.text.en')} />
        <Field label="News in Spanish (optional)" hint={`At most 70 characters (${es.length} so far).`} value={es} onValue={setEs} name="updateEs" error={fieldError('body.text.es')} />
        <div class="actions"><button type="submit">Send the update</button></div>
      </form>
      {note ? <Live kind="success">{note}</Live> : null}
      {error && !(error instanceof ApiError && error.field) ? <ErrorBox error={error} /> : null}
    </section>
  );
}

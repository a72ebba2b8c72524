/**
 * Contracts and their SLA: the liquidated-damages ledger against the cap, spend against each fiscal-period cap,
 * delay notices and the waiver decisions a contract manager makes on them. Vendors see their own contracts here
 * ("My SLA"); county managers those of their county. The API scopes every list and refuses what a role may not do.
 */
import { useState } from 'preact/hooks';
import { ApiError, apiText, download, enc, staffApi } from '../lib/api';
import { BarChart, ErrorBox, Field, Live, Loading, Pill, Select, useAsync, useId, usd, num, type BarSeries } from '../lib/ui';
import type { Ledger, LedgerLine } from '../../../domain/damages';
import type { MilestoneView } from '../../../domain/election';
import type { ElectionSnapshot } from '../../../workflows/election/messages';
import { href, type Me } from './shell';

// ---------- API shapes ----------

interface ContractSummary { id: string; county: string; number: string; vendor: string; title?: string }

/** `GET /api/contracts/:id/sla-report`: the contract's ledger (domain/damages.ts) and who it is about. */
type SlaReport = Ledger & { contractId: string; vendor: string; county: string; asOf: string; termEnd?: string };

export interface ElectionSummary { id: string; county: string; electionDate: string; contractId: string; status: string }

/** `GET /api/elections/:id`: the election workflow's snapshot. */
export type ElectionDetail = ElectionSnapshot;
export type CalendarItem = MilestoneView;

// ---------- shared helpers (also used by vendor.tsx) ----------

const PACIFIC = 'America/Los_Angeles';

/** An instant as Pacific time, e.g. "Nov 23, 2026, 2:19 PM PT". */
export function fmtInstant(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toLocaleString('en-US', { timeZone: PACIFIC, dateStyle: 'medium', timeStyle: 'short' })} PT`;
}

/** A due time: the Pacific date, with the time only when it is not the end of the day. */
export function fmtDue(iso: string): string {
  const date = iso.slice(0, 10);
  return /T23:59:59/.test(iso) ? date : `${date} ${iso.slice(11, 16)} PT`;
}

/** A labelled multi-line text field (ui.tsx has none), its hint and error read with it. */
export function TextArea(props: { label: string; value: string; onValue: (v: string) => void; hint?: string; error?: string | undefined; required?: boolean; rows?: number; maxLength?: number }) {
  const id = useId('t');
  const described = [props.hint ? `${id}-hint` : '', props.error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint ? <p class="hint" id={`${id}-hint`}>{props.hint}</p> : null}
      <textarea
        id={id} rows={props.rows ?? 4} maxLength={props.maxLength} required={props.required} style={{ minHeight: 'auto', fontFamily: 'inherit' }}
        value={props.value} onInput={(e) => props.onValue((e.currentTarget as HTMLTextAreaElement).value)}
        aria-invalid={props.error ? 'true' : undefined} aria-describedby={described}
      />
      {props.error ? <p class="error-text" id={`${id}-err`}>{props.error}</p> : null}
    </div>
  );
}

/** The field a 422 names (`body.noticeId` → `noticeId`), to show the API's message beside it. */
export function apiFieldError(e: unknown): { field: string; message: string } | undefined {
  if (!(e instanceof ApiError) || !e.field) return undefined;
  const field = e.field.replace(/^body\./, '');
  const message = e.detail.replace(/^[\w.]+:\s*/, '') || e.title;
  return { field, message };
}

/** Loads an election list and every election's detail; one failing election does not hide the others. */
export async function loadElections(query: string): Promise<{ elections: ElectionDetail[]; failed: { id: string; error: unknown }[] }> {
  const list = await staffApi<{ elections: ElectionSummary[] }>(`/api/elections${query}`);
  const settled = await Promise.allSettled(list.elections.map((e) => staffApi<ElectionDetail>(`/api/elections/${enc(e.id)}`)));
  const elections: ElectionDetail[] = [];
  const failed: { id: string; error: unknown }[] = [];
  settled.forEach((r, i) => {
    const id = list.elections[i]!.id;
    if (r.status === 'fulfilled') elections.push({ ...r.value, delayNotices: r.value.delayNotices ?? [], calendar: r.value.calendar ?? [] });
    else failed.push({ id, error: r.reason });
  });
  return { elections, failed };
}

const shortId = (id: string, prefix: string) => id.replace(new RegExp(`^${prefix}:`), '');
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

// ---------- the list ----------

export function ContractsPage({ me }: { me: Me }) {
  const r = useAsync(() => staffApi<{ contracts: ContractSummary[] }>('/api/contracts'), []);
  const heading = me.role === 'vendor' ? 'Your contracts' : me.role === 'county-manager' && me.county ? `Contracts of ${me.county}` : 'All contracts';
  return (
    <section aria-labelledby="contracts-h">
      <h2 id="contracts-h">{heading}</h2>
      {me.role === 'vendor' ? <p>Open a contract to see its service levels: late days, liquidated damages against the cap, waivers and spend.</p> : null}
      {r.loading && !r.data ? <Loading label="Loading contracts…" /> : null}
      <ErrorBox error={r.error} title="The contracts could not be loaded." />
      {r.data && r.data.contracts.length === 0 ? <p>There are no contracts to show.</p> : null}
      {r.data && r.data.contracts.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{heading}</caption>
            <thead><tr><th scope="col">Contract number</th><th scope="col">County</th><th scope="col">Vendor</th></tr></thead>
            <tbody>
              {r.data.contracts.map((c) => (
                <tr key={c.id}>
                  <th scope="row"><a href={href('contracts', c.id)}>{c.number}</a></th>
                  <td>{c.county}</td>
                  <td>{c.vendor}{c.title ? <><br /><span class="hint">{c.title}</span></> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

// ---------- one contract ----------

export function ContractPage({ me, id }: { me: Me; id: string }) {
  const report = useAsync(() => staffApi<SlaReport>(`/api/contracts/${enc(id)}/sla-report`), [id]);
  const elections = useAsync(() => loadElections(`?contractId=${enc(id)}`), [id]);
  const [csvBusy, setCsvBusy] = useState(false);
  const [csvError, setCsvError] = useState<unknown>();
  const [csvDone, setCsvDone] = useState('');

  async function downloadCsv() {
    setCsvBusy(true);
    setCsvError(undefined);
    setCsvDone('');
    try {
      const text = await apiText(`/api/contracts/${enc(id)}/sla-report`, { auth: 'staff', accept: 'text/csv' });
      const name = `sla-${shortId(id, 'contract').replace(/[^A-Za-z0-9.-]+/g, '_')}.csv`;
      download(name, text);
      setCsvDone(`Downloaded ${name}.`);
    } catch (e) {
      setCsvError(e);
    } finally {
      setCsvBusy(false);
    }
  }

  if (report.loading && !report.data) return <Loading label="Loading the SLA report…" />;
  if (!report.data) return <ErrorBox error={report.error ?? new Error('The SLA report could not be loaded.')} title="The SLA report could not be loaded." />;
  const s = report.data;
  const mayDecide = me.role === 'contract-manager' || me.role === 'state-admin';
  const reloadAll = () => { report.reload(); elections.reload(); };

  return (
    <>
      {report.loading ? <Loading label="Refreshing the SLA report…" /> : null}
      <ErrorBox error={report.error} title="The SLA report could not be refreshed." />
      <Summary s={s} />
      <div class="actions">
        <button type="button" class="secondary" onClick={downloadCsv} disabled={csvBusy}>{csvBusy ? 'Preparing CSV…' : 'Download CSV'}</button>
      </div>
      <ErrorBox error={csvError} title="The CSV could not be downloaded." />
      {csvDone ? <Live kind="success">{csvDone}</Live> : null}
      <DamagesCharts s={s} />
      <LinesTable s={s} />
      <SpendSection s={s} />
      <NoticesSection contractId={id} elections={elections.data} loading={elections.loading} error={elections.error} mayDecide={mayDecide} onDecided={reloadAll} />
    </>
  );
}

function Summary({ s }: { s: SlaReport }) {
  const t = s.totals;
  const pct = s.cap > 0 ? Math.min(100, Math.round((t.damagesCharged / s.cap) * 100)) : 0;
  const progressId = useId('cap');
  return (
    <section class="panel" aria-labelledby="summary-h">
      <h2 id="summary-h">Summary</h2>
      <dl class="facts">
        <dt>Vendor</dt><dd>{s.vendor}</dd>
        <dt>County</dt><dd>{s.county}</dd>
        {s.termEnd ? <><dt>Term ends</dt><dd>{s.termEnd}</dd></> : null}
        <dt>Liquidated damages</dt><dd>{usd(s.ratePerDay)} per calendar day late</dd>
        <dt>As of</dt><dd><time dateTime={s.asOf}>{fmtInstant(s.asOf)}</time></dd>
        <dt>Days late</dt><dd>{num(t.daysLate)}</dd>
        <dt>Damages charged</dt><dd>{usd(t.damagesCharged)} of the {usd(s.cap)} cap</dd>
        <dt>Cap remaining</dt><dd>{usd(t.capRemaining)}</dd>
        {t.damagesCapped > 0 ? <><dt>Beyond the cap (not charged)</dt><dd>{usd(t.damagesCapped)}</dd></> : null}
        <dt>Waived</dt><dd>{usd(t.damagesWaived)}</dd>
        <dt>Excused</dt><dd>{usd(t.damagesExcused)}</dd>
        <dt>Net payable</dt><dd>{usd(s.netPayable)} <span class="hint">(invoices less damages charged)</span></dd>
      </dl>
      {s.cap > 0 ? (
        <div class="field">
          <label for={progressId}>Damages charged against the cap: {usd(t.damagesCharged)} of {usd(s.cap)} ({pct}%){t.capRemaining <= 0 ? ', the cap is reached' : ''}</label>
          <progress id={progressId} max={s.cap} value={Math.min(t.damagesCharged, s.cap)}>{pct}%</progress>
        </div>
      ) : <p>This contract sets no cap on liquidated damages.</p>}
    </section>
  );
}

/** "<name> (<election date>)", made unique when two elections share a date. */
function lineLabels(lines: LedgerLine[]): string[] {
  const labels = lines.map((l) => `${l.name} (${l.electionDate})`);
  return labels.map((l, i) => (labels.indexOf(l) !== i || labels.lastIndexOf(l) !== i ? `${l} [${shortId(lines[i]!.electionId, 'election')}]` : l));
}

function DamagesCharts({ s }: { s: SlaReport }) {
  const FEW = 8;
  const hasSomething = (l: LedgerLine) => l.daysLate > 0 || l.damagesAccrued > 0 || l.damagesWaived > 0 || l.damagesExcused > 0;
  const shown = s.lines.length <= FEW ? s.lines : s.lines.filter(hasSomething);
  const labels = lineLabels(shown);
  const t = s.totals;
  const series: BarSeries[] = [
    { label: 'Damages charged', values: shown.map((l) => l.damagesCharged), color: '#b50909' },
    { label: 'Waived', values: shown.map((l) => l.damagesWaived), color: '#005ea2' },
    { label: 'Excused', values: shown.map((l) => l.damagesExcused), color: '#8a5300' },
  ];
  if (t.damagesCapped > 0) series.push({ label: 'Beyond the cap (not charged)', values: shown.map((l) => l.damagesCapped), color: '#8a8f96' });
  const lateLines = s.lines.filter((l) => l.daysLate > 0).length;
  const damagesSummary = `${plural(lateLines, 'deliverable')} of ${num(s.lines.length)} late, ${plural(t.daysLate, 'late day')} in total. `
    + `Damages charged ${usd(t.damagesCharged)} of the ${usd(s.cap)} cap, waived ${usd(t.damagesWaived)}, excused ${usd(t.damagesExcused)}`
    + `${t.damagesCapped > 0 ? `, and ${usd(t.damagesCapped)} beyond the cap was not charged` : ''}; ${usd(t.capRemaining)} of the cap remains.`;
  const waivedDays = sum(s.lines.map((l) => l.waivedDates.length));
  const daysSummary = `${plural(t.daysLate, 'late day')} in total across ${plural(s.lines.length, 'deliverable')}, of which ${plural(waivedDays, 'day')} waived.`;
  return (
    <section aria-labelledby="damages-h">
      <h2 id="damages-h">Late days and damages by deliverable</h2>
      <p>{damagesSummary}</p>
      {shown.length === 0 ? <p>No deliverable has late days, waivers or excused damages, so there is nothing to chart.</p> : (
        <>
          {shown.length < s.lines.length ? <p>The charts show the {plural(shown.length, 'deliverable')} with late days or damages; the table below lists all {num(s.lines.length)}.</p> : null}
          <BarChart id="late-days-chart" title="Liquidated damages by deliverable" labels={labels} series={series} summary={damagesSummary} format={usd} stacked horizontal />
          <BarChart
            id="late-days-count-chart" title="Days late by deliverable" labels={labels} horizontal summary={daysSummary}
            series={[
              { label: 'Days late', values: shown.map((l) => l.daysLate), color: '#b50909' },
              { label: 'Days waived', values: shown.map((l) => l.waivedDates.length), color: '#005ea2' },
            ]}
          />
        </>
      )}
    </section>
  );
}

function LinesTable({ s }: { s: SlaReport }) {
  return (
    <section aria-labelledby="lines-h">
      <h2 id="lines-h">Deliverables</h2>
      {s.lines.length === 0 ? <p>No election under this contract has reported a vendor deliverable yet.</p> : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Every vendor deliverable of the contract with its due dates, late days and damages</caption>
            <thead>
              <tr>
                <th scope="col">Deliverable</th><th scope="col">Election</th><th scope="col">Due (contract)</th><th scope="col">Due (in force)</th>
                <th scope="col">Delivered</th><th scope="col" class="num">Days late</th><th scope="col" class="num">Charged</th>
                <th scope="col" class="num">Waived</th><th scope="col" class="num">Excused</th><th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {s.lines.map((l) => (
                <tr key={`${l.electionId}/${l.deliverableKey}`}>
                  <th scope="row">{l.name}</th>
                  <td><a href={href('elections', l.electionId)}>{l.electionDate}</a></td>
                  <td><time dateTime={l.baseDueAt}>{fmtDue(l.baseDueAt)}</time></td>
                  <td>
                    <time dateTime={l.dueAt}>{fmtDue(l.dueAt)}</time>
                    {l.shift ? <><br /><span class="hint">moved {plural(l.shift.days, 'day')} later</span></> : null}
                  </td>
                  <td>{l.deliveredAt ? <time dateTime={l.deliveredAt}>{fmtInstant(l.deliveredAt)}</time> : 'not yet'}</td>
                  <td class="num">{num(l.daysLate)}</td>
                  <td class="num">{usd(l.damagesCharged)}{l.damagesCapped > 0 ? <><br /><span class="hint">{usd(l.damagesCapped)} beyond cap</span></> : null}</td>
                  <td class="num">{usd(l.damagesWaived)}</td>
                  <td class="num">{usd(l.damagesExcused)}</td>
                  <td>{l.why.length ? <ul>{l.why.map((w, i) => <li key={i}>{w}</li>)}</ul> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function SpendSection({ s }: { s: SlaReport }) {
  const sp = s.spend;
  const over = sp.periods.filter((p) => p.overCap);
  const summary = `Spent ${usd(sp.total)} of the ${usd(sp.totalCap)} total cap (${usd(sp.totalRemaining)} remaining) across ${plural(sp.periods.length, 'fiscal period')}. `
    + (over.length ? `Over the cap: ${over.map((p) => `${p.label} by ${usd(p.spent - p.cap)}`).join('; ')}.` : 'No period is over its cap.');
  return (
    <section aria-labelledby="spend-h">
      <h2 id="spend-h">Spend against fiscal-period caps</h2>
      <p>{summary}{sp.overCap ? ' The contract as a whole is over its total cap.' : ''}</p>
      {sp.outsidePeriods ? <div class="alert warn"><strong>Warning: </strong>{usd(sp.outsidePeriods)} was invoiced outside every fiscal period.</div> : null}
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Spend per fiscal period against its cap</caption>
          <thead>
            <tr><th scope="col">Fiscal period</th><th scope="col">Dates</th><th scope="col" class="num">Cap</th><th scope="col" class="num">Spent</th><th scope="col" class="num">Remaining</th><th scope="col">Status</th></tr>
          </thead>
          <tbody>
            {sp.periods.map((p) => (
              <tr key={p.start}>
                <th scope="row">{p.label}</th>
                <td>{p.start} to {p.end}</td>
                <td class="num">{usd(p.cap)}</td>
                <td class="num">{usd(p.spent)}</td>
                <td class="num">{usd(p.remaining)}</td>
                <td>{p.overCap ? <Pill status="late" label={`over cap by ${usd(p.spent - p.cap)}`} /> : <Pill status="done" label="within cap" />}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th><td /><td class="num">{usd(sp.totalCap)}</td><td class="num">{usd(sp.total)}</td><td class="num">{usd(sp.totalRemaining)}</td>
              <td>{sp.overCap ? <Pill status="late" label="over total cap" /> : <Pill status="done" label="within total cap" />}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      {sp.periods.length > 0 ? (
        <BarChart
          id="spend-chart" title="Spend and cap per fiscal period" format={usd} summary={summary}
          labels={sp.periods.map((p) => (p.overCap ? `${p.label} (over cap)` : p.label))}
          series={[
            { label: 'Spent', values: sp.periods.map((p) => p.spent), color: '#005ea2' },
            { label: 'Cap', values: sp.periods.map((p) => p.cap), color: '#8a8f96' },
          ]}
        />
      ) : null}
    </section>
  );
}

// ---------- delay notices and waivers ----------

const KIND_NAMES: Record<string, string> = { 'county-priority': 'County priority, §12(a)', 'force-majeure': 'Force majeure, §12(b)', other: 'Other' };

function NoticesSection(props: { contractId: string; elections: { elections: ElectionDetail[]; failed: { id: string; error: unknown }[] } | undefined; loading: boolean; error: unknown; mayDecide: boolean; onDecided: () => void }) {
  const data = props.elections;
  const rows = (data?.elections ?? []).flatMap((e) => e.delayNotices.map((n) => ({ e, n, item: e.calendar.find((c) => c.key === n.deliverableKey) })));
  return (
    <section aria-labelledby="notices-h">
      <h2 id="notices-h">Delay notices and waivers</h2>
      {props.loading && !data ? <Loading label="Loading the contract's elections…" /> : null}
      <ErrorBox error={props.error} title="The elections of this contract could not be loaded." />
      {data?.failed.map((f) => <ErrorBox key={f.id} error={f.error} title={`Election ${shortId(f.id, 'election')} could not be loaded.`} />)}
      {data && data.elections.length === 0 ? <p>No election uses this contract yet.</p> : null}
      {data && data.elections.length > 0 && rows.length === 0 ? <p>The vendor has filed no delay notice under this contract.</p> : null}
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Delay notices filed by the vendor, with the waiver decision on each deliverable</caption>
            <thead>
              <tr>
                <th scope="col">Notice</th><th scope="col">Election</th><th scope="col">Deliverable</th><th scope="col">Kind</th>
                <th scope="col">Delay began</th><th scope="col">Noticed</th><th scope="col">Timely</th><th scope="col">Description</th>
                <th scope="col">Waiver decision on the deliverable</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ e, n, item }) => (
                <tr key={`${e.id}/${n.noticeId}`}>
                  <th scope="row">{n.noticeId}<br /><span class="hint">by {n.filedBy}</span></th>
                  <td><a href={href('elections', e.id)}>{e.electionDate}</a></td>
                  <td>{item?.name ?? n.deliverableKey}{item ? <><br /><Pill status={item.status} /></> : null}</td>
                  <td>{KIND_NAMES[n.kind] ?? n.kind}</td>
                  <td><time dateTime={n.delayStartedAt}>{fmtInstant(n.delayStartedAt)}</time></td>
                  <td><time dateTime={n.noticeAt}>{fmtInstant(n.noticeAt)}</time></td>
                  <td>{n.kind === 'force-majeure' ? (n.timely ? 'Yes, within the notice period' : 'No, too late for a force-majeure waiver') : 'Not required'}</td>
                  <td>{n.description}</td>
                  <td>
                    {item?.waiver
                      ? <>{item.waiver.decision === 'granted' ? 'Granted' : 'Denied'}{item.waiver.throughDate ? ` through ${item.waiver.throughDate}` : ''} by {item.waiver.decidedBy}: {item.waiver.reason}</>
                      : 'No decision yet'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {props.mayDecide && data && rows.length > 0 ? <WaiverForm elections={data.elections} onDecided={props.onDecided} /> : null}
      {!props.mayDecide ? <p>Waivers are decided by the contract manager.</p> : null}
    </section>
  );
}

interface WaiverErrors { throughDate?: string; reason?: string; noticeId?: string; decision?: string; deliverableKey?: string }

function WaiverForm({ elections, onDecided }: { elections: ElectionDetail[]; onDecided: () => void }) {
  const withNotices = elections.filter((e) => e.delayNotices.length > 0);
  const [electionSel, setElection] = useState('');
  const [deliverableSel, setDeliverable] = useState('');
  const [noticeSel, setNotice] = useState('');
  const [decision, setDecision] = useState<'granted' | 'denied'>('granted');
  const [throughDate, setThroughDate] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<WaiverErrors>({});
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);

  // Each choice narrows the next; a choice no longer on offer falls back to the first one that is.
  const electionOpts = withNotices.map((e) => ({ value: e.id, label: `${e.electionDate} (${shortId(e.id, 'election')})` }));
  const electionId = electionOpts.some((o) => o.value === electionSel) ? electionSel : electionOpts[0]?.value ?? '';
  const election = withNotices.find((e) => e.id === electionId);
  const keys = [...new Set((election?.delayNotices ?? []).map((n) => n.deliverableKey))];
  const deliverableOpts = keys.map((k) => ({ value: k, label: election?.calendar.find((c) => c.key === k)?.name ?? k }));
  const deliverableKey = keys.includes(deliverableSel) ? deliverableSel : keys[0] ?? '';
  const notices = (election?.delayNotices ?? []).filter((n) => n.deliverableKey === deliverableKey);
  const noticeOpts = notices.map((n) => ({ value: n.noticeId, label: `${n.noticeId}: ${KIND_NAMES[n.kind] ?? n.kind}${n.kind === 'force-majeure' && !n.timely ? ' (not timely)' : ''}` }));
  const noticeId = notices.some((n) => n.noticeId === noticeSel) ? noticeSel : notices[0]?.noticeId ?? '';
  const item = election?.calendar.find((c) => c.key === deliverableKey);

  async function submit(ev: Event) {
    ev.preventDefault();
    setError(undefined);
    setDone('');
    const errs: WaiverErrors = {};
    if (!reason.trim()) errs.reason = 'Give the reason for the decision.';
    if (throughDate && !/^\d{4}-\d{2}-\d{2}$/.test(throughDate)) errs.throughDate = 'Enter a date as YYYY-MM-DD, or leave it empty.';
    setErrors(errs);
    if (Object.keys(errs).length || !electionId || !deliverableKey || !noticeId) return;
    setBusy(true);
    try {
      const r = await staffApi<{ waivedDays?: number }>(`/api/elections/${enc(electionId)}/waivers`, {
        method: 'POST',
        body: { deliverableKey, noticeId, decision, reason: reason.trim(), ...(throughDate ? { throughDate } : {}) },
      });
      const days = r.waivedDays ?? 0;
      setDone(decision === 'granted'
        ? `Waiver granted on notice ${noticeId}: ${plural(days, 'late day')} waived for "${item?.name ?? deliverableKey}".`
        : `Waiver denied on notice ${noticeId} for "${item?.name ?? deliverableKey}".`);
      setReason('');
      setThroughDate('');
      onDecided();
    } catch (e) {
      const f = apiFieldError(e);
      if (f && f.field in { throughDate: 1, reason: 1, noticeId: 1, decision: 1, deliverableKey: 1 }) setErrors({ [f.field]: f.message });
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="waiver-h">
      <h3 id="waiver-h">Decide a waiver</h3>
      <p>Contract §12 excuses late days caused by a county priority (a), or by a cause beyond the vendor's control noticed in time (b). A notice of kind "Other" can only be denied.</p>
      <div class="grid">
        <Select label="Election" value={electionId} onValue={setElection} options={electionOpts} />
        <Select label="Deliverable" value={deliverableKey} onValue={setDeliverable} options={deliverableOpts} />
        <Select label="Delay notice" value={noticeId} onValue={setNotice} options={noticeOpts} />
        <Select label="Decision" value={decision} onValue={(v) => setDecision(v === 'denied' ? 'denied' : 'granted')} options={[{ value: 'granted', label: 'Grant the waiver' }, { value: 'denied', label: 'Deny the waiver' }]} />
      </div>
      {item ? (
        <p>
          This deliverable has {plural(item.lateDates.length, 'late day')}{item.lateDates.length ? ` (${item.lateDates[0]} to ${item.lateDates[item.lateDates.length - 1]})` : ''},
          {' '}{plural(item.waivedDates.length, 'day')} waived so far.
        </p>
      ) : null}
      {errors.noticeId ? <p class="error-text">{errors.noticeId}</p> : null}
      {errors.deliverableKey ? <p class="error-text">{errors.deliverableKey}</p> : null}
      {errors.decision ? <p class="error-text">{errors.decision}</p> : null}
      <Field label="Waive late days through (optional)" type="date" value={throughDate} onValue={setThroughDate} hint="Late days up to and including this date are waived. Leave empty to waive every late day." error={errors.throughDate} />
      <TextArea label="Reason" value={reason} onValue={setReason} required maxLength={4000} error={errors.reason} hint="Recorded with the decision and shown on the SLA report." />
      <div class="actions"><button type="submit" disabled={busy || !noticeId}>{busy ? 'Recording…' : 'Record the decision'}</button></div>
      <ErrorBox error={error} title="The decision was not recorded." />
      {done ? <Live kind="success">{done}</Live> : null}
    </form>
  );
}

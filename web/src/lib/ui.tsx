/**
 * Shared page parts. Accessibility (WCAG 2.1 AA) is built in here so each page gets it by using them: a skip link,
 * landmarks, one h1 per page, labels tied to inputs, errors announced (role=alert) and tied to their field
 * (aria-describedby, aria-invalid), live regions for progress, visible focus, and every chart paired with a table.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip,
  type ChartDataset,
} from 'chart.js';
import { ApiError } from './api';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export function Layout(props: {
  title: string;
  lang?: string;
  brand: string;
  nav?: ComponentChildren;
  tools?: ComponentChildren;
  skipLabel?: string;
  children: ComponentChildren;
}) {
  useEffect(() => {
    document.title = `${props.title} · ${props.brand}`;
    if (props.lang) document.documentElement.lang = props.lang;
  }, [props.title, props.lang, props.brand]);
  return (
    <>
      <a class="skip" href="#main">{props.skipLabel ?? 'Skip to main content'}</a>
      <header class="site">
        <div class="bar">
          <a class="brand" href="/">{props.brand}</a>
          <div class="tools">{props.tools}</div>
        </div>
        {props.nav ? <nav aria-label="Main">{props.nav}</nav> : null}
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </>
  );
}

let seq = 0;
/** A stable id for label/description wiring. */
export function useId(prefix: string): string {
  const r = useRef<string | undefined>(undefined);
  if (!r.current) r.current = `${prefix}-${++seq}`;
  return r.current;
}

type InputProps = {
  type?: 'text' | 'email' | 'tel' | 'password' | 'date' | 'time' | 'search' | 'number';
  name?: string;
  autoComplete?: string;
  inputMode?: 'numeric' | 'text' | 'email' | 'tel';
  required?: boolean;
  placeholder?: string;
  disabled?: boolean;
  min?: string;
  max?: string;

  label: string;
  value: string;
  onValue: (v: string) => void;
  hint?: string;
  error?: string | undefined;
};

/** A labelled input whose hint and error are read with it. */
export function Field({ label, value, onValue, hint, error, type = 'text', ...rest }: InputProps) {
  const id = useId('f');
  const described = [hint ? `${id}-hint` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      <input id={id} type={type as 'text'} value={value} onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)} aria-invalid={error ? 'true' : undefined} aria-describedby={described} {...(rest as Record<string, unknown>)} />
      {error ? <p class="error-text" id={`${id}-err`}>{error}</p> : null}
    </div>
  );
}

export function Select(props: { label: string; value: string; onValue: (v: string) => void; options: { value: string; label: string }[]; hint?: string; name?: string }) {
  const id = useId('s');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? <p class="hint" id={`${id}-hint`}>{props.hint}</p> : null}
      <select id={id} name={props.name} value={props.value} aria-describedby={props.hint ? `${id}-hint` : undefined} onChange={(e) => props.onValue((e.currentTarget as HTMLSelectElement).value)}>
        {props.options.map((o) => <option value={o.value} key={o.value}>{o.label}</option>)}
      </select>
    </div>
  );
}

/** An error announced to screen readers, with the API's detail (which names the field or line). */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = error as Error;
  const detail = e instanceof ApiError ? e.detail || e.title : e.message;
  return (
    <div class="alert error" role="alert">
      {title ? <strong>{title} </strong> : null}
      {detail}
    </div>
  );
}

/** A polite live region: progress and confirmations are read out without moving focus. */
export function Live({ children, kind = 'info' }: { children: ComponentChildren; kind?: 'info' | 'success' }) {
  return <div class={`alert ${kind}`} role="status" aria-live="polite">{children}</div>;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return <p class="loading" role="status" aria-live="polite">{label}</p>;
}

export const usd = (n: number) => n.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
export const num = (n: number) => n.toLocaleString('en-US');

/** A status pill: colour is never the only cue, the word is always there. */
export function Pill({ status, label }: { status: string; label?: string }) {
  return <span class={`pill pill-${status.replace(/[^a-z-]/g, '')}`}>{label ?? status.replace(/-/g, ' ')}</span>;
}

export interface BarSeries { label: string; values: number[]; color: string }

/**
 * A bar chart (Chart.js on a canvas) with its data as a table beneath it: the canvas is an image with a text
 * summary for screen readers, and the table carries every figure for anyone who would rather read.
 */
export function BarChart(props: { id: string; title: string; labels: string[]; series: BarSeries[]; summary: string; format?: (n: number) => string; stacked?: boolean; horizontal?: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const datasets: ChartDataset<'bar'>[] = props.series.map((s) => ({ label: s.label, data: s.values, backgroundColor: s.color, borderColor: '#1b1b1b', borderWidth: 1 }));
    const fmt = props.format ?? num;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: props.labels, datasets },
      options: {
        indexAxis: props.horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: props.stacked ?? false, ticks: { color: '#1b1b1b', ...(props.horizontal ? { callback: (v: string | number) => fmt(Number(v)) } : {}) } },
          y: { stacked: props.stacked ?? false, ticks: { color: '#1b1b1b', ...(props.horizontal ? {} : { callback: (v: string | number) => fmt(Number(v)) }) } },
        },
        plugins: { legend: { labels: { color: '#1b1b1b' } }, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${fmt(Number(c.raw))}` } } },
      },
    });
    return () => chart.destroy();
  }, [JSON.stringify(props.labels), JSON.stringify(props.series)]);
  const fmt = props.format ?? num;
  return (
    <figure class="chart" aria-labelledby={`${props.id}-cap`}>
      <figcaption id={`${props.id}-cap`}>{props.title}</figcaption>
      <div class="chart-box" style={{ height: `${Math.max(220, props.horizontal ? props.labels.length * 34 + 80 : 300)}px` }}>
        <canvas id={props.id} ref={canvas} role="img" aria-label={props.summary} />
      </div>
      <details>
        <summary>Chart data as a table</summary>
        <table>
          <thead><tr><th scope="col">{props.title}</th>{props.series.map((s) => <th scope="col" key={s.label}>{s.label}</th>)}</tr></thead>
          <tbody>
            {props.labels.map((l, i) => (
              <tr key={l}><th scope="row">{l}</th>{props.series.map((s) => <td key={s.label} class="num">{fmt(s.values[i] ?? 0)}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export { useAsync } from './use-async';

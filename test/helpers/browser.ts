/**
 * A real browser for the portal tests: Debian's Chromium driven by playwright-core (headless, no sandbox as root).
 * Every page is checked with axe-core for WCAG 2.1 AA, screenshotted into test-results/screenshots for reviewers,
 * and watched: a request to anywhere but the product's own origin is blocked and recorded (no page may fetch from
 * the internet), as are console errors and uncaught exceptions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export function chromiumPath(): string {
  const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(p)) throw new Error(`Chromium not found at ${p}: run scripts/setup.sh --browser (installs Debian's chromium) or set CHROMIUM_PATH`);
  return p;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface Watched {
  page: Page;
  context: BrowserContext;
  /** Requests to other origins (blocked), console errors and page errors, in order. */
  problems: string[];
  offsite: string[];
}

/** A fresh context (its own sessionStorage) whose page may reach only `origin`. */
export async function openPage(browser: Browser, origin: string, opts: { mobile?: boolean } = {}): Promise<Watched> {
  const context = await browser.newContext(opts.mobile
    ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
    : { viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const offsite: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    offsite.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (4\d\d)/.test(m.text())) problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { page, context, problems, offsite };
}

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }

/**
 * Runs axe-core in the page against WCAG 2.0/2.1 A and AA. The script is evaluated through the DevTools protocol,
 * so the page's own Content-Security-Policy (script-src 'self') stays in force for everything else.
 */
export async function axe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // Runs in the page: its globals are the browser's (this file is compiled without the DOM library).
    const w = globalThis as unknown as { document: unknown; axe: { run: (ctx: unknown, o: object) => Promise<{ violations: AxeViolation[] }> } };
    return w.axe.run(w.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
  });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}) })) }));
}

/** A readable list of violations for an assertion message. */
export function describeViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n  ')}`).join('\n');
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Axe-checks the page and saves its screenshot: the two things every page of the portals gets. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const violations = await axe(page);
  if (violations.length) throw new Error(`${name}: ${violations.length} accessibility violation(s)\n${describeViolations(violations)}`);
}

/** Signs in on the staff portal with a key, as a person would type it. */
export async function staffSignIn(page: Page, origin: string, key: string, hash = ''): Promise<void> {
  await page.goto(`${origin}/staff/${hash}`);
  await page.getByLabel('API key or SSO token').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Only Tab: focus reaches `selector` within `max` presses (the page is usable without a mouse). */
export async function tabTo(page: Page, predicate: () => boolean, max = 60): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate)) return i;
  }
  throw new Error(`focus did not reach the element in ${max} Tab presses`);
}

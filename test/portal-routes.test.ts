/**
 * No page has a back door: every API path the portals' source calls is a route of the one route table, so it has
 * an access policy and rows in the authorization matrix (test/authz-matrix.test.ts requires a row per route).
 */
import fs from 'node:fs';
import path from 'node:path';
import { routes } from '../api/app';

const webSrc = path.resolve(__dirname, '..', 'web', 'src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sources(p) : /\.tsx?$/.test(d.name) ? [p] : [];
  });
}

/** `/api/elections/${enc(id)}/files?type=…` → `/api/elections/*\/files`: interpolations are path parameters. */
function calledPaths(): { file: string; path: string }[] {
  const out: { file: string; path: string }[] = [];
  for (const file of sources(webSrc)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/['`](\/api\/[^'`]*)['`]/g)) {
      // An interpolation glued to the end of a segment (`/api/elections${query}`) is its query string.
      const raw = m[1]!.split('?')[0]!.replace(/([^/])\$\{[^}]*\}$/, '$1').replace(/\$\{[^}]*\}/g, '*').replace(/\/+$/, '');
      out.push({ file: path.relative(webSrc, file), path: raw });
    }
  }
  return out;
}

const routePatterns = routes.map((r) => ({ route: `${r.method.toUpperCase()} ${r.path}`, re: new RegExp(`^${r.path.replace(/:[A-Za-z]+/g, '[^/]+')}$`) }));

test('the portals call the API, and through nothing but the route table', () => {
  const called = calledPaths();
  // The pages call the API for everything they show: elections, files, ballots, contracts, notices, audit, voters.
  expect(called.length).toBeGreaterThan(25);
  const unknown = called.filter((c) => {
    const concrete = c.path.replace(/\*/g, 'x');
    // A path built in pieces (`${base}/...`) is checked from its fixed part.
    return !routePatterns.some((r) => r.re.test(concrete) || r.re.test(concrete.replace(/\/x$/, '')));
  });
  expect(unknown).toEqual([]);
});

test('every route the voter pages call is a voter or public route; no staff credential is sent from them', () => {
  for (const file of sources(path.join(webSrc, 'voter'))) {
    const text = fs.readFileSync(file, 'utf8');
    expect({ file, staff: /staffApi|auth: 'staff'/.test(text) }).toEqual({ file, staff: false });
    for (const m of text.matchAll(/['`](\/api\/[^'`]*)['`]/g)) expect(m[1]).toMatch(/^\/api\/voter\//);
  }
});

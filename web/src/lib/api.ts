/**
 * The portals call the same API as everyone else, with the same credentials: a staff member's API key (or SSO
 * token) as a bearer token, a voter's signed link, or a voter account token. There is no page-only back door.
 */

/** An API refusal as problem+json (RFC 9457): the status, the title and the detail that names the field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly body: Record<string, unknown>,
  ) {
    super(detail || title || `HTTP ${status}`);
  }
  /** The field a 422 names (`body.email`), or undefined. */
  get field(): string | undefined {
    const errors = this.body.errors as { field?: string }[] | undefined;
    return errors?.[0]?.field ?? /^((?:body|query|params)\.[\w.]+):/.exec(this.detail)?.[1];
  }
}

const STAFF_KEY = 'ballotflow.staff.credential';
const ACCOUNT_KEY = 'ballotflow.voter.account';

/** The staff credential lives for the browser tab only (sessionStorage), never in a cookie or the URL. */
export const staffCredential = {
  get: (): string | null => sessionStorage.getItem(STAFF_KEY),
  set: (v: string) => sessionStorage.setItem(STAFF_KEY, v),
  clear: () => sessionStorage.removeItem(STAFF_KEY),
};

/** A voter account token (12 hours), kept for the tab like the staff credential. */
export const accountCredential = {
  get: (): { token: string; email: string } | null => {
    const raw = sessionStorage.getItem(ACCOUNT_KEY);
    return raw ? (JSON.parse(raw) as { token: string; email: string }) : null;
  },
  set: (v: { token: string; email: string }) => sessionStorage.setItem(ACCOUNT_KEY, JSON.stringify(v)),
  clear: () => sessionStorage.removeItem(ACCOUNT_KEY),
};

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** 'staff' sends the staff bearer token, 'account' the voter account header, 'none' nothing. */
  auth?: 'staff' | 'account' | 'none';
  accept?: string;
  headers?: Record<string, string>;
}

function headersFor(o: CallOptions): Record<string, string> {
  const h: Record<string, string> = { Accept: o.accept ?? 'application/json', ...o.headers };
  if (o.body !== undefined) h['Content-Type'] = 'application/json';
  if (o.auth === 'staff') {
    const c = staffCredential.get();
    if (c) h.Authorization = `Bearer ${c}`;
  }
  if (o.auth === 'account') {
    const c = accountCredential.get();
    if (c) h['X-Account-Token'] = c.token;
  }
  return h;
}

async function problemOf(r: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await r.json()) as Record<string, unknown>;
  } catch {
    // not JSON: the status says enough
  }
  return new ApiError(r.status, String(body.title ?? r.statusText), String(body.detail ?? ''), body);
}

/** Calls the API and returns its JSON; throws ApiError on any 4xx/5xx. */
export async function api<T = any>(path: string, o: CallOptions = {}): Promise<T> {
  const r = await fetch(path, { method: o.method ?? 'GET', headers: headersFor(o), ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}) });
  if (!r.ok) throw await problemOf(r);
  return (await r.json()) as T;
}

/** The same call for a text answer (CSV). */
export async function apiText(path: string, o: CallOptions = {}): Promise<string> {
  const r = await fetch(path, { method: o.method ?? 'GET', headers: headersFor(o) });
  if (!r.ok) throw await problemOf(r);
  return r.text();
}

export const staffApi = <T = any>(path: string, o: Omit<CallOptions, 'auth'> = {}) => api<T>(path, { ...o, auth: 'staff' });

/** `/api/elections/${enc(id)}`: ids carry colons, which are safe, but other characters must not change the path. */
export const enc = (s: string) => encodeURIComponent(s);

/**
 * Uploads a file as the request body with the staff credential, reporting bytes sent (XMLHttpRequest: fetch has no
 * upload progress). Resolves with the JSON answer.
 */
export function uploadWithProgress(url: string, file: Blob, contentType: string, onProgress: (sent: number, total: number) => void): Promise<any> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', url);
    const c = staffCredential.get();
    if (c) x.setRequestHeader('Authorization', `Bearer ${c}`);
    x.setRequestHeader('Content-Type', contentType);
    x.setRequestHeader('Accept', 'application/json');
    x.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    x.onerror = () => reject(new ApiError(0, 'Network error', 'the upload did not reach the server', {}));
    x.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(x.responseText) as Record<string, unknown>;
      } catch {
        // keep {}
      }
      if (x.status >= 200 && x.status < 300) resolve(body);
      else reject(new ApiError(x.status, String(body.title ?? x.statusText), String(body.detail ?? ''), body));
    };
    x.send(file);
  });
}

/** Saves text as a download named `name` (CSV reports). */
export function download(name: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

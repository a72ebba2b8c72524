/**
 * The staff portal's frame: sign in with an API key or SSO token, learn the caller's role from GET /api/me, and show
 * the pages that role may use. The pages call the same API with the same credential: what a role may not do, the
 * API refuses, whatever the page shows.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Layout } from '../lib/ui';

export type Role = 'state-admin' | 'county-manager' | 'vendor' | 'contract-manager' | 'feed';
export interface Me { subject: string; role: Role; county?: string; contracts?: string[] }

export const ROLE_NAMES: Record<Role, string> = {
  'state-admin': 'Secretary of State administrator',
  'county-manager': 'County election manager',
  vendor: 'Print/mail vendor',
  'contract-manager': 'Contract manager',
  feed: 'Data feed',
};

/** The current hash route, split: `#/elections/x` → ['elections', 'x']. */
export function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [parts, setParts] = useState(read());
  useEffect(() => {
    const on = () => {
      setParts(read());
      // Move focus to the new page's content, as a page load would, so keyboard and screen reader users follow.
      document.getElementById('main')?.focus();
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return parts;
}

export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;

export interface NavItem { path: string; label: string }

/** The pages each role sees in the menu. */
export function navFor(me: Me): NavItem[] {
  switch (me.role) {
    case 'state-admin':
      return [
        { path: 'elections', label: 'Elections' }, { path: 'contracts', label: 'Contracts' },
        { path: 'admin/triggers', label: 'Notice triggers' }, { path: 'admin/templates', label: 'Templates' },
        { path: 'admin/counties', label: 'County settings' }, { path: 'admin/audit', label: 'Audit log' },
      ];
    case 'county-manager':
      return [{ path: 'elections', label: 'Elections' }, { path: 'contracts', label: 'Contracts' }];
    case 'vendor':
      return [{ path: 'deadlines', label: 'My deadlines' }, { path: 'elections', label: 'Elections' }, { path: 'contracts', label: 'My SLA' }];
    case 'contract-manager':
      return [{ path: 'contracts', label: 'Contracts' }, { path: 'elections', label: 'Elections' }];
    default:
      return [];
  }
}

export function StaffLayout(props: { me: Me | null; title: string; route: string[]; onSignOut: () => void; children: ComponentChildren }) {
  const current = props.route.join('/');
  const nav = props.me ? navFor(props.me) : [];
  return (
    <Layout
      title={props.title}
      brand="Ballotflow staff"
      tools={props.me ? (
        <>
          <span>{ROLE_NAMES[props.me.role]}{props.me.county ? ` · ${props.me.county}` : ''}</span>
          <button type="button" class="secondary" onClick={props.onSignOut}>Sign out</button>
        </>
      ) : null}
      nav={nav.length ? (
        <ul>
          {nav.map((n) => (
            <li key={n.path}><a href={`#/${n.path}`} aria-current={current === n.path || current.startsWith(`${n.path}/`) ? 'page' : undefined}>{n.label}</a></li>
          ))}
        </ul>
      ) : undefined}
    >
      {props.children}
    </Layout>
  );
}

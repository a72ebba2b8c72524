/** The staff portal: sign-in, then the pages of the caller's role (see shell.tsx). */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, staffCredential } from '../lib/api';
import { ErrorBox, Field, Loading } from '../lib/ui';
import { AuditPage, CountiesPage, TemplatesPage, TriggersPage } from './admin';
import { ContractPage, ContractsPage } from './contracts';
import { BallotPage, ElectionPage, ElectionsPage } from './elections';
import { StaffLayout, navFor, useRoute, type Me } from './shell';
import { DeadlinesPage } from './vendor';

function page(me: Me, r: string[]): { title: string; body: preact.JSX.Element } {
  const [a, b, c] = r;
  if (a === 'elections' && b) return { title: `Election ${b.replace(/^election:/, '')}`, body: <ElectionPage key={b} me={me} id={b} /> };
  if (a === 'elections') return { title: 'Elections', body: <ElectionsPage me={me} /> };
  if (a === 'ballots' && b) return { title: 'Ballot', body: <BallotPage key={b} me={me} id={b} /> };
  if (a === 'contracts' && b) return { title: `Contract ${b.replace(/^contract:/, '')}`, body: <ContractPage key={b} me={me} id={b} /> };
  if (a === 'contracts') return { title: 'Contracts', body: <ContractsPage me={me} /> };
  if (a === 'deadlines') return { title: 'My deadlines', body: <DeadlinesPage me={me} /> };
  if (a === 'admin' && b === 'triggers') return { title: 'Notice triggers', body: <TriggersPage me={me} /> };
  if (a === 'admin' && b === 'templates') return { title: 'Notice templates', body: <TemplatesPage me={me} /> };
  if (a === 'admin' && b === 'counties') return { title: c ? `County settings: ${c}` : 'County settings', body: <CountiesPage me={me} county={c} /> };
  if (a === 'admin' && b === 'audit') return { title: 'Audit log', body: <AuditPage me={me} /> };
  return { title: 'Page not found', body: <p>There is no such page. Use the menu above.</p> };
}

function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined);
    staffCredential.set(key.trim());
    try {
      onSignedIn(await api<Me>('/api/me', { auth: 'staff' }));
    } catch (err) {
      staffCredential.clear();
      setError(err instanceof ApiError && err.status === 401 ? new Error('That key or token was not accepted: it may be mistyped, expired or revoked.') : err);
    }
  }
  return (
    <form class="panel" onSubmit={submit} noValidate>
      <p>Sign in with the API key your administrator gave you (it starts with <code>bfk_</code>), or with your organisation's SSO token. It is kept for this browser tab only.</p>
      <Field label="API key or SSO token" type="password" autoComplete="off" name="credential" value={key} onValue={setKey} required />
      <div class="actions"><button type="submit">Sign in</button></div>
      <ErrorBox error={error} />
    </form>
  );
}

function App() {
  const route = useRoute();
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(!!staffCredential.get());
  useEffect(() => {
    if (!staffCredential.get()) return;
    api<Me>('/api/me', { auth: 'staff' }).then(setMe, () => staffCredential.clear()).finally(() => setChecking(false));
  }, []);
  const signOut = () => { staffCredential.clear(); setMe(null); location.hash = ''; };
  if (checking) return <StaffLayout me={null} title="Staff portal" route={route} onSignOut={signOut}><Loading /></StaffLayout>;
  if (!me) {
    return (
      <StaffLayout me={null} title="Sign in" route={route} onSignOut={signOut}>
        <SignIn onSignedIn={(m) => { setMe(m); if (!location.hash) location.hash = `#/${navFor(m)[0]?.path ?? 'elections'}`; }} />
      </StaffLayout>
    );
  }
  const r = route.length ? route : (navFor(me)[0]?.path ?? 'elections').split('/');
  const p = page(me, r);
  return <StaffLayout me={me} title={p.title} route={r} onSignOut={signOut}>{p.body}</StaffLayout>;
}

render(<App />, document.getElementById('app')!);

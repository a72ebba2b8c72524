import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { ErrorBox, Field, Live } from '../lib/ui';
import type { VoterDict } from './common';

type Dict = VoterDict;

/** One channel's one-time code: confirm it, or ask for a new one. */
export function CodeForm({ t, subscriptionId, manageToken, p }: { t: Dict; subscriptionId: string; manageToken: string; p: { channel: string; address: string } }) {
  const [code, setCode] = useState('');
  const [state, setState] = useState<'pending' | 'confirmed'>('pending');
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState<string>();
  async function confirm(e: Event) {
    e.preventDefault();
    setError(undefined); setNote(undefined);
    try {
      await api(`/api/voter/subscriptions/${encodeURIComponent(subscriptionId)}/confirm`, { method: 'POST', body: { channel: p.channel, code: code.trim(), manageToken } });
      setState('confirmed');
    } catch (err) {
      setError(err);
    }
  }
  async function resend() {
    setError(undefined);
    try {
      await api(`/api/voter/subscriptions/${encodeURIComponent(subscriptionId)}/code`, { method: 'POST', body: { channel: p.channel, manageToken } });
      setNote(t.codeSent(p.address));
    } catch (err) {
      setError(err);
    }
  }
  if (state === 'confirmed') return <Live kind="success">{t.confirmed(p.address)}</Live>;
  return (
    <form onSubmit={confirm} class="code-form" data-channel={p.channel} noValidate>
      <p>{t.codeSent(p.address)}</p>
      <Field label={t.codeLabel(p.address)} value={code} onValue={setCode} inputMode="numeric" autoComplete="one-time-code" name={`code-${p.channel}`} />
      <div class="actions">
        <button type="submit">{t.confirm}</button>
        <button type="button" class="secondary" onClick={resend}>{t.resend}</button>
      </div>
      {note ? <Live>{note}</Live> : null}
      <ErrorBox error={error} />
    </form>
  );
}


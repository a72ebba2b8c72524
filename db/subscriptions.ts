/**
 * Voter notice subscriptions (issue 4, "Sign-up and consent"): the voter records a lookup can find, who asked
 * for which notices on which channels, the consent given and withdrawn, and the delivery receipts providers report.
 *
 * Consent is prior express consent (domain.md §10): a channel receives nothing until its address is confirmed with a
 * one-time code (double opt-in), and every request, confirmation and withdrawal is a row in the append-only
 * `consents` table with its time, channel, address, source and the exact words. An opt-out from any channel is
 * honored at once for every subscription on that address.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { ChannelSchema, LanguageSchema, type Channel, type Language } from '../domain/notify/channels';
import { ContactWindowSchema, type ContactWindow } from '../domain/notify/contact-hours';
import { E164Schema } from '../domain/notify/triggers';

// ---------- schemas and types ----------

export const SubscriptionIdSchema = z
  .string()
  .regex(/^sub-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a subscription id, sub-<uuid>')
  .brand<'SubscriptionId'>();
export type SubscriptionId = z.infer<typeof SubscriptionIdSchema>;

/** An address on a channel: an email address (kept lower-case, so an opt-out matches however it was typed) or an E.164 number. */
export const ChannelAddressSchema = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('email'), address: z.string().trim().toLowerCase().max(254).pipe(z.email({ error: 'must be an email address, e.g. ana.nunez@example.com' })) }),
  z.object({ channel: z.literal('sms'), address: E164Schema }),
  z.object({ channel: z.literal('voice'), address: E164Schema }),
]);
export type ChannelAddress = z.infer<typeof ChannelAddressSchema>;

/**
 * Where a consent action came from: the web sign-up and manage pages, an SMS keyword, a voice keypress, an email
 * unsubscribe link or List-Unsubscribe one-click.
 */
export type ConsentSource = 'web' | 'sms' | 'voice' | 'email';

/** pending: waiting for its code; locked: too many wrong codes; confirmed: receives notices; withdrawn: removed or opted out. */
export type ChannelState = 'pending' | 'locked' | 'confirmed' | 'withdrawn';

export interface SubscriptionChannel {
  channel: Channel;
  address: string;
  state: ChannelState;
  confirmedAt: Date | null;
  optedOutAt: Date | null;
}

export interface Subscription {
  id: SubscriptionId;
  county: string;
  voterId: string;
  language: Language;
  window: ContactWindow;
  status: 'active' | 'cancelled';
  createdAt: Date;
  updatedAt: Date;
  channels: SubscriptionChannel[];
}

export interface VoterRecord {
  county: string;
  voterId: string;
  firstName: string;
  lastName: string;
  language: string | null;
  electionId: string;
  ballotId: string;
}

/** Wrong codes allowed before a channel locks; a new code (requestNewCode) unlocks it. */
export const MAX_CODE_ATTEMPTS = 5;

/** What the code activity stores, and what a typed code is checked against: sha256 hex of `${subscriptionId}:${channel}:${code}`. */
export function codeHash(subscriptionId: string, channel: Channel, code: string): string {
  return createHash('sha256').update(`${subscriptionId}:${channel}:${code}`).digest('hex');
}

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

async function withTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

type Queryable = Pick<Pool, 'query'> | PoolClient;

// ---------- voters and their ballots ----------

/** The voter records whose lookup hash (HMAC of domain/notify/match lookupKey) is this one. */
export async function findVotersByLookupHash(pool: Pool, lookupHash: string): Promise<VoterRecord[]> {
  const r = await pool.query<VoterRecord>(
    `SELECT county, voter_id AS "voterId", first_name AS "firstName", last_name AS "lastName", language,
            election_id AS "electionId", ballot_id AS "ballotId"
     FROM voters WHERE lookup_hash = $1 ORDER BY county, voter_id`,
    [lookupHash],
  );
  return r.rows;
}

export async function getVoter(pool: Pool, county: string, voterId: string): Promise<VoterRecord | undefined> {
  const r = await pool.query<VoterRecord>(
    `SELECT county, voter_id AS "voterId", first_name AS "firstName", last_name AS "lastName", language,
            election_id AS "electionId", ballot_id AS "ballotId"
     FROM voters WHERE county = $1 AND voter_id = $2`,
    [county, voterId],
  );
  return r.rows[0];
}

// ---------- subscriptions ----------

interface SubscriptionRow {
  id: string; county: string; voterId: string; language: string; windowStart: string; windowEnd: string; windowZone: string;
  status: 'active' | 'cancelled'; createdAt: Date; updatedAt: Date;
}
interface ChannelRow { channel: string; address: string; confirmedAt: Date | null; optedOutAt: Date | null; codeAttempts: number }

const SUBSCRIPTION_COLUMNS = `id, county, voter_id AS "voterId", language, window_start AS "windowStart", window_end AS "windowEnd",
  window_zone AS "windowZone", status, created_at AS "createdAt", updated_at AS "updatedAt"`;

function stateOf(c: ChannelRow): ChannelState {
  if (c.optedOutAt) return 'withdrawn';
  if (c.confirmedAt) return 'confirmed';
  return c.codeAttempts >= MAX_CODE_ATTEMPTS ? 'locked' : 'pending';
}

async function loadSubscription(q: Queryable, id: string, forUpdate = false): Promise<Subscription | undefined> {
  const s = await q.query<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  const row = s.rows[0];
  if (!row) return undefined;
  const cs = await q.query<ChannelRow>(
    `SELECT channel, address, confirmed_at AS "confirmedAt", opted_out_at AS "optedOutAt", code_attempts AS "codeAttempts"
     FROM subscription_channels WHERE subscription_id = $1 ORDER BY array_position(ARRAY['email', 'sms', 'voice'], channel)`,
    [id],
  );
  return {
    id: row.id as SubscriptionId,
    county: row.county,
    voterId: row.voterId,
    language: LanguageSchema.parse(row.language),
    window: ContactWindowSchema.parse({ start: row.windowStart, end: row.windowEnd, zone: row.windowZone }),
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    channels: cs.rows.map((c) => ({ channel: ChannelSchema.parse(c.channel), address: c.address, state: stateOf(c), confirmedAt: c.confirmedAt, optedOutAt: c.optedOutAt })),
  };
}

export async function getSubscription(pool: Pool, id: string): Promise<Subscription | undefined> {
  return loadSubscription(pool, id);
}

export interface NewSubscription {
  county: string;
  voterId: string;
  language: Language;
  window: ContactWindow;
  channels: ChannelAddress[];
  /** The exact words the voter agreed to, as the page showed them. */
  consentText: string;
  source: ConsentSource;
}

async function requestConsent(c: PoolClient, subscriptionId: string, ch: ChannelAddress, source: ConsentSource, consentText: string): Promise<void> {
  // A channel added again (after removal or an opt-out) starts over: a new address, a new code, a new confirmation.
  await c.query(
    `INSERT INTO subscription_channels (subscription_id, channel, address) VALUES ($1, $2, $3)
     ON CONFLICT (subscription_id, channel) DO UPDATE SET address = EXCLUDED.address, code_hash = NULL, code_expires_at = NULL,
       code_attempts = 0, confirmed_at = NULL, opted_out_at = NULL`,
    [subscriptionId, ch.channel, ch.address],
  );
  await c.query(
    `INSERT INTO consents (subscription_id, channel, address, action, source, consent_text) VALUES ($1, $2, $3, 'requested', $4, $5)`,
    [subscriptionId, ch.channel, ch.address, source, consentText],
  );
}

async function withdrawChannels(c: PoolClient, subscriptionId: string, channels: Channel[], source: ConsentSource, text: string): Promise<Channel[]> {
  if (channels.length === 0) return [];
  const r = await c.query<{ channel: Channel }>(
    `WITH hit AS (
       UPDATE subscription_channels SET opted_out_at = now()
       WHERE subscription_id = $1 AND channel = ANY($2::text[]) AND opted_out_at IS NULL
       RETURNING subscription_id, channel, address)
     INSERT INTO consents (subscription_id, channel, address, action, source, consent_text)
     SELECT subscription_id, channel, address, 'withdrawn', $3, $4 FROM hit
     RETURNING channel`,
    [subscriptionId, channels, source, text],
  );
  return r.rows.map((x) => x.channel);
}

/** A subscription with its channels, each pending its code, and a 'requested' consent row per channel, in one transaction. */
export async function createSubscription(pool: Pool, s: NewSubscription): Promise<Subscription> {
  const id = `sub-${randomUUID()}`;
  return withTransaction(pool, async (c) => {
    await c.query(
      `INSERT INTO subscriptions (id, county, voter_id, language, window_start, window_end, window_zone, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'active')`,
      [id, s.county, s.voterId, s.language, s.window.start, s.window.end, s.window.zone],
    );
    for (const ch of s.channels) await requestConsent(c, id, ch, s.source, s.consentText);
    return (await loadSubscription(c, id))!;
  });
}

export type ConfirmError =
  | { type: 'not-found' }
  | { type: 'no-code' }
  | { type: 'expired' }
  | { type: 'locked' }
  | { type: 'wrong-code'; attemptsLeft: number };

/**
 * Checks a typed code against the stored hash: it must not have expired, and the channel locks after
 * MAX_CODE_ATTEMPTS wrong codes (even the right code is then refused until a new one is sent). A confirmation is
 * recorded as a 'confirmed' consent row carrying the words of the request it confirms. Confirming a confirmed
 * channel again changes nothing.
 */
export async function confirmChannel(
  pool: Pool,
  o: { subscriptionId: string; channel: Channel; code: string; source?: ConsentSource },
): Promise<Result<{ newlyConfirmed: boolean }, ConfirmError>> {
  return withTransaction(pool, async (c) => {
    const r = await c.query<{ address: string; codeHash: string | null; expired: boolean | null; attempts: number; confirmed: boolean; optedOut: boolean; status: string }>(
      `SELECT sc.address, sc.code_hash AS "codeHash", sc.code_expires_at <= now() AS expired, sc.code_attempts AS attempts,
              sc.confirmed_at IS NOT NULL AS confirmed, sc.opted_out_at IS NOT NULL AS "optedOut", s.status
       FROM subscription_channels sc JOIN subscriptions s ON s.id = sc.subscription_id
       WHERE sc.subscription_id = $1 AND sc.channel = $2 FOR UPDATE OF sc`,
      [o.subscriptionId, o.channel],
    );
    const row = r.rows[0];
    if (!row || row.status !== 'active' || row.optedOut) return { ok: false, error: { type: 'not-found' } };
    if (row.confirmed) return { ok: true, value: { newlyConfirmed: false } };
    if (row.attempts >= MAX_CODE_ATTEMPTS) return { ok: false, error: { type: 'locked' } };
    if (!row.codeHash) return { ok: false, error: { type: 'no-code' } };
    if (row.expired !== false) return { ok: false, error: { type: 'expired' } };
    const typed = Buffer.from(codeHash(o.subscriptionId, o.channel, o.code), 'hex');
    const stored = Buffer.from(row.codeHash, 'hex');
    if (typed.length !== stored.length || !timingSafeEqual(typed, stored)) {
      const u = await c.query<{ attempts: number }>(
        `UPDATE subscription_channels SET code_attempts = code_attempts + 1 WHERE subscription_id = $1 AND channel = $2 RETURNING code_attempts AS attempts`,
        [o.subscriptionId, o.channel],
      );
      const attempts = u.rows[0]!.attempts;
      return { ok: false, error: attempts >= MAX_CODE_ATTEMPTS ? { type: 'locked' } : { type: 'wrong-code', attemptsLeft: MAX_CODE_ATTEMPTS - attempts } };
    }
    await c.query(
      `UPDATE subscription_channels SET confirmed_at = now(), code_hash = NULL, code_expires_at = NULL WHERE subscription_id = $1 AND channel = $2`,
      [o.subscriptionId, o.channel],
    );
    // The confirmation confirms the words of the request for this address: carry them, so each row stands alone.
    await c.query(
      `INSERT INTO consents (subscription_id, channel, address, action, source, consent_text)
       SELECT subscription_id, channel, address, 'confirmed', $4, consent_text FROM consents
       WHERE subscription_id = $1 AND channel = $2 AND address = $3 AND action = 'requested'
       ORDER BY at DESC, id DESC LIMIT 1`,
      [o.subscriptionId, o.channel, row.address, o.source ?? 'web'],
    );
    return { ok: true, value: { newlyConfirmed: true } };
  });
}

/**
 * Clears a pending channel's code and its wrong attempts before a new code is requested (which unlocks a locked
 * channel). The code activity then stores the new hash. Refused for a confirmed, withdrawn or cancelled channel.
 */
export async function requestNewCode(pool: Pool, subscriptionId: string, channel: Channel): Promise<boolean> {
  const r = await pool.query(
    `UPDATE subscription_channels sc SET code_hash = NULL, code_expires_at = NULL, code_attempts = 0
     FROM subscriptions s
     WHERE s.id = sc.subscription_id AND s.status = 'active' AND sc.subscription_id = $1 AND sc.channel = $2
       AND sc.confirmed_at IS NULL AND sc.opted_out_at IS NULL`,
    [subscriptionId, channel],
  );
  return r.rowCount === 1;
}

export interface SubscriptionChange {
  language?: Language;
  window?: ContactWindow;
  /** The channels wanted from now on: a channel left out is withdrawn, a new channel or address needs a code. */
  channels?: ChannelAddress[];
  /** The words agreed to for added channels; required when a channel is added. */
  consentText?: string;
  source: ConsentSource;
}

export type UpdateError = { type: 'not-found' } | { type: 'cancelled' } | { type: 'consent-required'; channels: Channel[] };

/**
 * Changes language, contact window and channels in one transaction. A channel whose address is unchanged and not
 * withdrawn is kept as it is (still confirmed); a new channel, a changed address or a channel withdrawn before
 * (removed, or opted out by STOP) is requested afresh and needs a new code; a channel left out gets a 'withdrawn'
 * consent row.
 */
export async function updateSubscription(pool: Pool, id: string, change: SubscriptionChange): Promise<Result<{ subscription: Subscription; added: Channel[]; removed: Channel[] }, UpdateError>> {
  return withTransaction(pool, async (c) => {
    const current = await loadSubscription(c, id, true);
    if (!current) return { ok: false, error: { type: 'not-found' } };
    if (current.status !== 'active') return { ok: false, error: { type: 'cancelled' } };
    let added: ChannelAddress[] = [];
    let removed: Channel[] = [];
    if (change.channels) {
      const live = current.channels.filter((x) => x.state !== 'withdrawn');
      const wanted = change.channels;
      added = wanted.filter((w) => !live.some((x) => x.channel === w.channel && x.address === w.address));
      // A changed address withdraws the old one before the new one is requested.
      removed = live.filter((x) => !wanted.some((w) => w.channel === x.channel && w.address === x.address)).map((x) => x.channel);
      if (added.length > 0 && !change.consentText) return { ok: false, error: { type: 'consent-required', channels: added.map((a) => a.channel) } };
    }
    if (change.language || change.window) {
      await c.query(
        `UPDATE subscriptions SET language = COALESCE($2, language), window_start = COALESCE($3, window_start), window_end = COALESCE($4, window_end),
           window_zone = COALESCE($5, window_zone), updated_at = now() WHERE id = $1`,
        [id, change.language ?? null, change.window?.start ?? null, change.window?.end ?? null, change.window?.zone ?? null],
      );
    }
    await withdrawChannels(c, id, removed, change.source, 'removed on the manage page');
    for (const a of added) await requestConsent(c, id, a, change.source, change.consentText!);
    if (added.length || removed.length) await c.query('UPDATE subscriptions SET updated_at = now() WHERE id = $1', [id]);
    return { ok: true, value: { subscription: (await loadSubscription(c, id))!, added: added.map((a) => a.channel), removed: removed.filter((r) => !added.some((a) => a.channel === r)) } };
  });
}

/** Cancels a subscription: every channel still live gets a 'withdrawn' consent row. Cancelling twice changes nothing. */
export async function cancelSubscription(pool: Pool, id: string, source: ConsentSource, text = 'cancelled on the manage page'): Promise<Result<{ alreadyCancelled: boolean }, { type: 'not-found' }>> {
  return withTransaction(pool, async (c) => {
    const current = await loadSubscription(c, id, true);
    if (!current) return { ok: false, error: { type: 'not-found' } };
    if (current.status === 'cancelled') return { ok: true, value: { alreadyCancelled: true } };
    await c.query(`UPDATE subscriptions SET status = 'cancelled', updated_at = now() WHERE id = $1`, [id]);
    await withdrawChannels(c, id, current.channels.map((x) => x.channel), source, text);
    return { ok: true, value: { alreadyCancelled: false } };
  });
}

/**
 * Opts an address out on one channel, for every subscription that uses it (an opt-out by any channel is honored
 * at once, domain.md §10), with a 'withdrawn' consent row each; `text` is what the voter sent or did ("STOP",
 * "keypress 9", "List-Unsubscribe=One-Click"). One statement, so one transaction. Returns the subscriptions that
 * were opted out now (none when the address was already out).
 */
export async function optOutAddress(pool: Pool, channel: Channel, address: string, source: ConsentSource, text: string): Promise<{ subscriptionIds: SubscriptionId[] }> {
  const r = await pool.query<{ subscriptionId: SubscriptionId }>(
    `WITH hit AS (
       UPDATE subscription_channels SET opted_out_at = now()
       WHERE channel = $1 AND address = $2 AND opted_out_at IS NULL
       RETURNING subscription_id, channel, address)
     INSERT INTO consents (subscription_id, channel, address, action, source, consent_text)
     SELECT subscription_id, channel, address, 'withdrawn', $3, $4 FROM hit
     RETURNING subscription_id AS "subscriptionId"`,
    [channel, address, source, text],
  );
  return { subscriptionIds: r.rows.map((x) => x.subscriptionId) };
}

/** The most recent subscription that used an address on a channel, withdrawn or not: whose language and county a reply uses. */
export async function latestSubscriberOf(pool: Pool, channel: Channel, address: string): Promise<{ subscriptionId: SubscriptionId; county: string; language: Language } | undefined> {
  const r = await pool.query<{ subscriptionId: SubscriptionId; county: string; language: string }>(
    `SELECT s.id AS "subscriptionId", s.county, s.language FROM subscription_channels sc JOIN subscriptions s ON s.id = sc.subscription_id
     WHERE sc.channel = $1 AND sc.address = $2 ORDER BY s.created_at DESC, s.id LIMIT 1`,
    [channel, address],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const language = LanguageSchema.safeParse(row.language);
  return { subscriptionId: row.subscriptionId, county: row.county, language: language.success ? language.data : 'en' };
}

/** A subscription's address on one channel (live or not). */
export async function channelAddress(pool: Pool, subscriptionId: string, channel: Channel): Promise<string | undefined> {
  const r = await pool.query<{ address: string }>('SELECT address FROM subscription_channels WHERE subscription_id = $1 AND channel = $2', [subscriptionId, channel]);
  return r.rows[0]?.address;
}

export interface ActiveChannel {
  subscriptionId: SubscriptionId;
  channel: Channel;
  address: string;
  language: Language;
  window: { start: string; end: string; zone: string };
}

/**
 * Where a voter's notices go: confirmed channels, not opted out, of active subscriptions. A voter who signed up
 * twice with the same address gets one notice there (the most recently confirmed subscription's language and
 * hours), not two.
 */
export async function activeChannelsForVoter(pool: Pool, county: string, voterId: string): Promise<ActiveChannel[]> {
  const r = await pool.query<{ subscriptionId: SubscriptionId; channel: string; address: string; language: string; start: string; end: string; zone: string }>(
    `SELECT DISTINCT ON (sc.channel, sc.address) s.id AS "subscriptionId", sc.channel, sc.address, s.language,
            s.window_start AS start, s.window_end AS "end", s.window_zone AS zone
     FROM subscriptions s JOIN subscription_channels sc ON sc.subscription_id = s.id
     WHERE s.county = $1 AND s.voter_id = $2 AND s.status = 'active' AND sc.confirmed_at IS NOT NULL AND sc.opted_out_at IS NULL
     ORDER BY sc.channel, sc.address, sc.confirmed_at DESC`,
    [county, voterId],
  );
  return r.rows.map((x) => ({
    subscriptionId: x.subscriptionId, channel: ChannelSchema.parse(x.channel), address: x.address, language: LanguageSchema.parse(x.language),
    window: { start: x.start, end: x.end, zone: x.zone },
  }));
}

// ---------- delivery receipts ----------

export type DeliveryStatus = 'sent' | 'delivered' | 'failed';

/**
 * What a provider status means for a notice, or undefined when it says nothing new (queued, sending, ringing...).
 * Twilio messages: sent, delivered (read), undelivered/failed/canceled; calls: in-progress (answered), completed,
 * busy/no-answer/failed/canceled. Email bounces are recorded as `bounced`.
 */
export function deliveryStatusOf(providerStatus: string): DeliveryStatus | undefined {
  switch (providerStatus.toLowerCase()) {
    case 'sent':
    case 'in-progress':
      return 'sent';
    case 'delivered':
    case 'read':
    case 'completed':
      return 'delivered';
    case 'undelivered':
    case 'failed':
    case 'canceled':
    case 'busy':
    case 'no-answer':
    case 'bounced':
      return 'failed';
    default:
      return undefined;
  }
}

export interface DeliveryReceipt {
  providerMessageId: string;
  status: string;
  errorCode?: string | null;
  payload: Record<string, unknown>;
  /** The notice key, when the callback URL carries it: finds the notice before its provider id was stored. */
  key?: string;
}

/**
 * Appends the receipt, then moves the notice's status forward only: reserved → sent → delivered, or failed.
 * delivered and failed are final; suppressed and superseded notices were never sent and stay as they are. The
 * move is one conditional UPDATE, so a duplicate or late receipt (a `sent` after `delivered`) matches no row and
 * changes nothing, even when two arrive at once.
 */
export async function recordDeliveryReceipt(pool: Pool, r: DeliveryReceipt): Promise<{ matched: boolean; changed: boolean; status?: string }> {
  const next = deliveryStatusOf(r.status) ?? null;
  // A data-modifying WITH runs exactly once whatever the UPDATE matches: every receipt is kept.
  const moved = await pool.query<{ status: string }>(
    `WITH receipt AS (
       INSERT INTO delivery_receipts (provider_message_id, status, error_code, payload) VALUES ($1, $2, $3, $4) RETURNING id)
     UPDATE notifications n SET status = $5, provider_status = $2, error = COALESCE($3, n.error),
       provider_message_id = COALESCE(n.provider_message_id, $1),
       sent_at = COALESCE(n.sent_at, CASE WHEN $5::text IN ('sent', 'delivered') THEN now() END), updated_at = now()
     WHERE $5::text IS NOT NULL
       AND (n.provider_message_id = $1
            OR ($6::text IS NOT NULL AND n.key = $6 AND n.provider_message_id IS NULL
                AND NOT EXISTS (SELECT 1 FROM notifications o WHERE o.provider_message_id = $1)))
       AND (CASE n.status WHEN 'reserved' THEN 0 WHEN 'sent' THEN 1 ELSE 2 END) < (CASE $5::text WHEN 'sent' THEN 1 ELSE 2 END)
     RETURNING n.status`,
    [r.providerMessageId, r.status, r.errorCode ?? null, JSON.stringify(r.payload), next, r.key ?? null],
  );
  if (moved.rows[0]) return { matched: true, changed: true, status: moved.rows[0].status };
  const now = await pool.query<{ status: string }>(
    `SELECT status FROM notifications WHERE provider_message_id = $1 OR ($2::text IS NOT NULL AND key = $2) LIMIT 1`,
    [r.providerMessageId, r.key ?? null],
  );
  return { matched: now.rows.length > 0, changed: false, ...(now.rows[0] ? { status: now.rows[0].status } : {}) };
}

/** The notice a voice call was for (by its key), to answer a keypress in the voter's language. */
export async function getNotification(pool: Pool, key: string): Promise<{ key: string; subscriptionId: string; channel: string; language: string; providerMessageId: string | null; spokenText: string | null } | undefined> {
  const r = await pool.query(
    `SELECT key, subscription_id AS "subscriptionId", channel, language, provider_message_id AS "providerMessageId", spoken_text AS "spokenText" FROM notifications WHERE key = $1`,
    [key],
  );
  return r.rows[0];
}

/** The county's settings as the admin API stored them (JSON), unparsed: callers parse with CountyOverrideSchema. */
export async function getCountyOverride(pool: Pool, county: string): Promise<unknown> {
  const r = await pool.query<{ override: unknown }>('SELECT override FROM county_overrides WHERE county = $1', [county]);
  return r.rows[0]?.override;
}

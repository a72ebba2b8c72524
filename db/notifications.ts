/**
 * The delivery ledger (table notifications): one row per notice key. A key is reserved before the provider is
 * called and the provider's id is stored the moment it answers, so a retried send finds the message sent.
 */
import type { Pool } from 'pg';

export type NotificationStatus = 'reserved' | 'sent' | 'delivered' | 'failed' | 'suppressed' | 'superseded';

export interface NotificationRow {
  key: string;
  ballotId: string | null;
  subscriptionId: string;
  channel: string;
  kind: string;
  status: NotificationStatus;
  providerMessageId: string | null;
  reservedAt: Date;
  sentAt: Date | null;
}

const COLUMNS = `key, ballot_id AS "ballotId", subscription_id AS "subscriptionId", channel, kind, status,
  provider_message_id AS "providerMessageId", reserved_at AS "reservedAt", sent_at AS "sentAt"`;

export interface NewNotification { key: string; ballotId: string | null; subscriptionId: string; channel: string; kind: string; reason?: string; language: string }

/** Reserves the key; answers whether this call reserved it, and the row as it stands either way. */
export async function reserveNotification(pool: Pool, n: NewNotification, status: NotificationStatus = 'reserved'): Promise<{ reserved: boolean; row: NotificationRow }> {
  const ins = await pool.query<NotificationRow>(
    `INSERT INTO notifications (key, ballot_id, subscription_id, channel, kind, reason, language, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING RETURNING ${COLUMNS}`,
    [n.key, n.ballotId, n.subscriptionId, n.channel, n.kind, n.reason ?? null, n.language, status],
  );
  if (ins.rows[0]) return { reserved: true, row: ins.rows[0] };
  const cur = await pool.query<NotificationRow>(`SELECT ${COLUMNS} FROM notifications WHERE key = $1`, [n.key]);
  return { reserved: false, row: cur.rows[0]! };
}

/** The provider accepted the message: stored at once, before anything else can fail. */
export async function markSent(pool: Pool, key: string, o: { providerMessageId: string; providerStatus: string; templateVersion?: number; spokenText?: string }): Promise<void> {
  await pool.query(
    `UPDATE notifications SET status = 'sent', provider_message_id = $2, provider_status = $3, template_version = $4, spoken_text = $5, sent_at = now(), updated_at = now()
     WHERE key = $1 AND status = 'reserved'`,
    [key, o.providerMessageId, o.providerStatus, o.templateVersion ?? null, o.spokenText ?? null],
  );
}

/** A final refusal (bounced address, invalid number) or a notice that must not go (opted out since it was planned). */
export async function markFinal(pool: Pool, key: string, status: 'failed' | 'suppressed' | 'superseded', error?: string): Promise<void> {
  await pool.query(
    `UPDATE notifications SET status = $2, error = $3, updated_at = now() WHERE key = $1 AND status = 'reserved'`,
    [key, status, error ?? null],
  );
}

export async function notificationsFor(pool: Pool, f: { ballotId?: string; subscriptionId?: string }): Promise<(NotificationRow & { reason: string | null; language: string; templateVersion: number | null; providerStatus: string | null; error: string | null })[]> {
  const r = await pool.query(
    `SELECT ${COLUMNS}, reason, language, template_version AS "templateVersion", provider_status AS "providerStatus", error
     FROM notifications WHERE ($1::text IS NULL OR ballot_id = $1) AND ($2::text IS NULL OR subscription_id = $2) ORDER BY reserved_at, key`,
    [f.ballotId ?? null, f.subscriptionId ?? null],
  );
  return r.rows;
}

/** What a send needs to know about the recipient, in one query: the subscription, the channel's address and the voter's ballot. */
export interface Recipient {
  subscriptionId: string;
  county: string;
  voterId: string;
  language: string;
  status: string;
  window: { start: string; end: string; zone: string };
  address: string | null;
  confirmed: boolean;
  optedOut: boolean;
  firstName: string | null;
}

export async function recipientOf(pool: Pool, subscriptionId: string, channel: string): Promise<Recipient | undefined> {
  const r = await pool.query(
    `SELECT s.id AS "subscriptionId", s.county, s.voter_id AS "voterId", s.language, s.status,
            json_build_object('start', s.window_start, 'end', s.window_end, 'zone', s.window_zone) AS window,
            c.address, c.confirmed_at IS NOT NULL AS confirmed, c.opted_out_at IS NOT NULL AS "optedOut", v.first_name AS "firstName"
     FROM subscriptions s
     LEFT JOIN subscription_channels c ON c.subscription_id = s.id AND c.channel = $2
     LEFT JOIN voters v ON v.county = s.county AND v.voter_id = s.voter_id
     WHERE s.id = $1`,
    [subscriptionId, channel],
  );
  return r.rows[0];
}

/** The confirmed, not opted-out channels of the active subscriptions of a ballot's voter: who hears about it. */
export async function subscribersOfBallot(pool: Pool, electionId: string, ballotId: string): Promise<{ subscriptionId: string; channel: string; address: string; language: string; window: { start: string; end: string; zone: string } }[]> {
  const r = await pool.query(
    `SELECT s.id AS "subscriptionId", c.channel, c.address, s.language,
            json_build_object('start', s.window_start, 'end', s.window_end, 'zone', s.window_zone) AS window
     FROM extract_ballots b
     JOIN elections e ON e.id = b.election_id
     JOIN subscriptions s ON s.county = e.county AND s.voter_id = b.voter_id AND s.status = 'active'
     JOIN subscription_channels c ON c.subscription_id = s.id AND c.confirmed_at IS NOT NULL AND c.opted_out_at IS NULL
     WHERE b.election_id = $2 AND b.ballot_id = $1
     ORDER BY s.id, c.channel`,
    [ballotId, electionId],
  );
  return r.rows;
}

/**
 * A page of an election's subscribers (active subscriptions of its voters with a confirmed channel, and those
 * channels), after the subscription id `after`, with the voter's latest ballot of that election: whom an election
 * update goes to.
 */
export async function subscribersOfElection(pool: Pool, electionId: string, after: string, limit: number): Promise<{ subscriptionId: string; ballotId: string; channel: string; address: string; language: string; window: { start: string; end: string; zone: string } }[]> {
  const r = await pool.query(
    `WITH subs AS (
       SELECT s.id, s.language, s.window_start, s.window_end, s.window_zone, b.ballot_id
       FROM elections e
       JOIN subscriptions s ON s.county = e.county AND s.status = 'active'
       JOIN LATERAL (SELECT ballot_id FROM extract_ballots WHERE election_id = e.id AND voter_id = s.voter_id ORDER BY issue DESC LIMIT 1) b ON true
       WHERE e.id = $1 AND s.id > $2
         -- Only subscriptions with an address to tell: an empty page is the end of the list, never a gap in it.
         AND EXISTS (SELECT 1 FROM subscription_channels c WHERE c.subscription_id = s.id AND c.confirmed_at IS NOT NULL AND c.opted_out_at IS NULL)
       ORDER BY s.id LIMIT $3)
     SELECT subs.id AS "subscriptionId", subs.ballot_id AS "ballotId", c.channel, c.address, subs.language,
            json_build_object('start', subs.window_start, 'end', subs.window_end, 'zone', subs.window_zone) AS window
     FROM subs JOIN subscription_channels c ON c.subscription_id = subs.id AND c.confirmed_at IS NOT NULL AND c.opted_out_at IS NULL
     ORDER BY subs.id, c.channel`,
    [electionId, after, limit],
  );
  return r.rows;
}

/**
 * Notification activities (issue 4): plan a ballot's notices from its events, send each one exactly once
 * through its provider, send sign-up codes, and give a new subscriber the current status.
 *
 * Exactly once: the notice key (event, kind, channel, subscription) is reserved in Postgres before the
 * provider is called, and the provider's id is stored the moment it answers. A retry that finds the key sent
 * does nothing; one that finds it reserved but not sent (the worker died mid-call) first asks Twilio whether
 * the message went out. Email cannot be asked: it is re-sent with the same Message-ID, which mail systems use
 * to fold duplicates (docs/notifications.md).
 */
import { createHash, randomInt } from 'node:crypto';
import { ApplicationFailure, type Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { mapConcurrent } from './concurrency';
import type { Pool } from 'pg';
import { withSendSlot } from '../db/pacing';
import type { Logger } from 'pino';
import { countyOverride, currentTriggerConfig, effectiveTemplates } from '../db/notify-config';
import { latestBallotStatus } from '../db/ballots';
import { codeHash } from '../db/subscriptions';
import { markFinal, markSent, recipientOf, reserveNotification, subscribersOfBallot, subscribersOfElection, type Recipient } from '../db/notifications';
import { ballotCalendar, type BallotEvent } from '../domain/ballot';
import {
  channelsFor, defaultCountyName, LanguageSchema, noticeKey, noticesForEvent, noticeValues, renderTemplate, resolveTemplate, sayVoiceFor,
  type Channel, type CountyOverride, type Language, type NoticeKind, type PlannedNotice, type Template, type TriggerConfig,
} from '../domain/notify';
import { ContactWindowSchema } from '../domain/notify/contact-hours';
import type { EmailProvider } from './providers/email';
import type { SayLanguage, SayVoice, TwilioProvider } from './providers/twilio';
import { noticesPlanned } from '../workflows/notices/messages';

/** News about an election for all its subscribers (POST /api/elections/:id/updates). */
export interface ElectionUpdate { electionId: string; updateId: string; atMs: number; text: Partial<Record<Language, string>> & { en: string } }

export interface NotifySettings {
  /** Base of the notification task queues: `<base>-email`, `<base>-voice`, `<base>-sms-<n>` per sending number. */
  taskQueue: string;
  /** The queue the notices workflows run on. */
  workflowTaskQueue: string;
  programName: string;
  publicBaseUrl: string;
  /** Used when a county has not configured its own identity (CountyOverride). */
  defaultSender: { emailFrom: string; smsNumbers: string[]; voiceCallerId: string };
  /** Texts per second per sending number (SMS_PER_NUMBER_PER_SECOND; 1 by default, the US long-code limit). */
  smsPerNumberPerSecond?: number;
  /** Sign-up codes: digits and minutes valid. */
  codeDigits: number;
  codeTtlMinutes: number;
}

export interface NotifyDeps {
  pool: Pool;
  client: Client;
  logger: Logger;
  settings: NotifySettings;
  email?: EmailProvider;
  twilio?: TwilioProvider;
  /** The signed link that changes or stops a subscription (email footer, List-Unsubscribe). */
  manageUrl: (subscriptionId: string, channel: Channel) => string;
}

/** Which of `count` numbers a voter's texts come from: the same one every time, spread by a hash of the address. */
function numberIndex(address: string, count: number): number {
  return count <= 1 ? 0 : parseInt(createHash('sha256').update(address).digest('hex').slice(0, 8), 16) % count;
}

/** The task queue of a channel; SMS is spread over one queue per number of the state's pool. */
export function queueFor(s: Pick<NotifySettings, 'taskQueue' | 'defaultSender'>, channel: Channel, address: string): string {
  if (channel !== 'sms') return `${s.taskQueue}-${channel}`;
  // A voter always hears from the same number, so a STOP reply reaches the right conversation.
  return `${s.taskQueue}-sms-${numberIndex(address, s.defaultSender.smsNumbers.length)}`;
}

/**
 * The number a voter's texts come from: one of their county's own sending numbers when the county has set them
 * (messages come from the county), else of the state's pool, always the same one for the same voter. For the
 * state's pool it is the number of the voter's queue (queueFor). Pacing is per number, so a county's numbers are
 * held to their rate on whichever queue carries them.
 */
export function smsFromNumber(county: Pick<CountyOverride, 'sender'>, address: string): string {
  const numbers = county.sender.sms.numbers;
  return numbers[numberIndex(address, numbers.length)]!;
}

/** The least time between two texts from one number reaching the provider: 1/rate. */
export function smsIntervalMs(s: Pick<NotifySettings, 'smsPerNumberPerSecond'>): number {
  return 1000 / (s.smsPerNumberPerSecond ?? 1);
}

/** A short cache: templates, triggers and county identities change rarely, and a send reads them every time. */
function cached<T>(ttlMs: number, load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const m = new Map<string, { at: number; value: Promise<T> }>();
  return (key) => {
    const hit = m.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = load(key);
    m.set(key, { at: Date.now(), value });
    value.catch(() => m.delete(key));
    return value;
  };
}

export function createNotifyActivities(deps: NotifyDeps) {
  const { pool, client, logger, settings } = deps;
  const templates = cached(30_000, () => effectiveTemplates(pool));
  const triggers = cached(30_000, () => currentTriggerConfig(pool).then((c) => c.config));
  const counties = cached(30_000, async (county) => (await countyOverride(pool, county)) ?? defaultCounty(county, settings));

  const languageOf = (r: Recipient | undefined): Language => LanguageSchema.catch('en').parse(r?.language);

  /** Sends one rendered message through its channel's provider; retryable failures are thrown, final ones returned. */
  async function deliver(o: { key: string; channel: Channel; to: string; county: CountyOverride; subject?: string; text: string; language: Language; unsubscribeUrl: string; previouslyReservedAt?: Date }): Promise<{ providerMessageId: string; status: string }> {
    switch (o.channel) {
      case 'email': {
        if (!deps.email) throw ApplicationFailure.nonRetryable('no SMTP server configured (SMTP_URL)', 'config');
        const from = `"${o.county.sender.email.fromName}" <${o.county.sender.email.fromAddress}>`;
        const r = await deps.email.send({ to: o.to, from, subject: o.subject ?? settings.programName, text: o.text, unsubscribeUrl: o.unsubscribeUrl, idempotencyKey: o.key });
        return { providerMessageId: r.providerMessageId, status: 'sent' };
      }
      case 'sms': {
        if (!deps.twilio) throw ApplicationFailure.nonRetryable('no Twilio account configured', 'config');
        const from = smsFromNumber(o.county, o.to);
        if (o.previouslyReservedAt) {
          const earlier = await deps.twilio.findSms({ to: o.to, from, since: o.previouslyReservedAt, body: o.text });
          if (earlier) {
            logger.warn({ key: o.key, sid: earlier.providerMessageId }, 'an earlier attempt had reached Twilio: not sent again');
            return earlier;
          }
        }
        // The number's pacing: at most one text per interval reaches Twilio from it (Temporal's limit on its queue is only a ceiling).
        const twilio = deps.twilio;
        return withSendSlot(pool, from, smsIntervalMs(settings), () => twilio.sendSms({ to: o.to, from, body: o.text, idempotencyKey: o.key }));
      }
      case 'voice': {
        if (!deps.twilio) throw ApplicationFailure.nonRetryable('no Twilio account configured', 'config');
        const say = sayVoiceFor(o.language);
        const twiml = deps.twilio.voiceTwiml({
          text: o.text, language: say.say.language as SayLanguage, voice: say.say.voice as SayVoice,
          actionUrl: `${settings.publicBaseUrl}/api/webhooks/twilio/voice?key=${encodeURIComponent(o.key)}`,
        });
        return deps.twilio.placeCall({ to: o.to, from: o.county.sender.voice.callerId, twiml, idempotencyKey: o.key });
      }
    }
  }

  return {
    /**
     * After a ballot's events are stored: the notices they call for, for every confirmed channel of the voter's
     * subscriptions that the state's triggers enable, signalled to the ballot's notices workflow. Most ballots
     * have no subscriber, and then this is one query.
     */
    async planNotices(electionId: string, electionDate: string, ballotId: string, events: (BallotEvent & { eventId: string })[]): Promise<number> {
      const calendar = ballotCalendar(electionDate);
      const wanted = events.flatMap((e) => noticesForEvent(e, { cureDeadlineAtMs: calendar.cureDeadlineAtMs }).map((n) => ({ e, n })));
      if (wanted.length === 0) return 0;
      const subs = await subscribersOfBallot(pool, electionId, ballotId);
      if (subs.length === 0) return 0;
      const config: TriggerConfig = await triggers('');
      const notices: PlannedNotice[] = [];
      for (const { e, n } of wanted) {
        const allowed = channelsFor(config, n.kind, n.reason);
        for (const s of subs) {
          const channel = s.channel as Channel;
          if (!allowed.includes(channel)) continue;
          const expected = (e.detail as { expectedWindow?: { from: string; to: string } } | undefined)?.expectedWindow;
          notices.push({
            key: noticeKey({ eventId: e.eventId, kind: n.kind, channel, subscriptionId: s.subscriptionId }),
            ballotId, eventId: e.eventId, seq: Number(e.eventId.split('#').pop()), subscriptionId: s.subscriptionId, channel, kind: n.kind,
            ...(n.reason ? { reason: n.reason } : {}), window: ContactWindowSchema.parse(s.window), taskQueue: queueFor(settings, channel, s.address),
            ...(expected ? { expectedWindow: { from: expected.from, to: expected.to } } : {}),
          });
        }
      }
      if (notices.length === 0) return 0;
      await signalNotices(ballotId, notices);
      return notices.length;
    },

    /** Sends one notice, once. Final provider refusals are recorded and end here; outages are thrown and retried. */
    async sendNotice(n: PlannedNotice): Promise<{ status: string }> {
      const rec = await recipientOf(pool, n.subscriptionId, n.channel);
      const language = languageOf(rec);
      const base = { key: n.key, ballotId: n.ballotId, subscriptionId: n.subscriptionId, channel: n.channel, kind: n.kind, ...(n.reason ? { reason: n.reason } : {}), language };
      if (!rec || rec.status !== 'active' || !rec.confirmed || rec.optedOut || !rec.address) {
        // Opted out or cancelled since the notice was planned: the voter's latest word wins.
        const r = await reserveNotification(pool, base, 'suppressed');
        return { status: r.row.status };
      }
      const { reserved, row } = await reserveNotification(pool, base);
      if (!reserved && row.status !== 'reserved') return { status: row.status };
      const info = await ballotInfo(n.ballotId);
      const county = await counties(rec.county);
      const resolved = resolveTemplate(await templates(''), n.kind, n.channel, language, n.reason);
      if (!resolved.ok) {
        await markFinal(pool, n.key, 'failed', `no template for ${n.kind}/${n.channel}`);
        return { status: 'failed' };
      }
      const unsubscribeUrl = deps.manageUrl(n.subscriptionId, n.channel);
      const rendered = renderTemplate(resolved.template, noticeValues({
        kind: n.kind, channel: n.channel, language: resolved.template.language as Language, ...(n.reason ? { reason: n.reason } : {}), county,
        programName: settings.programName, electionDate: info.electionDate, cureDeadlineAtMs: ballotCalendar(info.electionDate).cureDeadlineAtMs,
        voterFirstName: rec.firstName ?? '', unsubscribeUrl, ...(n.expectedWindow ? { expectedWindow: n.expectedWindow } : {}),
        ...(n.updateText ? { updateText: n.updateText[resolved.template.language as Language] ?? n.updateText.en } : {}),
      }));
      return send(n.key, n.channel, rec.address, county, rendered, resolved.template, language, unsubscribeUrl, reserved ? undefined : row.reservedAt);
    },

    /**
     * An election update to every subscriber of the election: a page of subscribers at a time, each voter's notice
     * signalled to their ballot's notices workflow (contact hours, collapse and order apply as for ballot news).
     * Keys carry the update id, so a retried page, or the same update sent again, plans nothing twice.
     */
    async fanOutElectionUpdate(u: ElectionUpdate): Promise<{ subscribers: number; notices: number }> {
      const ctx = Context.current();
      const allowed = channelsFor(await triggers(''), 'election-update');
      const eventId = `${u.electionId}#update:${u.updateId}`;
      let after = (ctx.info.heartbeatDetails as { after?: string } | undefined)?.after ?? '';
      let subscribers = 0;
      let notices = 0;
      for (;;) {
        const rows = await subscribersOfElection(pool, u.electionId, after, 500);
        if (rows.length === 0) break;
        const byBallot = new Map<string, PlannedNotice[]>();
        for (const s of rows) {
          const channel = s.channel as Channel;
          if (!allowed.includes(channel)) continue;
          const list = byBallot.get(s.ballotId) ?? [];
          list.push({
            key: noticeKey({ eventId, kind: 'election-update', channel, subscriptionId: s.subscriptionId }),
            ballotId: s.ballotId, eventId, seq: u.atMs, subscriptionId: s.subscriptionId, channel, kind: 'election-update',
            window: ContactWindowSchema.parse(s.window), taskQueue: queueFor(settings, channel, s.address), updateText: u.text,
          });
          byBallot.set(s.ballotId, list);
        }
        await mapConcurrent([...byBallot], 16, ([ballotId, list]) => signalNotices(ballotId, list));
        subscribers += new Set(rows.map((r) => r.subscriptionId)).size;
        notices += [...byBallot.values()].reduce((n, l) => n + l.length, 0);
        after = rows.at(-1)!.subscriptionId;
        ctx.heartbeat({ after });
      }
      return { subscribers, notices };
    },

    async markSuperseded(notices: { key: string; subscriptionId: string; channel: Channel; kind: NoticeKind; ballotId: string }[]): Promise<void> {
      for (const n of notices) {
        const { reserved } = await reserveNotification(pool, { ...n, language: 'en' }, 'superseded');
        if (!reserved) await markFinal(pool, n.key, 'superseded');
      }
    },

    async routeChannel(subscriptionId: string, channel: Channel): Promise<{ taskQueue: string }> {
      const rec = await recipientOf(pool, subscriptionId, channel);
      if (!rec?.address) throw ApplicationFailure.nonRetryable(`subscription ${subscriptionId} has no ${channel} address`, 'not-found');
      return { taskQueue: queueFor(settings, channel, rec.address) };
    },

    /**
     * Draws a sign-up code, stores only its hash, and sends it. The code never enters workflow history (it is
     * drawn here); a retry after a send that reached the provider finds the key sent and draws nothing.
     */
    async sendConfirmationCode(o: { subscriptionId: string; channel: Channel; requestId: string }): Promise<{ status: string }> {
      const rec = await recipientOf(pool, o.subscriptionId, o.channel);
      if (!rec?.address || rec.status !== 'active' || rec.optedOut) return { status: 'suppressed' };
      const language = languageOf(rec);
      const key = `code|${o.subscriptionId}|${o.channel}|${o.requestId}`;
      const { reserved, row } = await reserveNotification(pool, { key, ballotId: null, subscriptionId: o.subscriptionId, channel: o.channel, kind: 'confirmation-code', language });
      if (!reserved && row.status !== 'reserved') return { status: row.status };
      const code = String(randomInt(0, 10 ** settings.codeDigits)).padStart(settings.codeDigits, '0');
      await pool.query(
        `UPDATE subscription_channels SET code_hash = $3, code_expires_at = now() + make_interval(mins => $4), code_attempts = 0 WHERE subscription_id = $1 AND channel = $2`,
        [o.subscriptionId, o.channel, codeHash(o.subscriptionId, o.channel, code), settings.codeTtlMinutes],
      );
      const county = await counties(rec.county);
      const text = confirmationText(language, o.channel, code, settings.programName, settings.codeTtlMinutes);
      // A code is never looked up at Twilio on retry: a fresh code replaces the old one, so a second text is harmless.
      return send(key, o.channel, rec.address, county, text, undefined, language, deps.manageUrl(o.subscriptionId, o.channel), undefined);
    },

    /** A newly confirmed channel hears the ballot's current status once, not every event so far. */
    async planCurrentStatus(o: { subscriptionId: string; channel: Channel }): Promise<number> {
      const r = await pool.query<{ ballotId: string; electionId: string; electionDate: string; address: string; window: { start: string; end: string; zone: string } }>(
        `SELECT b.ballot_id AS "ballotId", e.id AS "electionId", to_char(e.election_date, 'YYYY-MM-DD') AS "electionDate", c.address,
                json_build_object('start', s.window_start, 'end', s.window_end, 'zone', s.window_zone) AS window
         FROM subscriptions s
         JOIN subscription_channels c ON c.subscription_id = s.id AND c.channel = $2 AND c.confirmed_at IS NOT NULL AND c.opted_out_at IS NULL
         JOIN elections e ON e.county = s.county
         JOIN extract_ballots b ON b.election_id = e.id AND b.voter_id = s.voter_id
         WHERE s.id = $1 AND s.status = 'active'
         ORDER BY e.election_date DESC, b.issue DESC LIMIT 1`,
        [o.subscriptionId, o.channel],
      );
      const b = r.rows[0];
      if (!b) return 0;
      const e = (await latestBallotStatus(pool, b.ballotId))?.event;
      if (!e) return 0;
      const calendar = ballotCalendar(b.electionDate);
      const triggered = noticesForEvent(e, { cureDeadlineAtMs: calendar.cureDeadlineAtMs })[0];
      if (!triggered) return 0; // issued, in review...: nothing a notice would say yet; the next event will
      const expected = (e.detail as { expectedWindow?: { from: string; to: string } } | undefined)?.expectedWindow;
      const notice: PlannedNotice = {
        key: `current|${noticeKey({ eventId: e.eventId, kind: triggered.kind, channel: o.channel, subscriptionId: o.subscriptionId })}`,
        ballotId: b.ballotId, eventId: e.eventId, seq: Number(e.eventId.split('#').pop()), subscriptionId: o.subscriptionId, channel: o.channel,
        kind: triggered.kind, ...(triggered.reason ? { reason: triggered.reason } : {}), window: ContactWindowSchema.parse(b.window),
        taskQueue: queueFor(settings, o.channel, b.address), ...(expected ? { expectedWindow: { from: expected.from, to: expected.to } } : {}),
      };
      await signalNotices(b.ballotId, [notice]);
      return 1;
    },
  };

  async function signalNotices(ballotId: string, notices: PlannedNotice[]): Promise<void> {
    await client.workflow.signalWithStart('noticesWorkflow', {
      workflowId: `notices:${ballotId}`, taskQueue: settings.workflowTaskQueue,
      args: [{ ballotId }], signal: noticesPlanned, signalArgs: [{ notices }],
    });
  }

  async function ballotInfo(ballotId: string): Promise<{ electionDate: string }> {
    const r = await pool.query<{ electionDate: string }>(
      `SELECT to_char(e.election_date, 'YYYY-MM-DD') AS "electionDate" FROM extract_ballots b JOIN elections e ON e.id = b.election_id WHERE b.ballot_id = $1 LIMIT 1`,
      [ballotId],
    );
    if (!r.rows[0]) throw ApplicationFailure.nonRetryable(`no ballot ${ballotId} in any extract`, 'not-found');
    return r.rows[0];
  }

  async function send(key: string, channel: Channel, to: string, county: CountyOverride, rendered: { subject?: string; text: string }, template: Template | undefined, language: Language, unsubscribeUrl: string, previouslyReservedAt: Date | undefined): Promise<{ status: string }> {
    try {
      const r = await deliver({ key, channel, to, county, ...(rendered.subject ? { subject: rendered.subject } : {}), text: rendered.text, language, unsubscribeUrl, ...(previouslyReservedAt ? { previouslyReservedAt } : {}) });
      await markSent(pool, key, { providerMessageId: r.providerMessageId, providerStatus: r.status, ...(template ? { templateVersion: template.version } : {}), ...(channel === 'voice' ? { spokenText: rendered.text } : {}) });
      logger.info({ key, channel, sid: r.providerMessageId }, 'notice sent');
      return { status: 'sent' };
    } catch (e) {
      if (e instanceof ApplicationFailure && e.nonRetryable) {
        await markFinal(pool, key, 'failed', `${e.type ?? 'error'}: ${e.message}`);
        logger.warn({ key, channel, type: e.type }, 'notice refused by the provider');
        return { status: 'failed' };
      }
      throw e;
    }
  }
}

/** Until a county configures its identity, notices come from the state's program, with the SOS voter hotline. */
function defaultCounty(county: string, s: NotifySettings): CountyOverride {
  return {
    county, displayName: defaultCountyName(county).slice(0, 32), displayNameByLanguage: {},
    phone: '+18003458683', websiteUrl: 'https://www.sos.ca.gov/elections', lookupUrl: `${s.publicBaseUrl}/lookup`, cureFormUrl: 'https://www.sos.ca.gov/elections',
    sender: { email: { fromName: s.programName, fromAddress: s.defaultSender.emailFrom }, sms: { numbers: s.defaultSender.smsNumbers }, voice: { callerId: s.defaultSender.voiceCallerId } },
  };
}

function confirmationText(language: Language, channel: Channel, code: string, program: string, minutes: number): { subject?: string; text: string } {
  const spoken = channel === 'voice' ? code.split('').join(', ') : code;
  if (language === 'es') {
    const text = `${program}: su codigo es ${spoken}. Vence en ${minutes} minutos. Si no lo pidio, ignore este mensaje.`;
    return channel === 'email' ? { subject: `${program}: su código`, text } : { text };
  }
  const text = `${program}: your code is ${spoken}. It expires in ${minutes} minutes. If you did not ask for it, ignore this message.`;
  return channel === 'email' ? { subject: `${program}: your code`, text } : { text };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;

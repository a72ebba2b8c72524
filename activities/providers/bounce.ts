/**
 * Email bounces that arrive after the relay accepted the message (issue 4, "Email bounces are recorded"): a
 * delivery status notification (RFC 3464) sent back to the envelope sender. The relay hands it to
 * `POST /api/webhooks/email/bounces` (a pipe or forwarding rule on the bounce mailbox). This reads which of our
 * messages it is about (the Message-ID we gave it, `messageIdFor`) and what happened to it.
 */
import { simpleParser } from 'mailparser';

export interface Bounce {
  /** The Message-ID of our message, with its angle brackets: the notice's provider message id. */
  originalMessageId: string;
  /** RFC 3464 Action: failed (a bounce), delayed (the relay still tries), delivered, relayed or expanded. */
  action: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';
  /** The enhanced status code, e.g. 5.1.1 (no such mailbox). */
  status: string;
  diagnostic?: string;
}

const ACTIONS = new Set(['failed', 'delayed', 'delivered', 'relayed', 'expanded']);

/** The fields of the first recipient block of a message/delivery-status part. */
function statusFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  // Unfold continuation lines, then read "Name: value" per line; the first value of a name wins (the recipient's).
  for (const line of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (m && !fields.has(m[1]!.toLowerCase())) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  return fields;
}

/**
 * Reads a DSN, or says why it cannot: a message that is not a DSN, or one without a valid Action, Status or the
 * returned Message-ID, is an error naming what is missing (the caller answers 422 and records nothing).
 */
export async function parseBounce(raw: Buffer | string): Promise<{ ok: true; bounce: Bounce } | { ok: false; reason: string }> {
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const part = (types: string[]) => mail.attachments.find((a) => types.includes(a.contentType.toLowerCase()));
  const type = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value?.toLowerCase() !== 'multipart/report' || !/^delivery-status$/i.test(type.params?.['report-type'] ?? '')) {
    return { ok: false, reason: 'not a delivery status notification: the message is not multipart/report; report-type=delivery-status' };
  }
  // mailparser keeps the message/delivery-status part as an attachment or folds it into the text: read either.
  const dsn = part(['message/delivery-status', 'message/global-delivery-status'])?.content.toString('utf8') ?? mail.text ?? '';
  const fields = statusFields(dsn.slice(Math.max(0, dsn.search(/^(Reporting-MTA|Final-Recipient|Original-Recipient):/im))));
  const action = (fields.get('action') ?? '').toLowerCase();
  if (!ACTIONS.has(action)) return { ok: false, reason: `the delivery status has no valid Action (found "${action}")` };
  const status = fields.get('status') ?? '';
  if (!/^[245]\.\d{1,3}\.\d{1,3}$/.test(status)) return { ok: false, reason: `the delivery status has no valid Status code (found "${status}")` };
  // The returned message, or only its headers: either carries our Message-ID.
  const original = part(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers'])?.content.toString('utf8') ?? mail.text ?? '';
  const id = /^Message-ID:\s*(<[^>\s]+>)/im.exec(original.replace(/\r?\n[ \t]+/g, ' '))?.[1];
  if (!id) return { ok: false, reason: 'the returned message part carries no Message-ID' };
  const diagnostic = fields.get('diagnostic-code');
  return { ok: true, bounce: { originalMessageId: id, action: action as Bounce['action'], status, ...(diagnostic ? { diagnostic: diagnostic.slice(0, 500) } : {}) } };
}

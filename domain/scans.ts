/**
 * USPS piece scans (IV-MTR) collapsed to the milestones a ballot cares about. Pure.
 *
 * Letters rarely get a true "delivered" scan: the last sort before the carrier (the delivery phase) is the best
 * evidence (domain.md §8). The mapping reads IV-MTR's mail phase text; it is a table, so a county can correct it
 * against its own feed without touching the ballot logic.
 */
import { DateTime } from 'luxon';
import { COUNTY_ZONE } from './time';

export type OutboundMilestone = 'accepted' | 'in-transit' | 'out-for-delivery' | 'delivered' | 'return-to-sender';

/** First match wins, tested against the scan's mail phase (and operation code where USPS gives no phase). */
export const MAIL_PHASE_MILESTONES: readonly { pattern: RegExp; milestone: OutboundMilestone }[] = [
  { pattern: /return to sender|\brts\b|undeliverable|\buaa\b/i, milestone: 'return-to-sender' },
  { pattern: /phase 4c|delivery unit|carrier|phase 5|delivery/i, milestone: 'delivered' },
  { pattern: /phase 0|phase 1|origin|acceptance|induction/i, milestone: 'accepted' },
];

export function outboundMilestone(scan: { mailPhase?: string | undefined }): OutboundMilestone {
  const phase = scan.mailPhase ?? '';
  return MAIL_PHASE_MILESTONES.find((m) => m.pattern.test(phase))?.milestone ?? 'in-transit';
}

/**
 * IV-MTR gives the facility's local time without an offset. California ballots are scanned in Pacific time;
 * a return mailed from another state is off by its time zone at most, which no milestone depends on.
 */
export function scanInstant(localIso: string): number {
  const dt = DateTime.fromISO(localIso, { zone: COUNTY_ZONE });
  if (!dt.isValid) throw new Error(`invalid scan time ${localIso}`);
  return dt.toMillis();
}

/**
 * One vote-by-mail ballot, from issuance to counted or not counted (issue 3): its schemas here, its rules in
 * domain/ballot-rules, the facts it is told and their check in domain/ballot-facts. The rules and the fact type are
 * re-exported from here; the ballot workflow imports the two others directly because the ballot worker shares them
 * between workflows.
 */
import { z } from 'zod';

export * from './ballot-rules';
export type { BallotFact } from './ballot-facts';

export const BallotStatusSchema = z.enum([
  'issued', 'mailed', 'in-mail-stream', 'delivered', 'undeliverable', 'returned', 'received', 'in-review',
  'accepted', 'not-accepted', 'cure-pending', 'superseded',
]);
export type BallotStatus = z.infer<typeof BallotStatusSchema>;

export const BallotSettingsSchema = z.object({
  /** No USPS scan this many days after mailing: alert the county. */
  noScanAlertDays: z.number().int().positive().default(3),
  /** No delivery evidence this many days after the expected window: the ballot is delayed, the voter is told. */
  delayedAfterWindowDays: z.number().int().positive().default(2),
  /** First-Class Mail service standard: 1 to 5 days. The expected window when USPS gives no prediction. */
  serviceStandardDays: z.object({ min: z.number().int().nonnegative(), max: z.number().int().positive() }).default({ min: 1, max: 5 }),
  /** Not returned by E-this: return-deadline reminder. */
  returnReminderDaysBefore: z.number().int().positive().default(5),
  /** Inbound scans but no county receipt within this many days: escalate. */
  receiptEscalationDays: z.number().int().positive().default(5),
  /** Cure reminders this many days before the cure deadline. */
  cureReminderDaysBefore: z.array(z.number().int().positive()).default([7, 2]),
});
export type BallotSettings = z.infer<typeof BallotSettingsSchema>;


/**
 * The facts a ballot workflow is told (domain/ballot-rules applies them), and their check.
 *
 * The ballot worker shares this module between every workflow of a thread (workers/worker.ts, preloadModules), so
 * each ballot does not build the schema again: building it was most of what a ballot's first task spent on our own
 * code. The SDK deep-freezes what a shared module exports, and a zod schema does not survive freezing (it resets
 * its regular expressions' lastIndex as it parses). So the module exports only the check and the type, and keeps the
 * schema out of its exports, where nothing freezes it; parsing never changes a schema, so sharing it between
 * workflows is safe.
 */
import { z } from 'zod';
import { isoDateSchema } from './dates';

const IsoDateSchema = isoDateSchema();
const ScanMilestoneSchema = z.enum(['accepted', 'in-transit', 'out-for-delivery', 'delivered', 'return-to-sender']);
const factSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('issued'), key: z.string(), at: z.number(), issueDate: IsoDateSchema, ballotType: z.string(), uocava: z.boolean().default(false) }),
  z.object({ type: z.literal('mailed'), key: z.string(), at: z.number(), mailedDate: IsoDateSchema, outboundImb: z.string(), returnImb: z.string() }),
  z.object({ type: z.literal('outbound-scan'), key: z.string(), at: z.number(), milestone: ScanMilestoneSchema, scannedAt: z.number(), predictedDeliveryDate: IsoDateSchema.optional() }),
  z.object({ type: z.literal('inbound-scan'), key: z.string(), at: z.number(), scannedAt: z.number() }),
  z.object({ type: z.literal('county-undeliverable'), key: z.string(), at: z.number(), date: IsoDateSchema, reasonCodes: z.array(z.string()) }),
  z.object({
    type: z.literal('county-status'), key: z.string(), at: z.number(),
    status: z.enum(['received', 'in-review', 'accepted', 'not-accepted', 'cure-pending', 'cured']),
    receiptDate: IsoDateSchema.optional(), postmarkDate: IsoDateSchema.optional(), statusDate: IsoDateSchema, reasonCodes: z.array(z.string()).default([]),
  }),
  z.object({ type: z.literal('superseded'), key: z.string(), at: z.number(), by: z.enum(['reissue', 'in-person']), detail: z.string().optional() }),
]);
export type BallotFact = z.infer<typeof factSchema>;

/** Checks one fact as it reaches a ballot workflow (a signal is a boundary). */
export function parseBallotFact(input: unknown): z.ZodSafeParseResult<BallotFact> {
  return factSchema.safeParse(input);
}

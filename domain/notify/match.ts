/**
 * Finding a voter's record from what the voter types: first name, last name, date of birth and residence ZIP
 * (issue 4, "Finding the record"; domain.md §10). Matching ignores case and accents, because the voter file and the
 * voter rarely agree on them: VoteCal often holds "NUNEZ" for a voter who writes "Núñez".
 *
 * Normalised names keep letters and digits only:
 * - case folded (toLowerCase, which does not depend on the locale);
 * - accents stripped from Latin letters by NFD decomposition: "Núñez" = "NUNEZ", "Nguyễn" = "nguyen"; letters
 *   that NFD does not decompose are folded by hand ("Đặng" = "dang", "Strauß" = "strauss", "Søren" = "soren");
 * - every space, apostrophe, hyphen and period dropped: "O'Brien" = "OBrien" = "O Brien", "García-López" =
 *   "Garcia Lopez", "St. John" = "StJohn". Registration forms and voters write these every which way; with the
 *   date of birth and the ZIP also required, joining the parts costs no real precision.
 * - Non-Latin scripts are kept as they are (only NFC-composed): the vowel signs of Hindi or Thai are not accents,
 *   and removing them would change the name. A name with no letter or digit at all is refused.
 */
import { z } from 'zod';
import { IsoDateSchema } from '../time';

/** Latin letters NFD leaves whole, and what they fold to. */
const FOLD: Record<string, string> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i', ħ: 'h', ŧ: 't', ŋ: 'n',
};

export function normalizeName(name: string): string {
  return name
    .normalize('NFKD') // compatibility too: full-width letters and ligatures ("ﬁ") become plain ones
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .toLowerCase()
    .replace(/[ßæœøđðłþıħŧŋ]/g, (c) => FOLD[c] ?? c)
    .replace(/[^\p{L}\p{N}\p{M}]/gu, '')
    // Marks left are those of other scripts; a mark with nothing before it (the name began with punctuation) goes.
    .replace(/^\p{M}+/u, '')
    .normalize('NFC');
}

const NameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine((s) => normalizeName(s) !== '', 'must contain at least one letter');

export const LookupQuerySchema = z.object({
  firstName: NameSchema,
  lastName: NameSchema,
  dateOfBirth: IsoDateSchema.refine((d) => d >= '1900-01-01', 'must be 1900-01-01 or later'),
  /** The residence ZIP: 5 digits, or ZIP+4 ("93721-1234" or "937211234"), cut to its 5 digits. */
  zip: z
    .string()
    .trim()
    .regex(/^\d{5}(-?\d{4})?$/, 'must be a 5-digit ZIP code or ZIP+4, e.g. 93721 or 93721-1234')
    .transform((z5) => z5.slice(0, 5)),
});
export type LookupQuery = z.infer<typeof LookupQuerySchema>;

/**
 * The voter's lookup as one stable string: the index key of the lookup table and the rate-limit key of lookup
 * attempts. Versioned ("lk1:") so that a change to normalisation shows in every stored key and they are rebuilt.
 * It holds personal data (name and date of birth): hash it with a server-side secret (in an activity; domain code
 * has no crypto) before it is logged or stored outside the voter table.
 */
export function lookupKey(query: LookupQuery): string {
  const q = LookupQuerySchema.parse(query);
  // ":" cannot occur in a normalised name (letters and digits only), so the fields cannot run into each other.
  return ['lk1', normalizeName(q.lastName), normalizeName(q.firstName), q.dateOfBirth, q.zip].join(':');
}

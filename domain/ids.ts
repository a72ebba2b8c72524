/**
 * Business keys. Workflow ids are built from them so that a retried start can never create a second election
 * or contract; branded types keep a contract id from being passed where an election id belongs.
 */
import { z } from 'zod';

/** A county as a lowercase slug: "fresno", "san-luis-obispo". */
export const CountySchema = z
  .string()
  .regex(/^[a-z]+(-[a-z]+)*$/, 'must be a lowercase county slug such as "fresno" or "san-luis-obispo"');
export type County = z.infer<typeof CountySchema>;

/** A contract's own key within its county, e.g. the agreement number "15-584". */
export const ContractNumberSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,40}$/, 'must be letters, digits, dots and dashes, e.g. "15-584"');

export const ContractIdSchema = z
  .string()
  .regex(/^contract:[a-z]+(-[a-z]+)*:[A-Za-z0-9][A-Za-z0-9.-]{0,40}$/, 'must look like "contract:fresno:15-584"')
  .brand<'ContractId'>();
export type ContractId = z.infer<typeof ContractIdSchema>;

export const ElectionIdSchema = z
  .string()
  .regex(/^election:[a-z]+(-[a-z]+)*:\d{4}-\d{2}-\d{2}(:[a-z0-9-]{1,40})?$/, 'must look like "election:fresno:2026-06-02"')
  .brand<'ElectionId'>();
export type ElectionId = z.infer<typeof ElectionIdSchema>;

export function contractIdOf(county: string, number: string): ContractId {
  return `contract:${county}:${number}` as ContractId;
}

/**
 * `election:<county>:<original election date>[:<suffix>]`. The id keeps the date the election was started
 * with even if the date later changes, so it stays a stable key; the suffix separates two elections that a
 * county holds on one day (e.g. a city special consolidated elsewhere).
 */
export function electionIdOf(county: string, electionDate: string, suffix?: string): ElectionId {
  return `election:${county}:${electionDate}${suffix ? `:${suffix}` : ''}` as ElectionId;
}

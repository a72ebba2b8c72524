/**
 * Calendar arithmetic in the county's time zone (domain/dates), and the schemas of dates and instants.
 * Pure and deterministic: safe inside workflows.
 */
import { z } from 'zod';
import { isoDateSchema } from './dates';

export * from './dates';

export const IsoDateSchema = isoDateSchema();

/** An instant with an explicit offset or Z, e.g. 2026-05-04T09:30:00-07:00. */
export const InstantSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset' });

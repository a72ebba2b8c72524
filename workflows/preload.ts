/**
 * Libraries the worker evaluates once per workflow thread instead of once per workflow (WorkerOptions
 * bundlerOptions.preloadModules; workers/worker.ts lists the other shared modules). The SDK deep-freezes what a
 * shared module exports and shares it between every workflow, so only stateless code belongs in one: functions and
 * constants, never a zod schema (a frozen schema cannot parse: zod resets its regular expressions' lastIndex) nor
 * a value a workflow changes. A shared module may keep a schema or a memo of a pure function out of its exports,
 * where nothing freezes it (domain/ballot-facts.ts, domain/dates.ts). This module runs first.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';

// zod writes defaults into its shared config the first time a schema (the locale) and a container (the
// memoizer) are built. A frozen config refuses those writes in every workflow, so they happen here, first.
// jitless: most workflows have their own instances of our schemas, so zod's compiled fast path (new Function per
// object schema) would be compiled again for every ballot and used a handful of times; interpreting is cheaper.
z.config({ ...z.locales.en(), jitless: true });
z.object({});

export const preloaded = { z, DateTime };

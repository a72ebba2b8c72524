/**
 * Libraries the worker evaluates once per workflow thread instead of once per workflow (WorkerOptions
 * bundlerOptions.preloadModules). The SDK freezes what this module exports and shares it, so only stateless
 * code belongs here: zod's and luxon's classes and functions, never a schema or a value of ours.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';

// zod writes defaults into its shared config the first time a schema (the locale) and a container (the
// memoizer) are built. A frozen config refuses those writes in every workflow, so they happen here, first.
// jitless: each workflow has its own instances of our schemas, so zod's compiled fast path (new Function per
// object schema) would be compiled again for every ballot and used a handful of times; interpreting is cheaper.
z.config({ ...z.locales.en(), jitless: true });
z.object({});

export const preloaded = { z, DateTime };

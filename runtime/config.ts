/** Configuration from the environment, parsed once with zod; a bad value names the variable. */
import path from 'node:path';
import { z } from 'zod';

/** The SDK's stack-trace hook, per worker (workers/stack-trace-hook.ts); also read by bench:ingest. */
const STACK_TRACES = {
  WORKFLOW_STACK_TRACES: z.enum(['on', 'off']).default('on').describe("the Temporal SDK's per-promise stack-trace hook for election, contract and notice workflows, behind the Web UI's Stack Trace tab; off answers that traces are not enabled. Off needs the worker started with node --require ./dist/workers/stack-traces.js, as npm start and docker-compose.yml do"),
  BALLOT_STACK_TRACES: z.enum(['on', 'off']).default('off').describe("the same hook for ballot workflows. Off by default: it costs 30-42% of a ballot fact's CPU, and beyond the cache the returns fell below 80% of the bare signal rate with it (docs/performance.md); a ballot's status and timeline are in the API. Off needs the worker started with node --require ./dist/workers/stack-traces.js, as npm start and docker-compose.yml do"),
};

const Env = z.object({
  BALLOTFLOW_DATA_DIR: z.string().default(path.resolve(process.cwd(), 'data')),
  DATABASE_URL: z.string().url().optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  TEMPORAL_ADDRESS: z.string().optional().describe('host:port of an existing Temporal cluster; unset runs the dev server'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TLS_CERT: z.string().optional().describe('path to a client certificate (mTLS)'),
  TEMPORAL_TLS_KEY: z.string().optional().describe('path to the client key (mTLS)'),
  TEMPORAL_TLS_CA: z.string().optional().describe('path to a CA certificate for the server'),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional().describe('use TLS without client certificates (e.g. with an API key)'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_DEV_PORT: z.coerce.number().int().default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().default(8233),
  TASK_QUEUE: z.string().default('ballotflow'),
  BALLOT_WORKFLOW_THREADS: z.coerce.number().int().min(1).max(64).default(2).describe('threads of ballot workflow code in each worker process (docs/performance.md: 2 on a 2-core machine)'),
  BALLOT_WORKFLOW_CACHE: z.coerce.number().int().min(2).optional().describe('ballot workflows each worker process keeps in memory between their tasks; unset: half the memory of the machine or container at 320 KiB a ballot, at most half of each workflow thread heap at 96 KiB a ballot (workers/worker.ts defaultBallotCache). A ballot that is not cached is replayed from its history on its next fact'),
  ...STACK_TRACES,
  INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000).describe('rows per ingestion batch: one checkpoint, one round of ballot signals'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: z.string().default(''),
  PUBLIC_BASE_URL: z.string().url().default('http://127.0.0.1:3000').describe('the origin Twilio and voters reach the API at (https in production): webhook signatures and voter links are built from it, never from the Host header'),
  VOTER_LINK_SECRET: z.string().min(32).default('dev-only-voter-link-secret-do-not-use-in-production').describe('HMAC key of voter lookup hashes and signed voter links; the default is for development only: production must set its own'),
  SMTP_URL: z.string().optional().describe('smtp(s)://user:pass@host:port of the mail relay; npm start runs a local capture server when unset'),
  EMAIL_FROM: z.string().email().default('ballot-alerts@example.gov').describe('sender address of notices for counties without their own (county overrides)'),
  EMAIL_BOUNCE_TOKEN: z.string().min(16).optional().describe('bearer token of POST /api/webhooks/email/bounces, where the bounce mailbox hands over delivery status reports; unset answers 503'),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_API_URL: z.string().url().optional().describe('another Twilio API origin (a local stand-in); unset talks to api.twilio.com'),
  SMS_NUMBERS: z.string().default('+15005550006').describe('comma-separated E.164 sending numbers; each gets its own rate-limited queue'),
  VOICE_CALLER_ID: z.string().default('+15005550006'),
  PROGRAM_NAME: z.string().min(1).max(32).default('CA Ballot Alerts'),
  SMS_PER_NUMBER_PER_SECOND: z.coerce.number().positive().default(1),
  CALLS_PER_SECOND: z.coerce.number().positive().default(1),
  EMAILS_PER_SECOND: z.coerce.number().positive().default(50),
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(2).describe('the most SMS segments a notice template may take with the longest values (admin API refuses longer)'),
  OIDC_ISSUER: z.string().url().optional().describe('the issuer of single sign-on JWTs; unset accepts API keys only'),
  OIDC_AUDIENCE: z.string().default('ballotflow').describe('the audience (aud) SSO tokens must carry'),
  OIDC_JWKS_URL: z.string().url().optional().describe('the provider\'s JWKS endpoint; required with OIDC_ISSUER'),
  OIDC_ROLE_CLAIM: z.string().default('ballotflow_role'),
  OIDC_COUNTY_CLAIM: z.string().default('ballotflow_county'),
  OIDC_CONTRACTS_CLAIM: z.string().default('ballotflow_contracts'),
  VOTER_LOOKUPS_PER_IP: z.coerce.number().int().min(1).default(30).describe('voter lookups one address may make in 10 minutes'),
  VOTER_LOOKUPS_PER_IDENTITY: z.coerce.number().int().min(1).default(5).describe('lookups of one name, birth date and ZIP in 10 minutes, from anywhere'),
  VOTER_WRITES_PER_IP: z.coerce.number().int().min(1).default(20).describe('sign-ups, code requests and changes one address may make in 10 minutes'),
}).refine((e) => !e.OIDC_ISSUER || e.OIDC_JWKS_URL, { message: 'OIDC_JWKS_URL is required when OIDC_ISSUER is set', path: ['OIDC_JWKS_URL'] });
export type Config = z.infer<typeof Env>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // `DATABASE_URL=` in an env file means "not set", as it does for most tools.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const r = Env.safeParse(given);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid environment: ${msg}`);
  }
  return r.data;
}

/** WORKFLOW_STACK_TRACES and BALLOT_STACK_TRACES alone, for a process (a benchmark) that needs no other setting. */
export function stackTraceSettings(env: NodeJS.ProcessEnv = process.env): { WORKFLOW_STACK_TRACES: 'on' | 'off'; BALLOT_STACK_TRACES: 'on' | 'off' } {
  return z.object(STACK_TRACES).parse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
}

/**
 * What the state configures for voter notifications (issue 4, "Triggers and templates, configured by the state"):
 * the trigger configuration (one row per version, the highest is current), notice templates (versioned, on top of
 * the shipped DEFAULT_TEMPLATES) and each county's identity (CountyOverride).
 *
 * A template change applies to every message not yet sent with no work here: the sender resolves the template
 * (resolveTemplate over effectiveTemplates) when it renders a message at send time, not when the message is queued,
 * so a version saved now is what a message still waiting for the voter's contact hours will carry.
 */
import type { Pool } from 'pg';
import type { Channel, Language } from '../domain/notify/channels';
import type { NoticeReason } from '../domain/notify/reasons';
import { DEFAULT_TEMPLATES, TemplateSchema, type Template } from '../domain/notify/templates';
import {
  DEFAULT_TRIGGER_CONFIG, parseCountyOverride, parseTriggerConfig, type CountyOverride, type NoticeKind, type TriggerConfig,
} from '../domain/notify/triggers';

// ---------- trigger configuration ----------

export interface CurrentTriggerConfig {
  /** 0 for the shipped DEFAULT_TRIGGER_CONFIG, which is not stored. */
  version: number;
  config: TriggerConfig;
  createdBy?: string;
  createdAt?: Date;
}

/** The highest stored version, else the statewide default as version 0. */
export async function currentTriggerConfig(pool: Pool): Promise<CurrentTriggerConfig> {
  const r = await pool.query<{ version: number; config: unknown; createdBy: string; createdAt: Date }>(
    `SELECT version, config, created_by AS "createdBy", created_at AS "createdAt"
     FROM notify_trigger_configs ORDER BY version DESC LIMIT 1`,
  );
  const row = r.rows[0];
  if (!row) return { version: 0, config: DEFAULT_TRIGGER_CONFIG };
  return { version: row.version, config: parseStored('notify_trigger_configs', row.version, parseTriggerConfig(row.config)), createdBy: row.createdBy, createdAt: row.createdAt };
}

/** Stores a new version (the previous ones stay, for the record); answers its version number. */
export async function saveTriggerConfig(pool: Pool, config: TriggerConfig, actor: string): Promise<number> {
  const r = await pool.query<{ version: number }>(
    'INSERT INTO notify_trigger_configs (config, created_by) VALUES ($1, $2) RETURNING version',
    [JSON.stringify(config), actor],
  );
  return r.rows[0]!.version;
}

// ---------- templates ----------

/** A template version with where it comes from: shipped with the system (version 1, no author) or saved by the state. */
export type TemplateVersion = Template & { source: 'default' | 'state'; createdBy: string | null; createdAt: Date | null };

export interface TemplateFilter {
  kind?: NoticeKind;
  channel?: Channel;
  language?: Language;
  /** null: only templates for any reason; undefined: all. */
  reason?: NoticeReason | null;
}

type TemplateRow = { kind: string; channel: string; language: string; reason: string; version: number; subject: string | null; body: string; createdBy: string; createdAt: Date };

const TEMPLATE_COLUMNS = `kind, channel, language, reason, version, subject, body, created_by AS "createdBy", created_at AS "createdAt"`;

function templateOf(row: TemplateRow): TemplateVersion {
  // The table stores "no reason" as '' (it is part of the primary key) and "no subject" as NULL.
  const parsed = TemplateSchema.safeParse({
    kind: row.kind, channel: row.channel, language: row.language, version: row.version, body: row.body,
    ...(row.reason !== '' ? { reason: row.reason } : {}), ...(row.subject !== null ? { subject: row.subject } : {}),
  });
  if (!parsed.success) throw new Error(`notify_templates ${row.kind}/${row.channel}/${row.language}/${row.reason}/v${row.version} is not a valid template: ${parsed.error.message}`);
  return { ...parsed.data, source: 'state', createdBy: row.createdBy, createdAt: row.createdAt };
}

const matches = (t: Template, f: TemplateFilter) =>
  (f.kind === undefined || t.kind === f.kind) && (f.channel === undefined || t.channel === f.channel)
  && (f.language === undefined || t.language === f.language)
  && (f.reason === undefined || (t.reason ?? null) === f.reason);

/**
 * Every version matching the filter, the shipped defaults included as version 1, ordered by key and newest first.
 * What is served is the highest version of a key (resolveTemplate); the older ones are kept for the record.
 */
export async function listTemplates(pool: Pool, filter: TemplateFilter = {}): Promise<TemplateVersion[]> {
  const r = await pool.query<TemplateRow>(
    `SELECT ${TEMPLATE_COLUMNS} FROM notify_templates
     WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR channel = $2) AND ($3::text IS NULL OR language = $3)
       AND ($4::text IS NULL OR reason = $4)`,
    [filter.kind ?? null, filter.channel ?? null, filter.language ?? null, filter.reason === undefined ? null : filter.reason ?? ''],
  );
  const defaults: TemplateVersion[] = DEFAULT_TEMPLATES.filter((t) => matches(t, filter)).map((t) => ({ ...t, source: 'default', createdBy: null, createdAt: null }));
  const key = (t: Template) => `${t.kind}\u0000${t.channel}\u0000${t.language}\u0000${t.reason ?? ''}`;
  return [...defaults, ...r.rows.map(templateOf)].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : b.version - a.version));
}

/**
 * The templates the sender chooses from: the shipped defaults (version 1 of their key) and every stored version.
 * A stored version of a default's key is numbered 2 or more (addTemplateVersion), so resolveTemplate's
 * highest-version rule serves it instead of the default.
 */
export async function effectiveTemplates(pool: Pool): Promise<Template[]> {
  return (await listTemplates(pool)).map(({ source: _s, createdBy: _b, createdAt: _a, ...t }) => t);
}

const hasDefault = (t: Pick<Template, 'kind' | 'channel' | 'language' | 'reason'>) =>
  DEFAULT_TEMPLATES.some((d) => d.kind === t.kind && d.channel === t.channel && d.language === t.language && d.reason === t.reason);

/**
 * Saves a new version of a template: one more than the highest of its key, a shipped default counting as version 1.
 * Two admins saving the same key at once compute the same number in the one statement; the primary key refuses the
 * second, which retries with the next number. Validation (validateTemplate) is the caller's.
 */
export async function addTemplateVersion(pool: Pool, t: Omit<Template, 'version'>, actor: string): Promise<TemplateVersion> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await pool.query<TemplateRow>(
        `INSERT INTO notify_templates (kind, channel, language, reason, version, subject, body, created_by)
         SELECT $1, $2, $3, $4, GREATEST(COALESCE(MAX(version), 0), $5) + 1, $6, $7, $8
         FROM notify_templates WHERE kind = $1 AND channel = $2 AND language = $3 AND reason = $4
         RETURNING ${TEMPLATE_COLUMNS}`,
        [t.kind, t.channel, t.language, t.reason ?? '', hasDefault(t) ? 1 : 0, t.subject ?? null, t.body, actor],
      );
      return templateOf(r.rows[0]!);
    } catch (e) {
      if ((e as { code?: string }).code !== '23505' || attempt >= 10) throw e;
    }
  }
}

// ---------- county overrides ----------

export interface CountyOverrideRecord {
  county: string;
  override: CountyOverride;
  updatedBy: string;
  updatedAt: Date;
}

type OverrideRow = { county: string; override: unknown; updatedBy: string; updatedAt: Date };
const OVERRIDE_COLUMNS = `county, override, updated_by AS "updatedBy", updated_at AS "updatedAt"`;

function overrideOf(row: OverrideRow): CountyOverrideRecord {
  return { county: row.county, override: parseStored('county_overrides', row.county, parseCountyOverride(row.override)), updatedBy: row.updatedBy, updatedAt: row.updatedAt };
}

export async function countyOverrideRecord(pool: Pool, county: string): Promise<CountyOverrideRecord | undefined> {
  const r = await pool.query<OverrideRow>(`SELECT ${OVERRIDE_COLUMNS} FROM county_overrides WHERE county = $1`, [county]);
  return r.rows[0] ? overrideOf(r.rows[0]) : undefined;
}

/** The county's identity for its messages, or undefined when the state has not configured it. */
export async function countyOverride(pool: Pool, county: string): Promise<CountyOverride | undefined> {
  return (await countyOverrideRecord(pool, county))?.override;
}

/** Sets or replaces a county's identity; `created` tells which. The override must already be parsed. */
export async function saveCountyOverride(pool: Pool, county: string, override: CountyOverride, actor: string): Promise<CountyOverrideRecord & { created: boolean }> {
  if (override.county !== county) throw new Error(`override for ${override.county} saved under ${county}`);
  const r = await pool.query<OverrideRow & { created: boolean }>(
    `INSERT INTO county_overrides (county, override, updated_by) VALUES ($1, $2, $3)
     ON CONFLICT (county) DO UPDATE SET override = EXCLUDED.override, updated_by = EXCLUDED.updated_by, updated_at = now()
     RETURNING ${OVERRIDE_COLUMNS}, (xmax = 0) AS created`,
    [county, JSON.stringify(override), actor],
  );
  const row = r.rows[0]!;
  return { ...overrideOf(row), created: row.created };
}

export async function listCountyOverrides(pool: Pool): Promise<CountyOverrideRecord[]> {
  const r = await pool.query<OverrideRow>(`SELECT ${OVERRIDE_COLUMNS} FROM county_overrides ORDER BY county`);
  return r.rows.map(overrideOf);
}

/** A JSON column that no longer parses is a broken invariant (it was parsed before it was written): say which row. */
function parseStored<T>(table: string, key: string | number, r: { ok: true; value: T } | { ok: false; errors: { field: string; message: string }[] }): T {
  if (r.ok) return r.value;
  throw new Error(`${table} ${key} does not parse: ${r.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
}

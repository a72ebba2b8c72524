/**
 * Issue 5, audit and the public voter lookup: the audit log cannot be altered by the application's own database
 * role, a state admin exports it by time and county (the export itself audited), the retention purge is the one way
 * voters' records go and it is refused inside the retention period; the lookup is rate limited per address and per
 * identity, and a match and a miss answer with the same status and the same shape.
 */
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../api/app';
import { voterLookupHash } from '../api/links';
import { retentionEnds } from '../api/routes/admin';
import { keyFor } from './helpers/auth';
import { seedContract, seedElection } from './helpers/seed';
import { createTestDb, type TestDb } from './helpers/db';

let db: TestDb;
let admin: string;

const appWith = (voterLimits: Record<string, number> = {}): Express =>
  createApp({ pool: db.pool, client: {} as Client, logger: pino({ level: 'silent' }), cfg: { TASK_QUEUE: 'unused', searchAttributes: false, voterLimits } });

const election = async (county: string, date: string) => seedElection(db.pool, county, date, await seedContract(db.pool, county, 'A-1', '2023-07-01'));

async function voter(county: string, voterId: string, electionId: string, who: { firstName: string; lastName: string; dateOfBirth: string; zip: string }) {
  await db.pool.query(
    `INSERT INTO voters (county, voter_id, first_name, last_name, lookup_hash, election_id, ballot_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [county, voterId, who.firstName, who.lastName, voterLookupHash(who), electionId, `ballot:${electionId}:${voterId}:1`],
  );
}

beforeAll(async () => {
  db = await createTestDb();
  admin = `Bearer ${await keyFor(db.pool, 'state-admin')}`;
}, 60_000);
afterAll(async () => { await db?.drop(); });

describe('the audit log', () => {
  test('the application\'s database role can neither UPDATE, DELETE nor TRUNCATE it', async () => {
    const app = appWith();
    await request(app).put('/api/admin/notify/counties/fresno').set('Authorization', admin).send({}).expect(422);
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n;
    expect(before).toBeGreaterThan(0);
    await expect(db.pool.query(`UPDATE audit_log SET actor = 'someone else'`)).rejects.toThrow(/audit_log is append-only: UPDATE/);
    await expect(db.pool.query('DELETE FROM audit_log')).rejects.toThrow(/audit_log is append-only: DELETE/);
    await expect(db.pool.query('TRUNCATE audit_log')).rejects.toThrow(/audit_log is append-only: TRUNCATE/);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n).toBe(before);
  });

  test('a state admin exports it by time and county as JSON and CSV, and the export is itself audited', async () => {
    const app = appWith();
    const fresnoManager = `Bearer ${await keyFor(db.pool, 'county-manager', { county: 'fresno' })}`;
    await new Promise((r) => setTimeout(r, 20)); // after the first test's rows
    const from = new Date().toISOString();
    // Two refused changes, one per county: they are audited with the county of their target.
    const put = (county: string, auth: string) => request(app).put(`/api/admin/notify/counties/${county}`).set('Authorization', auth).send({});
    expect((await put('fresno', fresnoManager)).status).toBe(403);
    expect((await put('kern', admin)).status).toBe(422);
    const to = new Date(Date.now() + 1000).toISOString();

    const json = await request(app).get('/api/admin/audit').query({ from, to, county: 'fresno' }).set('Authorization', admin).expect(200);
    expect(json.body.entries).toEqual([expect.objectContaining({ action: 'putCountyOverride', county: 'fresno', role: 'county-manager', result: '403', target: 'fresno' })]);
    const csv = await request(app).get('/api/admin/audit').query({ from, to, format: 'csv' }).set('Authorization', admin).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('id,at,actor,role,county,action,target,requestId,result,detail');
    expect(lines.slice(1).map((l) => l.split(',').slice(4, 7).join(','))).toEqual(['fresno,putCountyOverride,fresno', 'kern,putCountyOverride,kern', ',exportAudit,']);

    // Paging: one row a page, continued with `after`.
    const first = await request(app).get('/api/admin/audit').query({ from, to, limit: 1 }).set('Authorization', admin).expect(200);
    const second = await request(app).get('/api/admin/audit').query({ from, to, limit: 1, after: first.body.next }).set('Authorization', admin).expect(200);
    expect(first.headers['x-next-after']).toBe(first.body.next);
    expect([first.body.entries[0].county, second.body.entries[0].county]).toEqual(['fresno', 'kern']);

    const exports = await db.pool.query(`SELECT role, result FROM audit_log WHERE action = 'exportAudit' AND at >= $1`, [from]);
    expect(exports.rows).toEqual(Array(4).fill({ role: 'state-admin', result: '200' }));
    // A county manager cannot export, and the refusal is audited too.
    expect((await request(app).get('/api/admin/audit').query({ from, to }).set('Authorization', fresnoManager)).status).toBe(403);
    await request(app).get('/api/admin/audit').query({ from: to, to: from }).set('Authorization', admin).expect(422);
  });
});

describe('the retention purge', () => {
  test('voters\' records are removed only by the purge, only after the retention period, and the purge is audited', async () => {
    const app = appWith();
    const old = await election('tulare', '2024-03-05');
    const recent = await election('kings', '2026-06-02');
    const person = { firstName: 'Ana', lastName: 'Ruiz', dateOfBirth: '1980-01-01', zip: '93274' };
    await voter('tulare', 'T1', old, person);
    await voter('kings', 'K1', recent, { ...person, zip: '93230' });
    // A voter account saved both voters' lookups: the purged one's goes with the purge, the other stays.
    await db.pool.query(`INSERT INTO voter_accounts (id, email, password_hash) VALUES ('acct-1', 'ana@example.com', 'scrypt$x')`);
    await db.pool.query(`INSERT INTO voter_account_lookups (id, account_id, county, voter_id) VALUES ('lkp-1', 'acct-1', 'tulare', 'T1'), ('lkp-2', 'acct-1', 'kings', 'K1')`);
    // A voice notice to each stored the words it spoke (they can name the voter): the purged election's go.
    await db.pool.query(`INSERT INTO notifications (key, ballot_id, subscription_id, channel, kind, language, status, spoken_text) VALUES
      ('n-old', $1, 'sub-t', 'voice', 'mailed', 'en', 'sent', 'Hello Ana. Your ballot was mailed.'), ('n-new', $2, 'sub-k', 'voice', 'mailed', 'en', 'sent', 'Hello Ana. Your ballot was mailed.')`,
    [`ballot:${old}:T1:1`, `ballot:${recent}:K1:1`]);
    await expect(db.pool.query('DELETE FROM voters')).rejects.toThrow(/voters rows are removed only by the retention purge/);
    await expect(db.pool.query('TRUNCATE voters')).rejects.toThrow(/append-only: TRUNCATE/);

    expect(retentionEnds('2024-03-05')).toBe('2026-01-05');
    const early = await request(app).post('/api/admin/retention/purge').set('Authorization', admin).send({ electionId: recent, reason: 'routine purge' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ retentionEnds: '2028-04-02' });
    const done = await request(app).post('/api/admin/retention/purge').set('Authorization', admin).send({ electionId: old, reason: 'routine purge after 22 months' }).expect(200);
    expect(done.body).toMatchObject({ electionId: old, votersRemoved: 1 });
    expect((await db.pool.query('SELECT county FROM voters ORDER BY county')).rows).toEqual([{ county: 'kings' }]);
    expect((await db.pool.query('SELECT county, voter_id FROM voter_account_lookups ORDER BY id')).rows).toEqual([{ county: 'kings', voter_id: 'K1' }]);
    expect((await db.pool.query('SELECT key, spoken_text FROM notifications ORDER BY key')).rows).toEqual([
      { key: 'n-new', spoken_text: 'Hello Ana. Your ballot was mailed.' }, { key: 'n-old', spoken_text: null },
    ]);
    const audit = await db.pool.query(`SELECT county, result, detail FROM audit_log WHERE action = 'purgeElectionVoters' ORDER BY id`);
    expect(audit.rows.map((r) => [r.county, r.result, r.detail.reason ?? null, r.detail.votersRemoved ?? null])).toEqual([
      ['kings', '409', null, null],
      ['tulare', '200', 'routine purge after 22 months', 1],
    ]);
  });
});

describe('the public voter lookup', () => {
  const ana = { firstName: 'Ana', lastName: 'Núñez', dateOfBirth: '1975-05-05', zip: '93701' };
  beforeAll(async () => {
    const e = await election('fresno', '2026-11-03');
    await voter('fresno', 'F1', e, ana);
  });

  test('a match and a miss answer with the same status and the same keys; nothing personal goes out', async () => {
    const app = appWith();
    const hit = await request(app).post('/api/voter/lookup').send(ana).expect(200);
    const miss = await request(app).post('/api/voter/lookup').send({ ...ana, dateOfBirth: '1975-05-06' }).expect(200);
    expect(hit.body.result).toBe('found');
    expect(miss.body).toEqual({ result: 'not-found', lookupToken: null, ballot: null });
    expect(Object.keys(hit.body).sort()).toEqual(Object.keys(miss.body).sort());
    expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
    const text = JSON.stringify(hit.body);
    for (const secret of ['1975-05-05', '93701', 'F1', 'Núñez']) expect(text).not.toContain(secret);
  });

  test('over the per-address limit answers 429 with Retry-After; another address still gets through', async () => {
    const app = appWith({ lookupsPerIp: 3, lookupsPerIdentity: 100 });
    const from = (ip: string, i: number) => request(app).post('/api/voter/lookup').set('X-Forwarded-For', ip).send({ ...ana, zip: String(93700 + i) });
    for (let i = 0; i < 3; i++) await from('203.0.113.7', i).expect(200);
    const over = await from('203.0.113.7', 9);
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.headers['content-type']).toMatch(/application\/problem\+json/);
    await from('198.51.100.2', 9).expect(200);
  });

  test('one identity looked up from many addresses is limited too', async () => {
    const app = appWith({ lookupsPerIp: 100, lookupsPerIdentity: 2 });
    // Case and accents do not make another identity.
    const variants = [ana, { ...ana, lastName: 'NUNEZ' }, { ...ana, firstName: 'ana ' }];
    const answers = [];
    for (const [i, v] of variants.entries()) answers.push((await request(app).post('/api/voter/lookup').set('X-Forwarded-For', `192.0.2.${i + 1}`).send(v)).status);
    expect(answers).toEqual([200, 200, 429]);
    // Someone else is not held back by it.
    await request(app).post('/api/voter/lookup').set('X-Forwarded-For', '192.0.2.50').send({ ...ana, firstName: 'Luz' }).expect(200);
  });
});

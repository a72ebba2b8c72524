/** Contracts: register, read, the SLA / late-day report (JSON or CSV), invoices and renewals. */
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { ContractTermsSchema, InvoiceCommandSchema, RenewalCommandSchema, type Contract } from '../../domain/contract';
import { ContractIdSchema, contractIdOf, CountySchema } from '../../domain/ids';
import { getContract as getContractRow, getLedger, insertContract, listContracts } from '../../db/contracts';
import { startContractWorkflow } from '../../runtime/temporal';
import { exerciseRenewal, getContract, recordInvoice, type ContractSnapshot } from '../../workflows/contract/messages';
import { HttpProblem, notFound } from '../problem';
import { on, route, staff, type Deps } from '../route';
import { sendUpdate, startOptionsOf } from '../workflows';

const IdParams = z.object({ id: ContractIdSchema });

async function loadContract(deps: Deps, id: string): Promise<Contract> {
  const c = await getContractRow(deps.pool, id);
  if (!c) throw notFound(`contract ${id}`);
  return c;
}

/** The live ledger from the workflow; the last projection in Postgres if Temporal cannot answer. */
export async function contractSnapshot(deps: Deps, id: string): Promise<ContractSnapshot> {
  await loadContract(deps, id);
  try {
    return await deps.client.workflow.getHandle(id).query(getContract);
  } catch (e) {
    const saved = await getLedger(deps.pool, id);
    if (saved) return saved;
    throw e;
  }
}

export function slaReportCsv(s: ContractSnapshot): string {
  const rows: (string | number)[][] = [[
    'section', 'election_id', 'election_date', 'deliverable', 'name', 'base_due', 'due', 'delivered', 'days_late',
    'damages_accrued', 'damages_charged', 'damages_capped', 'damages_waived', 'damages_excused', 'why',
  ]];
  for (const l of s.ledger.lines) {
    rows.push(['deliverable', l.electionId, l.electionDate, l.deliverableKey, l.name, l.baseDueAt, l.dueAt, l.deliveredAt ?? '', l.daysLate,
      l.damagesAccrued, l.damagesCharged, l.damagesCapped, l.damagesWaived, l.damagesExcused, l.why.join('; ')]);
  }
  const t = s.ledger.totals;
  rows.push(['total', '', '', '', `cap $${s.ledger.cap}; remaining $${t.capRemaining}`, '', '', '', t.daysLate, t.damagesAccrued, t.damagesCharged, t.damagesCapped, t.damagesWaived, t.damagesExcused, '']);
  for (const p of s.ledger.spend.periods) {
    rows.push(['fiscal-period', '', '', '', `${p.label} (${p.start}..${p.end}) spent $${p.spent} of $${p.cap}, remaining $${p.remaining}${p.overCap ? ' OVER CAP' : ''}`, '', '', '', '', '', '', '', '', '', '']);
  }
  return stringify(rows);
}

export const contractRoutes = [
  route({
    operationId: 'createContract', method: 'post', path: '/api/contracts', tag: 'contracts',
    policy: staff(['state-admin', 'county-manager'], on.county('body', 'county')),
    summary: 'Register a vendor contract and start its workflow',
    description: 'The id is `contract:<county>:<number>`. Registering the same terms again answers 200 with the existing contract; other terms under the same id answer 409.',
    body: ContractTermsSchema,
    responses: { 201: { description: 'created' }, 200: { description: 'already registered with these terms' }, 409: { description: 'the id is taken by other terms' }, 422: { description: 'invalid terms' } },
    handler: async ({ body, deps }) => {
      const contract: Contract = { ...body, id: contractIdOf(body.county, body.number) };
      const outcome = await insertContract(deps.pool, contract);
      if (outcome === 'different') throw new HttpProblem(409, 'Conflict', `${contract.id} is already registered with other terms`);
      await startContractWorkflow(deps.client, contract, startOptionsOf(deps));
      return { status: outcome === 'created' ? 201 : 200, json: { id: contract.id, contract }, headers: { Location: `/api/contracts/${encodeURIComponent(contract.id)}` } };
    },
  }),
  route({
    operationId: 'listContracts', method: 'get', path: '/api/contracts', tag: 'contracts', summary: 'List contracts',
    policy: staff(['state-admin', 'county-manager', 'vendor', 'contract-manager']),
    query: z.object({ county: CountySchema.optional() }),
    responses: { 200: { description: 'contracts' } },
    handler: async ({ query, deps, scope }) => ({ status: 200, json: { contracts: await listContracts(deps.pool, query.county, scope) } }),
  }),
  route({
    operationId: 'getContract', method: 'get', path: '/api/contracts/:id', tag: 'contracts', summary: 'A contract, its elections, invoices and ledger',
    policy: staff(['state-admin', 'county-manager', 'vendor', 'contract-manager'], on.contract()),
    params: IdParams,
    responses: { 200: { description: 'the contract' }, 404: { description: 'no such contract' } },
    handler: async ({ params, deps }) => ({ status: 200, json: await contractSnapshot(deps, params.id) }),
  }),
  route({
    operationId: 'getSlaReport', method: 'get', path: '/api/contracts/:id/sla-report', tag: 'contracts',
    policy: staff(['state-admin', 'county-manager', 'vendor', 'contract-manager'], on.contract()),
    summary: 'SLA and late-day report: per election and deliverable, due, delivered, days late, damages accrued, charged, capped, waived or excused and why; spend against each fiscal-period cap',
    description: 'JSON by default; CSV with `Accept: text/csv`.',
    params: IdParams,
    responses: { 200: { description: 'the report', contentType: 'application/json, text/csv' }, 404: { description: 'no such contract' } },
    handler: async ({ params, deps, accepts }) => {
      const s = await contractSnapshot(deps, params.id);
      if (accepts('text/csv')) {
        return { status: 200, text: slaReportCsv(s), contentType: 'text/csv; charset=utf-8', headers: { 'Content-Disposition': `attachment; filename="sla-report-${s.id.replace(/[^A-Za-z0-9.-]+/g, '_')}.csv"` } };
      }
      return { status: 200, json: { contractId: s.id, vendor: s.terms.vendor, county: s.terms.county, asOf: s.asOf, termEnd: s.termEnd, ...s.ledger } };
    },
  }),
  route({
    operationId: 'recordInvoice', method: 'post', path: '/api/contracts/:id/invoices', tag: 'contracts',
    policy: staff(['state-admin', 'county-manager', 'contract-manager'], on.contract()),
    summary: 'Record a vendor invoice, priced from the contract price list, against its fiscal period',
    params: IdParams, body: InvoiceCommandSchema.omit({ by: true }),
    responses: { 201: { description: 'recorded' }, 200: { description: 'already recorded (same invoice id and lines)' }, 409: { description: 'same invoice id, other lines' }, 422: { description: 'unknown price code or invalid' } },
    handler: async ({ params, body, deps, actor, updateId }) => {
      await loadContract(deps, params.id);
      const r = await sendUpdate(deps, params.id, recordInvoice, { ...body, by: actor }, updateId);
      return { status: r.alreadyRecorded ? 200 : 201, json: r };
    },
  }),
  route({
    operationId: 'exerciseRenewal', method: 'post', path: '/api/contracts/:id/renewals', tag: 'contracts',
    policy: staff(['state-admin', 'county-manager', 'contract-manager'], on.contract()),
    summary: 'Exercise an optional renewal period (notice by its date, Agreement §2)',
    params: IdParams, body: RenewalCommandSchema.omit({ by: true }),
    responses: { 200: { description: 'renewed; the new term end' }, 422: { description: 'notice too late or no such renewal' } },
    handler: async ({ params, body, deps, actor, updateId }) => {
      await loadContract(deps, params.id);
      const r = await sendUpdate(deps, params.id, exerciseRenewal, { ...body, by: actor }, updateId);
      return { status: 200, json: r };
    },
  }),
];

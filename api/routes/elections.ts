/** Elections: start, read, change date, cancel, and the county, vendor and contract-manager commands. */
import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { ruleFor } from '../../domain/calendar';
import { LANGUAGES } from '../../domain/notify/channels';
import { ElectionUpdateTextSchema } from '../../domain/notify/templates';
import {
  buildElectionInput, CancelSchema, ChangeDateSchema, CompleteMilestoneSchema, DelayNoticeSchema, ElectionDayOrderSchema,
  ElectionRequestSchema, SendExtractSchema, WaiverDecisionSchema,
} from '../../domain/election';
import { ContractIdSchema, CountySchema, ElectionIdSchema } from '../../domain/ids';
import { getContract as getContractRow } from '../../db/contracts';
import { getElection as getElectionRow, getReport, insertElection, listElections, listEvents } from '../../db/elections';
import { startElectionWorkflow } from '../../runtime/temporal';
import * as m from '../../workflows/election/messages';
import { HttpProblem, notFound } from '../problem';
import { on, route, staff, type Deps } from '../route';
import { sendUpdate, startOptionsOf } from '../workflows';

const IdParams = z.object({ id: ElectionIdSchema });
const KeyParams = IdParams.extend({ key: z.string().regex(/^[a-z0-9-]+(:[A-Za-z0-9._-]+)?$/, 'a milestone key such as "ballot-order" or "subsequent-mailing:X2"') });
const Evidence = CompleteMilestoneSchema.shape.evidence;

async function handle(deps: Deps, id: string): Promise<WorkflowHandle> {
  if (!(await getElectionRow(deps.pool, id))) throw notFound(`election ${id}`);
  return deps.client.workflow.getHandle(id);
}

/** The live snapshot; the final report once the workflow is gone from the server. */
async function snapshot(deps: Deps, id: string): Promise<unknown> {
  const h = await handle(deps, id);
  try {
    return await h.query(m.getElection);
  } catch (e) {
    const report = await getReport(deps.pool, id);
    if (report) return report;
    throw e;
  }
}

/** An update to a registered election (404 for an id no county started). */
async function update<R, A>(deps: Deps, id: string, def: UpdateDefinition<R, [A]>, arg: A, updateId?: string): Promise<R> {
  await handle(deps, id);
  return sendUpdate(deps, id, def, arg, updateId);
}

export const electionRoutes = [
  route({
    operationId: 'startElection', method: 'post', path: '/api/elections', tag: 'elections',
    policy: staff(['state-admin', 'county-manager'], on.county('body', 'county')),
    summary: 'Start a county election: its calendar runs from E-90 to state certification',
    description: 'The id is `election:<county>:<election date>[:<suffix>]`. Starting the same election again answers 200; the same id with other details answers 409.',
    body: ElectionRequestSchema,
    responses: { 201: { description: 'started' }, 200: { description: 'already started with these details' }, 409: { description: 'the id is taken by other details' }, 422: { description: 'invalid' } },
    handler: async ({ body, deps }) => {
      const contract = await getContractRow(deps.pool, body.contractId);
      if (!contract) throw new HttpProblem(422, 'Invalid request', `body.contractId: no contract "${body.contractId}" is registered`, { errors: [{ field: 'body.contractId', message: 'no such contract' }] });
      if (contract.county !== body.county) throw new HttpProblem(422, 'Invalid request', `body.contractId: ${body.contractId} is a ${contract.county} contract, not ${body.county}`);
      const built = buildElectionInput(body, { id: contract.id, effectiveDate: contract.effectiveDate, ratePerDay: contract.liquidatedDamages.perDay, exemptions: contract.liquidatedDamages.exemptions });
      if (!built.ok) throw new HttpProblem(422, 'Invalid request', `body.${'field' in built.error ? built.error.field : ''}: ${built.error.message}`);
      const input = built.value;
      const outcome = await insertElection(deps.pool, { id: input.id, countywide: input.countywide, request: body });
      if (outcome === 'different') throw new HttpProblem(409, 'Conflict', `${input.id} was already started with other details`);
      await startElectionWorkflow(deps.client, input, startOptionsOf(deps));
      const snap = await deps.client.workflow.getHandle(input.id).query(m.getElection);
      return { status: outcome === 'created' ? 201 : 200, json: snap, headers: { Location: `/api/elections/${encodeURIComponent(input.id)}` } };
    },
  }),
  route({
    operationId: 'listElections', method: 'get', path: '/api/elections', tag: 'elections', summary: 'List elections',
    policy: staff(['state-admin', 'county-manager', 'vendor', 'contract-manager']),
    query: z.object({ county: CountySchema.optional(), contractId: ContractIdSchema.optional() }),
    responses: { 200: { description: 'elections' } },
    handler: async ({ query, deps, scope }) => ({ status: 200, json: { elections: await listElections(deps.pool, { scope, ...(query.county ? { county: query.county } : {}), ...(query.contractId ? { contractId: query.contractId } : {}) }) } }),
  }),
  route({
    operationId: 'getElection', method: 'get', path: '/api/elections/:id', tag: 'elections',
    policy: staff(['state-admin', 'county-manager', 'vendor', 'contract-manager'], on.election()),
    summary: 'The calendar with each milestone\'s status (pending, due-soon, done, late, waived, excused) and the SLA summary',
    params: IdParams, responses: { 200: { description: 'the election' }, 404: { description: 'no such election' } },
    handler: async ({ params, deps }) => ({ status: 200, json: await snapshot(deps, params.id) }),
  }),
  route({
    operationId: 'listElectionEvents', method: 'get', path: '/api/elections/:id/events', tag: 'elections',
    policy: staff(['state-admin', 'county-manager', 'vendor', 'contract-manager'], on.election()),
    summary: 'Every state change of the election, oldest first (append-only)',
    params: IdParams, responses: { 200: { description: 'events' }, 404: { description: 'no such election' } },
    handler: async ({ params, deps }) => {
      await handle(deps, params.id);
      return { status: 200, json: { events: await listEvents(deps.pool, params.id) } };
    },
  }),
  route({
    operationId: 'changeElectionDate', method: 'post', path: '/api/elections/:id/date', tag: 'elections',
    policy: staff(['state-admin', 'county-manager'], on.election()),
    summary: 'Move the election date: the calendar is recomputed; damages already accrued are kept',
    params: IdParams, body: ChangeDateSchema.omit({ by: true }),
    responses: { 200: { description: 'moved' }, 409: { description: 'the election is closed' }, 422: { description: 'invalid date' } },
    handler: async ({ params, body, deps, actor, updateId }) => ({ status: 200, json: await update(deps, params.id, m.changeElectionDate, { ...body, by: actor }, updateId) }),
  }),
  route({
    operationId: 'cancelElection', method: 'post', path: '/api/elections/:id/cancel', tag: 'elections',
    policy: staff(['state-admin', 'county-manager'], on.election()),
    summary: 'Cancel the election: no further deadlines or damages; accrued damages are kept',
    params: IdParams, body: CancelSchema.omit({ by: true }),
    responses: { 200: { description: 'cancelled' }, 409: { description: 'already closed' } },
    handler: async ({ params, body, deps, actor, updateId }) => {
      await update(deps, params.id, m.cancelElection, { ...body, by: actor }, updateId);
      return { status: 200, json: { id: params.id, status: 'cancelled' } };
    },
  }),
  route({
    operationId: 'completeMilestone', method: 'post', path: '/api/elections/:id/milestones/:key/complete', tag: 'county',
    policy: staff(['state-admin', 'county-manager'], on.election()),
    summary: 'Mark a county (or state) milestone done, e.g. ballot-order, first-extract, county-certification',
    params: KeyParams, body: z.object({ evidence: Evidence }),
    responses: { 200: { description: 'done (alreadyDone when repeated)' }, 404: { description: 'no such milestone' }, 422: { description: 'not a county/state milestone' } },
    handler: async ({ params, body, deps, actor, updateId }) => {
      const def = ruleFor(params.key)?.owner === 'state' ? m.completeStateMilestone : m.completeCountyMilestone;
      return { status: 200, json: await update(deps, params.id, def, { key: params.key, by: actor, ...(body.evidence ? { evidence: body.evidence } : {}) }, updateId) };
    },
  }),
  route({
    operationId: 'sendSubsequentExtract', method: 'post', path: '/api/elections/:id/extracts', tag: 'county',
    policy: staff(['state-admin', 'county-manager'], on.election()),
    summary: 'Record a subsequent vote-by-mail extract sent to the vendor (E-28..E-6): opens a mailing deliverable due 2 days later',
    params: IdParams, body: SendExtractSchema.omit({ by: true }),
    responses: { 201: { description: 'deliverable opened' }, 200: { description: 'already recorded' }, 422: { description: 'outside E-28..E-6' } },
    handler: async ({ params, body, deps, actor, updateId }) => {
      const r = await update(deps, params.id, m.sendSubsequentExtract, { ...body, by: actor }, updateId);
      return { status: r.alreadyRecorded ? 200 : 201, json: r };
    },
  }),
  route({
    operationId: 'orderElectionDayBallots', method: 'post', path: '/api/elections/:id/election-day-orders', tag: 'county',
    policy: staff(['state-admin', 'county-manager'], on.election()),
    summary: 'Order ballots for a polling place on election day: opens a deliverable due within 2 hours',
    params: IdParams, body: ElectionDayOrderSchema.omit({ by: true }),
    responses: { 201: { description: 'deliverable opened' }, 200: { description: 'already recorded' }, 422: { description: 'not election day' } },
    handler: async ({ params, body, deps, actor, updateId }) => {
      const r = await update(deps, params.id, m.orderElectionDayBallots, { ...body, by: actor }, updateId);
      return { status: r.alreadyRecorded ? 200 : 201, json: r };
    },
  }),
  route({
    operationId: 'completeDeliverable', method: 'post', path: '/api/elections/:id/deliverables/:key/complete', tag: 'vendor',
    policy: staff(['state-admin', 'county-manager', 'vendor'], on.election()),
    summary: 'Vendor: a deliverable is done, with evidence (counts, file references)',
    params: KeyParams, body: z.object({ evidence: Evidence }),
    responses: { 200: { description: 'done (alreadyDone when repeated)' }, 404: { description: 'no such deliverable' }, 422: { description: 'not a vendor deliverable' } },
    handler: async ({ params, body, deps, actor, updateId }) => ({ status: 200, json: await update(deps, params.id, m.completeDeliverable, { key: params.key, by: actor, ...(body.evidence ? { evidence: body.evidence } : {}) }, updateId) }),
  }),
  route({
    operationId: 'fileDelayNotice', method: 'post', path: '/api/elections/:id/delay-notices', tag: 'vendor',
    policy: staff(['state-admin', 'vendor'], on.election()),
    summary: 'Vendor: notice of a delay (county priority, force majeure, other). Force majeure counts only if noticed within one day of the delay (§12(b))',
    params: IdParams, body: DelayNoticeSchema.omit({ by: true }),
    responses: { 201: { description: 'filed; `timely` says whether it can support a force-majeure waiver' }, 200: { description: 'already filed' }, 422: { description: 'invalid' } },
    handler: async ({ params, body, deps, actor, updateId }) => {
      const r = await update(deps, params.id, m.fileDelayNotice, { ...body, by: actor }, updateId);
      return { status: r.alreadyFiled ? 200 : 201, json: r };
    },
  }),
  route({
    operationId: 'sendElectionUpdate', method: 'post', path: '/api/elections/:id/updates', tag: 'county',
    policy: staff(['state-admin', 'county-manager'], on.election()),
    summary: 'Send news about the election (vote centers open, a changed date) to every subscribed voter of it',
    description: 'Each subscriber hears it on the channels the state\'s triggers enable for `election-update`, in their language when the text is given in it (English otherwise), inside their contact hours. The `updateId` names the update: sending the same id again sends nothing twice (200).',
    params: IdParams,
    body: z.object({
      updateId: z.string().regex(/^[A-Za-z0-9._-]{1,60}$/, 'letters, digits, dot, dash, underscore'),
      text: z.object({
        en: ElectionUpdateTextSchema,
        ...Object.fromEntries(LANGUAGES.filter((l) => l !== 'en').map((l) => [l, ElectionUpdateTextSchema.optional()])),
      }),
    }),
    responses: { 202: { description: 'on its way to the subscribers' }, 200: { description: 'this update was sent before' }, 404: { description: 'no such election' }, 422: { description: 'invalid, or a text over 70 characters' } },
    handler: async ({ params, body, deps }) => {
      await handle(deps, params.id);
      const workflowId = `election-update:${params.id}:${body.updateId}`;
      const update = { electionId: params.id, updateId: body.updateId, atMs: Date.now(), text: body.text as { en: string } };
      try {
        // Never a second run for one update id, even after the first has finished (the default reuse policy would
        // start one once the first closed, and every subscriber would hear the news twice).
        await deps.client.workflow.start('electionUpdateWorkflow', { workflowId, taskQueue: deps.cfg.TASK_QUEUE, args: [update], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
      } catch (e) {
        if (e instanceof WorkflowExecutionAlreadyStartedError) return { status: 200, json: { workflowId, alreadySent: true } };
        throw e;
      }
      return { status: 202, json: { workflowId, alreadySent: false } };
    },
  }),
  route({
    operationId: 'decideWaiver', method: 'post', path: '/api/elections/:id/waivers', tag: 'contract-manager',
    policy: staff(['state-admin', 'contract-manager'], on.election()),
    summary: 'Contract manager: grant or deny a waiver of liquidated damages for a delay notice',
    params: IdParams, body: WaiverDecisionSchema.omit({ by: true }),
    responses: { 200: { description: 'decided' }, 404: { description: 'no such notice' }, 422: { description: 'not excusable under §12' } },
    handler: async ({ params, body, deps, actor, updateId }) => ({ status: 200, json: await update(deps, params.id, m.decideWaiver, { ...body, by: actor }, updateId) }),
  }),
];

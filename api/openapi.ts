/** The OpenAPI 3.1 document, generated from the route table's zod schemas. */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Route } from './route';

const Problem = z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string(), requestId: z.string().optional(), errors: z.array(z.object({ field: z.string(), message: z.string() })).optional() });

export function openApiDocument(routes: Route[]) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http', scheme: 'bearer',
    description: 'An API key (`bfk_...`, from `ballotflow keys create`) or a JWT from the organisation\'s single sign-on (OIDC).',
  });
  const account = registry.registerComponent('securitySchemes', 'accountToken', {
    type: 'apiKey', in: 'header', name: 'X-Account-Token',
    description: 'A voter account\'s token, from creating the account or signing in (POST /api/voter/accounts/session); valid 12 hours.',
  });
  const securityOf = (r: Route) => {
    if ('roles' in r.policy) return { security: [{ [bearer.name]: [] }], 'x-roles': r.policy.roles };
    if ('voter' in r.policy && r.policy.token.in === 'header') return { security: [{ [account.name]: [] }] };
    return { security: [] };
  };
  for (const r of routes) {
    registry.registerPath({
      method: r.method,
      path: r.path.replace(/:([A-Za-z]+)/g, '{$1}'),
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      ...securityOf(r),
      request: {
        ...(r.params ? { params: r.params as z.ZodObject } : {}),
        ...(r.query ? { query: r.query as z.ZodObject } : {}),
        ...(r.body ? { body: { content: { 'application/json': { schema: r.body } } } } : {}),
        ...(r.method !== 'get' ? { headers: z.object({ 'Idempotency-Key': z.string().optional().describe('retrying with the same key never applies the request twice') }) } : {}),
      },
      responses: Object.fromEntries(Object.entries(r.responses).map(([status, x]) => [status, {
        description: x.description,
        ...(Number(status) >= 400 ? { content: { 'application/problem+json': { schema: Problem } } } : x.schema ? { content: { 'application/json': { schema: x.schema } } } : {}),
      }])),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Ballotflow API',
      version: '0.1.0',
      description: 'County election calendars and vendor contract SLAs for California vote-by-mail, run as Temporal workflows. Errors are application/problem+json and name the field.',
    },
  });
}

/** Who the caller is, for the staff portal: its role and scope, as its API key or SSO token says. */
import { z } from 'zod';
import { STAFF_ROLES } from '../../domain/access';
import { route, staff } from '../route';

const WhoAmI = z.object({
  subject: z.string(),
  role: z.enum(STAFF_ROLES),
  county: z.string().optional().describe('a county manager\'s county'),
  contracts: z.array(z.string()).optional().describe('a vendor\'s or contract manager\'s contracts'),
});

export const meRoutes = [
  route({
    operationId: 'whoAmI', method: 'get', path: '/api/me', tag: 'staff',
    policy: staff(STAFF_ROLES),
    summary: 'Who the caller is: subject, role and scope',
    description: 'What the caller\'s API key or SSO token stands for, so a portal can show what it may do. `county` and `contracts` appear only for the roles scoped by them.',
    responses: { 200: { description: 'the caller', schema: WhoAmI }, 401: { description: 'no valid API key or SSO token' } },
    handler: async ({ principal }) => {
      if (principal.kind !== 'staff') throw new Error('staff route without a staff caller');
      return {
        status: 200,
        json: {
          subject: principal.subject, role: principal.role,
          ...(principal.county ? { county: principal.county } : {}),
          ...(principal.contracts.length > 0 ? { contracts: principal.contracts } : {}),
        },
      };
    },
  }),
];

/**
 * Who may do what (issue 5; domain.md §2). Pure rules, no I/O: the API's one authorization middleware asks
 * `decide` with the caller, the route's declared policy and the resource the request names.
 *
 * - A state admin reaches every county.
 * - A county election manager reaches one county.
 * - A vendor and a contract manager reach their contracts (and the elections run under them).
 * - The USPS feed uploads scan files and nothing else.
 * - A voter reaches one subscription or voter record, through signed links (handled by the voter policies).
 *
 * A resource outside the caller's scope is answered exactly like one that does not exist (404), so ids are not
 * confirmed across counties; a role that may never use a route is refused with 403.
 */
import { z } from 'zod';
import { ContractIdSchema, CountySchema } from './ids';

export const STAFF_ROLES = ['state-admin', 'county-manager', 'vendor', 'contract-manager', 'feed'] as const;
export const StaffRoleSchema = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRoleSchema>;

/** A staff caller, authenticated by an API key or an OIDC token; scope fields depend on the role. */
export const StaffPrincipalSchema = z
  .object({
    kind: z.literal('staff'),
    subject: z.string().min(1).max(200),
    role: StaffRoleSchema,
    county: CountySchema.optional(),
    contracts: z.array(ContractIdSchema).max(200).default([]),
    via: z.enum(['api-key', 'oidc']),
    keyId: z.string().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.role === 'county-manager' && !p.county) ctx.addIssue({ code: 'custom', path: ['county'], message: 'a county manager needs a county' });
    if (p.role !== 'county-manager' && p.county) ctx.addIssue({ code: 'custom', path: ['county'], message: `a ${p.role} is not scoped to a county` });
    const byContract = p.role === 'vendor' || p.role === 'contract-manager';
    if (byContract && p.contracts.length === 0) ctx.addIssue({ code: 'custom', path: ['contracts'], message: `a ${p.role} needs at least one contract` });
    if (!byContract && p.contracts.length > 0) ctx.addIssue({ code: 'custom', path: ['contracts'], message: `a ${p.role} is not scoped to contracts` });
  });
export type StaffPrincipal = z.infer<typeof StaffPrincipalSchema>;

/**
 * A voter, known only through a signed link or token: one subscription, one voter record after a lookup, or an
 * optional voter account (its saved lookups, each checked against the account).
 */
export interface VoterPrincipal {
  kind: 'voter';
  role: 'voter';
  subject: string;
  county?: string;
  voterId?: string;
  subscriptionId?: string;
  /** An unsubscribe link names one channel of the subscription. */
  channel?: string;
  /** A signed-in voter account (an account token). */
  accountId?: string;
}
export type Principal = StaffPrincipal | VoterPrincipal;

/** What a request names: the county it belongs to and the contract it runs under, when it has one. */
export interface ResourceScope {
  county: string;
  contractId?: string;
}

/** The data a caller may list: everything, or only these counties or contracts. */
export type ListScope = { all: true } | { counties: string[] } | { contracts: string[] };

export type Decision = 'allow' | 'forbidden' | 'not-found';

export function mayUseRole(p: StaffPrincipal, roles: readonly StaffRole[]): boolean {
  return roles.includes(p.role);
}

/** Whether a staff caller reaches one resource. The feed is not scoped to a county: its routes restrict it by kind. */
export function reaches(p: StaffPrincipal, r: ResourceScope): boolean {
  switch (p.role) {
    case 'state-admin': return true;
    case 'feed': return true;
    case 'county-manager': return p.county === r.county;
    case 'vendor':
    case 'contract-manager': return r.contractId !== undefined && (p.contracts as string[]).includes(r.contractId);
    default: return unreachable(p.role);
  }
}

export function listScopeOf(p: StaffPrincipal): ListScope {
  switch (p.role) {
    case 'state-admin':
    case 'feed': return { all: true };
    case 'county-manager': return { counties: [p.county!] };
    case 'vendor':
    case 'contract-manager': return { contracts: p.contracts };
    default: return unreachable(p.role);
  }
}

/**
 * The whole decision for a staff route: a role not listed is forbidden; a resource (when the route names one)
 * that does not exist or lies outside the caller's scope is not found.
 */
export function decide(p: StaffPrincipal, roles: readonly StaffRole[], resource?: ResourceScope | null): Decision {
  if (!mayUseRole(p, roles)) return 'forbidden';
  if (resource === undefined) return 'allow';
  if (resource === null || !reaches(p, resource)) return 'not-found';
  return 'allow';
}

function unreachable(x: never): never {
  throw new Error(`unhandled role ${String(x)}`);
}

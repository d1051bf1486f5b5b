import { createHash, randomBytes } from 'node:crypto';
import { registerEnumType, type AuthChecker } from 'type-graphql';
import type { RequestContext } from './context';
import { ForbiddenError, UnauthenticatedError } from './errors';

export enum Role {
  ADMIN = 'ADMIN',
  OPS = 'OPS',
  CSM = 'CSM',
  INGEST = 'INGEST',
  ANALYST = 'ANALYST',
}
registerEnumType(Role, {
  name: 'Role',
  description: 'What an API key may do. Every role can read; ADMIN may do everything.',
  valuesConfig: {
    ADMIN: { description: 'Keys and workspace settings, and everything else.' },
    OPS: { description: 'Defines clusters, outcomes, journeys and coins; starts rescoring.' },
    CSM: { description: 'Logs touchpoints, pulse and tags; completes manual milestones.' },
    INGEST: { description: 'Service account that pushes accounts and signals.' },
    ANALYST: { description: 'Reads everything; may run backtests (they change no score).' },
  },
});

/** Who may do what, in one place; resolvers name the capability with @Authorized(...). */
export const Roles: Record<'READ' | 'ADMIN' | 'CONFIGURE' | 'INGEST' | 'CSM' | 'BACKTEST', Role[]> = {
  READ: [], // any authenticated key
  ADMIN: [Role.ADMIN],
  CONFIGURE: [Role.ADMIN, Role.OPS],
  INGEST: [Role.ADMIN, Role.INGEST],
  CSM: [Role.ADMIN, Role.CSM],
  // Backtests change no score, only add their own report: analysts run them as well as ops.
  BACKTEST: [Role.ADMIN, Role.OPS, Role.ANALYST],
};

/** API keys are 256-bit random tokens, so a fast hash (SHA-256) is enough: no brute force applies. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = `oh_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 10), hash: hashApiKey(key) };
}

/** ADMIN passes every check; an empty role list means "any authenticated caller". */
export const authChecker: AuthChecker<RequestContext, Role> = ({ context }, roles) => {
  const caller = context.caller;
  if (!caller) throw new UnauthenticatedError(context.refusal);
  if (roles.length === 0 || caller.role === Role.ADMIN || roles.includes(caller.role)) return true;
  throw new ForbiddenError(`This needs one of the roles ${roles.join(', ')}; your API key has role ${caller.role}.`);
};

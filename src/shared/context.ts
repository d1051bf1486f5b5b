import type { DataSource } from 'typeorm';
import type { Role } from './auth';
import { UnauthenticatedError } from './errors';
import type { Logger } from './logger';
import { TenantScope } from './tenant';

export interface Caller {
  workspaceId: string;
  role: Role;
  apiKeyId: string;
}

/** Built once per request: caller, logger with request id, and (through `tenant`) fresh DataLoaders. */
export class RequestContext {
  private scope?: TenantScope;
  private childLog?: Logger;

  constructor(
    readonly requestId: string,
    readonly db: DataSource,
    /** The logger `log` derives from (it adds the request id). */
    private readonly parentLog: Logger,
    readonly caller: Caller | undefined,
    /** Why a key that was sent is refused, when there is more to say than "not valid" (a revoked key). */
    readonly refusal?: string,
  ) {}

  /** The request's logger (its lines carry the request id), made on first use: most requests log nothing. */
  get log(): Logger {
    return (this.childLog ??= this.parentLog.child({ requestId: this.requestId }));
  }

  /** The caller's workspace scope; throws UNAUTHENTICATED without a valid key (fails closed). */
  get tenant(): TenantScope {
    if (!this.caller) throw new UnauthenticatedError(this.refusal);
    this.scope ??= new TenantScope(this.caller.workspaceId, this.db, this.caller.role, this.caller.apiKeyId);
    return this.scope;
  }
}

/**
 * One error contract: every expected failure is a DomainError with a fixed `extensions.code`
 * and a message a person can act on. Unexpected errors are logged with the request id and
 * returned without internals (see formatError).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getNamedType, GraphQLError, GraphQLFormattedError, type GraphQLSchema, isInputObjectType } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError } from 'class-validator';
import { QueryFailedError } from 'typeorm';
import { logger } from './logger';
import { protectMessage } from './protection';

export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'CONFLICT' | 'SERVICE_UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Bad input; `field` is the path of the offending input field, e.g. `input.stages[1].startDay`. */
export class InputError extends DomainError {
  constructor(field: string, message: string) {
    super('BAD_USER_INPUT', message, { field });
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} was not found in this workspace.`);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Your API key role is not allowed to do this.') {
    super('FORBIDDEN', message);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Send a valid API key as "Authorization: Bearer <key>".') {
    super('UNAUTHENTICATED', message);
  }
}

/** What the holder of a revoked key is told (it says nothing about any other key). */
export const REVOKED_KEY_MESSAGE = 'This API key was revoked. Ask an admin of your workspace for a new key and send it as "Authorization: Bearer <key>".';

export class ConflictError extends DomainError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('CONFLICT', message, extra);
  }
}

/** The database is away (restarting, unreachable, our connection was terminated): retry shortly. HTTP 503. */
export class ServiceUnavailableError extends DomainError {
  constructor() {
    super('SERVICE_UNAVAILABLE', 'The database is unavailable right now; nothing was changed. Retry in a few seconds.', { retryAfterSeconds: RETRY_AFTER_SECONDS });
  }
}
export const RETRY_AFTER_SECONDS = 2;

/**
 * PostgreSQL error classes that mean "the database is away", not "your request is wrong": 08 connection exception,
 * 57P01-57P03 shutdown / terminated / not accepting connections yet, 53300 too many connections; and the driver's
 * own errors when a connection is refused, reset or times out.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// TypeORM releases a transaction's query runner when its connection errors; the transaction's next statement says so.
const UNAVAILABLE_MESSAGE = /Query runner already released|connection provided by a query runner was already released|Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not open|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Client was closed/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * A context that cannot be built because the database is away (the API key lookup failed): a GraphQLError carrying
 * its HTTP status, since Apollo answers other context failures with 500.
 */
export function unavailableContextError(): GraphQLError {
  const cause = new ServiceUnavailableError();
  return new GraphQLError(cause.message, {
    originalError: cause,
    extensions: { code: cause.code, http: { status: 503, headers: new Map([['retry-after', String(RETRY_AFTER_SECONDS)]]) } },
  });
}

/** An answer carrying SERVICE_UNAVAILABLE is an HTTP 503 with Retry-After, so that HTTP clients and proxies retry it. */
export const unavailablePlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const body = response.body;
        if (body.kind !== 'single' || !body.singleResult.errors?.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) return;
        response.http.status = 503;
        response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
      },
    };
  },
};

/** Flatten class-validator's nested errors to `{ field, message }` without the offending values. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const e of errors) {
    const field = prefix ? (/^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`) : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, message });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

const PG_UNIQUE_VIOLATION = '23505';
/** GraphQL's own errors (syntax, unknown field, limits, persisted queries) are the client's to fix. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST',
]);

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // The error a resolver threw, however many GraphQLErrors wrap it (an executor's, then Apollo's).
  let original: unknown = error;
  while (original instanceof GraphQLError && original.originalError) original = original.originalError;
  const base = { message: protectMessage(formatted.message), locations: formatted.locations, path: formatted.path };

  if (original instanceof DomainError) {
    return { ...base, message: original.message, extensions: { code: original.code, ...original.extra } };
  }
  if (original instanceof ArgumentValidationError) {
    const problems = flattenValidationErrors(original.extensions.validationErrors)
      .map((p) => ({ ...p, field: withArgumentName(formatted.path, p.field) }));
    const first = problems[0];
    return {
      ...base,
      message: first ? `Invalid input: ${first.field}: ${first.message}` : 'Invalid input.',
      extensions: { code: 'BAD_USER_INPUT', field: first?.field, problems },
    };
  }
  if (isDatabaseUnavailable(original)) {
    const unavailable = new ServiceUnavailableError();
    return { ...base, message: unavailable.message, extensions: { code: unavailable.code, ...unavailable.extra } };
  }
  const requestId = (formatted.extensions?.requestId as string | undefined) ?? undefined;
  const sqlState = original instanceof QueryFailedError ? (original as { code?: string }).code : undefined;
  if (sqlState === PG_UNIQUE_VIOLATION) {
    return { ...base, message: 'This conflicts with an existing record (a name or key must be unique).', extensions: { code: 'CONFLICT' } };
  }
  // Class 22 (data exception: a NUL character, a number out of range, text that is no uuid …) and a foreign or
  // check constraint: PostgreSQL refused a value the client sent. Nothing was written (the statement failed).
  if (sqlState && /^(22...|23503|23514)$/.test(sqlState)) {
    logger.warn({ err: original, requestId, path: formatted.path }, 'a value was refused by the database');
    const message = sqlState === '22021' || sqlState === '22P05'
      ? 'Text may not contain the NUL character (U+0000); remove it and resend.'
      : 'A value in your input cannot be stored (out of range, malformed, or referring to something that does not exist); check the values and resend.';
    return { ...base, message, extensions: { code: 'BAD_USER_INPUT', requestId } };
  }
  const code = formatted.extensions?.code as string | undefined;
  if (code === 'BAD_USER_INPUT') {
    // Variable coercion messages quote the offending value: keep the reason, drop the echo.
    const field = (formatted.extensions?.field as string | undefined) ?? variablePath(formatted.message);
    return { ...base, message: stripEchoedValue(base.message), extensions: { code, field } };
  }
  if (code && CLIENT_CODES.has(code)) return { ...base, extensions: { ...formatted.extensions, code } };
  if (error instanceof GraphQLError && !error.originalError) {
    return { ...base, extensions: { code: code ?? 'GRAPHQL_VALIDATION_FAILED' } };
  }
  logger.error({ err: original, requestId, path: formatted.path }, 'unexpected error');
  return { ...base, message: 'Internal server error. It has been logged; quote the request id when reporting it.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } };
}

let schemaRef: GraphQLSchema | undefined;
/** Lets validation errors name the argument they came from (type-graphql's errors don't). */
export function registerSchemaForErrors(schema: GraphQLSchema): void {
  schemaRef = schema;
}

/**
 * class-validator reports `weight` for `updateOutcome(input: { weight })`; users need `input.weight`,
 * the same path our own InputErrors use. Find the root field's input-object argument holding it.
 */
function withArgumentName(path: readonly (string | number)[] | undefined, field: string): string {
  if (!schemaRef || !path || path.length !== 1) return field;
  const root = schemaRef.getMutationType()?.getFields()[path[0]] ?? schemaRef.getQueryType()?.getFields()[path[0]];
  const head = field.split(/[.[]/)[0];
  const owners = (root?.args ?? []).filter((a) => {
    const t = getNamedType(a.type);
    return isInputObjectType(t) && head in t.getFields();
  });
  return owners.length === 1 ? `${owners[0].name}.${field}` : field;
}

/** `Variable "$input" got invalid value {...}; Field "x" ...` -> drop the echoed value. */
function stripEchoedValue(message: string): string {
  return message.replace(/ got invalid value [^;]*;/, ' got an invalid value;');
}

function variablePath(message: string): string | undefined {
  const m = /Variable "\$([^"]+)"/.exec(message);
  const at = / at "([^"]+)"/.exec(message);
  if (!m) return undefined;
  return at ? at[1] : m[1];
}

/**
 * Query protection: limits on depth, cost, aliases, directives and tokens (graphql-armor's rules,
 * wired as plain graphql-js validation rules so they run for HTTP and for subscriptions alike),
 * field suggestions removed from every message, and the reasoning behind automatic persisted
 * queries (see `persistedQueries` below).
 */
import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, Kind, validate, visit, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * The limits, sized so that the heaviest screen we know (the dashboard: 100 accounts of a cluster
 * with per-outcome score, journey, next milestone and top drivers) passes with room to spare,
 * while a query that fans out 10 levels deep or asks for the same field 50 times does not.
 */
export const LIMITS = {
  /** Nesting of fields (fragments are followed). The dashboard needs 7. */
  depth: 12,
  /** Aliased fields per operation (aliases multiply work without adding tokens). */
  aliases: 20,
  /** Directives per operation (@include/@skip); more is a directive-overloading attack. */
  directives: 20,
  /** Lexical tokens per document: bounds parsing work before anything else runs. */
  tokens: 3000,
  /**
   * graphql-armor's cost: objects 2, scalars 1, ×1.5 per level, × a literal `first`/`last` on a
   * list field. The dashboard with `first: 100` costs ~25k. A `first` passed as a variable
   * is counted as its value (`operationChecks`), and the connections cap `first` themselves.
   */
  cost: 100_000,
} as const;

/**
 * Bounds on the variables of a request, checked before anything reads them (coercion, validation, resolvers), so that
 * their cost is bounded by the size of the request alone: a rule nested 500 levels deep overflowed the stack in
 * coercion, and a list far over a batch cap was validated item by item before its cap was looked at.
 */
export const INPUT_LIMITS = {
  /** Objects and lists nested in one variable. The deepest legitimate input, a rule 6 levels deep, needs about 16. */
  depth: 32,
  /** Items in any one list: the largest batch (ingestSignals, 5000). Each mutation still applies its own cap. */
  listItems: 5000,
  /** Values in all variables together (5000 signals of 6 fields are 30k). */
  values: 200_000,
} as const;

/**
 * The first limit `variables` exceeds, with the path of the offending value (e.g. `signals`), as advice for the
 * client; null when within every limit. Iterative: no recursion to overflow.
 */
export function inputShapeProblem(variables: unknown): { message: string; field?: string } | null {
  const stack: Array<[unknown, number, string]> = [[variables, 0, '']];
  let values = 0;
  while (stack.length) {
    const [value, depth, path] = stack.pop()!;
    if (++values > INPUT_LIMITS.values) return { message: `The variables hold more than ${INPUT_LIMITS.values} values; send smaller batches.` };
    if (!value || typeof value !== 'object') continue;
    const field = path || undefined;
    if (depth >= INPUT_LIMITS.depth) return { message: `Input nests more than ${INPUT_LIMITS.depth} levels of objects and lists; flatten it.`, field };
    if (Array.isArray(value)) {
      if (value.length > INPUT_LIMITS.listItems) {
        return { message: `A list holds ${value.length} items; at most ${INPUT_LIMITS.listItems} are accepted in one request, split it.`, field };
      }
      value.forEach((v, i) => { if (v && typeof v === 'object') stack.push([v, depth + 1, `${path}[${i}]`]); else values++; });
    } else {
      for (const [k, v] of Object.entries(value)) {
        if (v && typeof v === 'object') stack.push([v, depth + 1, path ? `${path}.${k}` : k]); else values++;
      }
    }
  }
  return null;
}

/**
 * The operation with each numeric variable replaced by its value, so that the cost rule sees `first: $n` as the
 * number it carries (graphql-armor's cost rule reads literals only); null when no variable is a number.
 */
function withNumbersInlined(document: DocumentNode, variables: Record<string, unknown> | undefined): DocumentNode | null {
  if (!variables || !Object.values(variables).some((v) => typeof v === 'number')) return null;
  return visit(document, {
    VariableDefinition: () => false, // keep definitions as they are (not visited, not replaced)
    Variable(node) {
      const v = variables[node.name.value];
      if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
      return Number.isInteger(v) ? { kind: Kind.INT, value: String(v) } : { kind: Kind.FLOAT, value: String(v) };
    },
  });
}

function badRequest(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions, http: { status: 400 } } });
}

/**
 * Checks that need the request's variables or the chosen operation (graphql-js validation sees neither): the input
 * shape limits, the cost limit with variables counted as their values, and subscriptions, which are served over
 * WebSocket only (over HTTP POST they resolved to null and answered INTERNAL_SERVER_ERROR).
 */
export function operationChecks(schema: GraphQLSchema): ApolloServerPlugin {
  const costRule = protectionRules().slice(-1);
  const listeners = {
    async didResolveOperation({ request, document, operation }: GraphQLRequestContextDidResolveOperation<never>) {
      if (operation?.operation === 'subscription') {
        throw new GraphQLError('Subscriptions are served over WebSocket (graphql-ws protocol) on this path, not over HTTP POST.',
          { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
      }
      const shape = inputShapeProblem(request.variables);
      if (shape) throw badRequest(shape.message, { limit: 'input', field: shape.field });
      const inlined = withNumbersInlined(document, request.variables);
      if (inlined) {
        const [tooCostly] = validate(schema, inlined, costRule);
        if (tooCostly) throw new GraphQLError(tooCostly.message, { extensions: { ...tooCostly.extensions, http: { status: 400 } } });
      }
    },
  };
  return { async requestDidStart() { return listeners; } };
}

type ArmorRejector = (ctx: ValidationContext | null, error: GraphQLError) => void;

/** Report a limit as an ordinary validation error (HTTP 400, GRAPHQL_VALIDATION_FAILED) with advice. */
function reject(limit: keyof typeof LIMITS, advice: string): ArmorRejector {
  return (ctx, error) => {
    const what = error.message.replace(/^Syntax Error:\s*/, '');
    ctx?.reportError(new GraphQLError(`${what} ${advice}`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit } }));
  };
}

/** Validation rules added to graphql-js's standard ones (Apollo `validationRules`, graphql-ws `onSubscribe`). */
export function protectionRules(): ValidationRule[] {
  const common = { exposeLimits: true, propagateOnRejection: false };
  return [
    maxDepthRule({ ...common, n: LIMITS.depth, onReject: [reject('depth', 'Split the query or fetch the nested data separately.')] }),
    maxAliasesRule({ ...common, n: LIMITS.aliases, onReject: [reject('aliases', 'Use fewer aliases or several requests.')] }),
    maxDirectivesRule({ ...common, n: LIMITS.directives, onReject: [reject('directives', 'Use fewer directives.')] }),
    costLimitRule({ ...common, maxCost: LIMITS.cost, onReject: [reject('cost', 'Ask for fewer items (first) or fewer fields per item.')] }),
  ] as ValidationRule[];
}

/** graphql-js's parser stops counting at this many tokens (Apollo `parseOptions`). */
export const parseOptions = { maxTokens: LIMITS.tokens };

/** graphql-js appends `Did you mean "x"?` to unknown field/argument/enum errors: it leaks the schema when introspection is off. */
export function stripSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}

const TOKEN_LIMIT_RE = /Document contains more th(?:an|at) (\d+) tokens/; // graphql-js 16 says "more that"

function rewriteMessage(message: string): string {
  const m = TOKEN_LIMIT_RE.exec(message);
  if (m) return `Query is too long: more than ${m[1]} tokens. Send a shorter document (or use a persisted query).`;
  return stripSuggestions(message);
}

/** The request listeners hold no per-request state: one object serves every request. */
const protectionListeners = {
  async didEncounterErrors({ errors, contextValue }: { errors: readonly GraphQLError[]; contextValue?: { requestId?: string } }) {
    for (const error of errors) {
      // formatError logs an unexpected error with this id (and tells the client), so that the two can be matched.
      if (contextValue?.requestId) (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
      if (TOKEN_LIMIT_RE.test(error.message)) (error.extensions as Record<string, unknown>).limit = 'tokens';
    }
  },
};

/**
 * The token limit is marked in the error's extensions; every message, this one included, is rewritten
 * (suggestions dropped, the token limit made actionable) by formatError (src/shared/errors.ts), which
 * builds the response's error objects, so that it also covers errors whose message cannot be changed.
 */
export const protectionPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return protectionListeners;
  },
};

export { rewriteMessage as protectMessage };

/*
 * Automatic persisted queries: Apollo Server 5 keeps them in its bounded in-memory LRU cache
 * (default on). That cache is per instance on purpose: APQ is a pure optimisation, and a client
 * whose hash is unknown to the instance it reached gets PERSISTED_QUERY_NOT_FOUND and retries
 * with the full document (the APQ protocol), so correctness never depends on shared state. A
 * shared PostgreSQL cache would cost a round trip on every request to save a few hundred bytes
 * of upload; a document is registered on each instance after its first miss.
 */
export const persistedQueries = { ttl: 24 * 60 * 60 } as const;

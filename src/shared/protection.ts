/**
 * Query protection: limits on depth, cost, aliases, directives and tokens (graphql-armor's rules,
 * wired as plain graphql-js validation rules so they run for HTTP and for subscriptions alike),
 * field suggestions removed from every message, and the reasoning behind automatic persisted
 * queries (see `persistedQueries` below).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

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
   * is not seen at validation time; the connections cap `first` themselves.
   */
  cost: 100_000,
} as const;

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
  async didEncounterErrors({ errors }: { errors: readonly GraphQLError[] }) {
    for (const error of errors) {
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

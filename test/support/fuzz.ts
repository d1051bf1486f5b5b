/**
 * A seeded, schema-aware GraphQL fuzzer: every request is built from the schema (a root query or mutation field,
 * its arguments as variables, a selection of its result's fields) with values chosen from the edges that have hurt
 * servers before (NUL characters, huge numbers, wrong types, ids of nothing, deep nesting, long lists), plus a fixed
 * list of hand-written probes. Same seed, same requests: a failure can be replayed.
 */
import {
  getNamedType, getNullableType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, isObjectType,
  isScalarType, type GraphQLArgument, type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

export type Rng = () => number;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: Rng, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

export interface FuzzRequest {
  label: string;
  /** The JSON body; a string is sent as it is. */
  body: unknown;
  /** Index into the caller's keys; -1: no key. */
  key: number;
}

export interface FuzzWorld {
  /** Ids that exist (so that some requests reach past NOT_FOUND). */
  ids: string[];
  keyCount: number;
}

const STRINGS = [
  '', ' ', 'a', 'acme', 'login', 'enterprise', 'x'.repeat(201), 'x'.repeat(5000), 'nul\u0000inside', '\u0000',
  'émoji 🚀 ünïcode', '\uD800', "' OR '1'='1", '%_\\', '$1', '<script>alert(1)</script>', '../../etc/passwd', '\n\t\r',
  '2026-01-01T00:00:00Z', '242', '-1', 'null', '{}', '[]',
];
const INTS = [0, 1, -1, 2, 7, 100, 201, 1000, 1001, 2 ** 31 - 1, -(2 ** 31), 5000, 99999];
const FLOATS = [0, 0.5, -1.5, 1, 100, 1e308, -1e308, 3.14159, 1e-300];
const DATES = ['2026-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z', 'yesterday', '2026-13-45T99:00:00Z', '', 0];
const LOCAL_DATES = ['2026-01-01', '2026-02-30', '0000-00-00', '99999-01-01', 'today', ''];

function scalarValue(rnd: Rng, name: string, world: FuzzWorld): unknown {
  switch (name) {
    case 'ID': return pick(rnd, [...world.ids, ...world.ids, '242', '', '00000000-0000-0000-0000-000000000000', crypto.randomUUID(), 'x'.repeat(300), '\u0000']);
    case 'String': return pick(rnd, STRINGS);
    case 'Int': return pick(rnd, INTS);
    case 'Float': return pick(rnd, FLOATS);
    case 'Boolean': return rnd() < 0.5;
    case 'DateTimeISO': return pick(rnd, DATES);
    case 'LocalDate': return pick(rnd, LOCAL_DATES);
    case 'JSON': return pick(rnd, [1, 'x', true, null, [1, 'a'], { a: 1 }, { deep: { deeper: [{}] } }, '\u0000', 1e308]);
    case 'JSONObject': return pick(rnd, [{}, { plan: 'enterprise' }, { a: { b: { c: [1, 2, '\u0000'] } } }, { '\u0000': 1 }, { ['k'.repeat(300)]: 'v' }]);
    default: return pick(rnd, STRINGS);
  }
}

/** A wrong-typed value now and then: coercion must say BAD_USER_INPUT, never crash. */
function wrongValue(rnd: Rng): unknown {
  return pick(rnd, [null, 'wrong', 12, -0.5, true, [], {}, [null], { nested: { x: 1 } }]);
}

export function inputValue(rnd: Rng, type: GraphQLInputType, world: FuzzWorld, depth = 0): unknown {
  if (rnd() < 0.03) return wrongValue(rnd);
  if (isNonNullType(type)) return inputValue(rnd, type.ofType, world, depth);
  if (depth > 0 && rnd() < 0.1) return null;
  if (isListType(type)) {
    const n = depth > 3 ? 0 : Math.floor(rnd() * 4);
    return Array.from({ length: n }, () => inputValue(rnd, type.ofType, world, depth + 1));
  }
  if (isEnumType(type)) return rnd() < 0.05 ? 'NOT_A_VALUE' : pick(rnd, type.getValues()).name;
  if (isScalarType(type)) return scalarValue(rnd, type.name, world);
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) || (depth < 4 && rnd() < 0.5)) out[f.name] = inputValue(rnd, f.type, world, depth + 1);
    }
    return out;
  }
  return null;
}

function selection(rnd: Rng, type: GraphQLOutputType, world: FuzzWorld, vars: Vars, depth: number): string {
  const named = getNamedType(type) as GraphQLNamedType;
  if (isLeafType(named)) return '';
  if (!isObjectType(named)) return '{ __typename }';
  const fields = Object.values(named.getFields());
  const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)) && !f.args.some((a) => isNonNullType(a.type)));
  const objects = fields.filter((f) => !isLeafType(getNamedType(f.type)));
  const chosen = new Set<GraphQLField<unknown, unknown>>();
  for (let i = 0; i < 3 && leaves.length; i++) chosen.add(pick(rnd, leaves));
  if (depth < 3 && objects.length && rnd() < 0.6) chosen.add(pick(rnd, objects));
  if (!chosen.size) return '{ __typename }';
  return `{ ${[...chosen].map((f) => `${f.name}${args(rnd, f.args, world, vars)} ${selection(rnd, f.type, world, vars, depth + 1)}`).join(' ')} }`;
}

type Vars = { defs: string[]; values: Record<string, unknown> };

function args(rnd: Rng, list: readonly GraphQLArgument[], world: FuzzWorld, vars: Vars): string {
  const parts: string[] = [];
  for (const a of list) {
    if (!isNonNullType(a.type) && rnd() < 0.6) continue;
    const name = `v${vars.defs.length}`;
    vars.defs.push(`$${name}: ${String(a.type)}`);
    vars.values[name] = inputValue(rnd, a.type, world);
    parts.push(`${a.name}: $${name}`);
  }
  return parts.length ? `(${parts.join(', ')})` : '';
}

/** One generated request: a root field of the query or mutation type, arguments as variables. */
export function generated(rnd: Rng, schema: GraphQLSchema, world: FuzzWorld): FuzzRequest {
  const kind = rnd() < 0.55 ? 'query' : 'mutation';
  const root = kind === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
  const field = pick(rnd, Object.values(root.getFields()));
  const vars: Vars = { defs: [], values: {} };
  const body = `${field.name}${args(rnd, field.args, world, vars)} ${selection(rnd, getNullableType(field.type) as GraphQLOutputType, world, vars, 1)}`;
  const query = `${kind}${vars.defs.length ? `(${vars.defs.join(', ')})` : ''} { ${body} }`;
  return { label: `${kind} ${field.name}`, body: { query, variables: vars.values }, key: rnd() < 0.1 ? -1 : Math.floor(rnd() * world.keyCount) };
}

/** A createCluster request whose rule nests `depth` levels, as JSON text (JSON.stringify itself overflows on deep ones). */
function nestedRule(depth: number): string {
  const rule = `${'{"all":['.repeat(depth)}{"attribute":"plan","op":"EQ","value":"x"}${']}'.repeat(depth)}`;
  return `{"query":"mutation($i: CreateClusterInput!) { createCluster(input: $i) { id } }","variables":{"i":{"name":"Deep ${depth}","priority":${depth % 1000},"rule":${rule}}}}`;
}

/** Hand-written probes for what a generator rarely hits. key 0 is the workspace's ADMIN key. */
export function probes(world: FuzzWorld): FuzzRequest[] {
  const signal = (i: number, extra: Record<string, unknown> = {}) => ({ accountExternalId: `acct-${i}`, type: 'login', occurredAt: '2026-01-01T00:00:00Z', idempotencyKey: `probe-${i}`, ...extra });
  const many = (n: number) => Array.from({ length: n }, (_, i) => signal(i));
  return [
    { label: 'subscription over HTTP POST', key: 0, body: { query: 'subscription { healthChanged { kind } }' } },
    { label: 'healthHistory with a non-uuid outcome', key: 0, body: { query: `{ accounts(first: 1) { edges { node { healthHistory(outcomeId: "242") { score } } } } }` } },
    { label: 'RuleInput 500 levels deep', key: 0, body: nestedRule(500) },
    { label: 'RuleInput 5000 levels deep', key: 0, body: nestedRule(5000) },
    { label: 'signals over the cap', key: 0, body: { query: 'mutation($s: [SignalInput!]!) { ingestSignals(signals: $s) { accepted } }', variables: { s: many(20_000) } } },
    { label: 'NUL in one signal of a batch', key: 0, body: { query: 'mutation($s: [SignalInput!]!) { ingestSignals(signals: $s) { accepted rejected { index field reason } } }', variables: { s: [signal(1), signal(2, { subject: 'a\u0000b' }), signal(3, { idempotencyKey: '\u0000' })] } } },
    { label: 'NUL in one account of a batch', key: 0, body: { query: 'mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { rejected { index field reason } } }', variables: { a: [{ externalId: 'ok-1', name: 'Fine' }, { externalId: 'nul-1', name: 'N\u0000UL', attributes: { 'k\u0000': 'v\u0000' } }] } } },
    { label: 'cost limit with first as a variable', key: 0, body: { query: `query($n: Int) { ${Array.from({ length: 20 }, (_, i) => `a${i}: accounts(first: $n) { edges { node { id name health { score band } outcomes { score } } } }`).join(' ')} }`, variables: { n: 200 } } },
    { label: 'variables not an object', key: 0, body: { query: '{ viewer { role } }', variables: 'x' } },
    { label: 'query not a string', key: 0, body: { query: 42 } },
    { label: 'unknown operationName', key: 0, body: { query: 'query A { viewer { role } }', operationName: 'B' } },
    { label: 'two operations, no name', key: 0, body: { query: 'query A { viewer { role } } query B { viewer { role } }' } },
    { label: 'a key with NUL', key: -2, body: { query: '{ viewer { role } }' } },
    { label: 'createApiKey name with NUL', key: 0, body: { query: 'mutation { createApiKey(input: { name: "a\\u0000b", role: ANALYST }) { key } }' } },
    { label: 'introspection', key: 0, body: { query: '{ __schema { types { name } } }' } },
    { label: 'id of nothing', key: 0, body: { query: `{ account(id: "${world.ids[0] ?? '242'}x") { id } }` } },
  ];
}

/** Internals an answer must never show: stack frames, file paths, SQL, constraint or relation names. */
export const LEAK = /\n\s+at |\bat [\w.<>]+ \(|\/work\/|node_modules|\.ts:\d+|\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|violates|constraint "|relation "|SQLSTATE|QueryFailedError|TypeError|ReferenceError|Cannot read prop/;

/**
 * Input that can't hurt the server or its data: NUL characters reject their batch item only, variables are bounded
 * (depth, list length) before any per-item work, the cost limit counts a `first` passed as a variable, subscriptions
 * over HTTP POST are refused plainly, and what clients see of internal and database errors carries no internals.
 */
import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { createRun, processRun } from '../src/scoring/runs.service';
import { formatError, isDatabaseUnavailable } from '../src/shared/errors';
import { inputShapeProblem, INPUT_LIMITS } from '../src/shared/protection';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer, type TestWorkspace } from './support/harness';
import { createLoginModel } from './support/scoring-model';

const INGEST = 'mutation($s: [SignalInput!]!) { ingestSignals(signals: $s) { accepted duplicates rejected { index field reason } } }';
const UPSERT = 'mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { created updated rejected { index field reason } } }';
const NUL = 'Text may not contain the NUL character (U+0000); remove it and resend this item.';

async function post(url: string, body: string, key?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body });
  return { status: res.status, json: await res.json() };
}

describe('input hardening', () => {
  const t = useTestServer();
  let ws: TestWorkspace;

  beforeAll(async () => {
    ws = await t.workspace('Hardening');
    await t.ok(UPSERT, { a: [{ externalId: 'acme', name: 'Acme' }] }, ws.keys.INGEST);
  });

  const signal = (key: string, extra: Record<string, unknown> = {}) =>
    ({ accountExternalId: 'acme', type: 'login', occurredAt: '2026-01-01T00:00:00Z', idempotencyKey: key, ...extra });

  it('a NUL character rejects its batch item only; the good items are stored, and a retry stores nothing twice', async () => {
    const batch = [signal('nul-ok-1'), signal('nul-2', { subject: 'a\u0000b' }), signal('nul\u00003'), signal('nul-ok-4'), signal('x', { accountExternalId: 'ac\u0000me' })];
    const first = (await t.ok(INGEST, { s: batch }, ws.keys.INGEST)).ingestSignals;
    expect(first).toEqual({ accepted: 2, duplicates: 0, rejected: [
      { index: 1, field: 'subject', reason: NUL }, { index: 2, field: 'idempotencyKey', reason: NUL }, { index: 4, field: 'accountExternalId', reason: NUL }] });
    expect((await t.ok(INGEST, { s: batch }, ws.keys.INGEST)).ingestSignals).toMatchObject({ accepted: 0, duplicates: 2 });

    const accounts = (await t.ok(UPSERT, { a: [{ externalId: 'fine', name: 'Fine' }, { externalId: 'nul', name: 'N\u0000' }, { externalId: 'attr', attributes: { ['k\u0000']: 1 } }] }, ws.keys.INGEST)).upsertAccounts;
    expect(accounts).toEqual({ created: 1, updated: 0, rejected: [{ index: 1, field: 'name', reason: NUL }, { index: 2, field: 'attributes', reason: NUL }] });
  });

  it('a NUL character outside a batch is BAD_USER_INPUT and changes nothing', async () => {
    const res = await t.gql('mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', { i: { name: 'a\u0000b', role: 'ANALYST' } }, ws.adminKey);
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/NUL character/) });
    const keys = (await t.ok('{ apiKeys { name } }', {}, ws.adminKey)).apiKeys;
    expect(keys.map((k: { name: string }) => k.name)).not.toContain('ab');
    expect(keys).toHaveLength(5);
  });

  it('bounds the depth of input objects before validating them (a rule 500 levels deep), creating nothing', async () => {
    const rule = `${'{"all":['.repeat(500)}{"attribute":"plan","op":"EQ","value":"x"}${']}'.repeat(500)}`;
    const res = await post(t.app.url, `{"query":"mutation($i: CreateClusterInput!) { createCluster(input: $i) { id } }","variables":{"i":{"name":"Deep","priority":3,"rule":${rule}}}}`, ws.keys.OPS);
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: `Input nests more than ${INPUT_LIMITS.depth} levels of objects and lists; flatten it.` });
    expect((await t.ok('{ clusters { name } }', {}, ws.keys.ANALYST)).clusters.map((c: { name: string }) => c.name)).not.toContain('Deep');
  });

  it('refuses a list over the largest batch before looking at its items', async () => {
    const res = await post(t.app.url, JSON.stringify({ query: INGEST, variables: { s: Array.from({ length: 20_000 }, (_, i) => signal(`big-${i}`)) } }), ws.keys.INGEST);
    expect(res.status).toBe(400);
    // the shape check's message, not ingestSignals' own cap (which would mean every item was coerced and validated first)
    expect(res.json.errors[0]).toMatchObject({ message: `A list holds 20000 items; at most ${INPUT_LIMITS.listItems} are accepted in one request, split it.`, extensions: { code: 'BAD_USER_INPUT', field: 's' } });
    expect(inputShapeProblem({ s: Array.from({ length: 5000 }, () => ({ a: 1 })) })).toBeNull();
  });

  it('counts a `first` passed as a variable in the cost limit', async () => {
    const q = `query($n: Int) { ${Array.from({ length: 20 }, (_, i) => `a${i}: accounts(first: $n) { edges { node { id name health { score band } outcomes { score } } } }`).join(' ')} }`;
    const costly = await post(t.app.url, JSON.stringify({ query: q, variables: { n: 200 } }), ws.keys.ANALYST);
    expect(costly.status).toBe(400);
    expect(costly.json.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost' });
    expect(costly.json.data).toBeUndefined();
    const cheap = await post(t.app.url, JSON.stringify({ query: q, variables: { n: 1 } }), ws.keys.ANALYST);
    expect(cheap.status).toBe(200);
    expect(cheap.json.errors).toBeUndefined();
  });

  it('answers a subscription sent over HTTP POST with BAD_REQUEST, and a non-uuid id with BAD_USER_INPUT', async () => {
    const sub = await post(t.app.url, JSON.stringify({ query: 'subscription { healthChanged { kind } }' }), ws.keys.ANALYST);
    expect(sub.status).toBe(400);
    expect(sub.json.errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/WebSocket/) });
    const history = await t.gql('{ accounts(first: 1) { edges { node { healthHistory(outcomeId: "242") { score } } } } }', {}, ws.keys.ANALYST);
    expect(history.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(history)).not.toMatch(/uuid|SELECT|syntax/);
  });

  it('shows a failed scoring run without SQL: the SQLSTATE and where the details are', async () => {
    const m = await createLoginModel(t.db, ws.id, 2);
    const run = await createRun(TenantScope.system(t.db, ws.id), {});
    const afterChunkScored = async () => { await t.db.query('SELECT 1 / 0 FROM accounts WHERE false OR true'); };
    expect(await processRun(t.db, ws.id, run.id, { afterChunkScored })).toBe('FAILED');
    const { scoringRun } = await t.ok('query($id: ID!) { scoringRun(id: $id) { state error } }', { id: run.id }, ws.keys.ANALYST);
    expect(scoringRun).toEqual({ state: 'FAILED', error: `A database error (SQLSTATE 22012) stopped this run; the details are in the server log under run ${run.id}. restartScoringRun resumes it.` });
    expect(m.accountIds).toHaveLength(2);
  });

  it('formats an unexpected error with the request id (logged with it too), and no internals', () => {
    const error = new GraphQLError('boom', { originalError: new TypeError("Cannot read properties of undefined (reading 'x')"), extensions: { requestId: 'req-1' } });
    expect(formatError(error.toJSON(), error)).toMatchObject({
      message: 'Internal server error. It has been logged; quote the request id when reporting it.',
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' },
    });
  });

  it('tells a database that is away from a bad request', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const terminated = new QueryFailedError('SELECT 1', [], Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    const unique = new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate key value violates unique constraint "x"'), { code: '23505' }));
    expect([refused, terminated, new Error('Connection terminated unexpectedly'), unique, new Error('boom')].map(isDatabaseUnavailable))
      .toEqual([true, true, true, false, false]);
  });
});

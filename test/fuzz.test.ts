/**
 * Seeded fuzz: a few hundred schema-built requests (every role, no key, odd values, wrong types) plus hand-written
 * probes against the real server. Fails on any HTTP 5xx, any INTERNAL_SERVER_ERROR and any answer that shows
 * internals (stack trace, file path, SQL). `npm run fuzz` runs the same with thousands of requests
 * (FUZZ_REQUESTS, FUZZ_SEED). The seed makes a failure replayable.
 */
import { getSchema } from '../src/schema';
import { generated, LEAK, probes, seeded, type FuzzRequest, type FuzzWorld } from './support/fuzz';
import { useTestServer, type TestWorkspace } from './support/harness';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
jest.setTimeout(Math.max(120_000, REQUESTS * 200));

describe('fuzz', () => {
  const t = useTestServer();
  let ws: TestWorkspace;
  let keys: string[];
  let world: FuzzWorld;

  beforeAll(async () => {
    ws = await t.workspace('Fuzz');
    keys = [ws.keys.ADMIN, ws.keys.OPS, ws.keys.CSM, ws.keys.INGEST, ws.keys.ANALYST];
    await t.ok(`mutation($a: [AccountInput!]!) { upsertAccounts(accounts: $a) { rejected { index } } }`,
      { a: [{ externalId: 'acct-1', name: 'Acme', attributes: { plan: 'enterprise' } }, { externalId: 'acct-2', name: 'Globex' }] }, ws.keys.INGEST);
    const { accounts, clusters } = await t.ok(`{ accounts(first: 5) { edges { node { id } } } clusters { id } }`, {}, ws.keys.ANALYST);
    const outcome = (await t.ok(`mutation($i: CreateOutcomeInput!) { createOutcome(input: $i) { id } }`, { i: { clusterId: clusters[0].id, name: 'Adoption' } }, ws.keys.OPS)).createOutcome;
    world = { ids: [...accounts.edges.map((e: { node: { id: string } }) => e.node.id), clusters[0].id, outcome.id], keyCount: keys.length };
  });

  async function send(r: FuzzRequest): Promise<string[]> {
    const key = r.key === -2 ? 'oh_\u0000' : r.key >= 0 ? keys[r.key] : undefined;
    const res = await fetch(t.app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${encodeURIComponent(key)}` } : {}) },
      body: typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
    });
    const text = await res.text();
    const problems: string[] = [];
    if (res.status >= 500) problems.push(`HTTP ${res.status}`);
    if (/INTERNAL_SERVER_ERROR/.test(text)) problems.push('INTERNAL_SERVER_ERROR');
    const leak = LEAK.exec(text);
    if (leak) problems.push(`leaks "${leak[0]}"`);
    try { JSON.parse(text); } catch { problems.push('not JSON'); }
    return problems.map((p) => `${r.label}: ${p}: ${(typeof r.body === 'string' ? r.body : JSON.stringify(r.body)).slice(0, 300)} → ${text.slice(0, 300)}`);
  }

  it('hand-written probes: no 5xx, no internal error, no internals shown', async () => {
    const failures: string[] = [];
    for (const r of probes(world)) failures.push(...await send(r));
    expect(failures).toEqual([]);
  });

  it(`${REQUESTS} seeded schema-built requests (seed ${SEED}): no 5xx, no internal error, no internals shown`, async () => {
    const schema = await getSchema();
    const rnd = seeded(SEED);
    const failures: string[] = [];
    for (let i = 0; i < REQUESTS; i++) failures.push(...(await send(generated(rnd, schema, world))).map((f) => `#${i} ${f}`));
    expect(failures).toEqual([]);
  });
});

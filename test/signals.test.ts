import { requestRescore } from '../src/jobs/rescore-requests';
import { Role } from '../src/shared/auth';
import { useTestServer, type TestServer } from './support/harness';

// Record the rescore requests (the real function still runs); the server runs in this process.
jest.mock('../src/jobs/rescore-requests', () => {
  const actual = jest.requireActual('../src/jobs/rescore-requests');
  return { ...actual, requestRescore: jest.fn(actual.requestRescore) };
});
const rescoreCalls = requestRescore as jest.MockedFunction<typeof requestRescore>;

const INGEST = `mutation($signals: [SignalInput!]!) { ingestSignals(signals: $signals) { accepted duplicates rejected { index field reason } } }`;

/** Accounts straight into the table (the accounts API belongs to another part), in the default cluster. */
async function makeAccounts(t: TestServer, workspaceId: string, externalIds: string[]): Promise<Record<string, string>> {
  const rows = await t.db.query(
    `INSERT INTO accounts (workspace_id, external_id, name, journey_started_at, cluster_id)
     SELECT $1, x, 'Account ' || x, now() - interval '40 days',
            (SELECT id FROM clusters WHERE workspace_id = $1 AND is_default)
       FROM unnest($2::text[]) x RETURNING id, external_id`, [workspaceId, externalIds]);
  return Object.fromEntries(rows.map((r: { id: string; external_id: string }) => [r.external_id, r.id]));
}

async function signalCount(t: TestServer, workspaceId: string): Promise<number> {
  const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM signals WHERE workspace_id = $1', [workspaceId]);
  return n;
}

const at = (iso: string) => new Date(iso).toISOString();

describe('ingestSignals', () => {
  const t = useTestServer();

  it('stores the good items next to the bad ones and reports each bad one with its index, field and reason', async () => {
    const ws = await t.workspace();
    const ids = await makeAccounts(t, ws.id, ['acme', 'globex']);
    const inTenMinutes = new Date(Date.now() + 10 * 60_000).toISOString();
    const signals = [
      { accountExternalId: 'acme', type: 'login', occurredAt: at('2026-01-05T10:00:00Z') },                         // 0 ok
      { accountExternalId: 'nope', type: 'login', occurredAt: at('2026-01-05T10:00:00Z') },                         // 1 unknown account
      { accountExternalId: 'acme', type: 'Login', occurredAt: at('2026-01-05T10:00:00Z') },                         // 2 uppercase type
      { accountExternalId: 'acme', type: 'a'.repeat(101), occurredAt: at('2026-01-05T10:00:00Z') },                 // 3 type > 100 chars
      { accountExternalId: 'acme', type: 'login', occurredAt: inTenMinutes },                                       // 4 > 5 min ahead
      { accountExternalId: 'acme', type: 'login', occurredAt: at('1999-12-31T23:59:59Z') },                         // 5 before 2000
      { accountExternalId: 'acme', type: 'feature_used', subject: 'x'.repeat(201), occurredAt: at('2026-01-05T10:00:00Z') }, // 6
      { accountExternalId: 'acme', type: 'nps', idempotencyKey: 'k'.repeat(201), occurredAt: at('2026-01-05T10:00:00Z') },    // 7
      { accountExternalId: 'globex', type: 'tag:champion_left', value: 1, subject: 'ceo', idempotencyKey: 'g-1', occurredAt: at('2026-01-06T00:00:00Z') }, // 8 ok
      { accountExternalId: '', type: 'login', occurredAt: at('2026-01-05T10:00:00Z') },                             // 9 missing account
      { accountExternalId: 'acme', type: 'feature_used:', occurredAt: at('2026-01-05T10:00:00Z') },                 // 10 empty qualifier
      { accountExternalId: 'acme', type: 'nps', value: 9.5, occurredAt: at('2026-01-07T00:00:00Z') },               // 11 ok
    ];
    const res = (await t.ok(INGEST, { signals }, ws.keys[Role.INGEST])).ingestSignals;
    expect(res.accepted).toBe(3);
    expect(res.duplicates).toBe(0);
    expect(res.rejected.map((r: { index: number; field: string }) => [r.index, r.field])).toEqual([
      [1, 'accountExternalId'], [2, 'type'], [3, 'type'], [4, 'occurredAt'], [5, 'occurredAt'],
      [6, 'subject'], [7, 'idempotencyKey'], [9, 'accountExternalId'], [10, 'type'],
    ]);
    const reason = (i: number) => res.rejected.find((r: { index: number }) => r.index === i).reason;
    expect(reason(1)).toMatch(/No account with this externalId/);
    expect(reason(3)).toMatch(/at most 100/);
    expect(reason(4)).toMatch(/5 minutes in the future/);
    expect(reason(5)).toMatch(/2000-01-01/);
    expect(reason(9)).toMatch(/required/);
    expect(JSON.stringify(res.rejected)).not.toContain('nope'); // never echoes the input back

    const stored = await t.db.query(
      `SELECT account_id, type, subject, value, occurred_at, idempotency_key FROM signals WHERE workspace_id = $1 ORDER BY occurred_at`, [ws.id]);
    expect(stored).toEqual([
      { account_id: ids.acme, type: 'login', subject: null, value: null, occurred_at: new Date('2026-01-05T10:00:00Z'), idempotency_key: null },
      { account_id: ids.globex, type: 'tag:champion_left', subject: 'ceo', value: 1, occurred_at: new Date('2026-01-06T00:00:00Z'), idempotency_key: 'g-1' },
      { account_id: ids.acme, type: 'nps', subject: null, value: 9.5, occurred_at: new Date('2026-01-07T00:00:00Z'), idempotency_key: null },
    ]);
  });

  it('asks for a rescore of exactly the accounts that got new signals', async () => {
    const ws = await t.workspace();
    const ids = await makeAccounts(t, ws.id, ['acme', 'globex', 'initech']);
    rescoreCalls.mockClear();
    const signals = ['acme', 'acme', 'globex', 'nope'].map((x, i) => ({ accountExternalId: x, type: 'login', occurredAt: at(`2026-01-0${i + 1}T00:00:00Z`) }));
    await t.ok(INGEST, { signals }, ws.keys[Role.INGEST]);
    expect(rescoreCalls).toHaveBeenCalledTimes(1);
    expect([...rescoreCalls.mock.calls[0][1]].sort()).toEqual([ids.acme, ids.globex].sort());
    rescoreCalls.mockClear();
    await t.ok(INGEST, { signals: [signals[3]] }, ws.keys[Role.INGEST]); // nothing stored: no rescore
    expect(rescoreCalls).not.toHaveBeenCalled();
  });

  it('accepts a timestamp within the clock-skew tolerance and rejects a non-finite value', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme']);
    const inTwoMinutes = new Date(Date.now() + 2 * 60_000).toISOString();
    const ok = (await t.ok(INGEST, { signals: [{ accountExternalId: 'acme', type: 'login', occurredAt: inTwoMinutes }] }, ws.keys[Role.INGEST])).ingestSignals;
    expect(ok).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    // JSON can't carry Infinity, but a GraphQL literal can: 1e999 parses to Infinity.
    const inf = await t.ok(`mutation { ingestSignals(signals: [
        { accountExternalId: "acme", type: "invoice_paid", value: 1e999, occurredAt: "2026-01-01T00:00:00Z" },
        { accountExternalId: "acme", type: "invoice_paid", value: 120.5, occurredAt: "2026-01-01T00:00:00Z" }
      ]) { accepted duplicates rejected { index field reason } } }`, {}, ws.keys[Role.INGEST]);
    expect(inf.ingestSignals).toEqual({ accepted: 1, duplicates: 0, rejected: [{ index: 0, field: 'value', reason: 'value must be a finite number.' }] });
    expect(await signalCount(t, ws.id)).toBe(2);
  });

  it('stores an idempotency key once: first one in a batch wins, a resend is all duplicates', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme']);
    const signals = [
      { accountExternalId: 'acme', type: 'nps', value: 9, idempotencyKey: 'nps-1', occurredAt: at('2026-01-01T00:00:00Z') },
      { accountExternalId: 'acme', type: 'nps', value: 3, idempotencyKey: 'nps-1', occurredAt: at('2026-01-02T00:00:00Z') },
      { accountExternalId: 'acme', type: 'login', occurredAt: at('2026-01-01T00:00:00Z') }, // no key: always stored
    ];
    expect((await t.ok(INGEST, { signals }, ws.keys[Role.INGEST])).ingestSignals).toEqual({ accepted: 2, duplicates: 1, rejected: [] });
    const [nps] = await t.db.query(`SELECT value FROM signals WHERE workspace_id = $1 AND idempotency_key = 'nps-1'`, [ws.id]);
    expect(nps.value).toBe(9);
    // resend: the keyed one is a duplicate (twice), the unkeyed login is stored again
    expect((await t.ok(INGEST, { signals }, ws.keys[Role.INGEST])).ingestSignals).toEqual({ accepted: 1, duplicates: 2, rejected: [] });
    expect(await signalCount(t, ws.id)).toBe(3);
  });

  it('stores two concurrent identical batches once and reports the other copy as duplicates', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['a1', 'a2', 'a3']);
    const signals = Array.from({ length: 600 }, (_, i) => ({
      accountExternalId: `a${(i % 3) + 1}`, type: 'feature_used', subject: `f${i % 7}`,
      occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), idempotencyKey: `evt-${i}`,
    }));
    // the same keys, one copy in reverse order: the batches must wait for each other, not deadlock
    const results = await Promise.all([signals, [...signals].reverse(), signals].map((batch) => t.ok(INGEST, { signals: batch }, ws.keys[Role.INGEST])));
    const sum = (k: 'accepted' | 'duplicates') => results.reduce((s, r) => s + r.ingestSignals[k], 0);
    expect(sum('accepted')).toBe(600);      // each key stored by exactly one of the three calls
    expect(sum('duplicates')).toBe(1200);   // and reported as duplicate by the other two
    expect(await signalCount(t, ws.id)).toBe(600);
  });

  it('refuses more than 5,000 signals per call and stores nothing', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme']);
    const signals = Array.from({ length: 5001 }, () => ({ accountExternalId: 'acme', type: 'login', occurredAt: at('2026-01-01T00:00:00Z') }));
    const res = await t.gql(INGEST, { signals }, ws.keys[Role.INGEST]);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'signals' });
    expect(await signalCount(t, ws.id)).toBe(0);
  });

  it('is for INGEST and ADMIN keys only: other roles are FORBIDDEN and nothing is stored', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme']);
    const signals = [{ accountExternalId: 'acme', type: 'login', occurredAt: at('2026-01-01T00:00:00Z') }];
    for (const role of [Role.ANALYST, Role.OPS, Role.CSM]) {
      const res = await t.gql(INGEST, { signals }, ws.keys[role]);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect((await t.gql(INGEST, { signals })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await signalCount(t, ws.id)).toBe(0);
    expect((await t.ok(INGEST, { signals }, ws.keys[Role.ADMIN])).ingestSignals.accepted).toBe(1);
  });

  it('never reaches accounts of another workspace by externalId', async () => {
    const a = await t.workspace('A');
    const b = await t.workspace('B');
    await makeAccounts(t, b.id, ['only-in-b']);
    const res = (await t.ok(INGEST, { signals: [{ accountExternalId: 'only-in-b', type: 'login', occurredAt: at('2026-01-01T00:00:00Z') }] },
      a.keys[Role.INGEST])).ingestSignals;
    expect(res).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, field: 'accountExternalId', reason: expect.stringMatching(/No account/) }] });
    expect(await signalCount(t, a.id)).toBe(0);
    expect(await signalCount(t, b.id)).toBe(0);
  });

  it('a malformed value in any field rejects only its item, with index and field; the good items are stored', async () => {
    const ws = await t.workspace();
    await makeAccounts(t, ws.id, ['acme']);
    const good = (k: string) => ({ accountExternalId: 'acme', type: 'login', occurredAt: '2026-01-05T10:00:00Z', idempotencyKey: k });
    // field -> malformed values of the JSON type the schema accepts there (a wrong JSON type is a schema error)
    const bad: Array<[string, unknown]> = [
      ['accountExternalId', ''], ['accountExternalId', 'unknown-account'],
      ['type', ''], ['type', 'Not A Type'], ['type', 'x'.repeat(101)],
      ['occurredAt', '2027-02-30T00:00:00Z'], ['occurredAt', '2026-01-05'], ['occurredAt', 'yesterday'], ['occurredAt', ''],
      ['occurredAt', '2026-01-05 10:00:00Z'], ['occurredAt', '1999-12-31T23:59:59Z'], ['occurredAt', '2999-01-01T00:00:00Z'],
      ['subject', 's'.repeat(201)],
      ['value', 'seven'], ['value', '7'], ['value', true], ['value', { n: 7 }], ['value', [7]], ['value', 'INFINITY'],
      ['idempotencyKey', 'k'.repeat(201)],
    ];
    const signals: Array<Record<string, unknown>> = bad.flatMap(([field, v], i) => [good(`ok-${i}`), { ...good(`bad-${i}`), [field]: v }]);
    // JSON itself can carry 1e400, which parses to Infinity: sent as raw text
    signals.push({ ...good('bad-inf'), value: 'INFINITY-LITERAL' });
    const body = JSON.stringify({ query: INGEST, variables: { signals } }).replace('"INFINITY-LITERAL"', '1e400');
    const res = await fetch(t.app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.keys[Role.INGEST]}` }, body });
    const { data, errors } = (await res.json()) as any;
    expect(errors).toBeUndefined();
    expect(data.ingestSignals.accepted).toBe(bad.length);
    expect(data.ingestSignals.rejected.map((r: any) => [r.index, r.field])).toEqual([
      ...bad.map(([field], i) => [2 * i + 1, field]), [2 * bad.length, 'value']]);
    for (const r of data.ingestSignals.rejected) expect(r.reason).toMatch(/\w{3,}.*\./);
    const keys = (await t.db.query(`SELECT idempotency_key FROM signals WHERE workspace_id = $1 ORDER BY 1`, [ws.id])).map((r: any) => r.idempotency_key);
    expect(keys).toEqual(bad.map((_, i) => `ok-${i}`).sort());
  });

  it('keeps idempotency keys per workspace: the same key in two workspaces is stored in both', async () => {
    const a = await t.workspace('A');
    const b = await t.workspace('B');
    await makeAccounts(t, a.id, ['x']);
    await makeAccounts(t, b.id, ['x']);
    const signals = [{ accountExternalId: 'x', type: 'login', idempotencyKey: 'same', occurredAt: at('2026-01-01T00:00:00Z') }];
    expect((await t.ok(INGEST, { signals }, a.keys[Role.INGEST])).ingestSignals.accepted).toBe(1);
    expect((await t.ok(INGEST, { signals }, b.keys[Role.INGEST])).ingestSignals.accepted).toBe(1);
  });
});

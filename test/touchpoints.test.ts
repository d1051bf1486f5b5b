import { requestRescore } from '../src/jobs/rescore-requests';
import { Role } from '../src/shared/auth';
import { TenantScope } from '../src/shared/tenant';
import { tagsByAccount } from '../src/touchpoints/tag.loaders';
import { useTestServer, type TestServer } from './support/harness';

// Record the rescore requests (the real function still runs); the server runs in this process.
jest.mock('../src/jobs/rescore-requests', () => {
  const actual = jest.requireActual('../src/jobs/rescore-requests');
  return { ...actual, requestRescore: jest.fn(actual.requestRescore) };
});
const rescoreCalls = requestRescore as jest.MockedFunction<typeof requestRescore>;

/** Accounts straight into the table (the accounts API belongs to another part), in the default cluster. */
async function makeAccounts(t: TestServer, workspaceId: string, externalIds: string[]): Promise<string[]> {
  const rows = await t.db.query(
    `INSERT INTO accounts (workspace_id, external_id, name, journey_started_at, cluster_id)
     SELECT $1, x, 'Account ' || x, now() - interval '40 days', (SELECT id FROM clusters WHERE workspace_id = $1 AND is_default)
       FROM unnest($2::text[]) WITH ORDINALITY u(x, n) ORDER BY n RETURNING id`, [workspaceId, externalIds]);
  return rows.map((r: { id: string }) => r.id);
}

async function signalsOf(t: TestServer, accountId: string) {
  return await t.db.query('SELECT type, subject, value, occurred_at FROM signals WHERE account_id = $1 ORDER BY id', [accountId]);
}

const LOG = `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { id accountId type subject value occurredAt } }`;
const PULSE = `mutation($a: ID!, $p: Int!, $note: String) { setPulse(accountId: $a, pulse: $p, note: $note) { type value subject } }`;
const ADD = `mutation($a: ID!, $tag: String!) { addTag(accountId: $a, tag: $tag) { id tags } }`;
const REMOVE = `mutation($a: ID!, $tag: String!) { removeTag(accountId: $a, tag: $tag) { id tags } }`;
const COMPLETE = `mutation($a: ID!, $m: ID!, $at: DateTimeISO, $note: String) {
  completeMilestone(accountId: $a, milestoneId: $m, achievedAt: $at, note: $note) { accountId achievedAt note completedBy milestone { id key } } }`;
const UNCOMPLETE = `mutation($a: ID!, $m: ID!) { uncompleteMilestone(accountId: $a, milestoneId: $m) }`;

describe('CSM touchpoints, pulse and tags', () => {
  const t = useTestServer();

  it('logs a touchpoint as a signal of the lowercase kind, defaulting occurredAt to now', async () => {
    const ws = await t.workspace();
    const [acme] = await makeAccounts(t, ws.id, ['acme']);
    const before = Date.now();
    const qbr = (await t.ok(LOG, { input: { accountId: acme, kind: 'QBR', note: 'Renewal plan agreed' } }, ws.keys[Role.CSM])).logTouchpoint;
    expect(qbr).toMatchObject({ accountId: acme, type: 'qbr', subject: 'Renewal plan agreed', value: null });
    expect(new Date(qbr.occurredAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    await t.ok(LOG, { input: { accountId: acme, kind: 'SUCCESS_PLAN_REVIEW', occurredAt: '2026-01-10T09:00:00Z' } }, ws.keys[Role.ADMIN]);
    const stored = await signalsOf(t, acme);
    expect(stored.map((s: { type: string }) => s.type)).toEqual(['qbr', 'success_plan_review']);
    expect(stored[1].occurred_at).toEqual(new Date('2026-01-10T09:00:00Z'));

    const future = await t.gql(LOG, { input: { accountId: acme, kind: 'MEETING', occurredAt: new Date(Date.now() + 3600_000).toISOString() } }, ws.keys[Role.CSM]);
    expect(future.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.occurredAt' });
    const longNote = await t.gql(LOG, { input: { accountId: acme, kind: 'MEETING', note: 'x'.repeat(201) } }, ws.keys[Role.CSM]);
    expect(longNote.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await signalsOf(t, acme)).toHaveLength(2);
  });

  it('sets the pulse 1-5 as a csm_pulse signal and rejects other values', async () => {
    const ws = await t.workspace();
    const [acme] = await makeAccounts(t, ws.id, ['acme']);
    expect((await t.ok(PULSE, { a: acme, p: 2, note: 'Champion is leaving' }, ws.keys[Role.CSM])).setPulse)
      .toEqual({ type: 'csm_pulse', value: 2, subject: 'Champion is leaving' });
    for (const p of [0, 6]) {
      const res = await t.gql(PULSE, { a: acme, p }, ws.keys[Role.CSM]);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pulse' });
    }
    expect((await signalsOf(t, acme)).map((s: { value: number }) => s.value)).toEqual([2]);
  });

  it('adds and removes tags; Account.tags follows the newest signal per tag', async () => {
    const ws = await t.workspace();
    const [acme, globex] = await makeAccounts(t, ws.id, ['acme', 'globex']);
    const key = ws.keys[Role.CSM];
    expect((await t.ok(ADD, { a: acme, tag: 'champion_left' }, key)).addTag).toEqual({ id: acme, tags: ['champion_left'] });
    expect((await t.ok(ADD, { a: acme, tag: 'case_study' }, key)).addTag.tags).toEqual(['case_study', 'champion_left']);
    expect((await t.ok(REMOVE, { a: acme, tag: 'champion_left' }, key)).removeTag.tags).toEqual(['case_study']);
    expect((await signalsOf(t, acme)).map((s: { type: string; value: number }) => `${s.type}=${s.value}`))
      .toEqual(['tag:champion_left=1', 'tag:case_study=1', 'tag:champion_left=0']);
    // An ingested tag signal counts too, but an older one does not override a newer removal.
    await t.db.query(`INSERT INTO signals (workspace_id, account_id, type, value, occurred_at) VALUES
      ($1, $2, 'tag:champion_left', 1, now() - interval '1 day'), ($1, $3, 'tag:renewal_risk', 1, now() - interval '1 day')`, [ws.id, acme, globex]);
    // One loader batch for both accounts (the field resolver of a list goes through it).
    const scope = TenantScope.system(t.db, ws.id);
    const queries = jest.spyOn(scope, 'query');
    const loader = tagsByAccount(scope);
    expect(await Promise.all([loader.load(acme), loader.load(globex)])).toEqual([['case_study'], ['renewal_risk']]);
    expect(queries).toHaveBeenCalledTimes(1);

    for (const tag of ['Champion Left', 'tag:x', '', '-x']) {
      const res = await t.gql(ADD, { a: acme, tag }, key);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tag' });
    }
    expect(await signalsOf(t, acme)).toHaveLength(4);
  });

  it('asks for a rescore of the account after each convenience', async () => {
    const ws = await t.workspace();
    const [acme] = await makeAccounts(t, ws.id, ['acme']);
    rescoreCalls.mockClear();
    await t.ok(PULSE, { a: acme, p: 4 }, ws.keys[Role.CSM]);
    await t.ok(ADD, { a: acme, tag: 'case_study' }, ws.keys[Role.CSM]);
    await t.ok(LOG, { input: { accountId: acme, kind: 'TRAINING' } }, ws.keys[Role.CSM]);
    expect(rescoreCalls.mock.calls.map((c) => c[1])).toEqual([[acme], [acme], [acme]]);
  });

  it('treats accounts of other workspaces as NOT_FOUND and changes nothing', async () => {
    const a = await t.workspace('A');
    const b = await t.workspace('B');
    const [theirs] = await makeAccounts(t, b.id, ['theirs']);
    const key = a.keys[Role.CSM];
    for (const [q, vars] of [
      [LOG, { input: { accountId: theirs, kind: 'MEETING' } }],
      [PULSE, { a: theirs, p: 3 }],
      [ADD, { a: theirs, tag: 'x' }],
      [REMOVE, { a: theirs, tag: 'x' }],
      [LOG, { input: { accountId: 'not-a-uuid', kind: 'MEETING' } }],
    ] as const) {
      const res = await t.gql(q, vars, key);
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    expect(await signalsOf(t, theirs)).toHaveLength(0);
  });

  it('is for CSM and ADMIN keys only', async () => {
    const ws = await t.workspace();
    const [acme] = await makeAccounts(t, ws.id, ['acme']);
    for (const role of [Role.ANALYST, Role.OPS, Role.INGEST]) {
      expect((await t.gql(PULSE, { a: acme, p: 3 }, ws.keys[role])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await t.gql(ADD, { a: acme, tag: 'x' }, ws.keys[role])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await t.gql(LOG, { input: { accountId: acme, kind: 'QBR' } }, ws.keys[role])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(await signalsOf(t, acme)).toHaveLength(0);
  });
});

describe('manual milestones', () => {
  const t = useTestServer();

  /** An outcome of the default cluster with a journey: one MANUAL and one AUTOMATIC milestone. */
  async function journey(ws: { id: string; keys: Record<Role, string> }) {
    const [outcome] = await t.db.query(
      `INSERT INTO outcomes (workspace_id, cluster_id, name) SELECT $1, id, 'Adoption' FROM clusters WHERE workspace_id = $1 AND is_default RETURNING id`, [ws.id]);
    const def = await t.ok(`mutation($o: ID!, $input: JourneyInput!) { defineJourney(outcomeId: $o, input: $input) { stages { milestones { id key completion } } } }`, {
      o: outcome.id,
      input: { stages: [{ key: 'onboarding', name: 'Onboarding', startDay: 0, milestones: [
        { key: 'kickoff', name: 'Kick-off held', expectedByDay: 7, weight: 1, completion: 'MANUAL' },
        { key: 'first_login', name: 'First login', expectedByDay: 3, weight: 1, completion: 'AUTOMATIC',
          rule: { signalType: 'login', aggregation: 'COUNT', atLeast: 1 } },
      ] }] },
    }, ws.keys[Role.OPS]);
    const ms = def.defineJourney.stages[0].milestones;
    return { outcomeId: outcome.id, manual: ms.find((m: { key: string }) => m.key === 'kickoff').id, automatic: ms.find((m: { key: string }) => m.key === 'first_login').id };
  }

  async function completions(accountId: string) {
    return await t.db.query('SELECT milestone_id, achieved_at, note FROM milestone_completions WHERE account_id = $1', [accountId]);
  }

  it('completes a MANUAL milestone with a date, corrects it, and takes it back', async () => {
    const ws = await t.workspace();
    const [acme] = await makeAccounts(t, ws.id, ['acme']);
    const { manual } = await journey(ws);
    const done = (await t.ok(COMPLETE, { a: acme, m: manual, at: '2026-01-03T12:00:00.000Z', note: 'Kick-off call' }, ws.keys[Role.CSM])).completeMilestone;
    const [csmKey] = await t.db.query(`SELECT id FROM api_keys WHERE workspace_id = $1 AND role = 'CSM'`, [ws.id]);
    expect(done).toEqual({ accountId: acme, achievedAt: '2026-01-03T12:00:00.000Z', note: 'Kick-off call', completedBy: csmKey.id, milestone: { id: manual, key: 'kickoff' } });
    // again: the date is corrected, still one row
    await t.ok(COMPLETE, { a: acme, m: manual, at: '2026-01-04T00:00:00.000Z' }, ws.keys[Role.CSM]);
    expect(await completions(acme)).toEqual([{ milestone_id: manual, achieved_at: new Date('2026-01-04T00:00:00Z'), note: null }]);
    // default achievedAt = now
    const [other] = await makeAccounts(t, ws.id, ['other']);
    const now = (await t.ok(COMPLETE, { a: other, m: manual }, ws.keys[Role.CSM])).completeMilestone;
    expect(Math.abs(new Date(now.achievedAt).getTime() - Date.now())).toBeLessThan(10_000);

    expect((await t.ok(UNCOMPLETE, { a: acme, m: manual }, ws.keys[Role.CSM])).uncompleteMilestone).toBe(true);
    expect(await completions(acme)).toEqual([]);
    expect((await t.ok(UNCOMPLETE, { a: acme, m: manual }, ws.keys[Role.CSM])).uncompleteMilestone).toBe(false);
  });

  it('refuses AUTOMATIC milestones, future dates, other roles and ids of other workspaces', async () => {
    const ws = await t.workspace('A');
    const other = await t.workspace('B');
    const [acme] = await makeAccounts(t, ws.id, ['acme']);
    const [theirAccount] = await makeAccounts(t, other.id, ['theirs']);
    const { manual, automatic } = await journey(ws);
    const theirs = await journey(other);
    const csm = ws.keys[Role.CSM];

    const auto = await t.gql(COMPLETE, { a: acme, m: automatic }, csm);
    expect(auto.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'milestoneId' });
    const future = await t.gql(COMPLETE, { a: acme, m: manual, at: new Date(Date.now() + 86400_000).toISOString() }, csm);
    expect(future.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'achievedAt' });
    expect((await t.gql(COMPLETE, { a: acme, m: theirs.manual }, csm)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(COMPLETE, { a: theirAccount, m: manual }, csm)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(UNCOMPLETE, { a: theirAccount, m: theirs.manual }, csm)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    for (const role of [Role.ANALYST, Role.OPS, Role.INGEST]) {
      expect((await t.gql(COMPLETE, { a: acme, m: manual }, ws.keys[role])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(await completions(acme)).toEqual([]);

    // B's completion survives A's attempt to take it back
    await t.ok(COMPLETE, { a: theirAccount, m: theirs.manual }, other.keys[Role.CSM]);
    expect((await t.gql(UNCOMPLETE, { a: theirAccount, m: theirs.manual }, csm)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await completions(theirAccount)).toHaveLength(1);
  });

  it("refuses a milestone of another cluster's outcome", async () => {
    const ws = await t.workspace();
    const [acme] = await makeAccounts(t, ws.id, ['acme']);
    const { manual } = await journey(ws);
    const [cluster] = await t.db.query(`INSERT INTO clusters (workspace_id, name, priority, rule, is_default) VALUES ($1, 'Enterprise', 1, '{"attribute":"plan","op":"EQ","value":"enterprise"}', false) RETURNING id`, [ws.id]);
    await t.db.query('UPDATE accounts SET cluster_id = $2 WHERE id = $1', [acme, cluster.id]);
    const res = await t.gql(COMPLETE, { a: acme, m: manual }, ws.keys[Role.CSM]);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'milestoneId' });
    expect(await completions(acme)).toEqual([]);
  });
});

/**
 * Plays over real scores: a trigger that starts to hold opens one task (for the account's CSM), persisting conditions
 * never open a second one, the no-flood rule (clear → come back → task closed → cooldown), every trigger kind's match
 * (dry run), validation that reports every problem at once, tasks as a connection and on Account.
 * Model (test/support/scoring-model.ts): account score = min(logins in 30 days, 10) × 10, so 0 logins = RED.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

import { TaskHub } from '../src/tasks/task.hub';
import { evaluatePlays } from '../src/plays/play.evaluate';
import { createRun, processRun } from '../src/scoring/runs.service';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer, type TestWorkspace } from './support/harness';
import { statementsDuring } from './support/statements';
import { addLogins, createLoginModel, startTestJobs, testDatabaseUrl, until, type ScoringModel } from './support/scoring-model';

const CREATE = `mutation($input: PlayInput!) { createPlay(input: $input) { id name enabled trigger { kind band days } cooldownDays task { titleTemplate owner dueInDays priority } } }`;
const TASKS = `query($f: TaskFilter, $first: Int, $after: String) { tasks(filter: $f, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id title owner status dueOn priority statusChangedBy statusChangedAt notes account { id name } play { id name } } } } }`;
const DRY = `query($input: PlayInput) { dryRunPlay(input: $input) { count wouldFire matches { account { name } outcomeId alreadyFired } } }`;

const DAY = 86_400_000;

describe('plays', () => {
  const t = useTestServer();

  async function scored(accounts: number, logins: (i: number) => number = () => 0): Promise<{ ws: TestWorkspace; m: ScoringModel }> {
    const ws = await t.workspace();
    const m = await createLoginModel(t.db, ws.id, accounts);
    await t.db.query(`UPDATE accounts SET csm_owner = 'csm-' || external_id WHERE workspace_id = $1`, [ws.id]);
    await addLogins(t.db, ws.id, m.accountIds, logins);
    await rescore(ws.id);
    return { ws, m };
  }

  /** A full rescore, then the play evaluation the worker runs after it. */
  async function rescore(workspaceId: string, now?: Date) {
    const run = await createRun(TenantScope.system(t.db, workspaceId), {});
    expect(await processRun(t.db, workspaceId, run.id)).toBe('SUCCEEDED');
    return await evaluatePlays(t.db, workspaceId, { now });
  }

  const redPlay = (extra: Record<string, unknown> = {}) => ({
    name: 'Slipped to red', trigger: { kind: 'BAND_ENTERED', band: 'RED' }, cooldownDays: 0,
    task: { titleTemplate: '{account.name} is {band} on {outcome.name} ({score})', dueInDays: 3, priority: 'HIGH' }, ...extra,
  });

  const tasksOf = async (workspaceId: string) => await t.db.query(
    `SELECT account_id, title, owner, status, due_on::text AS due_on, priority FROM tasks WHERE workspace_id = $1 ORDER BY title`, [workspaceId]);

  it('a condition that persists across ten rescores opens one task per account, for its CSM', async () => {
    const { ws, m } = await scored(3, (i) => (i === 2 ? 8 : 0)); // accounts 1, 2 RED (score 0); account 3 GREEN (80)
    const created = await t.ok(CREATE, { input: redPlay() }, ws.keys.OPS);
    expect(created.createPlay).toMatchObject({ name: 'Slipped to red', enabled: true, trigger: { kind: 'BAND_ENTERED', band: 'RED' } });

    for (let i = 0; i < 10; i++) await rescore(ws.id);
    const tasks = await tasksOf(ws.id);
    const today = new Date().toISOString().slice(0, 10);
    const due = new Date(Date.parse(today) + 3 * DAY).toISOString().slice(0, 10);
    expect(tasks).toEqual([
      { account_id: m.accountIds[0], title: 'Account 1 is RED on Adoption (0)', owner: 'csm-acc-001', status: 'OPEN', due_on: due, priority: 'HIGH' },
      { account_id: m.accountIds[1], title: 'Account 2 is RED on Adoption (0)', owner: 'csm-acc-002', status: 'OPEN', due_on: due, priority: 'HIGH' },
    ]);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM play_firings WHERE workspace_id = $1`, [ws.id]);
    expect(n).toBe(2);
  });

  it('re-fires only after the condition cleared and came back, the task is closed, and the cooldown has passed', async () => {
    const { ws, m } = await scored(1);
    const play = (await t.ok(CREATE, { input: redPlay({ cooldownDays: 7 }) }, ws.keys.OPS)).createPlay;
    expect((await evaluatePlays(t.db, ws.id)).fired).toBe(1);
    const [task] = (await t.ok(TASKS, { f: { playId: play.id } }, ws.keys.ANALYST)).tasks.edges.map((e: any) => e.node);

    // Clears (8 logins → 80, GREEN): the firing closes, the task stays open.
    await addLogins(t.db, ws.id, m.accountIds, () => 8);
    expect(await rescore(ws.id)).toMatchObject({ fired: 0, cleared: 1 });
    // Comes back (logins gone): the task is still OPEN, so nothing new.
    await t.db.query(`DELETE FROM signals WHERE workspace_id = $1`, [ws.id]);
    expect(await rescore(ws.id)).toMatchObject({ fired: 0 });

    // The CSM closes the task: who and when are recorded.
    const done = await t.ok(`mutation($id: ID!) { updateTask(id: $id, input: { status: DONE, notes: "Called the sponsor" }) { status statusChangedBy statusChangedAt notes } }`,
      { id: task.id }, ws.keys.CSM);
    expect(done.updateTask).toMatchObject({ status: 'DONE', notes: 'Called the sponsor' });
    expect(done.updateTask.statusChangedBy).toBeTruthy();
    expect(Date.now() - Date.parse(done.updateTask.statusChangedAt)).toBeLessThan(60_000);

    // Within the 7-day cooldown: nothing. After it (an injected clock): a new task.
    expect((await evaluatePlays(t.db, ws.id)).fired).toBe(0);
    expect((await evaluatePlays(t.db, ws.id, { now: new Date(Date.now() + 8 * DAY) })).fired).toBe(1);
    expect((await tasksOf(ws.id)).map((x: any) => x.status).sort()).toEqual(['DONE', 'OPEN']);
  });

  it('fires after an ingestion rescore through the job queue, for the rescored account only', async () => {
    const { ws, m } = await scored(2, () => 8); // both GREEN
    await t.ok(CREATE, { input: redPlay({ trigger: { kind: 'TAG_ADDED', tag: 'champion_left' }, task: { titleTemplate: 'Champion left {account.name}', dueInDays: 1, priority: 'URGENT' } }) }, ws.keys.OPS);
    const jobs = await startTestJobs(t.db, t.dbName, { sweepIntervalMs: 60_000 });
    try {
      await t.ok(`mutation($a: ID!) { addTag(accountId: $a, tag: "champion_left") { id } }`, { a: m.accountIds[1] }, ws.keys.CSM);
      const tasks = await until(async () => { const r = await tasksOf(ws.id); return r.length ? r : null; }, 15_000);
      expect(tasks).toEqual([expect.objectContaining({ account_id: m.accountIds[1], title: 'Champion left Account 2', owner: 'csm-acc-002', priority: 'URGENT' })]);
    } finally {
      await jobs.stop();
    }
    const acc = await t.ok(`query($id: ID!) { account(id: $id) { tasks { title status } open: tasks(status: OPEN) { title } done: tasks(status: DONE) { title } } }`, { id: m.accountIds[1] }, ws.keys.ANALYST);
    expect(acc.account).toEqual({ tasks: [{ title: 'Champion left Account 2', status: 'OPEN' }], open: [{ title: 'Champion left Account 2' }], done: [] });
  });

  it('dry runs every trigger kind without firing, and evaluated together each play fires for what its dry run named', async () => {
    // Account 1: 0 logins (RED, 0); account 2: 5 logins (YELLOW, 50); account 3: 9 logins (GREEN, 90).
    const { ws, m } = await scored(3, (i) => [0, 5, 9][i]);
    const now = Date.now();
    await t.db.query(`UPDATE accounts SET renewal_date = ($2::timestamptz)::date + 30, attributes = '{"managed": true}' WHERE workspace_id = $1 AND id = ANY($3::uuid[])`,
      [ws.id, new Date(now), [m.accountIds[0], m.accountIds[1]]]);
    await t.db.query(`INSERT INTO signals (workspace_id, account_id, type, occurred_at, value) VALUES ($1, $2, 'tag:champion_left', now() - interval '1 hour', 1),
      ($1, $3, 'qbr', now() - interval '2 days', NULL)`, [ws.id, m.accountIds[2], m.accountIds[1]]);
    // A snapshot 10 days ago in which account 2 scored 90 and account 3 scored 95: account 2 dropped 40 points since.
    await t.db.query(`INSERT INTO health_snapshots (workspace_id, account_id, outcome_id, as_of, score, band, journey_day, model_version_id)
      SELECT workspace_id, account_id, outcome_id, as_of - interval '10 days', CASE WHEN account_id = $2 THEN 90 ELSE 95 END, 'GREEN', journey_day, model_version_id
        FROM current_outcome_health WHERE workspace_id = $1 AND account_id <> $3`, [ws.id, m.accountIds[1], m.accountIds[0]]);
    await rescore(ws.id);
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ kind: 'BAND_ENTERED', band: 'RED' }, ['Account 1']],
      [{ kind: 'BAND_ENTERED', band: 'YELLOW' }, ['Account 2']],
      [{ kind: 'SCORE_DROPPED', points: 30, days: 7 }, ['Account 2']],
      [{ kind: 'COVERAGE_BELOW', coverageBelow: 0.5 }, []],
      [{ kind: 'TAG_ADDED', tag: 'champion_left' }, ['Account 3']],
      [{ kind: 'RENEWAL_WITHIN', days: 60 }, ['Account 1', 'Account 2']],
      [{ kind: 'RENEWAL_WITHIN', days: 60, bands: ['RED'] }, ['Account 1']],
      [{ kind: 'RENEWAL_WITHIN', days: 20 }, []],
      [{ kind: 'NO_TOUCHPOINT', days: 30 }, ['Account 1']],
    ];
    const failures: string[] = [];
    for (const [trigger, expected] of cases) {
      const res = await t.ok(DRY, { input: redPlay({ trigger }) }, ws.keys.OPS);
      const names = res.dryRunPlay.matches.map((x: any) => x.account.name).sort();
      if (JSON.stringify(names) !== JSON.stringify(expected) || res.dryRunPlay.count !== expected.length) failures.push(`${JSON.stringify(trigger)}: ${JSON.stringify(names)}`);
    }
    expect(failures).toEqual([]);
    expect(await t.db.query(`SELECT 1 FROM play_firings WHERE workspace_id = $1`, [ws.id])).toEqual([]);

    // Saved and evaluated together (one matching statement for every play, each kind's branch beside the others'),
    // every play fires for exactly the accounts its dry run named.
    const expected: Record<string, string[]> = {};
    for (const [i, [trigger, names]] of cases.entries()) {
      expected[(await t.ok(CREATE, { input: redPlay({ name: `Case ${i}`, trigger }) }, ws.keys.OPS)).createPlay.id] = names;
    }
    expect(await evaluatePlays(t.db, ws.id)).toMatchObject({ plays: cases.length, cleared: 0 });
    const fired: Array<{ play_id: string; name: string }> = await t.db.query(
      `SELECT f.play_id, a.name FROM play_firings f JOIN accounts a ON a.workspace_id = f.workspace_id AND a.id = f.account_id
        WHERE f.workspace_id = $1 ORDER BY a.name`, [ws.id]);
    expect(Object.fromEntries(Object.keys(expected).map((id) => [id, fired.filter((f) => f.play_id === id).map((f) => f.name)]))).toEqual(expected);
  });

  it('reports every problem of a play at once and stores nothing', async () => {
    const ws = await t.workspace();
    const res = await t.gql(CREATE, { input: { name: 'Bad', trigger: { kind: 'SCORE_DROPPED', points: 0 }, task: { titleTemplate: 'Hi {account.nmae}' } } }, ws.keys.OPS);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((res.errors?.[0]?.extensions?.problems as any[]).map((p) => p.field)).toEqual(['input.trigger.points', 'input.trigger.days', 'input.task.titleTemplate']);
    const none = await t.gql(CREATE, { input: { name: 'No action', trigger: { kind: 'BAND_ENTERED', band: 'RED' } } }, ws.keys.OPS);
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.task' });
    expect(await t.db.query(`SELECT 1 FROM plays WHERE workspace_id = $1`, [ws.id])).toEqual([]);
  });

  it('lists tasks as a connection filtered by owner, status, due date, account and cluster', async () => {
    const { ws, m } = await scored(5);
    await t.ok(CREATE, { input: redPlay() }, ws.keys.OPS);
    await evaluatePlays(t.db, ws.id);
    const page1 = (await t.ok(TASKS, { first: 2 }, ws.keys.ANALYST)).tasks;
    expect(page1.totalCount).toBe(5);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await t.ok(TASKS, { first: 10, after: page1.pageInfo.endCursor }, ws.keys.ANALYST)).tasks;
    const ids = [...page1.edges, ...page2.edges].map((e: any) => e.node.id);
    expect(new Set(ids).size).toBe(5);
    expect((await t.ok(TASKS, { f: { owner: 'csm-acc-003' } }, ws.keys.ANALYST)).tasks.edges.map((e: any) => e.node.account.id)).toEqual([m.accountIds[2]]);
    expect((await t.ok(TASKS, { f: { accountId: m.accountIds[4] } }, ws.keys.ANALYST)).tasks.totalCount).toBe(1);
    expect((await t.ok(TASKS, { f: { statuses: ['DONE'] } }, ws.keys.ANALYST)).tasks.totalCount).toBe(0);
    expect((await t.ok(TASKS, { f: { dueBefore: '2000-01-01' } }, ws.keys.ANALYST)).tasks.totalCount).toBe(0);
    expect((await t.ok(TASKS, { f: { clusterId: m.clusterId } }, ws.keys.ANALYST)).tasks.totalCount).toBe(5);
  });

  it('pushes taskChanged to subscribers of the workspace (filtered by owner) when a play opens a task and when it is closed', async () => {
    const { ws } = await scored(2);
    const other = await t.workspace('Other');
    const received: Array<{ owner: string; title: string; status: string }> = [];
    const foreign: unknown[] = [];
    const listen = (key: string, owner: string | null, into: unknown[]) => {
      const client = createClient({ url: t.app.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` }, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
      client.subscribe({ query: 'subscription($o: String) { taskChanged(owner: $o) { owner title status } }', variables: { o: owner } }, {
        next: (msg) => { into.push((msg.data as any)?.taskChanged ?? msg.errors); }, error: (err) => { into.push(err); }, complete: () => undefined,
      });
      return client;
    };
    const mine = listen(ws.keys.CSM, 'csm-acc-002', received);
    const theirs = listen(other.keys.ADMIN, null, foreign);
    try {
      const hub = TaskHub.of(t.db)!;
      await until(async () => hub.subscriberCount(ws.id) === 1 && hub.subscriberCount(other.id) === 1, 5_000);
      await t.ok(CREATE, { input: redPlay() }, ws.keys.OPS);
      await evaluatePlays(t.db, ws.id);
      await until(async () => received.length === 1, 5_000);
      const task = (await t.ok(TASKS, { f: { owner: 'csm-acc-002' } }, ws.keys.CSM)).tasks.edges[0].node;
      await t.ok(`mutation($id: ID!) { updateTask(id: $id, input: { status: DISMISSED }) { id } }`, { id: task.id }, ws.keys.CSM);
      await until(async () => received.length === 2, 5_000);
      expect(received).toEqual([
        { owner: 'csm-acc-002', title: 'Account 2 is RED on Adoption (0)', status: 'OPEN' },
        { owner: 'csm-acc-002', title: 'Account 2 is RED on Adoption (0)', status: 'DISMISSED' },
      ]);
      expect(foreign).toEqual([]);
    } finally {
      await mine.dispose();
      await theirs.dispose();
    }
  });

  it('reads tasks with their accounts and plays, and accounts with their tasks, in the same number of statements for 2 or 20', async () => {
    const { ws } = await scored(20);
    await t.ok(CREATE, { input: redPlay() }, ws.keys.OPS);
    await evaluatePlays(t.db, ws.id);
    const lists = [
      `query($first: Int) { tasks(first: $first) { edges { node { title account { name tasks { title } } play { name } } } } }`,
      `query($first: Int) { accounts(first: $first) { edges { node { name tasks(status: OPEN) { title play { name } } } } } }`,
    ];
    for (const list of lists) {
      await t.ok(list, { first: 1 }, ws.keys.ANALYST); // warm the key cache and prepared statements
      const small = await statementsDuring(() => t.ok(list, { first: 2 }, ws.keys.ANALYST));
      const large = await statementsDuring(() => t.ok(list, { first: 20 }, ws.keys.ANALYST));
      const rows = large.result.tasks?.edges ?? large.result.accounts.edges;
      expect(rows).toHaveLength(20);
      expect(large.statements.map((q) => q.slice(0, 90))).toEqual(small.statements.map((q) => q.slice(0, 90)));
    }
  });
});

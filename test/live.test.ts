/**
 * healthChanged over graphql-ws with two server instances on one database: events published
 * through instance B reach a subscriber connected to instance A (PostgreSQL LISTEN/NOTIFY),
 * and never a subscriber of another workspace.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { DataSource } from 'typeorm';
import { startApp, type RunningApp } from '../src/app';
import { createDataSource } from '../src/shared/db/data-source';
import { TenantScope } from '../src/shared/tenant';
import { HealthEventKind, publishHealthChanges, publishHealthEvents, type HealthEventInput } from '../src/health/health.events';
import { scoreAccounts } from '../src/scoring/engine';
import { withDatabase } from './support/global-setup';
import { useTestServer, type TestWorkspace } from './support/harness';
import { HealthFixture } from './support/health-fixtures';

const SUBSCRIPTION = `subscription($filter: HealthEventFilter) {
  healthChanged(filter: $filter) {
    kind accountId accountName accountExternalId outcomeId outcomeName milestoneId milestoneName
    fromBand toBand score previousScore daysOverdue asOf
  }
}`;

interface Received { events: any[]; errors: unknown[]; closed: boolean; next(n?: number): Promise<any[]>; client: Client }

/** Deadline of every wait below: it only turns a hang into a clear failure (generous for a busy machine). */
const WAIT_MS = 60_000;

function subscribe(app: RunningApp, key: string, variables: Record<string, unknown> = {}): Received {
  const client = createClient({
    url: app.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
  });
  let waiters: Array<() => boolean> = [];
  const r: Received = {
    events: [], errors: [], closed: false, client,
    /** The first n events, once they are in. */
    next(n = 1) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} events (got ${r.events.length})`)), WAIT_MS);
        const check = () => { if (r.events.length < n) return false; clearTimeout(timer); resolve(r.events.slice(0, n)); return true; };
        if (!check()) waiters.push(check);
      });
    },
  };
  client.subscribe({ query: SUBSCRIPTION, variables }, {
    next: (msg) => {
      if (msg.errors) r.errors.push(...msg.errors); else r.events.push((msg.data as any).healthChanged);
      waiters = waiters.filter((check) => !check());
    },
    error: (err) => { r.errors.push(err); },
    complete: () => { r.closed = true; },
  });
  return r;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('healthChanged subscription', () => {
  const t = useTestServer();
  let dbB: DataSource;
  let appB: RunningApp;
  let wsA: TestWorkspace;
  let wsB: TestWorkspace;
  let fx: HealthFixture;
  let accountId: string;
  let accountOfB: string;
  let outcomeId: string;
  let milestones: Record<string, string>;
  const clients: Client[] = [];

  beforeAll(async () => {
    // Instance B: its own pool and its own listener, same database.
    dbB = createDataSource(withDatabase(process.env.TEST_ADMIN_URL!, t.dbName), 4);
    await dbB.initialize();
    appB = await startApp({ db: dbB, port: 0, host: '127.0.0.1', introspection: true });
    wsA = await t.workspace('Acme');
    wsB = await t.workspace('Globex');
    fx = new HealthFixture(t.db, wsA.id);
    const cluster = await fx.defaultClusterId();
    outcomeId = await fx.outcome(cluster, 'Stakeholder map');
    ({ milestones } = await fx.journey(outcomeId, [{ key: 'onboarding', startDay: 0, milestones: [
      { key: 'kickoff', name: 'Kick-off held', expectedByDay: 7 },
      { key: 'first-map', name: 'First org chart', expectedByDay: 20 },
    ] }]));
    accountId = await fx.account({ externalId: 'acme-1', name: 'Acme One', clusterId: cluster });
    const fxB = new HealthFixture(t.db, wsB.id);
    accountOfB = await fxB.account({ externalId: 'globex-1', clusterId: await fxB.defaultClusterId() });
  });

  /**
   * "Nothing else arrives", without waiting and hoping: publish a sentinel event after whatever must not arrive and
   * wait for it. Notifications reach every instance in commit order and each instance hands batches out in that
   * order (src/live/hub.ts), so an event a subscriber did not get before the sentinel never comes.
   */
  const SENTINEL_AS_OF = new Date('2099-01-01T00:00:00Z');
  async function sentinel(db: DataSource, workspaceId: string, account: string, event: Partial<HealthEventInput> = {}): Promise<void> {
    await publishHealthEvents(TenantScope.system(db, workspaceId), [
      { kind: HealthEventKind.BAND_CHANGED, accountId: account, fromBand: 'RED', toBand: 'GREEN', asOf: SENTINEL_AS_OF, ...event }]);
  }
  const isSentinel = (e: any) => e.asOf === SENTINEL_AS_OF.toISOString();

  t.cleanup(async () => {
    for (const c of clients) await c.dispose();
    await appB?.stop();
    await dbB?.destroy();
  });

  function track(r: Received): Received { clients.push(r.client); return r; }

  it('delivers events published through another instance, only to the right workspace', async () => {
    const onA = track(subscribe(t.app, wsA.keys.ANALYST));
    const otherWorkspace = track(subscribe(t.app, wsB.keys.ANALYST));
    const otherOnB = track(subscribe(appB, wsB.keys.ADMIN));
    await waitFor(() => t.app.live.subscriberCount(wsA.id) === 1 && t.app.live.subscriberCount(wsB.id) === 1
      && appB.live.subscriberCount(wsB.id) === 1, 'subscriptions');

    const asOf = new Date('2026-03-01T00:00:00Z');
    await publishHealthEvents(TenantScope.system(dbB, wsA.id), [
      { kind: HealthEventKind.BAND_CHANGED, accountId, outcomeId, fromBand: 'GREEN', toBand: 'YELLOW', score: 55.5, previousScore: 72, asOf },
    ]);

    const [event] = await onA.next(1);
    expect(event).toEqual({
      kind: 'BAND_CHANGED', accountId, accountName: 'Acme One', accountExternalId: 'acme-1', outcomeId, outcomeName: 'Stakeholder map',
      milestoneId: null, milestoneName: null, fromBand: 'GREEN', toBand: 'YELLOW', score: 55.5, previousScore: 72, daysOverdue: null,
      asOf: '2026-03-01T00:00:00.000Z',
    });
    // Workspace B's subscribers, on both instances, get B's next event and nothing before it; A's no second copy.
    await sentinel(dbB, wsB.id, accountOfB);
    await sentinel(dbB, wsA.id, accountId);
    for (const sub of [otherWorkspace, otherOnB]) {
      await sub.next(1);
      expect(sub.events).toEqual([expect.objectContaining({ accountId: accountOfB, asOf: SENTINEL_AS_OF.toISOString() })]);
    }
    const [, second] = await onA.next(2);
    expect(isSentinel(second)).toBe(true);
  });

  it('derives band, milestone-achieved and newly-overdue events from the snapshots a scoring wrote', async () => {
    const kinds = track(subscribe(appB, wsA.keys.CSM, { filter: { kinds: ['MILESTONE_ACHIEVED', 'MILESTONE_OVERDUE'] } }));
    const all = track(subscribe(t.app, wsA.keys.ANALYST));
    // on instance A: `all` plus the first test's subscriber
    await waitFor(() => appB.live.subscriberCount(wsA.id) === 1 && t.app.live.subscriberCount(wsA.id) === 2, 'subscriptions');

    const t1 = '2026-01-15T00:00:00Z'; // day 14: kickoff (day 7) already overdue, first-map (day 20) not yet due
    const t2 = '2026-01-25T00:00:00Z'; // day 24: kickoff achieved on day 16, first-map now overdue by 4 days
    const kickoff = milestones.kickoff;
    const firstMap = milestones['first-map'];
    await fx.snapshot({ accountId, outcomeId, asOf: t1, score: 75, journeyDay: 14, milestones: [
      { milestoneId: kickoff, expectedByDay: 7, achievedAt: null }, { milestoneId: firstMap, expectedByDay: 20, achievedAt: null }] });
    await fx.accountSnapshot({ accountId, asOf: t1, score: 75 });
    await fx.snapshot({ accountId, outcomeId, asOf: t2, score: 62.5, journeyDay: 24, milestones: [
      { milestoneId: kickoff, expectedByDay: 7, achievedAt: '2026-01-17T10:00:00Z' }, { milestoneId: firstMap, expectedByDay: 20, achievedAt: null }] });
    await fx.accountSnapshot({ accountId, asOf: t2, score: 62.5 });

    const result = await TenantScope.system(t.db, wsA.id).transaction(async (tx) => await publishHealthChanges(tx, { asOf: new Date(t2) }));
    // outcome band GREEN→YELLOW, account band GREEN→YELLOW, kickoff achieved, first-map newly overdue (kickoff was overdue already)
    expect(result.events).toBe(4);

    const received = await all.next(4);
    const summary = received.map((e) => [e.kind, e.outcomeId ? 'outcome' : 'account', e.milestoneName, e.fromBand, e.toBand, e.daysOverdue]);
    expect(summary).toEqual(expect.arrayContaining([
      ['BAND_CHANGED', 'outcome', null, 'GREEN', 'YELLOW', null],
      ['BAND_CHANGED', 'account', null, 'GREEN', 'YELLOW', null],
      ['MILESTONE_ACHIEVED', 'outcome', 'Kick-off held', null, null, null],
      ['MILESTONE_OVERDUE', 'outcome', 'First org chart', null, null, 4],
    ]));
    expect(received).toHaveLength(4);
    const filtered = await kinds.next(2);
    expect(filtered.map((e) => e.kind).sort()).toEqual(['MILESTONE_ACHIEVED', 'MILESTONE_OVERDUE']);
    // no more than those: the next event of a kind the filter lets through comes third
    await sentinel(t.db, wsA.id, accountId, { kind: HealthEventKind.MILESTONE_ACHIEVED, outcomeId, milestoneId: firstMap, fromBand: null, toBand: null });
    expect(isSentinel((await kinds.next(3))[2])).toBe(true);
    expect(isSentinel((await all.next(5))[4])).toBe(true);

    // Catch-up over HTTP: the same events, oldest first, scoped to the workspace.
    const caught = await t.ok(`{ healthEvents(since: "2000-01-01T00:00:00Z", filter: { kinds: [MILESTONE_OVERDUE] }) { edges { node { kind milestoneName daysOverdue } } } }`, {}, wsA.keys.ANALYST);
    expect(caught.healthEvents.edges.map((e: { node: unknown }) => e.node)).toEqual([{ kind: 'MILESTONE_OVERDUE', milestoneName: 'First org chart', daysOverdue: 4 }]);
    const none = await t.ok(`{ healthEvents(since: "2000-01-01T00:00:00Z", filter: { kinds: [MILESTONE_OVERDUE] }) { edges { node { kind } } pageInfo { hasNextPage endCursor } } }`, {}, wsB.keys.ANALYST);
    expect(none.healthEvents).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('a rolled-back scoring publishes nothing', async () => {
    const r = track(subscribe(t.app, wsA.keys.ANALYST));
    await waitFor(() => t.app.live.subscriberCount(wsA.id) === 3, 'subscription');
    await expect(TenantScope.system(t.db, wsA.id).transaction(async (tx) => {
      await publishHealthEvents(tx, [{ kind: HealthEventKind.BAND_CHANGED, accountId, outcomeId: null, fromBand: 'YELLOW', toBand: 'RED', asOf: new Date() }]);
      throw new Error('scoring failed');
    })).rejects.toThrow('scoring failed');
    await sentinel(t.db, wsA.id, accountId);
    await r.next(1);
    expect(r.events).toEqual([expect.objectContaining({ asOf: SENTINEL_AS_OF.toISOString() })]);
  });

  it('applies the same query limits to subscriptions', async () => {
    const client = createClient({ url: t.app.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${wsA.keys.ANALYST}` }, retryAttempts: 0 });
    clients.push(client);
    const aliases = Array.from({ length: 21 }, (_, i) => `k${i}: kind`).join(' ');
    const error = await new Promise<any>((resolve) => {
      client.subscribe({ query: `subscription { healthChanged { ${aliases} } }` }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
    });
    expect(Array.isArray(error)).toBe(true);
    expect(error[0].message).toBe('Aliases limit of 20 exceeded, found 21. Use fewer aliases or several requests.');
    const typo = await new Promise<any>((resolve) => {
      client.subscribe({ query: 'subscription { healthChanged { kin } }' }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
    });
    expect(typo[0].message).toBe('Cannot query field "kin" on type "HealthEvent".');
  });

  it('refuses a connection without a valid key', async () => {
    const closed = await new Promise<number>((resolve) => {
      const ws = new WebSocket(t.app.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer oh_not_a_key' } })));
      ws.on('close', (code) => resolve(code));
    });
    expect(closed).toBe(4403);
  });

  it('end to end with the real engine: scoring publishes the events of the second scoring by itself', async () => {
    const e2e = await t.workspace('Live end to end');
    const k = e2e.keys;
    const { clusters } = await t.ok(`{ clusters { id } }`, {}, k.OPS); // the default cluster
    const { createOutcome: o } = await t.ok(`mutation($c: ID!) { createOutcome(input: { clusterId: $c, name: "Onboarded" }) { id } }`, { c: clusters[0].id }, k.OPS);
    const { defineJourney: j } = await t.ok(`mutation($o: ID!) { defineJourney(outcomeId: $o, input: { stages: [
      { key: "onboarding", name: "Onboarding", startDay: 0, milestones: [
        { key: "kickoff", name: "Kick-off", expectedByDay: 7, completion: MANUAL },
        { key: "training", name: "Training", expectedByDay: 14, completion: MANUAL } ] } ] }) { stages { milestones { id key } } } }`, { o: o.id }, k.OPS);
    const mid = Object.fromEntries(j.stages[0].milestones.map((m: any) => [m.key, m.id]));
    await t.ok(`mutation($o: ID!) { defineCoin(outcomeId: $o, input: { components: [
      { key: "adherence", name: "Journey adherence", side: PROACTIVE, metric: { aggregation: JOURNEY_ADHERENCE }, scoring: { type: LINEAR, floor: 0, target: 1 } } ] }) { outcomeId } }`, { o: o.id }, k.OPS);
    const { upsertAccounts: u } = await t.ok(`mutation { upsertAccounts(accounts: [
      { externalId: "live-1", name: "Live One", journeyStartedAt: "2026-01-01T00:00:00Z" } ]) { accounts { id } } }`, {}, k.INGEST);
    const liveAccount = u.accounts[0].id;
    const scope = TenantScope.system(t.db, e2e.id);
    // Day 10: kickoff overdue (adherence 0 → RED). Then kickoff is completed on day 12.
    await scoreAccounts(scope, { asOf: new Date('2026-01-11T00:00:00Z'), persist: true });
    await t.ok(`mutation($a: ID!, $m: ID!) { completeMilestone(accountId: $a, milestoneId: $m, achievedAt: "2026-01-13T00:00:00Z") { __typename } }`,
      { a: liveAccount, m: mid.kickoff }, k.CSM);
    const sub = track(subscribe(appB, k.ANALYST));
    await waitFor(() => appB.live.subscriberCount(e2e.id) === 1, 'subscription');
    // Day 15: kickoff achieved (adherence 1/2 → 50, YELLOW), training newly overdue (due day 14).
    const asOf = new Date('2026-01-16T00:00:00Z');
    // The engine publishes the changes itself when it stores snapshots (announced on commit).
    await scoreAccounts(scope, { asOf, persist: true });
    const events = await sub.next(4);
    await sentinel(t.db, e2e.id, liveAccount); // nothing more (no duplicate) comes before it
    expect(isSentinel((await sub.next(5))[4])).toBe(true);
    expect(events.map((e) => [e.kind, e.outcomeId ? 'outcome' : 'account', e.fromBand, e.toBand, e.milestoneName, e.daysOverdue]))
      .toEqual(expect.arrayContaining([
        ['BAND_CHANGED', 'outcome', 'RED', 'YELLOW', null, null],
        ['BAND_CHANGED', 'account', 'RED', 'YELLOW', null, null],
        ['MILESTONE_ACHIEVED', 'outcome', null, null, 'Kick-off', null],
        ['MILESTONE_OVERDUE', 'outcome', null, null, 'Training', 1],
      ]));
    expect(events).toHaveLength(4);
  });
});

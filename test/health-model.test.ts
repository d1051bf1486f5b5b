/**
 * The health read model (src/health/): its column tables build the entities, and "change over N days" is one rule with
 * one bound, read the same way by `change(days:)`, the list's SCORE_CHANGE sort and `movers`.
 */
import { ACCOUNT_RESULT_COLUMNS, OUTCOME_RESULT_COLUMNS, sqlName } from '../src/health/health.columns';
import { AccountHealthSnapshot, CurrentAccountHealth, CurrentOutcomeHealth, HealthSnapshot } from '../src/health/health.entity';
import { MAX_CHANGE_DAYS } from '../src/health/health.change';
import { HealthFixture } from './support/health-fixtures';
import { TestWorkspace, useTestServer } from './support/harness';

describe('the health read model', () => {
  const t = useTestServer();
  let ws: TestWorkspace;
  let outcomeId: string;

  // Account a: 60 ten days before now, 85 now (+25).
  beforeAll(async () => {
    ws = await t.workspace();
    const f = new HealthFixture(t.db, ws.id);
    const cluster = await f.cluster('Managed');
    outcomeId = await f.outcome(cluster, 'Stakeholder intelligence');
    const a = await f.account({ externalId: 'a', name: 'A', clusterId: cluster });
    await f.snapshot({ accountId: a, outcomeId, asOf: '2026-03-01T00:00:00Z', score: 60, journeyStatus: null, stageId: null });
    await f.snapshot({ accountId: a, outcomeId, asOf: '2026-03-11T00:00:00Z', score: 85, journeyStatus: null, stageId: null, current: true });
    await f.accountSnapshot({ accountId: a, asOf: '2026-03-01T00:00:00Z', score: 60, worstJourneyStatus: null });
    await f.accountSnapshot({ accountId: a, asOf: '2026-03-11T00:00:00Z', score: 85, worstJourneyStatus: null, current: true });
  });

  it.each([
    ['health_snapshots', HealthSnapshot, OUTCOME_RESULT_COLUMNS],
    ['current_outcome_health', CurrentOutcomeHealth, OUTCOME_RESULT_COLUMNS],
    ['account_health_snapshots', AccountHealthSnapshot, ACCOUNT_RESULT_COLUMNS],
    ['current_account_health', CurrentAccountHealth, ACCOUNT_RESULT_COLUMNS],
  ])('the entity of %s is built from the column table', (table, entity, columns) => {
    const meta = t.db.getMetadata(entity);
    expect(meta.tableName).toBe(table);
    const have = new Map(meta.columns.map((c) => [c.propertyName, c]));
    for (const [property, spec] of Object.entries(columns)) {
      expect(have.get(property)?.databaseName).toBe(sqlName(property));
      expect(have.get(property)?.type).toBe(spec.type);
    }
  });

  const CHANGE = `query($d: Int!) { accountByExternalId(externalId: "a") { outcomes { change(days: $d) { delta fromScore } } } }`;
  const SORT = `query($d: Int!) { accounts(orderBy: { field: SCORE_CHANGE, changeDays: $d }) { edges { node { externalId } } } }`;
  const MOVERS = `query($d: Int!, $o: ID) { movers(scope: { outcomeId: $o }, days: $d, limit: 5) { rises { account { externalId } delta } } }`;

  it('finds the same past snapshot for change, the list sort and movers', async () => {
    for (const [days, delta] of [[10, 25], [11, null]] as const) {
      const change = await t.ok(CHANGE, { d: days }, ws.keys.ANALYST);
      expect(change.accountByExternalId.outcomes[0].change?.delta ?? null).toBe(delta);
      const movers = await t.ok(MOVERS, { d: days, o: outcomeId }, ws.keys.ANALYST);
      expect(movers.movers.rises.map((m: any) => m.delta)).toEqual(delta === null ? [] : [delta]);
    }
    const sorted = await t.ok(SORT, { d: 10 }, ws.keys.ANALYST);
    expect(sorted.accounts.edges.map((e: any) => e.node.externalId)).toEqual(['a']);
  });

  it.each([
    ['change(days:)', CHANGE, 'days'],
    ['accounts(orderBy: SCORE_CHANGE)', SORT, 'orderBy.changeDays'],
    ['movers', MOVERS, 'days'],
  ])('%s accepts up to the bound and refuses more with the same message', async (_name, query, field) => {
    const ok = await t.gql(query, { d: MAX_CHANGE_DAYS, o: outcomeId }, ws.keys.ANALYST);
    expect(ok.errors).toBeUndefined();
    for (const d of [0, MAX_CHANGE_DAYS + 1]) {
      const bad = await t.gql(query, { d, o: outcomeId }, ws.keys.ANALYST);
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(bad.errors?.[0].message).toContain(`from 1 to ${MAX_CHANGE_DAYS}`);
    }
  });
});

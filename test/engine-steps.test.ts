/**
 * The engine's PERCENTILE peer distribution is chosen in one place (src/scoring/engine.percentile.ts): which
 * implementation serves each situation, written out as a table.
 */
import { randomUUID } from 'node:crypto';
import { configRows, type StepContext } from '../src/scoring/engine.config';
import { choosePeerDistribution, type PeerCache } from '../src/scoring/engine.percentile';
import type { ComponentConfig, ModelConfig } from '../src/scoring/model-config';
import { createRun } from '../src/scoring/runs.service';
import { TenantScope } from '../src/shared/tenant';
import { useTestServer } from './support/harness';
import { createLoginModel } from './support/scoring-model';

const component = (aggregation: string, type: 'LINEAR' | 'PERCENTILE'): ComponentConfig => ({
  id: randomUUID(), key: `${aggregation}-${type}`, name: aggregation, side: 'REACTIVE', weight: 1, position: 0,
  metric: { aggregation, signalType: aggregation === 'JOURNEY_ADHERENCE' ? null : 'login', windowDays: 30 },
  scoring: type === 'LINEAR' ? { type, floor: 0, target: 10 } : { type, higherIsBetter: true }, stageOverrides: [], applicability: null,
});
const model = (...components: ComponentConfig[]): ModelConfig => ({
  thresholds: { redBelow: 40, yellowBelow: 70 }, clusters: [],
  outcomes: [{ id: randomUUID(), clusterId: randomUUID(), name: 'Adoption', weight: 1, coin: { proactiveWeight: 1, reactiveWeight: 1, components }, journey: null }],
});

describe('the PERCENTILE peer distribution, chosen in one place', () => {
  const t = useTestServer();
  let scope: TenantScope;
  let run: PeerCache;

  beforeAll(async () => {
    const ws = await t.workspace();
    scope = TenantScope.system(t.db, ws.id);
    await createLoginModel(t.db, ws.id, 2);
    run = { runId: (await createRun(scope, {}, { chunkSize: 10 })).id, modelHash: 'h' };
  });

  const choose = async (config: ModelConfig, ids: string[] | null, forRun: PeerCache | null) => {
    const ctx: StepContext = { tx: scope, config, rows: configRows(config), asOf: new Date('2026-03-01T00:00:00Z'), ids, accounts: 'accounts', step: async () => undefined };
    return (await choosePeerDistribution(ctx, forRun)).name;
  };
  const some = [randomUUID()];

  it.each([
    ['no PERCENTILE component', model(component('COUNT', 'LINEAR')), some, false, 'none'],
    ['a whole-workspace scoring', model(component('COUNT', 'PERCENTILE')), null, false, 'scored'],
    ['a targeted rescore', model(component('COUNT', 'PERCENTILE')), some, false, 'lean'],
    ['a targeted rescore ranking journey adherence (needs the peers\' journeys)', model(component('JOURNEY_ADHERENCE', 'PERCENTILE')), some, false, 'scored'],
    ['a run\'s first chunk', model(component('COUNT', 'PERCENTILE')), some, true, 'lean, stored for the run'],
    ['a run\'s first chunk ranking journey adherence', model(component('JOURNEY_ADHERENCE', 'PERCENTILE')), some, true, 'scored, stored for the run'],
  ])('%s', async (_what, config, ids, forRun, expected) => {
    expect(await choose(config, ids, forRun ? run : null)).toBe(expected);
  });

  it('a run\'s later chunk reads what its first chunk stored', async () => {
    const config = model(component('COUNT', 'PERCENTILE'));
    await t.db.query(`INSERT INTO scoring_peer_distributions (workspace_id, run_id, model_hash, component_id, vals, lowers, equals, total)
      VALUES ($1, $2, $3, $4, '{1}', '{0}', '{1}', 1)`, [scope.workspaceId, run.runId, run.modelHash, config.outcomes[0].coin!.components[0].id]);
    expect(await choose(config, some, run)).toBe('stored');
    expect(await choose(config, some, { ...run, modelHash: 'another model' })).toBe('lean, stored for the run');
  });
});

/**
 * The whole scoring configuration of a workspace, loaded once per scoring call (it is small),
 * in a canonical form: its sha256 is the model version every snapshot records.
 */
import { createHash } from 'node:crypto';
import { Cluster } from '../clusters/cluster.entity';
import { Coin, Component } from '../coins/coin.entity';
import { Journey, JourneyStage, Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import type { RuleJson } from '../rules/rule.types';
import type { TenantScope } from '../shared/tenant';
import { Workspace } from '../workspaces/workspace.entity';

export interface ScoringFn {
  type: 'LINEAR' | 'BANDS' | 'PERCENTILE' | 'CATEGORICAL';
  floor?: number | null;
  target?: number | null;
  bands?: Array<{ min: number; score: number }> | null;
  higherIsBetter?: boolean | null;
  categories?: Array<{ value: string; score: number }> | null;
  defaultScore?: number | null;
}

export interface ComponentConfig {
  id: string;
  key: string;
  name: string;
  side: 'PROACTIVE' | 'REACTIVE';
  weight: number;
  position: number;
  metric: { aggregation: string; signalType?: string | null; subject?: string | null; windowDays?: number | null; normalizeBy?: string | null; attribute?: string | null };
  scoring: ScoringFn;
  stageOverrides: Array<{ stageKey: string; scoring: ScoringFn }>;
  applicability: RuleJson | null;
}

export interface MilestoneConfig {
  id: string;
  key: string;
  name: string;
  stageId: string;
  expectedByDay: number;
  weight: number;
  position: number;
  completion: 'AUTOMATIC' | 'MANUAL';
  rule: { signalType: string; subject?: string | null; aggregation: string; atLeast: number } | null;
}

export interface OutcomeConfig {
  id: string;
  clusterId: string;
  name: string;
  weight: number;
  coin: { proactiveWeight: number; reactiveWeight: number; components: ComponentConfig[] } | null;
  journey: {
    stuckAfterDays: number;
    stages: Array<{ id: string; key: string; name: string; startDay: number }>;
    milestones: MilestoneConfig[];
  } | null;
}

export interface ModelConfig {
  thresholds: { redBelow: number; yellowBelow: number };
  clusters: Array<{ id: string; name: string; priority: number; isDefault: boolean; rule: RuleJson | null }>;
  /** Active outcomes only: inactive ones are not scored. */
  outcomes: OutcomeConfig[];
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Read the configuration (eight small queries, independent of the number of accounts). */
export async function loadModelConfig(scope: TenantScope): Promise<ModelConfig> {
  // Sequential on purpose: inside a transaction they share one connection.
  const ws = await scope.withManager((em) => em.findOneByOrFail(Workspace, { id: scope.workspaceId }));
  const clusters = await scope.find(Cluster);
  const outcomes = await scope.find(Outcome, { where: { active: true } });
  const coins = await scope.find(Coin);
  const components = await scope.find(Component);
  const journeys = await scope.find(Journey);
  const stages = await scope.find(JourneyStage);
  const milestones = await scope.find(Milestone);
  const outcomeConfigs: OutcomeConfig[] = outcomes.sort(byId).map((o) => {
    const coin = coins.find((c) => c.outcomeId === o.id);
    const journey = journeys.find((j) => j.outcomeId === o.id);
    return {
      id: o.id,
      clusterId: o.clusterId,
      name: o.name,
      weight: o.weight,
      coin: coin ? {
        proactiveWeight: coin.proactiveWeight,
        reactiveWeight: coin.reactiveWeight,
        components: components.filter((c) => c.outcomeId === o.id)
          .sort((a, b) => a.position - b.position || byId(a, b))
          .map((c) => ({
            id: c.id, key: c.key, name: c.name, side: c.side, weight: c.weight, position: c.position,
            metric: { ...c.metric }, scoring: { ...c.scoring }, stageOverrides: c.stageOverrides ?? [], applicability: c.applicability ?? null,
          })),
      } : null,
      journey: journey ? {
        stuckAfterDays: journey.stuckAfterDays,
        stages: stages.filter((s) => s.outcomeId === o.id).sort((a, b) => a.startDay - b.startDay)
          .map((s) => ({ id: s.id, key: s.key, name: s.name, startDay: s.startDay })),
        milestones: milestones.filter((m) => m.outcomeId === o.id)
          .sort((a, b) => a.expectedByDay - b.expectedByDay || a.position - b.position || byId(a, b))
          .map((m) => ({
            id: m.id, key: m.key, name: m.name, stageId: m.stageId, expectedByDay: m.expectedByDay, weight: m.weight,
            position: m.position, completion: m.completion as MilestoneConfig['completion'], rule: m.rule ? { ...m.rule } : null,
          })),
      } : null,
    };
  });
  return {
    thresholds: { redBelow: ws.redBelow, yellowBelow: ws.yellowBelow },
    clusters: clusters.sort(byId).map((c) => ({ id: c.id, name: c.name, priority: c.priority, isDefault: c.isDefault, rule: c.rule })),
    outcomes: outcomeConfigs,
  };
}

/** JSON with sorted object keys, so equal configurations hash equally. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export function modelHash(config: ModelConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

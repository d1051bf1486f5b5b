/**
 * The engine's ModelConfig of a document: exactly what loadModelConfig reads once the document is published
 * (same ids, same order, same normalised values), so that its hash is the hash the published model gets.
 */
import type { ModelConfig, OutcomeConfig } from '../scoring/model-config';
import { DEFAULT_CLUSTER_PRIORITY } from '../workspaces/workspace.service';
import type { ModelDocument } from './model.document';
import type { IdMap } from './model.ids';

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function documentToConfig(doc: ModelDocument, ids: IdMap): ModelConfig {
  const id = (path: string) => {
    const v = ids[path];
    if (!v) throw new Error(`No id for ${path}`);
    return v;
  };
  const outcomes: OutcomeConfig[] = doc.outcomes.filter((o) => o.active).map((o) => {
    const coin = doc.coins.find((c) => c.outcome === o.key);
    const journey = doc.journeys.find((j) => j.outcome === o.key);
    let position = 0;
    return {
      id: id(`outcome:${o.key}`),
      clusterId: id(`cluster:${o.cluster}`),
      name: o.name,
      weight: o.weight,
      coin: coin ? {
        proactiveWeight: coin.proactiveWeight,
        reactiveWeight: coin.reactiveWeight,
        components: coin.components.map((c, i) => ({
          id: id(`component:${o.key}/${c.key}`), key: c.key, name: c.name, side: c.side, weight: c.weight, position: i,
          metric: { ...c.metric }, scoring: { ...c.scoring }, stageOverrides: c.stageOverrides, applicability: c.applicability,
        })).sort((a, b) => a.position - b.position || byId(a, b)),
      } : null,
      journey: journey ? {
        stuckAfterDays: journey.stuckAfterDays,
        stages: [...journey.stages].sort((a, b) => a.startDay - b.startDay)
          .map((s) => ({ id: id(`stage:${o.key}/${s.key}`), key: s.key, name: s.name, startDay: s.startDay })),
        milestones: journey.stages.flatMap((s) => s.milestones.map((m) => ({
          id: id(`milestone:${o.key}/${m.key}`), key: m.key, name: m.name, stageId: id(`stage:${o.key}/${s.key}`),
          expectedByDay: m.expectedByDay, weight: m.weight, position: position++, completion: m.completion, rule: m.rule ? { ...m.rule } : null,
        }))).sort((a, b) => a.expectedByDay - b.expectedByDay || a.position - b.position || byId(a, b)),
      } : null,
    };
  }).sort(byId);
  return {
    thresholds: { redBelow: doc.thresholds.redBelow, yellowBelow: doc.thresholds.yellowBelow },
    clusters: doc.clusters.map((c) => ({
      id: id(`cluster:${c.key}`), name: c.name, priority: c.isDefault ? DEFAULT_CLUSTER_PRIORITY : c.priority!, isDefault: c.isDefault, rule: c.rule,
    })).sort(byId),
    outcomes,
  };
}

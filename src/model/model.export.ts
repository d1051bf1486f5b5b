/** The live model of a workspace as a document, and the ids of its entities by key path (a handful of small queries). */
import { clustersInOrder } from '../clusters/cluster.assign';
import { Coin, Component } from '../coins/coin.entity';
import { Journey, JourneyStage, Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import type { TenantScope } from '../shared/tenant';
import { Workspace } from '../workspaces/workspace.entity';
import { sortDocument, type ComponentDoc, type MilestoneDoc, type ModelDocument } from './model.document';
import type { IdMap } from './model.ids';

export async function exportLiveModel(scope: TenantScope): Promise<{ document: ModelDocument; ids: IdMap }> {
  // Sequential on purpose: inside a transaction they share one connection.
  const ws = await scope.withManager((em) => em.findOneByOrFail(Workspace, { id: scope.workspaceId }));
  const clusters = await clustersInOrder(scope);
  const outcomes = await scope.find(Outcome, { order: { createdAt: 'ASC', id: 'ASC' } });
  const coins = await scope.find(Coin);
  const components = await scope.find(Component, { order: { position: 'ASC', id: 'ASC' } });
  const journeys = await scope.find(Journey);
  const stages = await scope.find(JourneyStage, { order: { startDay: 'ASC' } });
  const milestones = await scope.find(Milestone, { order: { position: 'ASC', id: 'ASC' } });
  const ids: IdMap = {};
  const clusterKey = new Map(clusters.map((c) => [c.id, c.key]));
  const outcomeKey = new Map(outcomes.map((o) => [o.id, o.key]));
  for (const c of clusters) ids[`cluster:${c.key}`] = c.id;
  for (const o of outcomes) ids[`outcome:${o.key}`] = o.id;
  for (const s of stages) ids[`stage:${outcomeKey.get(s.outcomeId)}/${s.key}`] = s.id;
  for (const m of milestones) ids[`milestone:${outcomeKey.get(m.outcomeId)}/${m.key}`] = m.id;
  for (const c of components) ids[`component:${outcomeKey.get(c.outcomeId)}/${c.key}`] = c.id;
  const document: ModelDocument = {
    thresholds: { redBelow: ws.redBelow, yellowBelow: ws.yellowBelow },
    clusters: clusters.map((c) => ({
      key: c.key, name: c.name, description: c.description, priority: c.isDefault ? null : c.priority, isDefault: c.isDefault, rule: c.rule,
    })),
    outcomes: outcomes.map((o) => ({
      key: o.key, cluster: clusterKey.get(o.clusterId)!, name: o.name, description: o.description, weight: o.weight, active: o.active,
    })),
    journeys: journeys.map((j) => ({
      outcome: outcomeKey.get(j.outcomeId)!,
      stuckAfterDays: j.stuckAfterDays,
      stages: stages.filter((s) => s.outcomeId === j.outcomeId).map((s) => ({
        key: s.key, name: s.name, startDay: s.startDay,
        milestones: milestones.filter((m) => m.stageId === s.id).map((m): MilestoneDoc => ({
          key: m.key, name: m.name, expectedByDay: m.expectedByDay, weight: m.weight, completion: m.completion as MilestoneDoc['completion'],
          rule: m.rule ? { signalType: m.rule.signalType, subject: m.rule.subject ?? null, aggregation: m.rule.aggregation, atLeast: m.rule.atLeast } : null,
        })),
      })),
    })),
    coins: coins.map((c) => ({
      outcome: outcomeKey.get(c.outcomeId)!,
      proactiveWeight: c.proactiveWeight,
      reactiveWeight: c.reactiveWeight,
      components: components.filter((k) => k.outcomeId === c.outcomeId).map((k): ComponentDoc => ({
        key: k.key, name: k.name, side: k.side, weight: k.weight,
        metric: {
          aggregation: k.metric.aggregation, signalType: k.metric.signalType ?? null, subject: k.metric.subject ?? null,
          windowDays: k.metric.windowDays ?? null, normalizeBy: k.metric.normalizeBy ?? null,
          ...(k.metric.attribute ? { attribute: k.metric.attribute } : {}), // ATTRIBUTE metrics only
        },
        scoring: { ...k.scoring } as ComponentDoc['scoring'],
        stageOverrides: (k.stageOverrides ?? []) as ComponentDoc['stageOverrides'],
        applicability: k.applicability ?? null,
      })),
    })),
  };
  return { document: sortDocument(document), ids };
}

/**
 * What changed between two model documents, in the domain's words ("component `login_frequency` of
 * `adoption`: weight 20 → 30", "milestone `first_qbr` of `adoption` added"), one line per change, not a JSON patch.
 */
import { ruleToText } from '../rules/rule.sql';
import type { RuleJson } from '../rules/rule.types';
import { canonicalJson } from '../scoring/model-config';
import type { ComponentDoc, MilestoneDoc, ModelDocument } from './model.document';

export type ChangeKind = 'ADDED' | 'REMOVED' | 'CHANGED';
export interface ModelChange {
  kind: ChangeKind;
  /** What it is about: `thresholds`, `cluster`, `outcome`, `journey`, `stage`, `milestone`, `coin`, `component`. */
  entity: string;
  /** Its key (`outcome/key` for what belongs to an outcome). */
  key: string;
  /** The field that changed (CHANGED only). */
  field: string | null;
  text: string;
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
const num = (n: number | null | undefined) => (n === null || n === undefined ? 'none' : String(n));
const rule = (r: RuleJson | null) => (r ? ruleToText(r) : 'none');
export function scoringText(s: ComponentDoc['scoring']): string {
  if (s.type === 'LINEAR') return `LINEAR from ${num(s.floor)} (0 points) to ${num(s.target)} (100 points)`;
  if (s.type === 'BANDS') return `BANDS ${(s.bands ?? []).map((b) => `≥${b.min}: ${b.score}`).join(', ')}`;
  return `PERCENTILE (${s.higherIsBetter ? 'higher' : 'lower'} is better)`;
}
function metricText(m: ComponentDoc['metric']): string {
  const what = m.aggregation === 'JOURNEY_ADHERENCE' ? 'JOURNEY_ADHERENCE'
    : `${m.aggregation}(${m.signalType}${m.subject ? `:${m.subject}` : ''})`;
  return `${what}${m.windowDays ? ` over ${m.windowDays} days` : ''}${m.normalizeBy ? ` per ${m.normalizeBy}` : ''}`;
}
function milestoneRuleText(r: MilestoneDoc['rule']): string {
  return r ? `${r.aggregation}(${r.signalType}${r.subject ? `:${r.subject}` : ''}) >= ${r.atLeast}` : 'none';
}

/** Changes that turn `from` into `to`. */
export function diffDocuments(from: ModelDocument, to: ModelDocument): ModelChange[] {
  const out: ModelChange[] = [];
  const add = (kind: ChangeKind, entity: string, key: string, field: string | null, text: string) => out.push({ kind, entity, key, field, text });
  const label = (entity: string, key: string) => `${entity} \`${key.includes('/') ? key.split('/')[1] : key}\`${key.includes('/') ? ` of \`${key.split('/')[0]}\`` : ''}`;
  /** Compare keyed lists: added, removed, and `fields` of the ones in both. */
  function lists<T>(entity: string, a: T[], b: T[], keyOf: (x: T) => string,
    fields: Array<[string, (x: T) => unknown, ((v: never) => string)?]>, inner?: (x: T, y: T) => void) {
    const am = new Map(a.map((x) => [keyOf(x), x]));
    const bm = new Map(b.map((x) => [keyOf(x), x]));
    for (const [k, x] of am) {
      const y = bm.get(k);
      if (!y) { add('REMOVED', entity, k, null, `${label(entity, k)} removed`); continue; }
      for (const [field, get, show] of fields) {
        const [va, vb] = [get(x), get(y)];
        if (same(va, vb)) continue;
        const s = (show ?? ((v: unknown) => (typeof v === 'string' ? `"${v}"` : canonicalJson(v)))) as (v: unknown) => string;
        add('CHANGED', entity, k, field, `${label(entity, k)}: ${field} ${field === 'rule' ? `changed from ${s(va)} to ${s(vb)}` : `${s(va)} → ${s(vb)}`}`);
      }
      inner?.(x, y);
    }
    for (const k of bm.keys()) if (!am.has(k)) add('ADDED', entity, k, null, `${label(entity, k)} added`);
  }

  for (const f of ['redBelow', 'yellowBelow'] as const) {
    if (from.thresholds[f] !== to.thresholds[f]) add('CHANGED', 'thresholds', f, f, `band threshold ${f} ${from.thresholds[f]} → ${to.thresholds[f]}`);
  }
  lists('cluster', from.clusters, to.clusters, (c) => c.key, [
    ['name', (c) => c.name], ['description', (c) => c.description], ['priority', (c) => c.priority, num as never],
    ['isDefault', (c) => c.isDefault], ['rule', (c) => c.rule, ((r: RuleJson | null) => `\`${rule(r)}\``) as never],
  ]);
  lists('outcome', from.outcomes, to.outcomes, (o) => o.key, [
    ['cluster', (o) => o.cluster], ['name', (o) => o.name], ['description', (o) => o.description],
    ['weight', (o) => o.weight, num as never], ['active', (o) => o.active],
  ]);
  lists('journey', from.journeys, to.journeys, (j) => j.outcome, [['stuckAfterDays', (j) => j.stuckAfterDays, num as never]], (ja, jb) => {
    type S = ModelDocument['journeys'][number]['stages'][number];
    lists<S>('stage', ja.stages, jb.stages, (s) => `${ja.outcome}/${s.key}`, [['name', (s) => s.name], ['startDay', (s) => s.startDay, num as never]]);
    const ms = (j: typeof ja) => j.stages.flatMap((s) => s.milestones.map((m) => ({ ...m, stage: s.key })));
    lists<MilestoneDoc & { stage: string }>('milestone', ms(ja), ms(jb), (m) => `${ja.outcome}/${m.key}`, [
      ['name', (m) => m.name], ['stage', (m) => m.stage], ['expectedByDay', (m) => m.expectedByDay, num as never],
      ['weight', (m) => m.weight, num as never], ['completion', (m) => m.completion],
      ['rule', (m) => m.rule, ((r: MilestoneDoc['rule']) => `\`${milestoneRuleText(r)}\``) as never],
    ]);
  });
  lists('coin', from.coins, to.coins, (c) => c.outcome, [
    ['proactiveWeight', (c) => c.proactiveWeight, num as never], ['reactiveWeight', (c) => c.reactiveWeight, num as never],
  ], (ca, cb) => {
    lists<ComponentDoc>('component', ca.components, cb.components, (c) => `${ca.outcome}/${c.key}`, [
        ['name', (c) => c.name], ['side', (c) => c.side], ['weight', (c) => c.weight, num as never],
        ['metric', (c) => c.metric, metricText as never], ['scoring', (c) => c.scoring, scoringText as never],
        ['stageOverrides', (c) => c.stageOverrides,
          ((o: ComponentDoc['stageOverrides']) => (o.length ? o.map((x) => `${x.stageKey}: ${scoringText(x.scoring)}`).join('; ') : 'none')) as never],
        ['applicability', (c) => c.applicability, ((r: RuleJson | null) => `\`${r ? ruleToText(r) : 'every account'}\``) as never],
      ]);
  });
  return out;
}

/**
 * Step 0 of the engine: the model as small typed rows (temp tables _outcomes, _stages, _components, _scoring_fns,
 * _milestones), so that no jsonb configuration is parsed per account; and the context every step receives.
 */
import type { TenantScope } from '../shared/tenant';
import { METRIC_KINDS, type MetricColumn } from './engine.kinds';
import type { ComponentConfig, ModelConfig, ScoringFn } from './model-config';

/** A metric spec: what one pass over the signals must aggregate (shared by components with the same signals/window). */
export interface MetricSpec {
  spec_id: number;
  signal_type: string;
  subject: string | null;
  window_days: number | null;
  need_days: boolean;
  need_subjects: boolean;
  need_sum: boolean;
  need_minmax: boolean;
  need_latest: boolean;
  need_last: boolean;
  percentile: boolean;
}

export function isPercentile(c: ComponentConfig): boolean {
  return c.scoring.type === 'PERCENTILE' || c.stageOverrides.some((o) => o.scoring.type === 'PERCENTILE');
}

const reads = (agg: string, ...cols: MetricColumn[]) => (METRIC_KINDS[agg]?.reads ?? []).some((c) => cols.includes(c));

/** Flatten the configuration into rows: the step-0 temp tables, and the inline metric specs and milestone rules. */
export function configRows(config: ModelConfig) {
  const outcomes = config.outcomes.map((o) => ({
    outcome_id: o.id, cluster_id: o.clusterId, weight: o.weight,
    wp: o.coin?.proactiveWeight ?? null, wr: o.coin?.reactiveWeight ?? null,
    has_journey: !!o.journey, stuck_after: o.journey?.stuckAfterDays ?? null,
    last_stage_id: o.journey?.stages.at(-1)?.id ?? null,
  }));
  const stages = config.outcomes.flatMap((o) => (o.journey?.stages ?? []).map((s) => ({ outcome_id: o.id, stage_id: s.id, key: s.key, start_day: s.startDay })));
  const specs = new Map<string, MetricSpec>();
  const fns: Array<{ fn_id: number; component_id: string; stage_key: string | null; type: string; floor: number; target: number; bands: unknown[]; hib: boolean;
    categories: Array<{ value: string; score: number }>; default_score: number | null }> = [];
  const components = config.outcomes.flatMap((o) => (o.coin?.components ?? []).map((c) => {
    const agg = c.metric.aggregation;
    const kind = METRIC_KINDS[agg];
    const pct = isPercentile(c);
    let specId: number | null = null;
    if (kind?.fromSignals && c.metric.signalType) {
      // A kind that ignores the window (DAYS_SINCE) gets a window-less spec of its own.
      const windowDays = kind.windowed ? (c.metric.windowDays ?? null) : null;
      const k = JSON.stringify([c.metric.signalType, c.metric.subject ?? null, windowDays]);
      let s = specs.get(k);
      if (!s) {
        s = { spec_id: specs.size + 1, signal_type: c.metric.signalType, subject: c.metric.subject ?? null, window_days: windowDays,
          need_days: false, need_subjects: false, need_sum: false, need_minmax: false, need_latest: false, need_last: false, percentile: false };
        specs.set(k, s);
      }
      s.need_days ||= reads(agg, 'days');
      s.need_subjects ||= reads(agg, 'subjects');
      s.need_sum ||= reads(agg, 'sum_v', 'n_v');
      s.need_minmax ||= reads(agg, 'min_v', 'max_v');
      s.need_latest ||= reads(agg, 'latest_v');
      s.need_last ||= reads(agg, 'last_at');
      s.percentile ||= pct;
      specId = s.spec_id;
    }
    // Scoring functions as typed rows (default: stage_key null; one per stage override), so no jsonb is parsed per account.
    const stageKeys = new Set((o.journey?.stages ?? []).map((s) => s.key));
    const addFn = (stageKey: string | null, f: ScoringFn) => {
      fns.push({ fn_id: fns.length + 1, component_id: c.id, stage_key: stageKey, type: f.type, floor: f.floor ?? 0, target: f.target ?? 0,
        bands: f.bands ?? [], hib: f.higherIsBetter ?? true, categories: f.categories ?? [], default_score: f.defaultScore ?? null });
      return fns.length;
    };
    const fnId = addFn(null, c.scoring);
    for (const ov of c.stageOverrides) if (stageKeys.has(ov.stageKey)) addFn(ov.stageKey, ov.scoring);
    return {
      component_id: c.id, outcome_id: o.id, key: c.key, name: c.name, side: c.side, weight: c.weight, position: c.position,
      agg, spec_id: specId, normalize_by: c.metric.normalizeBy ?? null, fn_id: fnId, percentile: pct, attr: c.metric.attribute ?? null,
    };
  }));
  // Automatic milestones with the same signal type, subject and aggregation share one running measure.
  const rules = new Map<string, { rule_id: number; signal_type: string; subject: string | null; agg: string }>();
  const milestones = config.outcomes.flatMap((o) => (o.journey?.milestones ?? []).map((m) => {
    const stageIndex = o.journey!.stages.findIndex((s) => s.id === m.stageId); // stages come ordered by start day
    let ruleId: number | null = null;
    if (m.completion === 'AUTOMATIC' && m.rule) {
      const k = JSON.stringify([m.rule.signalType, m.rule.subject ?? null, m.rule.aggregation]);
      if (!rules.has(k)) rules.set(k, { rule_id: rules.size + 1, signal_type: m.rule.signalType, subject: m.rule.subject ?? null, agg: m.rule.aggregation });
      ruleId = rules.get(k)!.rule_id;
    }
    return {
      milestone_id: m.id, outcome_id: o.id, stage_id: m.stageId, stage_index: stageIndex, key: m.key, expected_by_day: m.expectedByDay,
      weight: m.weight, position: m.position, completion: m.completion, rule_id: ruleId, at_least: ruleId ? m.rule!.atLeast : null,
    };
  }));
  return { outcomes, stages, components, fns, specs: [...specs.values()], milestones, rules: [...rules.values()] };
}

export type ConfigRows = ReturnType<typeof configRows>;

/** What every step reads: the transaction, the model (as configured and as rows), the time and the accounts scored. */
export interface StepContext {
  tx: TenantScope;
  config: ModelConfig;
  rows: ConfigRows;
  asOf: Date;
  /** The accounts to score; null: every account of the workspace. */
  ids: string[] | null;
  /** SQL of the accounts relation (id, workspace_id, attributes, journey_started_at, cluster_id): `accounts`, or the
   *  accounts with the clusters a draft's rules assign them (ScoreOptions.assignClusters). */
  accounts: string;
  /** Run one statement that builds the temp table `name`, timed (and analysed, when later joins need its statistics). */
  step: (name: string, sql: string, params?: unknown[]) => Promise<void>;
}

/** Every temp table the engine builds, in the order it builds them (dropped at commit). */
export const TEMP_TABLES = ['_outcomes', '_stages', '_components', '_scoring_fns', '_milestones', '_accounts', '_account_outcomes',
  '_metric_values', '_milestone_achievements', '_journeys', '_peer_distribution', '_component_scores', '_outcome_health', '_account_health', '_assigned_clusters'];

/** Step 0: the configuration as temp tables. */
export async function step0ModelAsRows({ rows, step }: StepContext): Promise<void> {
  await step('_outcomes', `CREATE TEMP TABLE _outcomes ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(outcome_id uuid, cluster_id uuid, weight float8, wp float8, wr float8, has_journey boolean, stuck_after int, last_stage_id uuid)`,
  [JSON.stringify(rows.outcomes)]);
  await step('_stages', `CREATE TEMP TABLE _stages ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(outcome_id uuid, stage_id uuid, key text, start_day int)`, [JSON.stringify(rows.stages)]);
  await step('_components', `CREATE TEMP TABLE _components ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(component_id uuid, outcome_id uuid, key text, name text, side text, weight float8, position int, agg text, spec_id int,
         normalize_by text, fn_id int, percentile boolean, attr text)`, [JSON.stringify(rows.components)]);
  await step('_scoring_fns', `CREATE TEMP TABLE _scoring_fns ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(fn_id int, component_id uuid, stage_key text, type text, floor float8, target float8, bands jsonb, hib boolean)`, [JSON.stringify(rows.fns)]);
  await step('_milestones', `CREATE TEMP TABLE _milestones ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(milestone_id uuid, outcome_id uuid, stage_id uuid, stage_index int, key text, expected_by_day int, weight float8, position int, completion text,
         rule_id int, at_least float8)`, [JSON.stringify(rows.milestones)]);
}

/**
 * The report of a backtest, from its stored scores: overall (account health), per cluster, per desired outcome
 * (the outcome's own score), per component (its own score), per lifecycle kind; with the warnings an analyst needs
 * before trusting a figure.
 */
import type { ModelConfig } from '../scoring/model-config';
import type { TenantScope } from '../shared/tenant';
import { ContractedAs, type Backtest } from './backtest.entity';
import type { BacktestReport, ComponentEvidence, Separation, SegmentFigures } from './backtest.types';
import { auc, bootstrapAucInterval, calibration, churnByBand, mean, rate, topDecileLift, type Case } from './statistics';

/**
 * Below this many churned (or retained) cases a figure is flagged `tooFew`: with 30 churners the 95 % interval of an
 * AUC around 0.7 is still about ±0.1 wide, so smaller samples cannot tell a useful model from a useless one.
 */
export const MIN_CHURNERS = 30;
/** An AUC above this (or a component below 1 − this) is implausible for churn: something probably leaks the label. */
export const LEAKAGE_AUC = 0.95;
const BANDS = ['RED', 'YELLOW', 'GREEN'];

/** churned / retained / left out, for a lifecycle kind under the backtest's ContractedAs. */
export function labelOf(kind: string, contractedAs: ContractedAs): boolean | null {
  if (kind === 'CHURNED') return true;
  if (kind === 'CONTRACTED') return contractedAs === ContractedAs.CHURNED ? true : contractedAs === ContractedAs.EXCLUDED ? null : false;
  return false;
}

interface Row { score: number | null; band: string | null; churned: boolean }

export function separation(rows: readonly Row[], seed = 12): Separation {
  const cases: Case[] = rows.filter((r) => r.score !== null).map((r) => ({ score: r.score!, churned: r.churned }));
  const churners = cases.filter((c) => c.churned).length;
  const ci = bootstrapAucInterval(cases, { seed });
  return {
    n: cases.length, churners, auc: auc(cases), aucLow: ci?.low ?? null, aucHigh: ci?.high ?? null,
    churnRate: rate(cases.length, churners).churnRate, topDecileLift: topDecileLift(cases).lift,
    bands: churnByBand(rows.filter((r) => r.score !== null).map((r) => ({ band: r.band ?? 'UNKNOWN', churned: r.churned })), BANDS),
    tooFew: churners < MIN_CHURNERS || cases.length - churners < MIN_CHURNERS,
  };
}

export async function buildReport(scope: TenantScope, bt: Backtest, config: ModelConfig): Promise<BacktestReport> {
  const cases = await scope.query<{ kind: string; cluster_id: string | null; score: number | null; band: string | null }>(
    `SELECT kind, cluster_id, score, band FROM backtest_cases WHERE workspace_id = $1 AND backtest_id = $2 ORDER BY account_id, occurred_on`, [bt.id]);
  const outcomeRows = await scope.query<{ kind: string; outcome_id: string; score: number | null; band: string }>(
    `SELECT c.kind, s.outcome_id, s.score, s.band FROM backtest_outcome_scores s
     JOIN backtest_cases c ON c.workspace_id = s.workspace_id AND c.backtest_id = s.backtest_id AND c.account_id = s.account_id AND c.occurred_on = s.occurred_on
     WHERE s.workspace_id = $1 AND s.backtest_id = $2 ORDER BY s.account_id, s.occurred_on, s.outcome_id`, [bt.id]);
  const componentRows = await scope.query<{ kind: string; component_id: string; score: number | null; applicable: boolean }>(
    `SELECT c.kind, d->>'componentId' AS component_id, (d->>'score')::float8 AS score, (d->>'applicable')::boolean AS applicable
     FROM backtest_outcome_scores s
     JOIN backtest_cases c ON c.workspace_id = s.workspace_id AND c.backtest_id = s.backtest_id AND c.account_id = s.account_id AND c.occurred_on = s.occurred_on
     CROSS JOIN LATERAL jsonb_array_elements(s.drivers) d
     WHERE s.workspace_id = $1 AND s.backtest_id = $2 ORDER BY s.account_id, s.occurred_on, s.outcome_id`, [bt.id]);

  const label = (kind: string) => labelOf(kind, bt.contractedAs);
  const counted = cases.flatMap((c) => { const l = label(c.kind); return l === null ? [] : [{ ...c, churned: l }]; });
  const overall = separation(counted);
  const warnings: string[] = [];
  if (overall.tooFew) {
    warnings.push(`Only ${overall.churners} churned and ${overall.n - overall.churners} retained cases with a score: below ${MIN_CHURNERS} of either, AUC, lift and churn rates are too uncertain to act on.`);
  }
  if (overall.auc !== null && overall.auc > LEAKAGE_AUC) {
    warnings.push(`AUC ${overall.auc.toFixed(3)} is implausibly high for churn (> ${LEAKAGE_AUC}): check that no signal records the churn itself (cancellation, offboarding) before D − ${bt.horizonDays} days.`);
  }
  const unscored = counted.filter((c) => c.score === null).length;
  if (unscored) warnings.push(`${unscored} cases had no score at D − ${bt.horizonDays} days (no outcome or no evidence for them then) and are left out.`);

  const clusterName = new Map(config.clusters.map((c) => [c.id, c.name]));
  const segment = (id: string, name: string, rows: Row[], seed: number): SegmentFigures => {
    const s = { id, name, ...separation(rows, seed) };
    if (s.tooFew && s.n > 0) warnings.push(`${name}: only ${s.churners} churned of ${s.n} cases; its figures are flagged tooFew.`);
    return s;
  };
  const clusters = [...new Set(counted.map((c) => c.cluster_id).filter((x): x is string => !!x))].sort()
    .map((id, i) => segment(id, `Cluster ${clusterName.get(id) ?? id}`, counted.filter((c) => c.cluster_id === id), 100 + i));
  const outcomes = config.outcomes.map((o, i) => segment(o.id, `Outcome ${o.name}`,
    outcomeRows.flatMap((r) => { const l = label(r.kind); return r.outcome_id === o.id && l !== null ? [{ score: r.score, band: r.band, churned: l }] : []; }), 200 + i))
    .filter((s) => s.n > 0 || outcomeRows.some((r) => r.outcome_id === s.id));

  const components: ComponentEvidence[] = [];
  for (const o of config.outcomes) {
    for (const comp of o.coin?.components ?? []) {
      const rows = componentRows.filter((r) => r.component_id === comp.id);
      const applicable = rows.flatMap((r) => { const l = label(r.kind); return r.applicable && l !== null ? [{ score: r.score, churned: l }] : []; });
      const present = applicable.filter((r) => r.score !== null) as Case[];
      const e: ComponentEvidence = {
        outcomeId: o.id, componentId: comp.id, key: comp.key, name: comp.name, side: comp.side, weight: comp.weight,
        n: present.length, auc: auc(present),
        missingShare: applicable.length ? (applicable.length - present.length) / applicable.length : null,
        notApplicable: rows.filter((r) => !r.applicable && label(r.kind) !== null).length,
        meanScoreChurned: mean(present.filter((r) => r.churned).map((r) => r.score)),
        meanScoreRetained: mean(present.filter((r) => !r.churned).map((r) => r.score)),
      };
      const churners = present.filter((r) => r.churned).length;
      if (e.auc !== null && churners >= MIN_CHURNERS && (e.auc > LEAKAGE_AUC || e.auc < 1 - LEAKAGE_AUC)) {
        warnings.push(`Component ${comp.key} separates churned from retained almost perfectly (AUC ${e.auc.toFixed(3)}): check it does not record the churn itself.`);
      }
      components.push(e);
    }
  }
  const attributeKeys = config.outcomes.flatMap((o) => o.coin?.components ?? [])
    .filter((c) => c.applicability || c.metric.normalizeBy || c.metric.aggregation === 'ATTRIBUTE').map((c) => c.key);
  if (attributeKeys.length) {
    warnings.push(`Attributes have no history: ${attributeKeys.join(', ')} read today's account attributes, not those at D − ${bt.horizonDays} days.`);
  }
  const lifecycleKinds = ['RENEWED', 'EXPANDED', 'CONTRACTED', 'CHURNED'].map((kind) => {
    const of = cases.filter((c) => c.kind === kind);
    const l = label(kind);
    return { kind, n: of.length, treatedAs: l === null ? 'EXCLUDED' : l ? 'CHURNED' : 'RETAINED',
      meanScore: mean(of.filter((c) => c.score !== null).map((c) => c.score!)) };
  });
  return {
    ...overall, unscored, minChurners: MIN_CHURNERS,
    calibration: calibration(counted.filter((c) => c.score !== null).map((c) => ({ score: c.score!, churned: c.churned }))),
    lifecycleKinds, clusters, outcomes, components, warnings,
  };
}

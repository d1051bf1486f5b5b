/**
 * Suggested weights for one outcome of a finished backtest: the fit (fit.ts) over the component scores each case had
 * at D − horizon, k-fold cross-validated against the current weights, and the suggested coin as a document.
 */
import { ModelDraft } from '../model/model-draft.entity';
import { documentHash } from '../model/model.document';
import { idsForDocument, resolveModel } from '../model/model.source';
import { parseDocument } from '../model/model.validate';
import type { ComponentConfig } from '../scoring/model-config';
import { ConflictError, InputError, NotFoundError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { ScoringRunState } from '../scoring/runs.entity';
import { labelOf, MIN_CHURNERS } from './backtest.report';
import { getBacktest } from './backtest.service';
import type { WeightSuggestion } from './backtest.types';
import { crossValidate, fitWeights, learnScorecard, rescore, type FitCase, type LearnedScoring, type Side } from './fit';

/** Below this share of the coin (0.5 %) a component's weight counts as "no evidence". */
export const NO_EVIDENCE_SHARE = 0.005;

export interface SuggestOptions { folds?: number; learnScoring?: boolean; dropNoEvidence?: boolean }

const usesText = (c: ComponentConfig) => c.metric.aggregation === 'ATTRIBUTE'
  && (c.scoring.type === 'CATEGORICAL' || c.stageOverrides.some((o) => o.scoring.type === 'CATEGORICAL'));

export async function suggestWeights(scope: TenantScope, backtestId: string, outcomeId: string, opts: SuggestOptions = {}): Promise<WeightSuggestion> {
  const folds = opts.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2 || folds > 20) throw new InputError('folds', 'folds must be a whole number from 2 to 20.');
  const bt = await getBacktest(scope, backtestId);
  const config = bt.config;
  const outcome = config.outcomes.find((o) => o.id === outcomeId);
  if (!outcome) throw new NotFoundError('Outcome', outcomeId);
  if (bt.state !== ScoringRunState.SUCCEEDED) throw new ConflictError(`Backtest ${bt.id} is ${bt.state}: suggestions need a SUCCEEDED backtest.`);
  const comps = outcome.coin?.components ?? [];
  if (!comps.length) throw new ConflictError('This outcome has no coin components to weigh.');

  // Categorical components are learned from the attribute's text (as the engine reads it: ->>); attributes have no history.
  const textAttrs = comps.filter(usesText).map((c) => c.metric.attribute!);
  const rows = await scope.query<{ kind: string; drivers: Array<{ componentId: string; score: number | null; rawValue: number | null; applicable: boolean }>; texts: Record<string, string | null> | null }>(
    `SELECT c.kind, s.drivers, (SELECT jsonb_object_agg(k, a.attributes ->> k) FROM unnest($4::text[]) k) AS texts
     FROM backtest_outcome_scores s
     JOIN backtest_cases c ON c.workspace_id = s.workspace_id AND c.backtest_id = s.backtest_id AND c.account_id = s.account_id AND c.occurred_on = s.occurred_on
     JOIN accounts a ON a.workspace_id = c.workspace_id AND a.id = c.account_id
     WHERE s.workspace_id = $1 AND s.backtest_id = $2 AND s.outcome_id = $3 ORDER BY s.account_id, s.occurred_on`, [bt.id, outcomeId, textAttrs]);
  const cases: FitCase[] = [];
  for (const r of rows) {
    const churned = labelOf(r.kind, bt.contractedAs);
    if (churned === null) continue;
    const byId = new Map(r.drivers.map((d) => [d.componentId, d]));
    const scores = comps.map((c) => { const d = byId.get(c.id); return d && d.applicable && d.score !== null ? d.score : null; });
    if (scores.every((s) => s === null)) continue;
    cases.push({ churned, scores, raw: comps.map((c) => (usesText(c) ? r.texts?.[c.metric.attribute!] ?? null : byId.get(c.id)?.rawValue ?? null)) });
  }
  const churners = cases.filter((c) => c.churned).length;
  const warnings: string[] = [];
  if (churners < MIN_CHURNERS || cases.length - churners < MIN_CHURNERS) {
    warnings.push(`Only ${churners} churned and ${cases.length - churners} retained cases: below ${MIN_CHURNERS} of either, a fit is mostly noise.`);
  }
  if (comps.some((c) => c.stageOverrides.length) && opts.learnScoring) {
    warnings.push('Learned scoring replaces each component\'s scoring in every stage: its stage overrides are left out of the suggested coin.');
  }

  const sides = comps.map((c) => c.side as Side);
  const sideTotal = (s: Side) => comps.filter((c) => c.side === s).reduce((t, c) => t + c.weight, 0);
  const sideWeight = (s: Side) => (s === 'PROACTIVE' ? outcome.coin!.proactiveWeight : outcome.coin!.reactiveWeight);
  const raw = comps.map((c) => (sideWeight(c.side) * c.weight) / sideTotal(c.side));
  const current = raw.map((x) => x / raw.reduce((t, y) => t + y, 0));

  const learn = !!opts.learnScoring;
  const cv = cases.length >= folds * 2 ? crossValidate(cases, sides, current, { folds, learn }) : null;
  const card = learn ? learnScorecard(cases, comps.length) : null;
  const fns: Array<LearnedScoring | null> = card?.fns ?? comps.map(() => null);
  const fit = fitWeights(card ? rescore(cases, fns) : cases, sides, card?.start ?? current);
  const pct = (x: number) => Math.round(x * 1000) / 10;

  const components = comps.map((c, i) => ({
    componentId: c.id, key: c.key, name: c.name, side: c.side, currentWeight: pct(current[i]), suggestedWeight: pct(fit.theta[i]),
    noEvidence: fit.theta[i] < NO_EVIDENCE_SHARE, scoring: (fns[i] as Record<string, unknown> | null) ?? null,
  }));
  const kept = comps.map((c, i) => ({ c, i })).filter(({ i }) => !(opts.dropNoEvidence ?? true) || !components[i].noEvidence);
  const sideSum = (s: Side) => kept.filter(({ c }) => c.side === s).reduce((t, { i }) => t + fit.theta[i], 0);
  // A coin's weights must be > 0: a side (or a kept component) the fit gave nothing keeps a token weight.
  const positive = (x: number) => Math.max(0.1, pct(x));
  const coin = {
    proactiveWeight: positive(sideSum('PROACTIVE')), reactiveWeight: positive(sideSum('REACTIVE')),
    components: kept.map(({ c, i }) => ({
      key: c.key, name: c.name, side: c.side, weight: positive(fit.theta[i]), metric: c.metric,
      scoring: fns[i] ?? c.scoring, stageOverrides: fns[i] ? [] : c.stageOverrides, applicability: c.applicability,
    })),
  };
  return {
    backtestId: bt.id, outcomeId, n: cases.length, churners, folds, learnScoring: learn,
    cvAuc: cv?.suggested ?? null, cvAucCurrent: cv?.current ?? null, cvAucPerFold: cv?.suggestedPerFold ?? [], cvAucCurrentPerFold: cv?.currentPerFold ?? [],
    proactiveWeight: pct(comps.reduce((t, c, i) => t + (c.side === 'PROACTIVE' ? fit.theta[i] : 0), 0)),
    reactiveWeight: pct(comps.reduce((t, c, i) => t + (c.side === 'REACTIVE' ? fit.theta[i] : 0), 0)),
    components, coin, warnings,
  };
}

/**
 * The suggestion as a model draft, ready to preview and publish: the draft starts from the model the backtest scored
 * when that was a draft, else from the live model, with this outcome's coin replaced by the suggested one.
 */
export async function draftSuggestedWeights(scope: TenantScope, backtestId: string, outcomeId: string, opts: SuggestOptions & { name?: string | null } = {}): Promise<{ draftId: string; suggestion: WeightSuggestion }> {
  const suggestion = await suggestWeights(scope, backtestId, outcomeId, opts);
  const bt = await getBacktest(scope, backtestId);
  const base = await resolveModel(scope, bt.draftId ? { draftId: bt.draftId } : { live: true });
  const path = Object.entries(base.ids).find(([p, id]) => p.startsWith('outcome:') && id === outcomeId)?.[0];
  if (!path) throw new ConflictError('This outcome is no longer in the model: there is no coin to replace.');
  const outcomeKey = path.slice('outcome:'.length);
  const doc = structuredClone(base.document) as unknown as { coins: Array<Record<string, unknown>> };
  const coin = { outcome: outcomeKey, ...suggestion.coin };
  const at = doc.coins.findIndex((c) => c.outcome === outcomeKey);
  if (at >= 0) doc.coins[at] = coin; else doc.coins.push(coin);
  const document = await parseDocument(doc);
  const ids = await idsForDocument(scope, document, base.ids);
  const name = opts.name?.trim() || `Suggested weights for ${outcomeKey} (backtest ${bt.id.slice(0, 8)}, ${opts.learnScoring ? 'learned scoring' : 'weights'})`;
  const draft = await scope.save(scope.create(ModelDraft, {
    name: name.slice(0, 200), document: document as unknown as Record<string, unknown>, documentHash: documentHash(document),
    ids, baseVersion: base.version, createdBy: scope.actor,
  }));
  return { draftId: draft.id, suggestion };
}

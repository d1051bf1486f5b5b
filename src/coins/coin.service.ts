/**
 * Coins are defined as one whole document (declarative config that ops keep in version control).
 * A define replaces the coin in one transaction, matching components by `key` so that their ids
 * survive a redefinition (drivers and history refer to them).
 */
import { NotFoundError } from '../shared/errors';
import { Problems } from '../shared/problems';
import { modelChanged } from '../shared/model-change';
import { isUuid, type TenantScope } from '../shared/tenant';
import { validateRule } from '../rules/rule.sql';
import type { RuleJson } from '../rules/rule.types';
import { assertShape, given } from '../journeys/input-shape';
import { JourneyStage } from '../journeys/journey.entity';
import { lockOutcome } from '../journeys/journey.service';
import { Aggregation, Coin, Component, type Metric, type ScoringFunction, ScoringFunctionType, type StageOverride } from './coin.entity';
import { hydrateCoinInput, type CoinInput, type MetricInput, type ScoringFunctionInput } from './coin.inputs';
import { coinByOutcome, forgetCoinLoaders } from './coin.loaders';

/** Aggregations that read no window: DAYS_SINCE looks back to the newest signal ever, adherence to journey start. */
const WINDOWLESS = new Set([Aggregation.DAYS_SINCE, Aggregation.JOURNEY_ADHERENCE]);
/** Aggregations that read no signals: what the account is (attribute, tenure) or its journey. */
const SIGNAL_FREE = new Set([Aggregation.JOURNEY_ADHERENCE, Aggregation.ATTRIBUTE, Aggregation.JOURNEY_DAY]);

/** The coin of an outcome, null when none is defined yet; NOT_FOUND for outcomes of other workspaces. */
export async function getCoin(scope: TenantScope, outcomeId: string): Promise<Coin | null> {
  if (!isUuid(outcomeId) || !(await scope.query('SELECT 1 FROM outcomes WHERE workspace_id = $1 AND id = $2', [outcomeId])).length) {
    throw new NotFoundError('Outcome', outcomeId);
  }
  return await scope.loader(coinByOutcome).load(outcomeId);
}

/** Normalised component values, ready to store. */
interface CheckedComponent {
  metric: Metric;
  scoring: ScoringFunction;
  stageOverrides: StageOverride[];
  applicability: RuleJson | null;
}

/**
 * Cross-field rules of a (shape-checked) coin document; `stageKeys` are the stages of the outcome's
 * journey (overrides must name one). Records every problem in `problems` (paths under `at`) and returns
 * the normalised components (meaningful only when nothing was recorded).
 */
export function checkCoin(input: CoinInput, stageKeys: Set<string>, problems: Problems, at = 'input'): CheckedComponent[] {
  const keys = new Set<string>();
  const names = new Set<string>();
  return input.components.map((c, i) => {
    const cat = `${at}.components[${i}]`;
    if (keys.has(c.key)) problems.add(`${cat}.key`, 'Another component of this coin already uses this key.');
    keys.add(c.key);
    const name = c.name.trim().toLowerCase();
    if (names.has(name)) problems.add(`${cat}.name`, 'Another component of this coin already has this name.');
    names.add(name);
    const metric = checkMetric(c.metric, `${cat}.metric`, problems);
    const scoring = checkScoring(c.scoring, `${cat}.scoring`, problems, metric);
    const seen = new Set<string>();
    const stageOverrides = c.stageOverrides.map((o, j) => {
      const oat = `${cat}.stageOverrides[${j}]`;
      if (!stageKeys.has(o.stageKey)) {
        problems.add(`${oat}.stageKey`, stageKeys.size
          ? 'No stage of this outcome\'s journey has this key.'
          : 'This outcome has no journey yet: define the journey (defineJourney) before stage overrides.');
      }
      if (seen.has(o.stageKey)) problems.add(`${oat}.stageKey`, 'This component already has an override for this stage.');
      seen.add(o.stageKey);
      return { stageKey: o.stageKey, scoring: checkScoring(o.scoring, `${oat}.scoring`, problems, metric) };
    });
    const applicability = c.applicability ? problems.collect(() => validateRule(c.applicability!, `${cat}.applicability`)) ?? null : null;
    return { metric, scoring, stageOverrides, applicability };
  });
}

function checkMetric(m: MetricInput, at: string, problems: Problems): Metric {
  if (m.aggregation === Aggregation.JOURNEY_ADHERENCE) {
    // Adherence is the achieved share of due milestone weight: no signals, no window, nothing to divide by.
    for (const f of ['signalType', 'subject', 'windowDays', 'normalizeBy'] as const) {
      if (given(m[f])) problems.add(`${at}.${f}`, `JOURNEY_ADHERENCE is computed from the journey's milestones and takes no ${f}.`);
    }
  } else if (m.aggregation === Aggregation.ATTRIBUTE || m.aggregation === Aggregation.JOURNEY_DAY) {
    // What the account is, not what it did: no signals to count.
    for (const f of ['signalType', 'subject', 'windowDays'] as const) {
      if (given(m[f])) problems.add(`${at}.${f}`, `${m.aggregation} reads the account itself and takes no ${f}.`);
    }
    if (m.aggregation === Aggregation.ATTRIBUTE && !given(m.attribute)) problems.add(`${at}.attribute`, 'ATTRIBUTE needs the name of an account attribute (e.g. arr).');
  } else if (!given(m.signalType)) {
    problems.add(`${at}.signalType`, `${m.aggregation} needs a signalType.`);
  }
  if (given(m.attribute) && m.aggregation !== Aggregation.ATTRIBUTE) {
    problems.add(`${at}.attribute`, `Only the ATTRIBUTE aggregation reads an attribute (${m.aggregation} reads ${SIGNAL_FREE.has(m.aggregation) ? 'the account' : 'signals'}).`);
  }
  if (given(m.windowDays) && WINDOWLESS.has(m.aggregation)) {
    problems.add(`${at}.windowDays`, `${m.aggregation} ignores windows: leave windowDays out.`);
  }
  return {
    aggregation: m.aggregation, signalType: m.signalType ?? null, subject: m.subject ?? null,
    windowDays: m.windowDays ?? null, normalizeBy: m.normalizeBy ?? null,
    // only where it applies, so that the stored metrics (and model hashes) of other components stay as they were
    ...(m.aggregation === Aggregation.ATTRIBUTE ? { attribute: m.attribute } : {}),
  };
}

/** Each scoring type takes exactly its own parameters; stored with only those. */
function checkScoring(s: ScoringFunctionInput, at: string, problems: Problems, metric: Metric): ScoringFunction {
  if (s.type !== ScoringFunctionType.CATEGORICAL) {
    for (const f of ['categories', 'defaultScore'] as const) if (given(s[f])) problems.add(`${at}.${f}`, `${s.type} scoring takes no ${f}.`);
  }
  const refuse = (fields: Array<'floor' | 'target' | 'bands' | 'higherIsBetter'>) => {
    for (const f of fields) if (given(s[f])) problems.add(`${at}.${f}`, `${s.type} scoring takes no ${f}.`);
  };
  switch (s.type) {
    case ScoringFunctionType.LINEAR: {
      refuse(['bands', 'higherIsBetter']);
      for (const f of ['floor', 'target'] as const) {
        if (!given(s[f]) || !Number.isFinite(s[f])) problems.add(`${at}.${f}`, `LINEAR scoring needs a finite ${f}.`);
      }
      if (given(s.floor) && s.floor === s.target) {
        problems.add(`${at}.target`, 'LINEAR target must differ from floor (floor > target means lower is better).');
      }
      return { type: s.type, floor: s.floor, target: s.target };
    }
    case ScoringFunctionType.BANDS: {
      refuse(['floor', 'target', 'higherIsBetter']);
      const bands = s.bands ?? [];
      if (!bands.length) problems.add(`${at}.bands`, 'BANDS scoring needs at least one band.');
      bands.forEach((b, k) => {
        if (k > 0 && !(b.min > bands[k - 1].min)) {
          problems.add(`${at}.bands[${k}].min`, 'Bands must be sorted strictly ascending by min.');
        }
        if (!(b.score >= 0 && b.score <= 100)) problems.add(`${at}.bands[${k}].score`, 'A band score must be within 0..100.');
      });
      return { type: s.type, bands: bands.map((b) => ({ min: b.min, score: b.score })) };
    }
    case ScoringFunctionType.PERCENTILE: {
      refuse(['floor', 'target', 'bands']);
      if (!given(s.higherIsBetter)) problems.add(`${at}.higherIsBetter`, 'PERCENTILE scoring needs higherIsBetter.');
      return { type: s.type, higherIsBetter: s.higherIsBetter };
    }
    case ScoringFunctionType.CATEGORICAL: {
      refuse(['floor', 'target', 'bands', 'higherIsBetter']);
      if (metric.aggregation !== Aggregation.ATTRIBUTE) {
        problems.add(`${at}.type`, 'CATEGORICAL scoring maps attribute values: use it with the ATTRIBUTE aggregation.');
      }
      const categories = s.categories ?? [];
      if (!categories.length) problems.add(`${at}.categories`, 'CATEGORICAL scoring needs at least one category.');
      const values = new Set<string>();
      categories.forEach((c, k) => {
        if (values.has(c.value)) problems.add(`${at}.categories[${k}].value`, 'Each value may be listed once.');
        values.add(c.value);
      });
      return {
        type: s.type, categories: categories.map((c) => ({ value: c.value, score: c.score })),
        ...(given(s.defaultScore) ? { defaultScore: s.defaultScore } : {}),
      };
    }
    default:
      problems.add(`${at}.type`, 'Unknown scoring type.');
      return { type: s.type };
  }
}

/** Define (create or replace) the coin of an outcome from a whole document. */
export async function defineCoin(scope: TenantScope, outcomeId: string, raw: CoinInput): Promise<Coin> {
  const input = hydrateCoinInput(raw);
  const coin = await scope.transaction(async (tx) => {
    await lockOutcome(tx, outcomeId); // also keeps the journey's stages still while overrides are checked
    await assertShape(input, 'input');
    const stages = await tx.find(JourneyStage, { where: { outcomeId } });
    const problems = new Problems();
    const checked = checkCoin(input, new Set(stages.map((s) => s.key)), problems);
    problems.throwIfAny();

    await tx.query(
      `INSERT INTO coins (workspace_id, outcome_id, proactive_weight, reactive_weight, updated_at) VALUES ($1::uuid, $2, $3, $4, now())
       ON CONFLICT (workspace_id, outcome_id) DO UPDATE
         SET proactive_weight = EXCLUDED.proactive_weight, reactive_weight = EXCLUDED.reactive_weight, updated_at = now()`,
      [outcomeId, input.proactiveWeight, input.reactiveWeight],
    );
    const existing = await tx.find(Component, { where: { outcomeId } });
    const byKey = new Map(existing.map((c) => [c.key, c]));
    for (const [i, c] of input.components.entries()) {
      const component = byKey.get(c.key) ?? tx.create(Component, { outcomeId, key: c.key });
      Object.assign(component, { name: c.name.trim(), side: c.side, weight: c.weight, position: i, ...checked[i] });
      await tx.save(component);
    }
    const listed = new Set(input.components.map((c) => c.key));
    const gone = existing.filter((c) => !listed.has(c.key)).map((c) => c.id);
    if (gone.length) await tx.query('DELETE FROM components WHERE workspace_id = $1 AND id = ANY($2::uuid[])', [gone]);
    await modelChanged(tx);
    return (await tx.findOne(Coin, { outcomeId }))!;
  });
  forgetCoinLoaders(scope);
  return coin;
}

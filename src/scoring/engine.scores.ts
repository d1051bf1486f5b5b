/**
 * Steps 4 to 12 of "Scoring, exactly": component scores (_component_scores), then per account × outcome the sides,
 * coin score, coverage, band, journey status and drivers in one statement (_outcome_health: one sort of the component
 * rows), then account health (_account_health).
 */
import type { StepContext } from './engine.config';
import { SCORING_FUNCTIONS } from './engine.kinds';
import type { ComponentValues } from './engine.metrics';
import type { PeerDistribution } from './engine.percentile';

/** A float8 literal that reads back as exactly this number (shortest round-trip repr, as JSON would carry it). */
const f8 = (n: number) => `'${String(n)}'::float8`;

const sc = (b: { score: number | null }) => b.score ?? Infinity; // ORDER BY score DESC puts a null score first

/**
 * BANDS as one CASE per scoring function over constants (the score of the band with the greatest min <= v, ties by
 * the higher score; 0 below every band), instead of unpacking the bands jsonb for every account.
 */
export function bandsSql(fns: Array<{ fn_id: number; type: string; bands: unknown[] }>, v: string): string {
  const cases = fns.filter((f) => f.type === 'BANDS').map((f) => {
    const bands = (f.bands as Array<{ min: number; score: number }>).filter((b) => b.min !== null && b.min !== undefined)
      .slice().sort((a, b) => (b.min - a.min) || (sc(b) - sc(a)));
    const arms = bands.map((b) => `WHEN ${f8(b.min)} <= ${v} THEN ${b.score === null || b.score === undefined ? 'NULL::float8' : f8(b.score)}`);
    return `WHEN ${f.fn_id} THEN ${arms.length ? `coalesce(CASE ${arms.join(' ')} END, 0::float8)` : '0::float8'}`;
  });
  return cases.length ? `CASE f.fn_id ${cases.join(' ')} END` : 'NULL::float8';
}

/** CATEGORICAL as one CASE per scoring function over the attribute's text value `tv`: listed score, else the default (else NULL = missing). */
export function categoricalSql(fns: Array<{ fn_id: number; type: string; categories: Array<{ value: string; score: number }>; default_score: number | null }>, tv: string): string {
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const cases = fns.filter((f) => f.type === 'CATEGORICAL').map((f) => {
    const arms = f.categories.map((c) => `WHEN ${lit(c.value)} THEN ${f8(c.score)}`);
    const other = f.default_score === null ? 'NULL::float8' : f8(f.default_score);
    return `WHEN ${f.fn_id} THEN CASE WHEN ${tv} IS NULL THEN NULL::float8 ${arms.length ? `ELSE CASE ${tv} ${arms.join(' ')} ELSE ${other} END` : `ELSE ${other}`} END`;
  });
  return cases.length ? `CASE f.fn_id ${cases.join(' ')} END` : 'NULL::float8';
}

/** Step 4 (and 5: not applicable or missing ⇒ no score): every component's score, by the function in force for the stage. */
export async function step4ComponentScores({ rows, step }: StepContext, values: ComponentValues, peers: PeerDistribution): Promise<void> {
  const sql = { bands: bandsSql(rows.fns, 'val.v'), categorical: categoricalSql(rows.fns, 'val.tv'), rank: peers.rank };
  const arms = (text: boolean) => Object.entries(SCORING_FUNCTIONS).filter(([, fn]) => !!fn.text === text)
    .map(([type, fn]) => `WHEN f.type = '${type}' THEN ${fn.score(sql)}`).join('\n           ');
  await step('_component_scores', `CREATE TEMP TABLE _component_scores ON COMMIT DROP AS
    WITH raw AS (${values.raw('ao.target')}    ), val AS ${peers.present ? 'MATERIALIZED' : 'NOT MATERIALIZED'} (
      -- normalizeBy: missing when the attribute is absent, not a number, or 0 (divisor NULL). Materialized with
      -- PERCENTILE: v becomes a plain column, so the join to _peer_distribution on (component_id, v) hashes on both
      -- keys. (Inlined, the planner merged on component_id alone and filtered v: quadratic in the distinct values.)
      SELECT raw.*, v0 / divisor AS v FROM raw
    )
    SELECT val.account_id, val.outcome_id, val.component_id, val.key, val.name, val.side, val.weight, val.position, val.applicable,
      val.v AS value,
      CASE WHEN NOT val.applicable THEN NULL
           ${arms(true)}
           WHEN val.v IS NULL THEN NULL
           ${arms(false)}
      END AS score
    FROM val JOIN _scoring_fns f ON f.fn_id = val.fn_id
    ${peers.present ? 'LEFT JOIN _peer_distribution p ON p.component_id = val.component_id AND p.v = val.v'
    : 'CROSS JOIN (SELECT NULL::float8 AS lower, NULL::float8 AS equal, NULL::float8 AS total) p'}
    WHERE val.target`, values.params);
}

/** Steps 5 and 6: per side, Σ wᵢ·sᵢ, Σ wᵢ over the present components and Σ wᵢ over the applicable ones. */
const step6SideSums = `
      SELECT _component_scores.*, o.wp, o.wr, (applicable AND score IS NOT NULL) AS present,
        sum(weight * score) FILTER (WHERE applicable AND score IS NOT NULL AND side = 'PROACTIVE') OVER part AS p_num,
        sum(weight) FILTER (WHERE applicable AND score IS NOT NULL AND side = 'PROACTIVE') OVER part AS p_w,
        sum(weight) FILTER (WHERE applicable AND side = 'PROACTIVE') OVER part AS p_app,
        sum(weight * score) FILTER (WHERE applicable AND score IS NOT NULL AND side = 'REACTIVE') OVER part AS r_num,
        sum(weight) FILTER (WHERE applicable AND score IS NOT NULL AND side = 'REACTIVE') OVER part AS r_w,
        sum(weight) FILTER (WHERE applicable AND side = 'REACTIVE') OVER part AS r_app
      FROM _component_scores JOIN (SELECT outcome_id, wp, wr FROM _outcomes) o USING (outcome_id)
      WINDOW part AS (PARTITION BY account_id, outcome_id ORDER BY position, component_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)`;

/** Step 6: side score = Σ wᵢ·sᵢ / Σ wᵢ; missing (null) without a present component. */
const step6SideScores = `
      -- _outcomes joined before the window sort: the rows reach the grouping below already in its order
      SELECT sides.*, sides.p_num / NULLIF(sides.p_w, 0) AS p, sides.r_num / NULLIF(sides.r_w, 0) AS r
      FROM sides`;

/** Steps 7 and 8: the coin's denominator (side weights of the present sides) and coverage's parts. */
const step7And8Weights = `
      SELECT side_scores.*,
        CASE WHEN p IS NOT NULL THEN wp ELSE 0 END + CASE WHEN r IS NOT NULL THEN wr ELSE 0 END AS den,
        CASE WHEN coalesce(p_app, 0) > 0 THEN wp ELSE 0 END + CASE WHEN coalesce(r_app, 0) > 0 THEN wr ELSE 0 END AS cov_den,
        CASE WHEN coalesce(p_app, 0) > 0 THEN wp * coalesce(p_w, 0) / p_app ELSE 0 END
          + CASE WHEN coalesce(r_app, 0) > 0 THEN wr * coalesce(r_w, 0) / r_app ELSE 0 END AS cov_num
      FROM side_scores`;

/** Step 12: drivers, grouped per account × outcome with the sides. */
const step12Drivers = `
      SELECT account_id, outcome_id, min(p) AS p, min(r) AS r, min(wp) AS wp, min(wr) AS wr, min(den) AS den,
        min(cov_num) AS cov_num, min(cov_den) AS cov_den,
        -- jsonb built directly (not json text parsed again): the same values, floats go through the same text form.
        -- Stored worst first (most points lost; ties in the coin's component order), so that a reader wanting the
        -- top n takes the first n (health.loaders.ts topDriversSql) instead of sorting every row it reads.
        jsonb_agg(jsonb_build_object('componentId', component_id, 'key', key, 'name', name, 'side', side,
          'rawValue', value, 'score', score, 'weight', weight,
          'effectiveWeight', eff, 'contribution', eff * coalesce(score, 0), 'pointsLost', lost,
          'applicable', applicable, 'missing', applicable AND score IS NULL) ORDER BY lost DESC, position, component_id) AS drivers
      FROM weights
      -- effective weight: renormalised inside its side, times its side's share of the coin
      CROSS JOIN LATERAL (SELECT CASE WHEN present AND den > 0 THEN
          coalesce(weight / NULLIF(CASE side WHEN 'PROACTIVE' THEN p_w ELSE r_w END, 0)
                   * (CASE side WHEN 'PROACTIVE' THEN wp ELSE wr END) / den, 0::float8)
          ELSE 0::float8 END AS eff) x
      CROSS JOIN LATERAL (SELECT x.eff * (100 - coalesce(score, 0)) AS lost) y
      GROUP BY account_id, outcome_id`;

/** Steps 7 and 8: coin score = (P·wP + R·wR) / (wP + wR) over the present sides; coverage = present / applicable weight. */
const step7And8Scores = `
      SELECT ao.account_id, ao.outcome_id, ao.stage_id, ao.d,
        (coalesce(drivers.p * drivers.wp, 0) + coalesce(drivers.r * drivers.wr, 0)) / NULLIF(drivers.den, 0) AS score,
        drivers.p AS proactive, drivers.r AS reactive, drivers.cov_num / NULLIF(drivers.cov_den, 0) AS coverage, drivers.drivers
      FROM _account_outcomes ao
      LEFT JOIN drivers ON drivers.account_id = ao.account_id AND drivers.outcome_id = ao.outcome_id
      WHERE ao.target`;

/**
 * Step 9, the band rule (the one place it is written): RED below `red`, YELLOW below `yellow`, GREEN otherwise,
 * UNKNOWN when the score is null. `red`/`yellow`: SQL of the workspace's thresholds.
 */
export function bandSql(score: string, red: string, yellow: string): string {
  return `CASE WHEN ${score} IS NULL THEN 'UNKNOWN' WHEN ${score} < ${red} THEN 'RED' WHEN ${score} < ${yellow} THEN 'YELLOW' ELSE 'GREEN' END`;
}

/** Steps 5 to 10 and 12 per account × outcome, as one statement over the component scores (one sort, see step6SideSums). */
export async function step5To12OutcomeHealth({ config, step }: StepContext): Promise<void> {
  const { redBelow, yellowBelow } = config.thresholds;
  await step('_outcome_health', `CREATE TEMP TABLE _outcome_health ON COMMIT DROP AS
    -- One sort of the component rows: side sums as whole-partition window aggregates in component order
    -- (a fixed float summation order), then one group per account × outcome for the coin and the drivers.
    WITH sides AS (${step6SideSums}
    ), side_scores AS (${step6SideScores}
    ), weights AS (${step7And8Weights}
    ), drivers AS (${step12Drivers}
    ), scored AS (${step7And8Scores}
    )
    SELECT s.account_id, s.outcome_id, s.score, ${bandSql('s.score', '$2::float8', '$3::float8')} AS band,
      s.proactive, s.reactive, s.coverage, s.stage_id, s.d AS journey_day,
      -- step 10, computed with adherence in step 3 (engine.metrics.ts)
      jr.status AS journey_status, coalesce(jr.overdue_count, 0) AS overdue_count, jr.next_id AS next_milestone_id,
      jr.days_until_due, coalesce(s.drivers, '[]'::jsonb) AS drivers, coalesce(jr.milestones, '[]'::jsonb) AS milestones,
      jr.achievement_stage_id
    FROM scored s LEFT JOIN _journeys jr ON jr.account_id = s.account_id AND jr.outcome_id = s.outcome_id`, [redBelow, yellowBelow]);
}

/** Step 11: account health, the outcome-weighted mean of the non-null outcome scores; its band by the same rule. */
export async function step11AccountHealth({ config, step }: StepContext): Promise<void> {
  const { redBelow, yellowBelow } = config.thresholds;
  await step('_account_health', `CREATE TEMP TABLE _account_health ON COMMIT DROP AS
    WITH a AS (
      SELECT acc.account_id,
        sum(o.weight * oh.score ORDER BY oh.outcome_id) FILTER (WHERE oh.score IS NOT NULL) AS num,
        sum(o.weight * oh.coverage ORDER BY oh.outcome_id) FILTER (WHERE oh.score IS NOT NULL) AS cov_num,
        sum(o.weight ORDER BY oh.outcome_id) FILTER (WHERE oh.score IS NOT NULL) AS den,
        max(CASE oh.journey_status WHEN 'STUCK' THEN 4 WHEN 'BEHIND' THEN 3 WHEN 'ON_TRACK' THEN 2 WHEN 'AHEAD' THEN 1 END) AS worst
      FROM _accounts acc LEFT JOIN _outcome_health oh ON oh.account_id = acc.account_id LEFT JOIN _outcomes o ON o.outcome_id = oh.outcome_id
      WHERE acc.target GROUP BY acc.account_id
    )
    SELECT account_id, num / NULLIF(den, 0) AS score, ${bandSql('num / NULLIF(den, 0)', '$2::float8', '$3::float8')} AS band,
      cov_num / NULLIF(den, 0) AS coverage,
      CASE worst WHEN 4 THEN 'STUCK' WHEN 3 THEN 'BEHIND' WHEN 2 THEN 'ON_TRACK' WHEN 1 THEN 'AHEAD' END AS worst_journey_status
    FROM a`, [redBelow, yellowBelow]);
}

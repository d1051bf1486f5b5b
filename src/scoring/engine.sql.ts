/**
 * The SQL steps of the scoring engine (see engine.ts for the list): each builds one temp table, set-based
 * over every account of the scope, from the configuration flattened into small typed rows.
 */
import { ruleToSql } from '../rules/rule.sql';
import type { TenantScope } from '../shared/tenant';
import type { ComponentConfig, ModelConfig, ScoringFn } from './model-config';

/** A metric spec: what one pass over the signals must aggregate (shared by components with the same signals/window). */
interface Spec {
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

function isPercentile(c: ComponentConfig): boolean {
  return c.scoring.type === 'PERCENTILE' || c.stageOverrides.some((o) => o.scoring.type === 'PERCENTILE');
}

/** Flatten the configuration into rows: the _o/_st/_c/_fn/_ms temp tables, and the inline specs and rules. */
export function configRows(config: ModelConfig) {
  const outcomes = config.outcomes.map((o) => ({
    outcome_id: o.id, cluster_id: o.clusterId, weight: o.weight,
    wp: o.coin?.proactiveWeight ?? null, wr: o.coin?.reactiveWeight ?? null,
    has_journey: !!o.journey, stuck_after: o.journey?.stuckAfterDays ?? null,
    last_stage_id: o.journey?.stages.at(-1)?.id ?? null,
  }));
  const stages = config.outcomes.flatMap((o) => (o.journey?.stages ?? []).map((s) => ({ outcome_id: o.id, stage_id: s.id, key: s.key, start_day: s.startDay })));
  const specs = new Map<string, Spec>();
  const fns: Array<{ fn_id: number; component_id: string; stage_key: string | null; type: string; floor: number; target: number; bands: unknown[]; hib: boolean;
    categories: Array<{ value: string; score: number }>; default_score: number | null }> = [];
  const components = config.outcomes.flatMap((o) => (o.coin?.components ?? []).map((c) => {
    const agg = c.metric.aggregation;
    const pct = isPercentile(c);
    let specId: number | null = null;
    if (agg !== 'JOURNEY_ADHERENCE' && c.metric.signalType) {
      // DAYS_SINCE ignores the window: it gets a window-less spec of its own.
      const windowDays = agg === 'DAYS_SINCE' ? null : (c.metric.windowDays ?? null);
      const k = JSON.stringify([c.metric.signalType, c.metric.subject ?? null, windowDays]);
      let s = specs.get(k);
      if (!s) {
        s = { spec_id: specs.size + 1, signal_type: c.metric.signalType, subject: c.metric.subject ?? null, window_days: windowDays,
          need_days: false, need_subjects: false, need_sum: false, need_minmax: false, need_latest: false, need_last: false, percentile: false };
        specs.set(k, s);
      }
      s.need_days ||= agg === 'DISTINCT_DAYS';
      s.need_subjects ||= agg === 'DISTINCT_SUBJECTS';
      s.need_sum ||= agg === 'SUM' || agg === 'AVG';
      s.need_minmax ||= agg === 'MIN' || agg === 'MAX';
      s.need_latest ||= agg === 'LATEST';
      s.need_last ||= agg === 'DAYS_SINCE';
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

/** A float8 literal that reads back as exactly this number (shortest round-trip repr, as JSON would carry it). */
const f8 = (n: number) => `'${String(n)}'::float8`;

/**
 * BANDS as one CASE per scoring function over constants (the score of the band with the greatest min <= v, ties by
 * the higher score; 0 below every band), instead of unpacking the bands jsonb for every account.
 */
const sc = (b: { score: number | null }) => b.score ?? Infinity; // ORDER BY score DESC puts a null score first

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

export function bandsSql(fns: Array<{ fn_id: number; type: string; bands: unknown[] }>, v: string): string {
  const cases = fns.filter((f) => f.type === 'BANDS').map((f) => {
    const bands = (f.bands as Array<{ min: number; score: number }>).filter((b) => b.min !== null && b.min !== undefined)
      .slice().sort((a, b) => (b.min - a.min) || (sc(b) - sc(a)));
    const arms = bands.map((b) => `WHEN ${f8(b.min)} <= ${v} THEN ${b.score === null || b.score === undefined ? 'NULL::float8' : f8(b.score)}`);
    return `WHEN ${f.fn_id} THEN ${arms.length ? `coalesce(CASE ${arms.join(' ')} END, 0::float8)` : '0::float8'}`;
  });
  return cases.length ? `CASE f.fn_id ${cases.join(' ')} END` : 'NULL::float8';
}

/**
 * The metric row (the columns of _mv) of one PERCENTILE spec for every cluster peer (`peers`), for _pv: the same
 * aggregates as _mv over the same signals (the window and subject as conditions instead of FILTERs, so the values
 * are identical), only those the spec's PERCENTILE components read; the others are NULL. `clusters`: SQL for the
 * ids of the clusters whose accounts count as peers.
 */
function peerMetricSql(sp: Spec & { win_start: string }, aggs: string[], $p: (v: unknown) => string, clusters: string): string {
  const need = (...a: string[]) => aggs.some((x) => a.includes(x));
  const col = (on: boolean, expr: string, type: string) => (on ? expr : `NULL::${type}`);
  return `SELECT s.account_id, ${sp.spec_id} AS spec_id,
            ${col(need('COUNT'), 'count(*)', 'bigint')} AS n,
            ${col(need('DISTINCT_DAYS'), `count(DISTINCT (s.occurred_at AT TIME ZONE 'UTC')::date)`, 'bigint')} AS days,
            ${col(need('DISTINCT_SUBJECTS'), 'count(DISTINCT s.subject)', 'bigint')} AS subjects,
            ${col(need('SUM', 'AVG'), 'sum(s.value::numeric)', 'numeric')} AS sum_v,
            ${col(need('AVG'), 'count(s.value)', 'bigint')} AS n_v,
            ${col(need('MIN'), 'min(s.value)', 'float8')} AS min_v,
            ${col(need('MAX'), 'max(s.value)', 'float8')} AS max_v,
            ${col(need('LATEST'), '(array_agg(s.value ORDER BY s.occurred_at DESC, s.id DESC) FILTER (WHERE s.value IS NOT NULL))[1]', 'float8')} AS latest_v,
            ${col(need('DAYS_SINCE'), 'max(s.occurred_at)', 'timestamptz')} AS last_at
          FROM signals s
          WHERE s.workspace_id = $1 AND s.type = ${$p(sp.signal_type)} AND s.occurred_at <= $2
            ${sp.window_days === null ? '' : `AND s.occurred_at > ${$p(sp.win_start)}::timestamptz`}
            ${sp.subject === null ? '' : `AND s.subject = ${$p(sp.subject)}`}
            -- the accounts table (not the peers CTE): with its statistics the planner can pick a range scan of the
            -- signals of this type and window (index signals_type_time_idx) over one probe per peer account
            AND s.account_id IN (SELECT a.id FROM accounts a WHERE a.workspace_id = $1 AND a.cluster_id IN (${clusters}))
          GROUP BY s.account_id`;
}

const ANALYZED = new Set(['_acc', '_ao', '_mv', '_ach', '_jr', '_pv', '_cs', '_oh', '_ah']);

/**
 * PERCENTILE peers of a scoring run: its chunks share one distribution of the peers' values (table
 * scoring_peer_distributions, keyed by run and model hash), computed by the first chunk at the run's asOf.
 */
export interface PeerCache { runId: string; modelHash: string }

export async function buildTempTables(tx: TenantScope, config: ModelConfig, asOf: Date, ids: string[] | null, timings: Record<string, number>,
  peerCache: PeerCache | null = null): Promise<void> {
  const rows = configRows(config);
  const step = async (name: string, sql: string, params: unknown[] = []) => {
    const t0 = performance.now();
    if (process.env.SCORING_EXPLAIN?.split(',').includes(name)) {
      const plan = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${sql}`, params);
      console.log(plan.map((r) => r['QUERY PLAN']).join('\n')); // eslint-disable-line no-console
    } else await tx.query(sql, params);
    // Temp tables have no statistics until analysed; without them the planner picks nested loops over big joins.
    if (ANALYZED.has(name)) await tx.manager.query(`ANALYZE ${name}`);
    timings[name] = Math.round(performance.now() - t0);
  };
  await tx.manager.query(`DROP TABLE IF EXISTS _o, _st, _c, _fn, _ms, _acc, _ao, _mv, _ach, _jr, _pv, _cs, _oh, _ah`);

  // ---- configuration ----
  await step('_o', `CREATE TEMP TABLE _o ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(outcome_id uuid, cluster_id uuid, weight float8, wp float8, wr float8, has_journey boolean, stuck_after int, last_stage_id uuid) WHERE $1::uuid IS NOT NULL`,
  [JSON.stringify(rows.outcomes)]);
  await step('_st', `CREATE TEMP TABLE _st ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(outcome_id uuid, stage_id uuid, key text, start_day int) WHERE $1::uuid IS NOT NULL`, [JSON.stringify(rows.stages)]);
  await step('_c', `CREATE TEMP TABLE _c ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(component_id uuid, outcome_id uuid, key text, name text, side text, weight float8, position int, agg text, spec_id int,
         normalize_by text, fn_id int, percentile boolean, attr text) WHERE $1::uuid IS NOT NULL`, [JSON.stringify(rows.components)]);
  await step('_fn', `CREATE TEMP TABLE _fn ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(fn_id int, component_id uuid, stage_key text, type text, floor float8, target float8, bands jsonb, hib boolean)
    WHERE $1::uuid IS NOT NULL`, [JSON.stringify(rows.fns)]);
  await step('_ms', `CREATE TEMP TABLE _ms ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(milestone_id uuid, outcome_id uuid, stage_id uuid, stage_index int, key text, expected_by_day int, weight float8, position int, completion text,
         rule_id int, at_least float8) WHERE $1::uuid IS NOT NULL`, [JSON.stringify(rows.milestones)]);

  // ---- accounts in scope (+ cluster peers for PERCENTILE), journey day d ----
  const pctClusters = [...new Set(config.outcomes.filter((o) => o.coin?.components.some(isPercentile)).map((o) => o.clusterId))];
  // A run's later chunks read the peers' distribution its first chunk stored: no cluster peers to score.
  const cache = pctClusters.length > 0 && ids && peerCache ? peerCache : null;
  const cached = cache !== null && (await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM scoring_peer_distributions WHERE workspace_id = $1 AND run_id = $2 AND model_hash = $3`,
    [cache.runId, cache.modelHash]))[0].n > 0;
  // The first chunk of a run stores the distribution every later chunk reads: it must cover every cluster with a
  // PERCENTILE component, not only the clusters of its own accounts (a later chunk may hold the only accounts of one).
  const storeForRun = cache !== null && !cached;
  // A targeted rescore (and a run's first chunk) ranks its accounts among their cluster peers without scoring the
  // peers: one lean statement (_pv below) computes only the peers' values of the PERCENTILE components. A PERCENTILE
  // over JOURNEY_ADHERENCE needs the peers' journeys: those peers are scored through _acc/_ao/_mv/_ach/_jr as before.
  const leanPeers = ids !== null && !cached && pctClusters.length > 0
    && !rows.components.some((c) => c.percentile && c.agg === 'JOURNEY_ADHERENCE');
  await step('_acc', `CREATE TEMP TABLE _acc ON COMMIT DROP AS
    SELECT a.id AS account_id, a.cluster_id, a.attributes, a.journey_started_at,
      GREATEST(0, floor(extract(epoch FROM ($2::timestamptz - a.journey_started_at)) / 86400))::int AS d,
      ($3::uuid[] IS NULL OR a.id = ANY($3::uuid[])) AS target
    FROM accounts a
    WHERE a.workspace_id = $1 AND ($3::uuid[] IS NULL OR a.id = ANY($3::uuid[])
      OR (a.cluster_id = ANY($4::uuid[])
          AND ($5::boolean OR a.cluster_id IN (SELECT t.cluster_id FROM accounts t WHERE t.workspace_id = $1 AND t.id = ANY($3::uuid[])))))`,
  [asOf, ids, cached || leanPeers ? [] : pctClusters, storeForRun]);

  // ---- account × outcome, stage in force: greatest start_day <= d ----
  await step('_ao', `CREATE TEMP TABLE _ao ON COMMIT DROP AS
    SELECT acc.account_id, acc.target, acc.d, acc.attributes, acc.journey_started_at, o.outcome_id, st.stage_id, st.key AS stage_key
    FROM _acc acc JOIN _o o ON o.cluster_id = acc.cluster_id
    LEFT JOIN LATERAL (SELECT s.stage_id, s.key FROM _st s WHERE s.outcome_id = o.outcome_id AND s.start_day <= acc.d
                       ORDER BY s.start_day DESC LIMIT 1) st ON true
    -- cluster peers only for the outcomes they are peers in (those with a PERCENTILE component)
    WHERE $1::uuid IS NOT NULL AND (acc.target OR o.outcome_id = ANY($2::uuid[]))`,
  [[...new Set(rows.components.filter((c) => c.percentile).map((c) => c.outcome_id))]]);


  // ---- metric values: one pass over the signals of the needed types, FILTER per window ----
  const types = [...new Set(rows.specs.map((s) => s.signal_type))];
  // The specs come inline (not from the temp table) and the full scope needs no account join: a plan that
  // touches no temp table can scan the signals with parallel workers.
  const specRows = rows.specs.map((sp) => ({
    ...sp, win_start: sp.window_days === null ? '-infinity' : new Date(asOf.getTime() - sp.window_days * 86_400_000).toISOString(),
  }));
  const inWin = `s.occurred_at > sp.win_start`;
  // With explicit ids, name the accounts so the signals index (workspace, account, type, time) can be used.
  const accFilter = ids ? `AND s.account_id IN (SELECT account_id FROM _acc)` : '';
  // Peers are in _acc only when a PERCENTILE needs them and no stored distribution or lean statement serves (see _pv).
  const peerSpecs = ids && !cached && !leanPeers && pctClusters.length ? specRows.filter((sp) => sp.percentile) : [];
  await step('_mv', `CREATE TEMP TABLE _mv ON COMMIT DROP AS
    SELECT s.account_id, sp.spec_id,
      count(*) FILTER (WHERE ${inWin}) AS n,
      count(DISTINCT (s.occurred_at AT TIME ZONE 'UTC')::date) FILTER (WHERE sp.need_days AND ${inWin}) AS days,
      count(DISTINCT s.subject) FILTER (WHERE sp.need_subjects AND ${inWin}) AS subjects,
      sum(s.value::numeric) FILTER (WHERE sp.need_sum AND ${inWin}) AS sum_v,
      count(s.value) FILTER (WHERE sp.need_sum AND ${inWin}) AS n_v,
      min(s.value) FILTER (WHERE sp.need_minmax AND ${inWin}) AS min_v,
      max(s.value) FILTER (WHERE sp.need_minmax AND ${inWin}) AS max_v,
      (array_agg(s.value ORDER BY s.occurred_at DESC, s.id DESC) FILTER (WHERE sp.need_latest AND s.value IS NOT NULL AND ${inWin}))[1] AS latest_v,
      max(s.occurred_at) AS last_at
    FROM ${ids ? `(
      SELECT s.account_id, s.id, s.type, s.subject, s.value, s.occurred_at FROM signals s
      WHERE s.workspace_id = $1 AND s.occurred_at <= $2 AND s.type = ANY($3::text[])
        AND s.account_id IN (SELECT account_id FROM _acc WHERE target)
      ${peerSpecs.length ? `UNION ALL
      -- cluster peers (PERCENTILE): only the signals of the PERCENTILE specs, only as far back as their windows reach
      SELECT s.account_id, s.id, s.type, s.subject, s.value, s.occurred_at FROM signals s
      WHERE s.workspace_id = $1 AND s.occurred_at <= $2 AND s.type = ANY($5::text[]) AND s.occurred_at > $6::timestamptz
        AND s.account_id IN (SELECT account_id FROM _acc WHERE NOT target)` : ''}
    ) s` : 'signals s'}
    JOIN jsonb_to_recordset($4::jsonb) AS sp(spec_id int, signal_type text, subject text, win_start timestamptz, need_days boolean,
      need_subjects boolean, need_sum boolean, need_minmax boolean, need_latest boolean, need_last boolean, percentile boolean)
      ON sp.signal_type = s.type AND (sp.subject IS NULL OR sp.subject = s.subject) AND (sp.need_last OR ${inWin})
    ${ids ? 'JOIN _acc acc ON acc.account_id = s.account_id AND (acc.target OR sp.percentile)' : ''}
    WHERE ${ids ? '$1::uuid IS NOT NULL' : 's.workspace_id = $1 AND s.occurred_at <= $2 AND s.type = ANY($3::text[])'}
    GROUP BY s.account_id, sp.spec_id`, [asOf, types, JSON.stringify(specRows),
    ...(peerSpecs.length ? [[...new Set(peerSpecs.map((sp) => sp.signal_type))],
      peerSpecs.some((sp) => sp.need_last || sp.window_days === null) ? '-infinity'
        : peerSpecs.map((sp) => sp.win_start).sort()[0]] : [])]);

  // ---- automatic milestones: achievedAt = occurred_at of the signal with which the cumulative condition first held ----
  const msTypes = [...new Set(rows.rules.map((r) => r.signal_type))];
  const adherencePct = config.outcomes.some((o) => o.coin?.components.some((c) => c.metric.aggregation === 'JOURNEY_ADHERENCE' && isPercentile(c)));
  // Per distinct rule (signal type, subject, aggregation) and account. COUNT/DISTINCT_*: the measure grows by 1
  // per event (every signal; the first signal of each day/subject), so it first reaches atLeast at the
  // ceil(atLeast)-th event: one array of event times per account × rule, no running sum over all signals.
  // SUM (values may be negative) keeps the running sum. Equal timestamps give the same instant either way.
  await step('_ach', `CREATE TEMP TABLE _ach ON COMMIT DROP AS
    WITH sig AS (
      SELECT s.account_id, r.rule_id, r.agg, s.occurred_at, s.value, s.subject
      FROM signals s
      JOIN jsonb_to_recordset($5::jsonb) AS r(rule_id int, signal_type text, subject text, agg text)
        ON r.signal_type = s.type AND (r.subject IS NULL OR r.subject = s.subject)
      ${ids ? 'JOIN _acc acc ON acc.account_id = s.account_id AND (acc.target OR $4::boolean)'
    : 'JOIN accounts acc ON acc.workspace_id = $1 AND acc.id = s.account_id AND $4::boolean IS NOT NULL'}
      WHERE s.workspace_id = $1 AND s.occurred_at <= $2 AND s.occurred_at >= acc.journey_started_at
        AND s.type = ANY($3::text[]) ${accFilter}
    ), ev AS (
      -- COUNT: every signal; DISTINCT_*: the first signal of each day/subject (the instants the measure grows by 1)
      SELECT account_id, rule_id, occurred_at FROM sig WHERE agg = 'COUNT'
      UNION ALL
      SELECT account_id, rule_id, min(occurred_at) FROM sig WHERE agg = 'DISTINCT_DAYS'
      GROUP BY account_id, rule_id, (occurred_at AT TIME ZONE 'UTC')::date
      UNION ALL
      SELECT account_id, rule_id, min(occurred_at) FROM sig WHERE agg = 'DISTINCT_SUBJECTS' AND subject IS NOT NULL
      GROUP BY account_id, rule_id, subject
    ), kth AS (
      -- a measure that grows by 1 per event first reaches k at the k-th event in time order: no running sum needed
      SELECT account_id, rule_id, array_agg(occurred_at ORDER BY occurred_at) AS ts FROM ev GROUP BY account_id, rule_id
    ), cum AS (
      -- SUM (values of any sign): a running sum; peers at the same instant are summed together (RANGE frame)
      SELECT account_id, rule_id, occurred_at,
        sum(inc) OVER w AS c,
        coalesce(sum(inc) OVER (w RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP), 0) AS c_before
      FROM (SELECT account_id, rule_id, occurred_at, coalesce(value, 0)::numeric AS inc FROM sig WHERE agg = 'SUM') e
      WINDOW w AS (PARTITION BY account_id, rule_id ORDER BY occurred_at)
    )
    -- the k-th event, k = ceil(atLeast) (atLeast <= 0 holds without any signal: handled in _jr)
    SELECT kth.account_id, m.milestone_id, kth.ts[ceil(m.at_least)::int] AS achieved_at
    FROM kth JOIN _ms m ON m.rule_id = kth.rule_id AND m.at_least > 0 AND m.at_least <= cardinality(kth.ts)
    UNION ALL
    -- only the instants where the running sum crosses a threshold (the first crossing is the achievement)
    SELECT cum.account_id, m.milestone_id, min(cum.occurred_at) AS achieved_at
    FROM cum JOIN _ms m ON m.rule_id = cum.rule_id AND cum.c >= m.at_least::numeric AND cum.c_before < m.at_least::numeric
    GROUP BY cum.account_id, m.milestone_id`,
  [asOf, msTypes, adherencePct, JSON.stringify(rows.rules)]);

  // ---- journey per account × outcome ----
  await step('_jr', `CREATE TEMP TABLE _jr ON COMMIT DROP AS
    WITH msr AS (
      SELECT ao.account_id, ao.outcome_id, ao.d, m.milestone_id, m.key, m.expected_by_day, m.weight, m.position, m.stage_id, m.stage_index,
        -- a condition that holds with no signal at all is met at journey start; a CSM's completion also counts
        LEAST(ach.achieved_at, mc.achieved_at,
              CASE WHEN m.completion = 'AUTOMATIC' AND m.at_least <= 0 AND ao.journey_started_at <= $2 THEN ao.journey_started_at END) AS achieved_at
      FROM _ao ao JOIN _ms m ON m.outcome_id = ao.outcome_id
      LEFT JOIN _ach ach ON ach.account_id = ao.account_id AND ach.milestone_id = m.milestone_id
      LEFT JOIN milestone_completions mc ON mc.workspace_id = $1 AND mc.account_id = ao.account_id
        AND mc.milestone_id = m.milestone_id AND mc.achieved_at <= $2
      WHERE ao.target OR $3::boolean
    ), agg AS (
      SELECT account_id, outcome_id,
        sum(weight ORDER BY milestone_id) FILTER (WHERE expected_by_day <= d) AS due_w,
        sum(weight ORDER BY milestone_id) FILTER (WHERE expected_by_day <= d AND achieved_at IS NOT NULL) AS done_w,
        count(*) FILTER (WHERE expected_by_day <= d AND achieved_at IS NULL)::int AS overdue,
        bool_or(expected_by_day > d AND achieved_at IS NOT NULL) AS ahead,
        max(achieved_at) AS last_achieved,
        (array_agg(milestone_id ORDER BY expected_by_day, position, milestone_id) FILTER (WHERE achieved_at IS NULL AND expected_by_day > d))[1] AS next_id,
        min(expected_by_day) FILTER (WHERE achieved_at IS NULL AND expected_by_day > d) - min(d) AS days_until_due,
        -- stage by achievement: the stage of the first milestone not achieved yet, in journey order
        (array_agg(stage_id ORDER BY stage_index, position, milestone_id) FILTER (WHERE achieved_at IS NULL))[1] AS open_stage_id,
        json_agg(json_build_object('milestoneId', milestone_id, 'key', key, 'expectedByDay', expected_by_day, 'weight', weight,
          'achievedAt', to_char(achieved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
          ORDER BY expected_by_day, position, milestone_id)::jsonb AS milestones
      FROM msr GROUP BY account_id, outcome_id
    )
    SELECT ao.account_id, ao.outcome_id,
      CASE WHEN NOT o.has_journey THEN NULL WHEN coalesce(agg.due_w, 0) = 0 THEN 1::float8 ELSE coalesce(agg.done_w, 0) / agg.due_w END AS adherence,
      CASE WHEN NOT o.has_journey THEN NULL
           WHEN agg.overdue > 0 AND (agg.last_achieved IS NULL OR agg.last_achieved <= $2::timestamptz - o.stuck_after * interval '24 hours') THEN 'STUCK'
           WHEN agg.overdue > 0 THEN 'BEHIND'
           WHEN agg.ahead THEN 'AHEAD'
           ELSE 'ON_TRACK' END AS status,
      coalesce(agg.overdue, 0) AS overdue_count, agg.next_id, agg.days_until_due, coalesce(agg.milestones, '[]'::jsonb) AS milestones,
      -- every milestone achieved: the account counts in the last stage
      CASE WHEN o.has_journey THEN coalesce(agg.open_stage_id, o.last_stage_id) END AS achievement_stage_id
    FROM _ao ao JOIN _o o ON o.outcome_id = ao.outcome_id
    LEFT JOIN agg ON agg.account_id = ao.account_id AND agg.outcome_id = ao.outcome_id
    WHERE ($1::uuid IS NOT NULL) AND (ao.target OR $3::boolean)`, [asOf, adherencePct]);

  // ---- component values and scores ----
  const anyPercentile = pctClusters.length > 0;
  const params: unknown[] = [asOf];
  const appl = rows.components.length && config.outcomes.some((o) => o.coin?.components.some((c) => c.applicability))
    ? `CASE c.component_id ${config.outcomes.flatMap((o) => o.coin?.components ?? []).filter((c) => c.applicability)
      .map((c) => `WHEN '${c.id}'::uuid THEN coalesce(${ruleToSql(c.applicability!, 'ao', params, 1)}, false)`).join(' ')} ELSE true END`
    : 'true';
  // The metric value of each component (one definition, so that peers and targets get bit-identical values):
  // v0 and divisor of component `c` for account `ao` (attributes, d) from its metric row `mv`.
  const valueSql = (adherence: string) => `CASE c.agg
          WHEN 'COUNT' THEN coalesce(mv.n, 0)::float8
          WHEN 'DISTINCT_DAYS' THEN coalesce(mv.days, 0)::float8
          WHEN 'DISTINCT_SUBJECTS' THEN coalesce(mv.subjects, 0)::float8
          WHEN 'SUM' THEN coalesce(mv.sum_v, 0)::float8
          WHEN 'AVG' THEN (mv.sum_v / NULLIF(mv.n_v, 0))::float8
          WHEN 'MIN' THEN mv.min_v
          WHEN 'MAX' THEN mv.max_v
          WHEN 'LATEST' THEN mv.latest_v
          WHEN 'DAYS_SINCE' THEN coalesce(floor(extract(epoch FROM ($2::timestamptz - mv.last_at)) / 86400)::float8, ao.d::float8)
          WHEN 'JOURNEY_ADHERENCE' THEN ${adherence}
          -- what the account is: a numeric attribute (today's: attributes have no history), its tenure
          WHEN 'ATTRIBUTE' THEN CASE WHEN jsonb_typeof(ao.attributes -> c.attr) = 'number' THEN (ao.attributes ->> c.attr)::float8 END
          WHEN 'JOURNEY_DAY' THEN ao.d::float8
        END AS v0,
        CASE WHEN c.normalize_by IS NULL THEN 1::float8
             WHEN jsonb_typeof(ao.attributes -> c.normalize_by) = 'number' THEN NULLIF((ao.attributes ->> c.normalize_by)::float8, 0)
        END AS divisor`;
  const rawSql = (where: string) => `
      SELECT ao.account_id, ao.outcome_id, ao.target, c.component_id, c.key, c.name, c.side, c.weight, c.position,
        ${appl} AS applicable,
        coalesce(fo.fn_id, c.fn_id) AS fn_id,
        -- CATEGORICAL reads the attribute as text (a plan name, true, 12)
        CASE WHEN c.agg = 'ATTRIBUTE' THEN ao.attributes ->> c.attr END AS tv,
        ${valueSql('jr.adherence')}
      FROM _ao ao JOIN _c c ON c.outcome_id = ao.outcome_id
      LEFT JOIN _fn fo ON fo.component_id = c.component_id AND fo.stage_key = ao.stage_key
      LEFT JOIN _mv mv ON mv.account_id = ao.account_id AND mv.spec_id = c.spec_id
      LEFT JOIN _jr jr ON jr.account_id = ao.account_id AND jr.outcome_id = ao.outcome_id
      WHERE ($1::uuid IS NOT NULL) AND ${where}`;
  const bandsCases = bandsSql(rows.fns, 'val.v');
  const categoricalCases = categoricalSql(rows.fns, 'val.tv');
  // From a CTE `raw` (component_id, applicable, v0, divisor): the distribution of each component's distinct values.
  const distributionSql = `g AS (
          SELECT component_id, v0 / divisor AS v, count(*) AS n FROM raw
          WHERE applicable AND v0 / divisor IS NOT NULL GROUP BY 1, 2
        )
        SELECT component_id, v, (sum(n) OVER (PARTITION BY component_id ORDER BY v) - n)::float8 AS lower, n::float8 AS equal,
          (sum(n) OVER (PARTITION BY component_id))::float8 AS total
        FROM g`;
  if (anyPercentile) {
    // PERCENTILE: rank among the applicable accounts with a value of the same component (= same cluster) at the same T,
    // as a distribution of distinct values (lower = count of smaller values, equal, total); a run's first chunk stores it.
    if (cached) {
      await step('_pv', `CREATE TEMP TABLE _pv ON COMMIT DROP AS
        SELECT d.component_id, u.v, u.lower::float8 AS lower, u.equal::float8 AS equal, d.total::float8 AS total
        FROM scoring_peer_distributions d CROSS JOIN LATERAL unnest(d.vals, d.lowers, d.equals) AS u(v, lower, equal)
        WHERE d.workspace_id = $1 AND d.run_id = $2 AND d.model_hash = $3`, [cache!.runId, cache!.modelHash]);
    } else if (leanPeers) {
      // The targets' values from their own rows (so each finds itself in the distribution), the other accounts of
      // their clusters from one lean pass per PERCENTILE spec over its signals: no stage, journey or score, and only
      // the columns its aggregations read (COUNT: an index-only scan).
      const pp: unknown[] = [...params, [...new Set(rows.components.filter((c) => c.percentile).map((c) => c.outcome_id))]];
      const $p = (v: unknown) => { pp.push(v); return `$${pp.length + 1}`; };
      const outcomesP = `$${pp.length + 1}`;
      // Peers: the other accounts of the targets' clusters; for a run's stored distribution, of every PERCENTILE cluster.
      const clusters = storeForRun ? `SELECT unnest(${$p(pctClusters)}::uuid[])` : 'SELECT cluster_id FROM _acc';
      const peerMv = specRows.filter((sp) => sp.percentile).map((sp) => peerMetricSql(sp,
        rows.components.filter((c) => c.percentile && c.spec_id === sp.spec_id).map((c) => c.agg), $p, clusters));
      await step('_pv', `CREATE TEMP TABLE _pv ON COMMIT DROP AS
        WITH peers AS MATERIALIZED (
          SELECT a.id AS account_id, a.attributes, o.outcome_id,
            GREATEST(0, floor(extract(epoch FROM ($2::timestamptz - a.journey_started_at)) / 86400))::int AS d
          FROM accounts a JOIN _o o ON o.cluster_id = a.cluster_id AND o.outcome_id = ANY(${outcomesP}::uuid[])
          WHERE a.workspace_id = $1 AND a.cluster_id IN (${clusters})
            AND NOT EXISTS (SELECT 1 FROM _acc t WHERE t.account_id = a.id)
        ), mv AS (
          ${peerMv.length ? peerMv.join('\n          UNION ALL\n          ')
    // PERCENTILE only over what the account is (ATTRIBUTE, JOURNEY_DAY): no signals to read
    : `SELECT NULL::uuid AS account_id, NULL::int AS spec_id, NULL::bigint AS n, NULL::bigint AS days, NULL::bigint AS subjects,
            NULL::numeric AS sum_v, NULL::bigint AS n_v, NULL::float8 AS min_v, NULL::float8 AS max_v, NULL::float8 AS latest_v,
            NULL::timestamptz AS last_at WHERE false`}
        ), raw AS (
          SELECT c.component_id, ${appl} AS applicable, ${valueSql('NULL::float8')}
          FROM peers ao JOIN _c c ON c.outcome_id = ao.outcome_id AND c.percentile
          LEFT JOIN mv ON mv.account_id = ao.account_id AND mv.spec_id = c.spec_id
          UNION ALL
          SELECT component_id, applicable, v0, divisor FROM (${rawSql('ao.target AND c.percentile')}) t
        ), ${distributionSql}`, pp);
    } else {
      await step('_pv', `CREATE TEMP TABLE _pv ON COMMIT DROP AS
        WITH raw AS (${rawSql('c.percentile')}), ${distributionSql}`, params);
    }
    if (storeForRun) {
      await tx.query(`INSERT INTO scoring_peer_distributions (workspace_id, run_id, model_hash, component_id, vals, lowers, equals, total)
        SELECT $1::uuid, $2, $3, c.component_id, coalesce(array_agg(p.v ORDER BY p.v) FILTER (WHERE p.component_id IS NOT NULL), '{}'),
          coalesce(array_agg(p.lower::int ORDER BY p.v) FILTER (WHERE p.component_id IS NOT NULL), '{}'),
          coalesce(array_agg(p.equal::int ORDER BY p.v) FILTER (WHERE p.component_id IS NOT NULL), '{}'),
          coalesce(max(p.total), 0)::int
        FROM _c c LEFT JOIN _pv p ON p.component_id = c.component_id WHERE c.percentile GROUP BY c.component_id
        ON CONFLICT DO NOTHING`, [cache!.runId, cache!.modelHash]);
    }
  }
  // With a stored distribution an account whose value is not in it (its data changed during the run) is ranked
  // as one more value among those peers.
  const pct = (col: 'lower' | 'equal' | 'total') => !cached ? `p.${col}` : {
    lower: `coalesce(p.lower, (SELECT coalesce(sum(q.equal), 0) FROM _pv q WHERE q.component_id = val.component_id AND q.v < val.v))`,
    equal: `coalesce(p.equal, 1::float8)`,
    total: `coalesce(p.total, 1 + coalesce((SELECT max(q.total) FROM _pv q WHERE q.component_id = val.component_id), 0))`,
  }[col];
  await step('_cs', `CREATE TEMP TABLE _cs ON COMMIT DROP AS
    WITH raw AS (${rawSql('ao.target')}    ), val AS ${anyPercentile ? 'MATERIALIZED' : 'NOT MATERIALIZED'} (
      -- normalizeBy: missing when the attribute is absent, not a number, or 0 (divisor NULL). Materialized with
      -- PERCENTILE: v becomes a plain column, so the join to _pv on (component_id, v) hashes on both keys.
      -- (Inlined, the planner merged on component_id alone and filtered v: quadratic in the distinct values.)
      SELECT raw.*, v0 / divisor AS v FROM raw
    )
    SELECT val.account_id, val.outcome_id, val.component_id, val.key, val.name, val.side, val.weight, val.position, val.applicable,
      val.v AS value,
      CASE WHEN NOT val.applicable THEN NULL
           WHEN f.type = 'CATEGORICAL' THEN ${categoricalCases}
           WHEN val.v IS NULL THEN NULL
           WHEN f.type = 'LINEAR' THEN
             CASE WHEN f.floor = f.target THEN CASE WHEN val.v >= f.target THEN 100::float8 ELSE 0::float8 END
                  ELSE GREATEST(0::float8, LEAST(1::float8, (val.v - f.floor) / (f.target - f.floor))) * 100::float8 END
           WHEN f.type = 'BANDS' THEN ${bandsCases}
           WHEN f.type = 'PERCENTILE' THEN
             CASE WHEN ${pct('total')} <= 1 THEN 50::float8
                  ELSE 100::float8 * (CASE WHEN f.hib THEN ${pct('lower')} ELSE ${pct('total')} - ${pct('lower')} - ${pct('equal')} END
                                      + 0.5::float8 * (${pct('equal')} - 1)) / (${pct('total')} - 1) END
      END AS score
    FROM val JOIN _fn f ON f.fn_id = val.fn_id
    ${anyPercentile ? 'LEFT JOIN _pv p ON p.component_id = val.component_id AND p.v = val.v'
    : 'CROSS JOIN (SELECT NULL::float8 AS lower, NULL::float8 AS equal, NULL::float8 AS total) p'}
    WHERE val.target`, params);

  // ---- sides, coin score, coverage, band, drivers ----
  const { redBelow, yellowBelow } = config.thresholds;
  await step('_oh', `CREATE TEMP TABLE _oh ON COMMIT DROP AS
    -- One sort of the component rows: side sums as whole-partition window aggregates in component order
    -- (a fixed float summation order), then one group per account × outcome for the coin and the drivers.
    WITH cs AS (
      SELECT _cs.*, o.wp, o.wr, (applicable AND score IS NOT NULL) AS present,
        sum(weight * score) FILTER (WHERE applicable AND score IS NOT NULL AND side = 'PROACTIVE') OVER part AS p_num,
        sum(weight) FILTER (WHERE applicable AND score IS NOT NULL AND side = 'PROACTIVE') OVER part AS p_w,
        sum(weight) FILTER (WHERE applicable AND side = 'PROACTIVE') OVER part AS p_app,
        sum(weight * score) FILTER (WHERE applicable AND score IS NOT NULL AND side = 'REACTIVE') OVER part AS r_num,
        sum(weight) FILTER (WHERE applicable AND score IS NOT NULL AND side = 'REACTIVE') OVER part AS r_w,
        sum(weight) FILTER (WHERE applicable AND side = 'REACTIVE') OVER part AS r_app
      FROM _cs JOIN (SELECT outcome_id, wp, wr FROM _o) o USING (outcome_id)
      WINDOW part AS (PARTITION BY account_id, outcome_id ORDER BY position, component_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    ), coin AS (
      -- _o joined before the window sort: the rows reach the grouping below already in its order
      SELECT cs.*, cs.p_num / NULLIF(cs.p_w, 0) AS p, cs.r_num / NULLIF(cs.r_w, 0) AS r
      FROM cs
    ), coin2 AS (
      SELECT coin.*,
        CASE WHEN p IS NOT NULL THEN wp ELSE 0 END + CASE WHEN r IS NOT NULL THEN wr ELSE 0 END AS den,
        CASE WHEN coalesce(p_app, 0) > 0 THEN wp ELSE 0 END + CASE WHEN coalesce(r_app, 0) > 0 THEN wr ELSE 0 END AS cov_den,
        CASE WHEN coalesce(p_app, 0) > 0 THEN wp * coalesce(p_w, 0) / p_app ELSE 0 END
          + CASE WHEN coalesce(r_app, 0) > 0 THEN wr * coalesce(r_w, 0) / r_app ELSE 0 END AS cov_num
      FROM coin
    ), c2 AS (
      SELECT account_id, outcome_id, min(p) AS p, min(r) AS r, min(wp) AS wp, min(wr) AS wr, min(den) AS den,
        min(cov_num) AS cov_num, min(cov_den) AS cov_den,
        -- jsonb built directly (not json text parsed again): the same values, floats go through the same text form.
        -- Stored worst first (most points lost; ties in the coin's component order), so that a reader wanting the
        -- top n takes the first n (health.loaders.ts topDriversSql) instead of sorting every row it reads.
        jsonb_agg(jsonb_build_object('componentId', component_id, 'key', key, 'name', name, 'side', side,
          'rawValue', value, 'score', score, 'weight', weight,
          'effectiveWeight', eff, 'contribution', eff * coalesce(score, 0), 'pointsLost', lost,
          'applicable', applicable, 'missing', applicable AND score IS NULL) ORDER BY lost DESC, position, component_id) AS drivers
      FROM coin2
      CROSS JOIN LATERAL (SELECT CASE WHEN present AND den > 0 THEN
          coalesce(weight / NULLIF(CASE side WHEN 'PROACTIVE' THEN p_w ELSE r_w END, 0)
                   * (CASE side WHEN 'PROACTIVE' THEN wp ELSE wr END) / den, 0::float8)
          ELSE 0::float8 END AS eff) x
      CROSS JOIN LATERAL (SELECT x.eff * (100 - coalesce(score, 0)) AS lost) y
      GROUP BY account_id, outcome_id
    ), scored AS (
      SELECT ao.account_id, ao.outcome_id, ao.stage_id, ao.d,
        (coalesce(c2.p * c2.wp, 0) + coalesce(c2.r * c2.wr, 0)) / NULLIF(c2.den, 0) AS score,
        c2.p AS proactive, c2.r AS reactive, c2.cov_num / NULLIF(c2.cov_den, 0) AS coverage, c2.drivers
      FROM _ao ao
      LEFT JOIN c2 ON c2.account_id = ao.account_id AND c2.outcome_id = ao.outcome_id
      WHERE ao.target
    )
    SELECT s.account_id, s.outcome_id, s.score,
      CASE WHEN s.score IS NULL THEN 'UNKNOWN' WHEN s.score < $2::float8 THEN 'RED' WHEN s.score < $3::float8 THEN 'YELLOW' ELSE 'GREEN' END AS band,
      s.proactive, s.reactive, s.coverage, s.stage_id, s.d AS journey_day,
      jr.status AS journey_status, coalesce(jr.overdue_count, 0) AS overdue_count, jr.next_id AS next_milestone_id,
      jr.days_until_due, coalesce(s.drivers, '[]'::jsonb) AS drivers, coalesce(jr.milestones, '[]'::jsonb) AS milestones,
      jr.achievement_stage_id
    FROM scored s LEFT JOIN _jr jr ON jr.account_id = s.account_id AND jr.outcome_id = s.outcome_id
    WHERE $1::uuid IS NOT NULL`, [redBelow, yellowBelow]);

  // ---- account health: outcome-weighted mean of the non-null outcome scores ----
  await step('_ah', `CREATE TEMP TABLE _ah ON COMMIT DROP AS
    WITH a AS (
      SELECT acc.account_id,
        sum(o.weight * oh.score ORDER BY oh.outcome_id) FILTER (WHERE oh.score IS NOT NULL) AS num,
        sum(o.weight * oh.coverage ORDER BY oh.outcome_id) FILTER (WHERE oh.score IS NOT NULL) AS cov_num,
        sum(o.weight ORDER BY oh.outcome_id) FILTER (WHERE oh.score IS NOT NULL) AS den,
        max(CASE oh.journey_status WHEN 'STUCK' THEN 4 WHEN 'BEHIND' THEN 3 WHEN 'ON_TRACK' THEN 2 WHEN 'AHEAD' THEN 1 END) AS worst
      FROM _acc acc LEFT JOIN _oh oh ON oh.account_id = acc.account_id LEFT JOIN _o o ON o.outcome_id = oh.outcome_id
      WHERE acc.target GROUP BY acc.account_id
    )
    SELECT account_id, num / NULLIF(den, 0) AS score,
      CASE WHEN num / NULLIF(den, 0) IS NULL THEN 'UNKNOWN' WHEN num / NULLIF(den, 0) < $2::float8 THEN 'RED'
           WHEN num / NULLIF(den, 0) < $3::float8 THEN 'YELLOW' ELSE 'GREEN' END AS band,
      cov_num / NULLIF(den, 0) AS coverage,
      CASE worst WHEN 4 THEN 'STUCK' WHEN 3 THEN 'BEHIND' WHEN 2 THEN 'ON_TRACK' WHEN 1 THEN 'AHEAD' END AS worst_journey_status
    FROM a WHERE $1::uuid IS NOT NULL`, [redBelow, yellowBelow]);
}

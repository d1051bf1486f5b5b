/**
 * Step 3 of "Scoring, exactly": metric values. From the signals (_metric_values: one pass, FILTER per window) and,
 * for JOURNEY_ADHERENCE, from the journey (_milestone_achievements, then _journeys, which also carries step 10's
 * journey status: both read the same milestones). Then the value of every component for every account × outcome
 * (componentValues), the one definition targets and PERCENTILE peers share so that their values are bit-identical.
 */
import { ruleToSql } from '../rules/rule.sql';
import type { MetricSpec, StepContext } from './engine.config';
import { METRIC_KINDS, type MetricColumn } from './engine.kinds';
import type { PeerDistribution } from './engine.percentile';

/** A spec with the start of its window (as a timestamp; -infinity without one). */
export type WindowedSpec = MetricSpec & { win_start: string };

export function windowedSpecs({ rows, asOf }: StepContext): WindowedSpec[] {
  return rows.specs.map((sp) => ({
    ...sp, win_start: sp.window_days === null ? '-infinity' : new Date(asOf.getTime() - sp.window_days * 86_400_000).toISOString(),
  }));
}

/** Step 3 (signals): the aggregates of every metric spec per account. */
export async function step3MetricValues(ctx: StepContext, peers: PeerDistribution): Promise<void> {
  const { asOf, ids, rows, step } = ctx;
  const types = [...new Set(rows.specs.map((s) => s.signal_type))];
  // The specs come inline (not from a temp table) and the full scope needs no account join: a plan that
  // touches no temp table can scan the signals with parallel workers.
  const specRows = windowedSpecs(ctx);
  const inWin = `s.occurred_at > sp.win_start`;
  // Peers are in _accounts only when their distribution is scored with the targets (see engine.percentile.ts).
  const peerSpecs = ids && peers.scoredPeerClusters.length ? specRows.filter((sp) => sp.percentile) : [];
  // Explicit ids: the accounts by an inner join with _accounts, not `s.account_id IN (SELECT … FROM _accounts)`. Under
  // row-level security the planner sized that semi-join's accounts × specs product at 100 rows and read every
  // account's signals once per spec (20k accounts: 22 s instead of 4 s; docs/security-and-reliability.md, "Cost").
  await step('_metric_values', `CREATE TEMP TABLE _metric_values ON COMMIT DROP AS
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
      SELECT s.account_id, s.id, s.type, s.subject, s.value, s.occurred_at
      FROM signals s JOIN _accounts t ON t.account_id = s.account_id AND t.target
      WHERE s.workspace_id = $1 AND s.occurred_at <= $2 AND s.type = ANY($3::text[])
      ${peerSpecs.length ? `UNION ALL
      -- cluster peers (PERCENTILE): only the signals of the PERCENTILE specs, only as far back as their windows reach
      SELECT s.account_id, s.id, s.type, s.subject, s.value, s.occurred_at
      FROM signals s JOIN _accounts p ON p.account_id = s.account_id AND NOT p.target
      WHERE s.workspace_id = $1 AND s.occurred_at <= $2 AND s.type = ANY($5::text[]) AND s.occurred_at > $6::timestamptz` : ''}
    ) s` : 'signals s'}
    JOIN jsonb_to_recordset($4::jsonb) AS sp(spec_id int, signal_type text, subject text, win_start timestamptz, need_days boolean,
      need_subjects boolean, need_sum boolean, need_minmax boolean, need_latest boolean, need_last boolean, percentile boolean)
      ON sp.signal_type = s.type AND (sp.subject IS NULL OR sp.subject = s.subject) AND (sp.need_last OR ${inWin})
    ${ids ? 'JOIN _accounts acc ON acc.account_id = s.account_id AND (acc.target OR sp.percentile)' : ''}
    ${ids ? '' : 'WHERE s.workspace_id = $1 AND s.occurred_at <= $2 AND s.type = ANY($3::text[])'}
    GROUP BY s.account_id, sp.spec_id`, [asOf, types, JSON.stringify(specRows),
    ...(peerSpecs.length ? [[...new Set(peerSpecs.map((sp) => sp.signal_type))],
      peerSpecs.some((sp) => sp.need_last || sp.window_days === null) ? '-infinity'
        : peerSpecs.map((sp) => sp.win_start).sort()[0]] : [])]);
}

/**
 * Step 3 (JOURNEY_ADHERENCE), first half: automatic milestones' achievedAt, the occurredAt of the signal with which
 * the cumulative condition first held (step 10's definition).
 */
export async function step3MilestoneAchievements({ asOf, ids, rows, step }: StepContext, peers: PeerDistribution): Promise<void> {
  const msTypes = [...new Set(rows.rules.map((r) => r.signal_type))];
  // Per distinct rule (signal type, subject, aggregation) and account. COUNT/DISTINCT_*: the measure grows by 1
  // per event (every signal; the first signal of each day/subject), so it first reaches atLeast at the
  // ceil(atLeast)-th event: one array of event times per account × rule, no running sum over all signals.
  // SUM (values may be negative) keeps the running sum. Equal timestamps give the same instant either way.
  await step('_milestone_achievements', `CREATE TEMP TABLE _milestone_achievements ON COMMIT DROP AS
    WITH sig AS (
      SELECT s.account_id, r.rule_id, r.agg, s.occurred_at, s.value, s.subject
      FROM signals s
      JOIN jsonb_to_recordset($5::jsonb) AS r(rule_id int, signal_type text, subject text, agg text)
        ON r.signal_type = s.type AND (r.subject IS NULL OR r.subject = s.subject)
      ${ids ? 'JOIN _accounts acc ON acc.account_id = s.account_id AND (acc.target OR $4::boolean)'
    : 'JOIN accounts acc ON acc.workspace_id = $1 AND acc.id = s.account_id AND $4::boolean IS NOT NULL'}
      WHERE s.workspace_id = $1 AND s.occurred_at <= $2 AND s.occurred_at >= acc.journey_started_at
        AND s.type = ANY($3::text[])
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
    -- the k-th event, k = ceil(atLeast) (atLeast <= 0 holds without any signal: handled in _journeys)
    SELECT kth.account_id, m.milestone_id, kth.ts[ceil(m.at_least)::int] AS achieved_at
    FROM kth JOIN _milestones m ON m.rule_id = kth.rule_id AND m.at_least > 0 AND m.at_least <= cardinality(kth.ts)
    UNION ALL
    -- only the instants where the running sum crosses a threshold (the first crossing is the achievement)
    SELECT cum.account_id, m.milestone_id, min(cum.occurred_at) AS achieved_at
    FROM cum JOIN _milestones m ON m.rule_id = cum.rule_id AND cum.c >= m.at_least::numeric AND cum.c_before < m.at_least::numeric
    GROUP BY cum.account_id, m.milestone_id`,
  [asOf, msTypes, peers.scoredPeerClusters.length > 0, JSON.stringify(rows.rules)]);
}

/**
 * Step 10: journey status, from the milestones aggregated per account × outcome (`agg`) and the outcome `o`: STUCK
 * when one is overdue and none was achieved in the last stuckAfterDays, BEHIND when one is overdue, AHEAD when one
 * not yet due is achieved, otherwise ON_TRACK.
 */
const journeyStatusSql = `CASE WHEN NOT o.has_journey THEN NULL
           WHEN agg.overdue > 0 AND (agg.last_achieved IS NULL OR agg.last_achieved <= $2::timestamptz - o.stuck_after * interval '24 hours') THEN 'STUCK'
           WHEN agg.overdue > 0 THEN 'BEHIND'
           WHEN agg.ahead THEN 'AHEAD'
           ELSE 'ON_TRACK' END`;

/**
 * Step 3 (JOURNEY_ADHERENCE), second half: per account × outcome, of the milestones with expectedByDay <= d the
 * weight achieved divided by their total weight (1 when none is due); with step 10's status, overdue count and next
 * milestone from the same pass.
 */
export async function step3JourneyAdherence({ asOf, step }: StepContext, peers: PeerDistribution): Promise<void> {
  await step('_journeys', `CREATE TEMP TABLE _journeys ON COMMIT DROP AS
    WITH msr AS (
      SELECT ao.account_id, ao.outcome_id, ao.d, m.milestone_id, m.key, m.expected_by_day, m.weight, m.position, m.stage_id, m.stage_index,
        -- a condition that holds with no signal at all is met at journey start; a CSM's completion also counts
        LEAST(ach.achieved_at, mc.achieved_at,
              CASE WHEN m.completion = 'AUTOMATIC' AND m.at_least <= 0 AND ao.journey_started_at <= $2 THEN ao.journey_started_at END) AS achieved_at
      FROM _account_outcomes ao JOIN _milestones m ON m.outcome_id = ao.outcome_id
      LEFT JOIN _milestone_achievements ach ON ach.account_id = ao.account_id AND ach.milestone_id = m.milestone_id
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
      ${journeyStatusSql} AS status,
      coalesce(agg.overdue, 0) AS overdue_count, agg.next_id, agg.days_until_due, coalesce(agg.milestones, '[]'::jsonb) AS milestones,
      -- every milestone achieved: the account counts in the last stage
      CASE WHEN o.has_journey THEN coalesce(agg.open_stage_id, o.last_stage_id) END AS achievement_stage_id
    FROM _account_outcomes ao JOIN _outcomes o ON o.outcome_id = ao.outcome_id
    LEFT JOIN agg ON agg.account_id = ao.account_id AND agg.outcome_id = ao.outcome_id
    WHERE (ao.target OR $3::boolean)`, [asOf, peers.scoredPeerClusters.length > 0]);
}

/**
 * The value of each component per account × outcome, for step 4 and the PERCENTILE peers: `params` (asOf, then the
 * applicability rules' values) go with every statement that uses `raw`/`value`/`applicable`.
 */
export interface ComponentValues {
  params: unknown[];
  /** Step 5's applicability rule of component `c` for account × outcome `ao`, as SQL. */
  applicable: string;
  /** v0 (the metric value, METRIC_KINDS) and divisor (normalizeBy) of `c` for `ao` from its metric row `mv`. */
  value: (adherence: string) => string;
  /** Rows (account_id, outcome_id, target, component_id, key, name, side, weight, position, applicable, fn_id, tv, v0, divisor). */
  raw: (where: string) => string;
}

export function componentValues({ config, rows, asOf }: StepContext): ComponentValues {
  const params: unknown[] = [asOf]; // $2 ($1 is the workspace); ruleToSql numbers the rules' values after it
  const withRules = config.outcomes.flatMap((o) => o.coin?.components ?? []).filter((c) => c.applicability);
  const applicable = rows.components.length && withRules.length
    ? `CASE c.component_id ${withRules.map((c) => `WHEN '${c.id}'::uuid THEN coalesce(${ruleToSql(c.applicability!, 'ao', params, 1)}, false)`).join(' ')} ELSE true END`
    : 'true';
  const value = (adherence: string) => `CASE c.agg
          ${Object.entries(METRIC_KINDS).map(([agg, k]) => `WHEN '${agg}' THEN ${k.value(adherence)}`).join('\n          ')}
        END AS v0,
        CASE WHEN c.normalize_by IS NULL THEN 1::float8
             WHEN jsonb_typeof(ao.attributes -> c.normalize_by) = 'number' THEN NULLIF((ao.attributes ->> c.normalize_by)::float8, 0)
        END AS divisor`;
  const raw = (where: string) => `
      SELECT ao.account_id, ao.outcome_id, ao.target, c.component_id, c.key, c.name, c.side, c.weight, c.position,
        ${applicable} AS applicable,
        coalesce(fo.fn_id, c.fn_id) AS fn_id,
        -- CATEGORICAL reads the attribute as text (a plan name, true, 12)
        CASE WHEN c.agg = 'ATTRIBUTE' THEN ao.attributes ->> c.attr END AS tv,
        ${value('jr.adherence')}
      FROM _account_outcomes ao JOIN _components c ON c.outcome_id = ao.outcome_id
      LEFT JOIN _scoring_fns fo ON fo.component_id = c.component_id AND fo.stage_key = ao.stage_key
      LEFT JOIN _metric_values mv ON mv.account_id = ao.account_id AND mv.spec_id = c.spec_id
      LEFT JOIN _journeys jr ON jr.account_id = ao.account_id AND jr.outcome_id = ao.outcome_id
      WHERE ${where}`;
  return { params, applicable, value, raw };
}

/** The _metric_values columns: how a lean peer pass computes each (engine.percentile.ts). */
export const METRIC_COLUMNS: Record<MetricColumn, { expr: string; type: string }> = {
  n: { expr: 'count(*)', type: 'bigint' },
  days: { expr: `count(DISTINCT (s.occurred_at AT TIME ZONE 'UTC')::date)`, type: 'bigint' },
  subjects: { expr: 'count(DISTINCT s.subject)', type: 'bigint' },
  sum_v: { expr: 'sum(s.value::numeric)', type: 'numeric' },
  n_v: { expr: 'count(s.value)', type: 'bigint' },
  min_v: { expr: 'min(s.value)', type: 'float8' },
  max_v: { expr: 'max(s.value)', type: 'float8' },
  latest_v: { expr: '(array_agg(s.value ORDER BY s.occurred_at DESC, s.id DESC) FILTER (WHERE s.value IS NOT NULL))[1]', type: 'float8' },
  last_at: { expr: 'max(s.occurred_at)', type: 'timestamptz' },
};

/**
 * Play triggers: what each kind means, its parameters, how they are validated, and the one SQL statement that finds,
 * for a whole set of plays at once, every account (× outcome) for which each play's trigger holds now (matchSql).
 * Set-based over the current health tables (and signals / health events where a kind needs them).
 */
import { TaskPriority } from '../tasks/task.entity';

export enum PlayTriggerKind {
  BAND_ENTERED = 'BAND_ENTERED',
  BAND_LEFT = 'BAND_LEFT',
  SCORE_DROPPED = 'SCORE_DROPPED',
  COVERAGE_BELOW = 'COVERAGE_BELOW',
  JOURNEY_STATUS = 'JOURNEY_STATUS',
  MILESTONE_OVERDUE = 'MILESTONE_OVERDUE',
  TAG_ADDED = 'TAG_ADDED',
  RENEWAL_WITHIN = 'RENEWAL_WITHIN',
  NO_TOUCHPOINT = 'NO_TOUCHPOINT',
}

export interface PlayTriggerSpec {
  kind: PlayTriggerKind;
  band?: string | null;
  bands?: string[] | null;
  points?: number | null;
  days?: number | null;
  coverageBelow?: number | null;
  journeyStatuses?: string[] | null;
  milestoneId?: string | null;
  tag?: string | null;
  touchpointTypes?: string[] | null;
}

export interface PlayTaskSpec {
  titleTemplate: string;
  /** A named owner; null = the account's csmOwner. */
  owner: string | null;
  dueInDays: number;
  priority: TaskPriority;
}

/** Outcome-level kinds fire per account × outcome; the others per account. */
export const OUTCOME_LEVEL = new Set([PlayTriggerKind.BAND_ENTERED, PlayTriggerKind.BAND_LEFT, PlayTriggerKind.SCORE_DROPPED,
  PlayTriggerKind.COVERAGE_BELOW, PlayTriggerKind.JOURNEY_STATUS, PlayTriggerKind.MILESTONE_OVERDUE]);

/** Touchpoint signal types (src/touchpoints) counted by NO_TOUCHPOINT unless the play names others. */
export const DEFAULT_TOUCHPOINT_TYPES = ['meeting', 'qbr', 'training', 'success_plan_review', 'onboarding_call'];

const BANDS = ['RED', 'YELLOW', 'GREEN', 'UNKNOWN'];
const STATUSES = ['ON_TRACK', 'AHEAD', 'BEHIND', 'STUCK'];
const TAG_RE = /^[a-z0-9][a-z0-9_.-]*$/;

export interface Problem { field: string; message: string }

/** Every problem of a trigger at once (each with its input path), and the stored spec with only its kind's parameters. */
export function checkTrigger(t: PlayTriggerSpec, at: string): { spec: PlayTriggerSpec; problems: Problem[] } {
  const problems: Problem[] = [];
  const need = (ok: boolean, field: string, message: string) => { if (!ok) problems.push({ field: `${at}.${field}`, message }); };
  const intIn = (v: number | null | undefined, lo: number, hi: number) => Number.isInteger(v) && v! >= lo && v! <= hi;
  const spec: PlayTriggerSpec = { kind: t.kind };
  switch (t.kind) {
    case PlayTriggerKind.BAND_ENTERED:
    case PlayTriggerKind.BAND_LEFT:
      need(!!t.band && BANDS.includes(t.band), 'band', `${t.kind} needs band: RED, YELLOW, GREEN or UNKNOWN.`);
      spec.band = t.band;
      break;
    case PlayTriggerKind.SCORE_DROPPED:
      need(typeof t.points === 'number' && t.points > 0 && t.points <= 100, 'points', 'SCORE_DROPPED needs points: more than 0, at most 100.');
      need(intIn(t.days, 1, 365), 'days', 'SCORE_DROPPED needs days: a whole number of days from 1 to 365.');
      Object.assign(spec, { points: t.points, days: t.days });
      break;
    case PlayTriggerKind.COVERAGE_BELOW:
      need(typeof t.coverageBelow === 'number' && t.coverageBelow > 0 && t.coverageBelow <= 1, 'coverageBelow',
        'COVERAGE_BELOW needs coverageBelow: a share above 0 and at most 1 (0.5 = half the score rests on evidence).');
      spec.coverageBelow = t.coverageBelow;
      break;
    case PlayTriggerKind.JOURNEY_STATUS:
      need(!!t.journeyStatuses?.length && t.journeyStatuses.every((s) => STATUSES.includes(s)), 'journeyStatuses',
        'JOURNEY_STATUS needs journeyStatuses, e.g. [BEHIND, STUCK].');
      spec.journeyStatuses = t.journeyStatuses;
      break;
    case PlayTriggerKind.MILESTONE_OVERDUE:
      spec.milestoneId = t.milestoneId ?? null; // null: any milestone
      break;
    case PlayTriggerKind.TAG_ADDED:
      need(!!t.tag && TAG_RE.test(t.tag) && t.tag.length <= 60, 'tag', 'TAG_ADDED needs tag: a slug such as champion_left.');
      spec.tag = t.tag;
      break;
    case PlayTriggerKind.RENEWAL_WITHIN:
      need(intIn(t.days, 0, 730), 'days', 'RENEWAL_WITHIN needs days: a whole number from 0 to 730.');
      need(!t.bands || (t.bands.length > 0 && t.bands.every((b) => BANDS.includes(b))), 'bands', 'bands must list at least one band.');
      Object.assign(spec, { days: t.days, bands: t.bands?.length ? t.bands : ['RED', 'YELLOW'] });
      break;
    case PlayTriggerKind.NO_TOUCHPOINT:
      need(intIn(t.days, 1, 730), 'days', 'NO_TOUCHPOINT needs days: a whole number from 1 to 730.');
      need(!t.touchpointTypes || (t.touchpointTypes.length > 0 && t.touchpointTypes.length <= 20), 'touchpointTypes', 'touchpointTypes: 1 to 20 signal types.');
      Object.assign(spec, { days: t.days, touchpointTypes: t.touchpointTypes?.length ? t.touchpointTypes : DEFAULT_TOUCHPOINT_TYPES });
      break;
    default:
      problems.push({ field: `${at}.kind`, message: 'Unknown trigger kind.' });
  }
  return { spec, problems };
}

/** Placeholders a task title may use; anything else in braces is reported when the play is saved. */
export const TITLE_PLACEHOLDERS = ['account.name', 'account.externalId', 'account.csmOwner', 'account.renewalDate',
  'outcome.name', 'band', 'score', 'journeyStatus', 'play.name'];

export function titleProblems(template: string, at: string): Problem[] {
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]).filter((p) => !TITLE_PLACEHOLDERS.includes(p));
  return unknown.length
    ? [{ field: at, message: `Unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((p) => `{${p}}`).join(', ')}; use ${TITLE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.` }]
    : [];
}

// ---- SQL ----------------------------------------------------------------------------------------------------------

/** A play as the match statement reads it (one element of its $2 jsonb array): the trigger's parameters, flattened. */
export interface PlayMatchInput {
  id: string | null;
  kind: PlayTriggerKind;
  band: string | null;
  bands: string[] | null;
  points: number | null;
  days: number | null;
  coverageBelow: number | null;
  journeyStatuses: string[] | null;
  milestoneId: string | null;
  tag: string | null;
  touchpointTypes: string[] | null;
  clusterIds: string[];
  outcomeIds: string[];
}

export function matchInput(play: { id?: string | null; trigger: PlayTriggerSpec; clusterIds?: string[] | null; outcomeIds?: string[] | null }): PlayMatchInput {
  const t = play.trigger;
  return {
    id: play.id ?? null, kind: t.kind, band: t.band ?? null, bands: t.bands ?? null, points: t.points ?? null, days: t.days ?? null,
    coverageBelow: t.coverageBelow ?? null, journeyStatuses: t.journeyStatuses ?? null, milestoneId: t.milestoneId ?? null,
    tag: t.tag ?? null, touchpointTypes: t.touchpointTypes ?? null, clusterIds: play.clusterIds ?? [], outcomeIds: play.outcomeIds ?? [],
  };
}

// ($3, the evaluation time, typed here: not every kind's condition reads it.)
const PLAYS = `p AS MATERIALIZED (
    SELECT p.*, $3::timestamptz AS evaluated_at FROM jsonb_to_recordset($2::jsonb) AS p(id uuid, kind text, band text, bands text[], points float8, days int,
      "coverageBelow" float8, "journeyStatuses" text[], "milestoneId" uuid, tag text, "touchpointTypes" text[], "clusterIds" uuid[], "outcomeIds" uuid[]))`;
const IN_CLUSTERS = `(cardinality(p."clusterIds") = 0 OR a.cluster_id = ANY(p."clusterIds"))`;
const TODAY = `($3::timestamptz AT TIME ZONE 'UTC')::date`;
const quoted = (kinds: PlayTriggerKind[]) => kinds.map((k) => `'${k}'`).join(', ');

/** What each outcome-level kind requires of a current outcome row h (with p the play; le, past: the joins below). */
const OUTCOME_CONDITION: Partial<Record<PlayTriggerKind, string>> = {
  [PlayTriggerKind.BAND_ENTERED]: `h.band = p.band`,
  // Left: the newest band change of the account × outcome came from that band (holds until the band changes again,
  // or the event leaves the 30-day event history).
  [PlayTriggerKind.BAND_LEFT]: `le.from_band = p.band AND h.band <> le.from_band`,
  // Dropped: the score now is at least `points` below the newest snapshot at or before `days` ago (the model's "change").
  [PlayTriggerKind.SCORE_DROPPED]: `h.score <= past.score - p.points`,
  [PlayTriggerKind.COVERAGE_BELOW]: `h.coverage < p."coverageBelow"`,
  [PlayTriggerKind.JOURNEY_STATUS]: `h.journey_status = ANY(p."journeyStatuses")`,
  // Any milestone: the row's overdue count; a named one: its entry in the row's milestones (read only then).
  [PlayTriggerKind.MILESTONE_OVERDUE]: `CASE WHEN p."milestoneId" IS NULL THEN h.overdue_count > 0
      ELSE EXISTS (SELECT 1 FROM jsonb_array_elements(h.milestones) ms
                    WHERE (ms->>'milestoneId')::uuid = p."milestoneId" AND ms->>'achievedAt' IS NULL
                      AND (ms->>'expectedByDay')::int <= h.journey_day) END`,
};

const ACCOUNT_CONDITION: Partial<Record<PlayTriggerKind, string>> = {
  [PlayTriggerKind.RENEWAL_WITHIN]: `a.renewal_date >= ${TODAY} AND a.renewal_date <= ${TODAY} + p.days AND c.band = ANY(p.bands)`,
  // A managed account (attribute managed = true) without a touchpoint signal in the last `days` days (tp, below).
  [PlayTriggerKind.NO_TOUCHPOINT]: `a.attributes->>'managed' = 'true' AND NOT (p.id = ANY(coalesce(tp.plays, '{}')))`,
};

/**
 * One statement that finds, for every play in $2 (a jsonb array of PlayMatchInput), every account (× outcome) for which
 * its trigger holds now. Rows: play_id, account_id, outcome_id, scope_key (outcome id as text, '' for account-level
 * kinds). Parameters: $1 workspace, $2 the plays, $3 evaluation time, $4 only accounts scored at or after this time
 * (null: all). The outcome-level plays share ONE pass over the current outcome rows, reading only their narrow
 * columns; tags are found from their signals; renewal and touchpoint plays share one pass over the accounts. Only
 * the parts the given kinds need are in the statement.
 */
export function matchSql(kinds: Iterable<PlayTriggerKind>): string {
  const present = new Set(kinds);
  const outcome = [...present].filter((k) => OUTCOME_CONDITION[k]);
  const account = [...present].filter((k) => ACCOUNT_CONDITION[k]);
  const parts: string[] = [];
  const ctes = [PLAYS];
  if (outcome.length) {
    const joins: string[] = [];
    if (present.has(PlayTriggerKind.BAND_LEFT)) {
      ctes.push(`le AS (
    SELECT DISTINCT ON (e.account_id, e.outcome_id) e.account_id, e.outcome_id, e.from_band
      FROM health_events e WHERE e.workspace_id = $1 AND e.kind = 'BAND_CHANGED' AND e.outcome_id IS NOT NULL
     ORDER BY e.account_id, e.outcome_id, e.created_at DESC, e.id DESC)`);
      joins.push(`LEFT JOIN le ON le.account_id = h.account_id AND le.outcome_id = h.outcome_id`);
    }
    const perPlay: string[] = [];
    if (present.has(PlayTriggerKind.SCORE_DROPPED)) {
      // Only for SCORE_DROPPED plays (a one-time filter skips the probe for the other plays).
      perPlay.push(`LEFT JOIN LATERAL (SELECT s.score FROM health_snapshots s
                   WHERE p.kind = 'SCORE_DROPPED' AND s.workspace_id = $1 AND s.account_id = h.account_id AND s.outcome_id = h.outcome_id
                     AND s.as_of <= $3::timestamptz - make_interval(days => p.days)
                   ORDER BY s.as_of DESC LIMIT 1) past ON true`);
    }
    // Each outcome row meets the (few) plays on the inner side of a lateral join, whatever the statistics of the
    // freshly rewritten health rows say: the rows are read once, not once per play.
    parts.push(`SELECT x.play_id, h.account_id, h.outcome_id, h.outcome_id::text AS scope_key
  FROM current_outcome_health h
  JOIN accounts a ON a.workspace_id = h.workspace_id AND a.id = h.account_id
  -- the outcome must belong to the account's cluster now, and be active
  JOIN outcomes o ON o.workspace_id = h.workspace_id AND o.id = h.outcome_id AND o.cluster_id = a.cluster_id AND o.active
  ${joins.join('\n  ')}
  CROSS JOIN LATERAL (
    SELECT p.id AS play_id FROM p ${perPlay.join(' ')}
     WHERE p.kind IN (${quoted(outcome)}) AND ${IN_CLUSTERS} AND (cardinality(p."outcomeIds") = 0 OR h.outcome_id = ANY(p."outcomeIds"))
       AND CASE p.kind ${outcome.map((k) => `WHEN '${k}' THEN ${OUTCOME_CONDITION[k]}`).join('\n         ')} END
    OFFSET 0) x -- a fence: the planner may not pull the plays out and join them first
 WHERE h.workspace_id = $1 AND ($4::timestamptz IS NULL OR h.as_of >= $4)`);
  }
  if (present.has(PlayTriggerKind.TAG_ADDED)) {
    // The account's newest signal of type tag:<tag> is an add (value 1), as Account.tags reads it: from the tag's
    // signals (the type index), not from every account.
    parts.push(`SELECT tg.play_id, a.id AS account_id, NULL::uuid AS outcome_id, ''::text AS scope_key
  FROM (SELECT DISTINCT ON (p.id, s.account_id) p.id AS play_id, p."clusterIds", s.account_id, s.value
          FROM p JOIN signals s ON s.workspace_id = $1 AND s.type = 'tag:' || p.tag AND s.occurred_at <= $3
         WHERE p.kind = 'TAG_ADDED'
         ORDER BY p.id, s.account_id, s.occurred_at DESC, s.id DESC) tg
  JOIN accounts a ON a.workspace_id = $1 AND a.id = tg.account_id
  JOIN current_account_health c ON c.workspace_id = $1 AND c.account_id = a.id
 WHERE tg.value = 1 AND ($4::timestamptz IS NULL OR c.as_of >= $4)
   AND (cardinality(tg."clusterIds") = 0 OR a.cluster_id = ANY(tg."clusterIds"))`);
  }
  if (account.length) {
    const joins: string[] = [];
    if (present.has(PlayTriggerKind.NO_TOUCHPOINT)) {
      // The accounts that had a touchpoint in each NO_TOUCHPOINT play's window, from the type index (one pass over
      // the recent touchpoints, not a probe per managed account), as one row per account for a hash join.
      ctes.push(`tp AS (
    SELECT s.account_id, array_agg(DISTINCT p.id) AS plays
      FROM p JOIN signals s ON s.workspace_id = $1 AND s.type = ANY(p."touchpointTypes")
                           AND s.occurred_at > $3::timestamptz - make_interval(days => p.days) AND s.occurred_at <= $3
     WHERE p.kind = 'NO_TOUCHPOINT'
     GROUP BY s.account_id)`);
      joins.push(`LEFT JOIN tp ON tp.account_id = a.id`);
    }
    parts.push(`SELECT x.play_id, a.id AS account_id, NULL::uuid AS outcome_id, ''::text AS scope_key
  FROM accounts a
  JOIN current_account_health c ON c.workspace_id = a.workspace_id AND c.account_id = a.id
  ${joins.join('\n  ')}
  CROSS JOIN LATERAL (
    SELECT p.id AS play_id FROM p
     WHERE p.kind IN (${quoted(account)}) AND ${IN_CLUSTERS}
       AND CASE p.kind ${account.map((k) => `WHEN '${k}' THEN ${ACCOUNT_CONDITION[k]}`).join('\n         ')} END
    OFFSET 0) x
 WHERE a.workspace_id = $1 AND ($4::timestamptz IS NULL OR c.as_of >= $4)`);
  }
  if (!parts.length) parts.push(`SELECT NULL::uuid AS play_id, NULL::uuid AS account_id, NULL::uuid AS outcome_id, ''::text AS scope_key WHERE false`);
  return `WITH ${ctes.join(',\n  ')}\n${parts.join('\nUNION ALL\n')}`;
}

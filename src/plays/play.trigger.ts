/**
 * Play triggers: what each kind means, its parameters, how they are validated, and the one SQL statement per kind
 * that finds every account (× outcome) for which the trigger holds now. Every statement is set-based over the
 * current health tables (and signals / health events where the kind needs them) and takes the same parameters:
 *   $1 workspace, $3 evaluation time, $4 only accounts scored at or after this time (null: all),
 *   $5 cluster ids (empty: all), $6 outcome ids (empty: all), $7 the trigger (jsonb).
 * ($2, the play id, is used by the statement that wraps the match.) Rows: account_id, outcome_id, scope_key.
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

/** Current outcome rows of accounts in the play's scope (the outcome must belong to the account's cluster now). */
const OUTCOME_ROWS = `
  FROM current_outcome_health h
  JOIN accounts a ON a.workspace_id = h.workspace_id AND a.id = h.account_id
  JOIN outcomes o ON o.workspace_id = h.workspace_id AND o.id = h.outcome_id AND o.cluster_id = a.cluster_id AND o.active`;
const OUTCOME_SCOPE = `h.workspace_id = $1 AND ($4::timestamptz IS NULL OR h.as_of >= $4)
  AND (cardinality($5::uuid[]) = 0 OR a.cluster_id = ANY($5::uuid[])) AND (cardinality($6::uuid[]) = 0 OR h.outcome_id = ANY($6::uuid[]))`;
const OUTCOME_SELECT = `SELECT h.account_id, h.outcome_id, h.outcome_id::text AS scope_key`;

const ACCOUNT_ROWS = `
  FROM accounts a
  JOIN current_account_health c ON c.workspace_id = a.workspace_id AND c.account_id = a.id`;
const ACCOUNT_SCOPE = `a.workspace_id = $1 AND ($4::timestamptz IS NULL OR c.as_of >= $4)
  AND (cardinality($5::uuid[]) = 0 OR a.cluster_id = ANY($5::uuid[])) AND $6::uuid[] IS NOT NULL`;
const ACCOUNT_SELECT = `SELECT a.id AS account_id, NULL::uuid AS outcome_id, ''::text AS scope_key`;

const TODAY = `($3::timestamptz AT TIME ZONE 'UTC')::date`;

export const MATCH_SQL: Record<PlayTriggerKind, string> = {
  [PlayTriggerKind.BAND_ENTERED]: `${OUTCOME_SELECT} ${OUTCOME_ROWS} WHERE ${OUTCOME_SCOPE} AND h.band = $7::jsonb->>'band'`,
  // Left: the newest band change of the account × outcome came from that band (holds until the band changes again,
  // or the event leaves the 30-day event history).
  [PlayTriggerKind.BAND_LEFT]: `${OUTCOME_SELECT} ${OUTCOME_ROWS}
    JOIN (SELECT DISTINCT ON (e.account_id, e.outcome_id) e.account_id, e.outcome_id, e.from_band
            FROM health_events e WHERE e.workspace_id = $1 AND e.kind = 'BAND_CHANGED' AND e.outcome_id IS NOT NULL
           ORDER BY e.account_id, e.outcome_id, e.created_at DESC, e.id DESC) le ON le.account_id = h.account_id AND le.outcome_id = h.outcome_id
    WHERE ${OUTCOME_SCOPE} AND le.from_band = $7::jsonb->>'band' AND h.band <> le.from_band`,
  // Dropped: the score now is at least `points` below the newest snapshot at or before `days` ago (the model's "change").
  [PlayTriggerKind.SCORE_DROPPED]: `${OUTCOME_SELECT} ${OUTCOME_ROWS}
    JOIN LATERAL (SELECT s.score FROM health_snapshots s
                   WHERE s.workspace_id = $1 AND s.account_id = h.account_id AND s.outcome_id = h.outcome_id
                     AND s.as_of <= $3::timestamptz - make_interval(days => ($7::jsonb->>'days')::int)
                   ORDER BY s.as_of DESC LIMIT 1) p ON true
    WHERE ${OUTCOME_SCOPE} AND h.score <= p.score - ($7::jsonb->>'points')::float8`,
  [PlayTriggerKind.COVERAGE_BELOW]: `${OUTCOME_SELECT} ${OUTCOME_ROWS}
    WHERE ${OUTCOME_SCOPE} AND h.coverage < ($7::jsonb->>'coverageBelow')::float8`,
  [PlayTriggerKind.JOURNEY_STATUS]: `${OUTCOME_SELECT} ${OUTCOME_ROWS}
    WHERE ${OUTCOME_SCOPE} AND h.journey_status IN (SELECT jsonb_array_elements_text($7::jsonb->'journeyStatuses'))`,
  [PlayTriggerKind.MILESTONE_OVERDUE]: `${OUTCOME_SELECT} ${OUTCOME_ROWS}
    WHERE ${OUTCOME_SCOPE} AND CASE WHEN $7::jsonb->>'milestoneId' IS NULL THEN h.overdue_count > 0
      ELSE EXISTS (SELECT 1 FROM jsonb_array_elements(h.milestones) ms
                    WHERE ms->>'milestoneId' = $7::jsonb->>'milestoneId' AND ms->>'achievedAt' IS NULL
                      AND (ms->>'expectedByDay')::int <= h.journey_day) END`,
  // The account's newest signal of type tag:<tag> is an add (value 1), as Account.tags reads it.
  [PlayTriggerKind.TAG_ADDED]: `${ACCOUNT_SELECT} ${ACCOUNT_ROWS}
    JOIN (SELECT DISTINCT ON (s.account_id) s.account_id, s.value FROM signals s
           WHERE s.workspace_id = $1 AND s.type = 'tag:' || ($7::jsonb->>'tag') AND s.occurred_at <= $3
           ORDER BY s.account_id, s.occurred_at DESC, s.id DESC) tg ON tg.account_id = a.id AND tg.value = 1
    WHERE ${ACCOUNT_SCOPE}`,
  [PlayTriggerKind.RENEWAL_WITHIN]: `${ACCOUNT_SELECT} ${ACCOUNT_ROWS}
    WHERE ${ACCOUNT_SCOPE} AND a.renewal_date >= ${TODAY} AND a.renewal_date <= ${TODAY} + ($7::jsonb->>'days')::int
      AND c.band IN (SELECT jsonb_array_elements_text($7::jsonb->'bands'))`,
  // A managed account (attribute managed = true) without a touchpoint signal in the last `days` days.
  [PlayTriggerKind.NO_TOUCHPOINT]: `${ACCOUNT_SELECT} ${ACCOUNT_ROWS}
    WHERE ${ACCOUNT_SCOPE} AND a.attributes->>'managed' = 'true'
      AND NOT EXISTS (SELECT 1 FROM signals s
                       WHERE s.workspace_id = $1 AND s.account_id = a.id
                         AND s.type IN (SELECT jsonb_array_elements_text($7::jsonb->'touchpointTypes'))
                         AND s.occurred_at > $3::timestamptz - make_interval(days => ($7::jsonb->>'days')::int) AND s.occurred_at <= $3)`,
};

/**
 * Health events, derived where the health rows live so that the engine (scoring/) can publish them without
 * reaching into live/, which only delivers them (src/live/hub.ts). Publishing health events. Events are rows of health_events; one publish = one batch = one
 * `NOTIFY oh_health_events '{"w": workspaceId, "b": batchId}'`. Every server instance LISTENs
 * on that channel (src/live/hub.ts) and loads the batch once for its own subscribers, so a
 * subscriber on instance A sees what the scoring on instance B (or a worker) produced.
 * Inside a transaction the NOTIFY is delivered on commit: subscribers never see rolled-back events.
 */
import { randomUUID } from 'node:crypto';
import type { TenantScope } from '../shared/tenant';

export const HEALTH_CHANNEL = 'oh_health_events';

export enum HealthEventKind {
  BAND_CHANGED = 'BAND_CHANGED',
  MILESTONE_ACHIEVED = 'MILESTONE_ACHIEVED',
  MILESTONE_OVERDUE = 'MILESTONE_OVERDUE',
}

export interface HealthEventInput {
  kind: HealthEventKind;
  accountId: string;
  outcomeId?: string | null;
  milestoneId?: string | null;
  fromBand?: string | null;
  toBand?: string | null;
  score?: number | null;
  previousScore?: number | null;
  daysOverdue?: number | null;
  asOf: Date;
}

/** How long events are kept for catch-up (`healthEvents(since:)`). */
const RETENTION_DAYS = 30;

async function notify(scope: TenantScope, batchId: string): Promise<void> {
  await scope.query(`SELECT pg_notify($2, json_build_object('w', $1::uuid, 'b', $3::uuid)::text)`, [HEALTH_CHANNEL, batchId]);
}

/** Store and announce explicit events (one statement + one NOTIFY). Returns the batch id, or null when there was nothing. */
export async function publishHealthEvents(scope: TenantScope, events: HealthEventInput[]): Promise<string | null> {
  if (!events.length) return null;
  const batchId = randomUUID();
  const col = <K extends keyof HealthEventInput>(k: K) => events.map((e) => e[k] ?? null);
  await scope.query(
    `INSERT INTO health_events (workspace_id, batch_id, kind, account_id, outcome_id, milestone_id, from_band, to_band,
                                score, previous_score, days_overdue, as_of)
     SELECT $1::uuid, $2::uuid, e.* FROM unnest($3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[],
                                             $9::float8[], $10::float8[], $11::int[], $12::timestamptz[]) AS e`,
    [batchId, col('kind'), col('accountId'), col('outcomeId'), col('milestoneId'), col('fromBand'), col('toBand'),
      col('score'), col('previousScore'), col('daysOverdue'), events.map((e) => e.asOf)],
  );
  await notify(scope, batchId);
  return batchId;
}

/**
 * Derive the events of a scoring from the snapshots it wrote at `asOf` (optionally only for some
 * accounts), comparing each with the same account×outcome's previous snapshot, store them and
 * announce them. Called by the scoring engine right after it writes snapshots (same transaction).
 * - BAND_CHANGED: an outcome band, or the account's overall band (outcome null), differs from the previous one;
 * - MILESTONE_ACHIEVED: achieved now, not achieved in the previous snapshot;
 * - MILESTONE_OVERDUE: due (expectedByDay <= journey day) and not achieved now, but not overdue before.
 * An account×outcome scored for the first time produces no events (nothing changed: it is new).
 */
export async function publishHealthChanges(
  scope: TenantScope,
  opts: { asOf: Date; accountIds?: string[] | null },
): Promise<{ batchId: string | null; events: number }> {
  const batchId = randomUUID();
  const inserted = await scope.query<{ n: number }>(
    `WITH cur AS (
       -- through outcomes so that a whole-workspace scoring uses (workspace_id, outcome_id, as_of) exactly
       SELECT s.account_id, s.outcome_id, s.band, s.score, s.journey_day, s.milestones, s.as_of
         FROM outcomes o
         JOIN health_snapshots s ON s.workspace_id = o.workspace_id AND s.outcome_id = o.id AND s.as_of = $2
        WHERE o.workspace_id = $1 AND ($3::uuid[] IS NULL OR s.account_id = ANY($3::uuid[]))
     ), pairs AS (
       SELECT c.*, p.band AS prev_band, p.score AS prev_score, p.journey_day AS prev_day, p.milestones AS prev_milestones
         FROM cur c
         JOIN LATERAL (
           SELECT band, score, journey_day, milestones FROM health_snapshots p
            WHERE p.workspace_id = $1 AND p.account_id = c.account_id AND p.outcome_id = c.outcome_id AND p.as_of < c.as_of
            ORDER BY p.as_of DESC LIMIT 1) p ON true
     ), acc AS (
       SELECT a.account_id, a.band, a.score, p.band AS prev_band, p.score AS prev_score
         FROM account_health_snapshots a
         JOIN LATERAL (
           SELECT band, score FROM account_health_snapshots p
            WHERE p.workspace_id = $1 AND p.account_id = a.account_id AND p.as_of < a.as_of
            ORDER BY p.as_of DESC LIMIT 1) p ON true
        WHERE a.workspace_id = $1 AND a.as_of = $2 AND ($3::uuid[] IS NULL OR a.account_id = ANY($3::uuid[]))
     ), ms AS (
       SELECT pr.account_id, pr.outcome_id, pr.score, pr.journey_day, pr.prev_day,
              (m->>'milestoneId')::uuid AS milestone_id, (m->>'expectedByDay')::int AS expected_by_day,
              m->>'achievedAt' AS achieved_at, pm->>'achievedAt' AS prev_achieved_at, pm IS NOT NULL AS prev_known
         FROM pairs pr
         CROSS JOIN LATERAL jsonb_array_elements(pr.milestones) m
         LEFT JOIN LATERAL (SELECT x FROM jsonb_array_elements(pr.prev_milestones) x
                             WHERE x->>'milestoneId' = m->>'milestoneId' LIMIT 1) pm(pm) ON true
     ), ins AS (
       INSERT INTO health_events (workspace_id, batch_id, kind, account_id, outcome_id, milestone_id, from_band, to_band,
                                  score, previous_score, days_overdue, as_of)
       SELECT $1::uuid, $4::uuid, 'BAND_CHANGED', account_id, outcome_id, NULL::uuid, prev_band, band, score, prev_score, NULL::int, $2::timestamptz
         FROM pairs WHERE band <> prev_band
       UNION ALL
       SELECT $1::uuid, $4::uuid, 'BAND_CHANGED', account_id, NULL::uuid, NULL::uuid, prev_band, band, score, prev_score, NULL::int, $2::timestamptz
         FROM acc WHERE band <> prev_band
       UNION ALL
       SELECT $1::uuid, $4::uuid, 'MILESTONE_ACHIEVED', account_id, outcome_id, milestone_id, NULL, NULL, score, NULL::float8, NULL::int, $2::timestamptz
         FROM ms WHERE achieved_at IS NOT NULL AND prev_known AND prev_achieved_at IS NULL
       UNION ALL
       SELECT $1::uuid, $4::uuid, 'MILESTONE_OVERDUE', account_id, outcome_id, milestone_id, NULL, NULL, score, NULL::float8,
              journey_day - expected_by_day, $2::timestamptz
         FROM ms WHERE achieved_at IS NULL AND expected_by_day <= journey_day
                   AND prev_known AND (prev_achieved_at IS NOT NULL OR expected_by_day > prev_day)
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM ins`,
    [opts.asOf, opts.accountIds ?? null, batchId],
  );
  const events = inserted[0]?.n ?? 0;
  // Retention: cheap on the (workspace_id, created_at) index; keeps the table small.
  await scope.query(`DELETE FROM health_events WHERE workspace_id = $1 AND created_at < now() - make_interval(days => $2)`, [RETENTION_DAYS]);
  if (!events) return { batchId: null, events: 0 };
  await notify(scope, batchId);
  return { batchId, events };
}

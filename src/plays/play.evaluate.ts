/**
 * Evaluating plays, set-based: for each enabled play, ONE statement finds every account (× outcome) for which the
 * trigger holds now, closes the firings whose condition cleared, opens firings for the new matches, and — in the
 * same statement — opens their tasks and queues their webhook deliveries. Never a query per account.
 *
 * The no-flood rule, enforced by the database:
 * - a play fires once per account × outcome when its condition starts to hold; the firing stays open while it holds
 *   (partial unique index play_firings_open_key), so ten rescores of the same state open one task;
 * - it fires again only after the condition cleared and came back, the task it opened before is no longer OPEN,
 *   and the play's cooldown (days since its previous firing there) has passed.
 * Several instances evaluating at once are serialised per workspace by an advisory lock, and the unique indexes
 * make a second evaluation of the same state a no-op, so a firing (and its webhook) happens once.
 */
import type { DataSource } from 'typeorm';
import { logger } from '../shared/logger';
import { TenantScope } from '../shared/tenant';
import { queueDeliveryJobs } from '../webhooks/webhook.queue';
import { announceTaskChanges } from '../tasks/task.events';
import { Play } from './play.entity';
import { MATCH_SQL } from './play.trigger';

export interface EvaluateOptions {
  /** The evaluation time (default now): renewal windows, touchpoint windows and cooldowns count from it. */
  now?: Date;
  /** Only accounts scored at or after this time (after an incremental rescore); default: every account. */
  scoredSince?: Date | null;
  /** Only these plays (default: every enabled play of the workspace). */
  playIds?: string[];
}

export interface EvaluationSummary { plays: number; fired: number; cleared: number; tasks: number; deliveries: number; ms: number }

/** TITLE_SQL and PAYLOAD_SQL were written with the numbering of one statement: $7 trigger, $9 task, $10 endpoint, $11 name. */
function renumber(sql: string): string {
  const to: Record<string, string> = { 7: '4', 9: '5', 10: '6', 11: '7' };
  return sql.replace(/\$(7|9|10|11)\b/g, (_, n: string) => `$${to[n]}`);
}

/** `{placeholder}` → value, in SQL over the fired row's account (a), outcome (o), outcome health (h), account health (c). */
const TITLE_SQL = `replace(replace(replace(replace(replace(replace(replace(replace(replace($9::jsonb->>'titleTemplate',
    '{account.name}', a.name), '{account.externalId}', a.external_id), '{account.csmOwner}', coalesce(a.csm_owner, 'unassigned')),
    '{account.renewalDate}', coalesce(a.renewal_date::text, 'none')), '{outcome.name}', coalesce(o.name, 'the account')),
    '{band}', coalesce(h.band, c.band, 'UNKNOWN')), '{score}', coalesce(round(coalesce(h.score, c.score))::int::text, 'no score')),
    '{journeyStatus}', coalesce(h.journey_status, c.worst_journey_status, 'none')), '{play.name}', $11::text)`;

/** The webhook body (without its id, added when sent): the event, the account, its scores and top drivers. */
const PAYLOAD_SQL = `jsonb_build_object(
    'event', 'play.fired', 'firedAt', $3::timestamptz,
    'play', jsonb_build_object('id', $2::uuid, 'name', $11::text, 'trigger', $7::jsonb),
    'account', jsonb_build_object('id', a.id, 'externalId', a.external_id, 'name', a.name, 'csmOwner', a.csm_owner,
                                  'renewalDate', a.renewal_date, 'clusterId', a.cluster_id, 'attributes', a.attributes),
    'health', jsonb_build_object('score', c.score, 'band', c.band, 'coverage', c.coverage, 'worstJourneyStatus', c.worst_journey_status, 'asOf', c.as_of),
    'outcomeId', f.outcome_id,
    'outcomes', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.outcome_id, 'name', xo.name, 'score', x.score, 'band', x.band,
                                   'coverage', x.coverage, 'journeyStatus', x.journey_status,
                                   'topDrivers', jsonb_path_query_array(x.drivers, '$[0 to 2]')) ORDER BY xo.name), '[]'::jsonb)
                   FROM current_outcome_health x JOIN outcomes xo ON xo.workspace_id = x.workspace_id AND xo.id = x.outcome_id
                  WHERE x.workspace_id = $1 AND x.account_id = f.account_id AND (f.outcome_id IS NULL OR x.outcome_id = f.outcome_id)))`;

/**
 * Step 1 of a play: match, clear, fire — the firings of this play go to the scratch table _play_fresh. These join whole
 * sets (matches × firings × open tasks), so the caller plans them with hash joins (see evaluatePlays).
 */
function firingSql(match: string): string {
  return `WITH m AS MATERIALIZED (${match}
     ), cleared AS (
       UPDATE play_firings f SET cleared_at = $3
        WHERE f.workspace_id = $1 AND f.play_id = $2 AND f.cleared_at IS NULL
          AND ($4::timestamptz IS NULL OR f.account_id IN (SELECT s.account_id FROM current_account_health s WHERE s.workspace_id = $1 AND s.as_of >= $4))
          AND NOT EXISTS (SELECT 1 FROM m WHERE m.account_id = f.account_id AND m.scope_key = f.scope_key)
       RETURNING f.id
     ), fresh AS (
       INSERT INTO play_firings (workspace_id, play_id, account_id, outcome_id, scope_key, fired_at)
       SELECT $1::uuid, $2::uuid, m.account_id, m.outcome_id, m.scope_key, $3 FROM m
        WHERE NOT EXISTS (SELECT 1 FROM play_firings p
                           WHERE p.workspace_id = $1 AND p.play_id = $2 AND p.account_id = m.account_id AND p.scope_key = m.scope_key
                             AND (p.cleared_at IS NULL OR p.fired_at > $3::timestamptz - make_interval(days => $8::int)))
          AND NOT EXISTS (SELECT 1 FROM tasks t
                           WHERE t.workspace_id = $1 AND t.play_id = $2 AND t.account_id = m.account_id AND t.scope_key = m.scope_key AND t.status = 'OPEN')
       ON CONFLICT (workspace_id, play_id, account_id, scope_key) WHERE cleared_at IS NULL DO NOTHING
       RETURNING id, account_id, outcome_id, scope_key
     ), kept AS (
       INSERT INTO _play_fresh SELECT id, account_id, outcome_id, scope_key FROM fresh
     )
     SELECT (SELECT count(*) FROM fresh)::int AS fired, (SELECT count(*) FROM cleared)::int AS cleared`;
}

/**
 * Step 2: the tasks and webhook deliveries of the new firings (usually few: index lookups per firing).
 * $2 play, $3 evaluation time, $4 trigger, $5 task, $6 webhook endpoint, $7 play name.
 */
const ACTIONS_SQL = renumber(`WITH opened AS (
       INSERT INTO tasks (workspace_id, account_id, outcome_id, play_id, firing_id, scope_key, title, owner, due_on, priority)
       SELECT $1::uuid, f.account_id, f.outcome_id, $2::uuid, f.id, f.scope_key, left(${TITLE_SQL}, 300),
              coalesce($9::jsonb->>'owner', a.csm_owner), ($3::timestamptz AT TIME ZONE 'UTC')::date + ($9::jsonb->>'dueInDays')::int,
              $9::jsonb->>'priority'
         FROM _play_fresh f JOIN accounts a ON a.workspace_id = $1 AND a.id = f.account_id
         LEFT JOIN outcomes o ON o.workspace_id = $1 AND o.id = f.outcome_id
         LEFT JOIN current_outcome_health h ON h.workspace_id = $1 AND h.account_id = f.account_id AND h.outcome_id = f.outcome_id
         LEFT JOIN current_account_health c ON c.workspace_id = $1 AND c.account_id = f.account_id
        WHERE $9::jsonb IS NOT NULL
       ON CONFLICT DO NOTHING
       RETURNING id
     ), queued AS (
       INSERT INTO webhook_deliveries (workspace_id, endpoint_id, play_id, account_id, event, payload)
       SELECT $1::uuid, $10::uuid, $2::uuid, f.account_id, 'play.fired', ${PAYLOAD_SQL}
         FROM _play_fresh f JOIN accounts a ON a.workspace_id = $1 AND a.id = f.account_id
         LEFT JOIN current_account_health c ON c.workspace_id = $1 AND c.account_id = f.account_id
        WHERE $10::uuid IS NOT NULL
       RETURNING id
     )
     SELECT coalesce((SELECT array_agg(id) FROM opened), '{}') AS tasks, coalesce((SELECT array_agg(id) FROM queued), '{}') AS deliveries`);

/** Evaluate the workspace's enabled plays now (one transaction); returns what fired. */
export async function evaluatePlays(db: DataSource, workspaceId: string, opts: EvaluateOptions = {}): Promise<EvaluationSummary> {
  const started = Date.now();
  const scope = TenantScope.system(db, workspaceId);
  const summary: EvaluationSummary = { plays: 0, fired: 0, cleared: 0, tasks: 0, deliveries: 0, ms: 0 };
  const plays = await scope.query<{ id: string }>(
    `SELECT id FROM plays WHERE workspace_id = $1 AND enabled AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[])) LIMIT 1`, [opts.playIds ?? null]);
  if (!plays.length) return summary; // the common case without plays: one cheap lookup after a rescore
  await scope.transaction(async (tx) => {
    // One evaluation per workspace at a time, across instances: the second sees the first one's firings.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('plays:' || $1::uuid::text))`);
    const now = opts.now ?? (await tx.query<{ now: Date }>(`SELECT now() AS now`))[0].now;
    const rows = await tx.query<Play & { endpointEnabled: boolean | null }>(
      `SELECT p.id, p.name, p.trigger, p.cluster_ids AS "clusterIds", p.outcome_ids AS "outcomeIds", p.cooldown_days AS "cooldownDays",
              p.task, p.webhook_endpoint_id AS "webhookEndpointId", e.enabled AS "endpointEnabled"
         FROM plays p LEFT JOIN webhook_endpoints e ON e.workspace_id = p.workspace_id AND e.id = p.webhook_endpoint_id
        WHERE p.workspace_id = $1 AND p.enabled AND ($2::uuid[] IS NULL OR p.id = ANY($2::uuid[])) ORDER BY p.created_at, p.id`,
      [opts.playIds ?? null]);
    const deliveries: string[] = [];
    const tasks: string[] = [];
    await tx.manager.query(`CREATE TEMP TABLE IF NOT EXISTS _play_fresh (id uuid, account_id uuid, outcome_id uuid, scope_key text) ON COMMIT DROP`);
    for (const play of rows) {
      const match = MATCH_SQL[play.trigger.kind];
      if (!match) continue;
      await tx.manager.query(`TRUNCATE _play_fresh`);
      // Matching a whole workspace joins sets (matches × firings × open tasks): hash joins. With statistics that lag
      // behind (a workspace that just grew, firings written minutes ago) the planner otherwise nests loops over what it
      // believes are a dozen rows: measured 30+ s per play at 100k accounts. The actions then look each firing up.
      if (!opts.scoredSince) await tx.manager.query(`SET LOCAL enable_nestloop = off`);
      const [r] = await tx.query<{ fired: number; cleared: number }>(firingSql(match), [
        play.id, now, opts.scoredSince ?? null, play.clusterIds, play.outcomeIds, JSON.stringify(play.trigger), play.cooldownDays,
      ]);
      if (!opts.scoredSince) await tx.manager.query(`SET LOCAL enable_nestloop = on`);
      summary.plays++;
      summary.fired += r.fired;
      summary.cleared += r.cleared;
      if (!r.fired) continue;
      const [acted] = await tx.query<{ tasks: string[]; deliveries: string[] }>(ACTIONS_SQL, [
        play.id, now, JSON.stringify(play.trigger), play.task ? JSON.stringify(play.task) : null,
        play.webhookEndpointId && play.endpointEnabled ? play.webhookEndpointId : null, play.name,
      ]);
      tasks.push(...acted.tasks);
      deliveries.push(...acted.deliveries);
    }
    summary.tasks = tasks.length;
    summary.deliveries = deliveries.length;
    if (!opts.scoredSince) {
      // Retention, on full evaluations only: cleared firings past the longest cooldown (365 days) decide nothing any more.
      await tx.query(`DELETE FROM play_firings WHERE workspace_id = $1 AND cleared_at < $2::timestamptz - interval '366 days'`, [now]);
    }
    // Jobs and notifications become visible with the firings, at commit.
    await queueDeliveryJobs(tx, deliveries);
    await announceTaskChanges(tx, tasks);
  });
  summary.ms = Date.now() - started;
  if (summary.fired || summary.cleared) logger.info({ workspaceId, ...summary }, 'plays evaluated');
  return summary;
}

/** After a rescore or run: evaluate, and log rather than fail the scoring (the next evaluation catches up). */
export async function evaluatePlaysAfterScoring(db: DataSource, workspaceId: string, opts: EvaluateOptions = {}): Promise<void> {
  try {
    await evaluatePlays(db, workspaceId, opts);
  } catch (err) {
    logger.error({ err, workspaceId }, 'play evaluation failed; the next rescore evaluates again');
  }
}

/**
 * Evaluating plays, set-based and for every enabled play of the workspace at once, in three statements: one finds
 * every account (× outcome) for which each play's trigger holds now (one pass over the current health for all
 * plays), one closes the firings whose condition cleared and opens firings for the new matches, one opens their
 * tasks and queues their webhook deliveries. Never a query per account, nor per play.
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
import { matchInput, matchSql, PlayTriggerKind } from './play.trigger';

export interface EvaluateOptions {
  /** The evaluation time (default now): renewal windows, touchpoint windows and cooldowns count from it. */
  now?: Date;
  /** Only accounts scored at or after this time (after an incremental rescore); default: every account. */
  scoredSince?: Date | null;
  /** Only these plays (default: every enabled play of the workspace). */
  playIds?: string[];
}

export interface EvaluationSummary { plays: number; fired: number; cleared: number; tasks: number; deliveries: number; ms: number }

/** `{placeholder}` → value, in SQL over the fired row's play (pl), account (a), outcome (o), outcome health (h), account health (c). */
const TITLE_SQL = `replace(replace(replace(replace(replace(replace(replace(replace(replace(pl.task->>'titleTemplate',
    '{account.name}', a.name), '{account.externalId}', a.external_id), '{account.csmOwner}', coalesce(a.csm_owner, 'unassigned')),
    '{account.renewalDate}', coalesce(a.renewal_date::text, 'none')), '{outcome.name}', coalesce(o.name, 'the account')),
    '{band}', coalesce(h.band, c.band, 'UNKNOWN')), '{score}', coalesce(round(coalesce(h.score, c.score))::int::text, 'no score')),
    '{journeyStatus}', coalesce(h.journey_status, c.worst_journey_status, 'none')), '{play.name}', pl.name)`;

/** The webhook body (without its id, added when sent): the event, the account, its scores and top drivers. */
const PAYLOAD_SQL = `jsonb_build_object(
    'event', 'play.fired', 'firedAt', $2::timestamptz,
    'play', jsonb_build_object('id', pl.id, 'name', pl.name, 'trigger', pl.trigger),
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
 * Step 2, for every play at once: clear and fire, from what step 1 matched (_play_match). One hash full join of the
 * matches with the open firings of the plays finds the difference — open firings no longer matched (they clear)
 * and matches without an open firing (candidates) — so the steady state (conditions persist) touches only that
 * difference: the no-flood checks (a recent firing within the cooldown, an OPEN task) are index lookups per
 * candidate. After an incremental rescore ($4) only firings of the accounts just scored take part.
 * $2 evaluation time, $3 play ids, $4 scored since (null: all), $5 cooldown days per play (as $3). Exported for EXPLAIN.
 */
export const FIRING_SQL = `WITH f AS (
       SELECT id, play_id, account_id, scope_key FROM play_firings
        WHERE workspace_id = $1 AND play_id = ANY($3::uuid[]) AND cleared_at IS NULL
          AND ($4::timestamptz IS NULL OR account_id IN (SELECT s.account_id FROM current_account_health s WHERE s.workspace_id = $1 AND s.as_of >= $4))
     ), diff AS MATERIALIZED (
       SELECT m.play_id, m.account_id, m.outcome_id, m.scope_key, f.id AS open_id
         FROM _play_match m FULL JOIN f ON f.play_id = m.play_id AND f.account_id = m.account_id AND f.scope_key = m.scope_key
        WHERE m.play_id IS NULL OR f.id IS NULL
     ), cleared AS (
       UPDATE play_firings pf SET cleared_at = $2 FROM diff d
        WHERE pf.workspace_id = $1 AND pf.id = d.open_id AND d.play_id IS NULL
       RETURNING pf.id
     ), fresh AS (
       INSERT INTO play_firings (workspace_id, play_id, account_id, outcome_id, scope_key, fired_at)
       SELECT $1::uuid, d.play_id, d.account_id, d.outcome_id, d.scope_key, $2 FROM diff d
         JOIN unnest($3::uuid[], $5::int[]) AS pc(play_id, cooldown_days) ON pc.play_id = d.play_id
        WHERE d.open_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM play_firings p
                           WHERE p.workspace_id = $1 AND p.play_id = d.play_id AND p.account_id = d.account_id AND p.scope_key = d.scope_key
                             AND (p.cleared_at IS NULL OR p.fired_at > $2::timestamptz - make_interval(days => pc.cooldown_days)))
          AND NOT EXISTS (SELECT 1 FROM tasks t
                           WHERE t.workspace_id = $1 AND t.play_id = d.play_id AND t.account_id = d.account_id AND t.scope_key = d.scope_key AND t.status = 'OPEN')
       ON CONFLICT (workspace_id, play_id, account_id, scope_key) WHERE cleared_at IS NULL DO NOTHING
       RETURNING id, play_id, account_id, outcome_id, scope_key
     ), kept AS (
       INSERT INTO _play_fresh SELECT id, play_id, account_id, outcome_id, scope_key FROM fresh
     )
     SELECT (SELECT count(*) FROM fresh)::int AS fired, (SELECT count(*) FROM cleared)::int AS cleared`;

/** Step 3: the tasks and webhook deliveries of the new firings (usually few: index lookups per firing). $2 evaluation time. */
const ACTIONS_SQL = `WITH opened AS (
       INSERT INTO tasks (workspace_id, account_id, outcome_id, play_id, firing_id, scope_key, title, owner, due_on, priority)
       SELECT $1::uuid, f.account_id, f.outcome_id, f.play_id, f.id, f.scope_key, left(${TITLE_SQL}, 300),
              coalesce(pl.task->>'owner', a.csm_owner), ($2::timestamptz AT TIME ZONE 'UTC')::date + (pl.task->>'dueInDays')::int,
              pl.task->>'priority'
         FROM _play_fresh f JOIN plays pl ON pl.workspace_id = $1 AND pl.id = f.play_id
         JOIN accounts a ON a.workspace_id = $1 AND a.id = f.account_id
         LEFT JOIN outcomes o ON o.workspace_id = $1 AND o.id = f.outcome_id
         LEFT JOIN current_outcome_health h ON h.workspace_id = $1 AND h.account_id = f.account_id AND h.outcome_id = f.outcome_id
         LEFT JOIN current_account_health c ON c.workspace_id = $1 AND c.account_id = f.account_id
        WHERE pl.task IS NOT NULL
        ORDER BY f.play_id, f.account_id, f.scope_key
       ON CONFLICT DO NOTHING
       RETURNING id
     ), queued AS (
       INSERT INTO webhook_deliveries (workspace_id, endpoint_id, play_id, account_id, event, payload)
       SELECT $1::uuid, e.id, f.play_id, f.account_id, 'play.fired', ${PAYLOAD_SQL}
         FROM _play_fresh f JOIN plays pl ON pl.workspace_id = $1 AND pl.id = f.play_id
         -- a disabled endpoint gets nothing
         JOIN webhook_endpoints e ON e.workspace_id = $1 AND e.id = pl.webhook_endpoint_id AND e.enabled
         JOIN accounts a ON a.workspace_id = $1 AND a.id = f.account_id
         LEFT JOIN current_account_health c ON c.workspace_id = $1 AND c.account_id = f.account_id
       RETURNING id
     )
     SELECT coalesce((SELECT array_agg(id) FROM opened), '{}') AS tasks, coalesce((SELECT array_agg(id) FROM queued), '{}') AS deliveries`;

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
    // These statements are planned afresh each time and run once: compiling them (JIT) costs more than it saves;
    // their hashes (matches, open firings) stay in memory.
    await tx.manager.query(`SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`);
    const now = opts.now ?? (await tx.query<{ now: Date }>(`SELECT now() AS now`))[0].now;
    const rows = (await tx.query<Pick<Play, 'id' | 'trigger' | 'clusterIds' | 'outcomeIds' | 'cooldownDays'>>(
      `SELECT p.id, p.trigger, p.cluster_ids AS "clusterIds", p.outcome_ids AS "outcomeIds", p.cooldown_days AS "cooldownDays"
         FROM plays p WHERE p.workspace_id = $1 AND p.enabled AND ($2::uuid[] IS NULL OR p.id = ANY($2::uuid[])) ORDER BY p.created_at, p.id`,
      [opts.playIds ?? null])).filter((p) => Object.values(PlayTriggerKind).includes(p.trigger.kind));
    summary.plays = rows.length;
    if (!rows.length) return;
    await tx.manager.query(`CREATE TEMP TABLE IF NOT EXISTS _play_match (play_id uuid, account_id uuid, outcome_id uuid, scope_key text) ON COMMIT DROP;
      CREATE TEMP TABLE IF NOT EXISTS _play_fresh (id uuid, play_id uuid, account_id uuid, outcome_id uuid, scope_key text) ON COMMIT DROP`);
    // Step 1, every play at once: what holds now (play_trigger.ts), into a scratch table whose statistics the
    // planner then knows (the full join below is planned on them, not on guesses).
    // (The plays are the inner side of lateral joins, so that however far off the statistics of the freshly rewritten
    // health rows are, those rows are read once, not once per play: measured minutes at 100k accounts otherwise.)
    await tx.query(`INSERT INTO _play_match ${matchSql(rows.map((p) => p.trigger.kind))}`,
      [JSON.stringify(rows.map(matchInput)), now, opts.scoredSince ?? null]);
    await tx.manager.query(`ANALYZE _play_match`);
    const [r] = await tx.query<{ fired: number; cleared: number }>(FIRING_SQL,
      [now, rows.map((p) => p.id), opts.scoredSince ?? null, rows.map((p) => p.cooldownDays)]);
    summary.fired = r.fired;
    summary.cleared = r.cleared;
    if (r.fired) {
      const [acted] = await tx.query<{ tasks: string[]; deliveries: string[] }>(ACTIONS_SQL, [now]);
      summary.tasks = acted.tasks.length;
      summary.deliveries = acted.deliveries.length;
      // Jobs and notifications become visible with the firings, at commit.
      await queueDeliveryJobs(tx, acted.deliveries);
      await announceTaskChanges(tx, acted.tasks);
    }
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

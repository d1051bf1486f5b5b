/** Writing a scoring's results: snapshots (history) and the current tables, from the engine's temp tables. */
import { ACCOUNT_RESULT_COLUMNS, columnList, CURRENT_ACCOUNT_COLUMNS, OUTCOME_RESULT_COLUMNS } from '../health/health.columns';
import type { TenantScope } from '../shared/tenant';

/** The result columns of an outcome row, as _outcome_health has them (health.columns.ts). */
const SNAPSHOT_COLS = columnList(OUTCOME_RESULT_COLUMNS);
const SNAPSHOT_UPDATE = SNAPSHOT_COLS.split(',').map((c) => c.trim()).concat(['model_version_id', 'run_id'])
  .map((c) => `${c} = EXCLUDED.${c}`).join(', ');

/** Snapshots (history) and the current tables, in the caller's transaction. Current only moves forward in time. */
export async function persist(tx: TenantScope, asOf: Date, versionId: string, runId: string | null, timings: Record<string, number>): Promise<void> {
  const p = [asOf, versionId, runId];
  let t = performance.now();
  const lap = (name: string) => { const now = performance.now(); timings[`persist.${name}`] = Math.round(now - t); t = now; };
  await tx.query(
    `INSERT INTO health_snapshots (workspace_id, account_id, outcome_id, as_of, ${SNAPSHOT_COLS}, model_version_id, run_id)
     SELECT $1::uuid, account_id, outcome_id, $2, ${SNAPSHOT_COLS}, $3, $4 FROM _outcome_health
     ORDER BY account_id, outcome_id -- primary key order (see current_milestone_progress below)
     ON CONFLICT (workspace_id, account_id, outcome_id, as_of) DO UPDATE SET ${SNAPSHOT_UPDATE}`, p);
  lap('snapshots');
  // The current rows this run wrote (not those a newer result kept), for the milestone rows below: collected from
  // RETURNING rather than joined back from current_outcome_health, whose statistics after a bulk write can be so
  // far off that the join became a nested loop (20k accounts: 46 s instead of 0.5 s).
  await tx.manager.query(`DROP TABLE IF EXISTS _current_written; CREATE TEMP TABLE _current_written (account_id uuid, outcome_id uuid) ON COMMIT DROP`);
  await tx.query(
    `WITH w AS (
       INSERT INTO current_outcome_health AS cur (workspace_id, account_id, outcome_id, as_of, ${SNAPSHOT_COLS}, model_version_id, run_id, achievement_stage_id)
       SELECT $1::uuid, account_id, outcome_id, $2, ${SNAPSHOT_COLS}, $3, $4, achievement_stage_id FROM _outcome_health
       ORDER BY account_id, outcome_id
       ON CONFLICT (workspace_id, account_id, outcome_id) DO UPDATE SET as_of = EXCLUDED.as_of, ${SNAPSHOT_UPDATE},
         achievement_stage_id = EXCLUDED.achievement_stage_id
       WHERE cur.as_of <= EXCLUDED.as_of
       RETURNING cur.account_id, cur.outcome_id
     ) INSERT INTO _current_written SELECT account_id, outcome_id FROM w`, p);
  await tx.manager.query(`ANALYZE _current_written`);
  lap('current');
  // The narrow milestone rows of the current rows this run just wrote (not of those a newer result kept);
  // a row that did not change is not rewritten (a daily rescore mostly only flips `due`).
  await tx.query(
    `INSERT INTO current_milestone_progress AS cur (workspace_id, outcome_id, account_id, milestone_id, days_to_achieve, due, achieved_on_time)
     SELECT $1::uuid, oh.outcome_id, oh.account_id, e."milestoneId",
       floor(date_part('epoch', e."achievedAt" - acc.journey_started_at) / 86400)::int,
       oh.journey_day >= e."expectedByDay",
       coalesce(e."achievedAt" <= acc.journey_started_at + e."expectedByDay" * interval '1 day', false)
     FROM _current_written w JOIN _outcome_health oh ON oh.account_id = w.account_id AND oh.outcome_id = w.outcome_id
     JOIN _accounts acc ON acc.account_id = oh.account_id
     CROSS JOIN LATERAL jsonb_to_recordset(oh.milestones) AS e("milestoneId" uuid, "achievedAt" timestamptz, "expectedByDay" int)
     -- in primary key order: consecutive rows land in the same index leaf page (random order missed shared_buffers
     -- on nearly every row: a chunk of 50,000 accounts took 13 s instead of 2 × 3.6 s)
     ORDER BY oh.outcome_id, oh.account_id, e."milestoneId"
     ON CONFLICT (workspace_id, outcome_id, account_id, milestone_id) DO UPDATE SET days_to_achieve = EXCLUDED.days_to_achieve,
       due = EXCLUDED.due, achieved_on_time = EXCLUDED.achieved_on_time
     WHERE (cur.days_to_achieve, cur.due, cur.achieved_on_time) IS DISTINCT FROM (EXCLUDED.days_to_achieve, EXCLUDED.due, EXCLUDED.achieved_on_time)`);
  lap('milestones');
  // Outcomes no longer scored for a rescored account (deactivated, account moved cluster) leave the read path.
  await tx.query(
    `DELETE FROM current_outcome_health cur USING _account_health
     WHERE cur.workspace_id = $1 AND cur.account_id = _account_health.account_id AND cur.as_of <= $2
       AND NOT EXISTS (SELECT 1 FROM _outcome_health oh WHERE oh.account_id = cur.account_id AND oh.outcome_id = cur.outcome_id)`, [asOf]);
  lap('delete');
  const accountCols = columnList(ACCOUNT_RESULT_COLUMNS);
  const currentCols = columnList({ ...ACCOUNT_RESULT_COLUMNS, ...CURRENT_ACCOUNT_COLUMNS });
  const set = (cols: string) => cols.split(', ').map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  await tx.query(
    `INSERT INTO account_health_snapshots (workspace_id, account_id, as_of, ${accountCols}, model_version_id, run_id)
     SELECT $1::uuid, account_id, $2, ${accountCols}, $3, $4 FROM _account_health
     ON CONFLICT (workspace_id, account_id, as_of) DO UPDATE SET ${set(accountCols)},
       model_version_id = EXCLUDED.model_version_id, run_id = EXCLUDED.run_id`, p);
  lap('account_snapshots');
  await tx.query(
    `INSERT INTO current_account_health AS cur (workspace_id, account_id, as_of, ${currentCols}, model_version_id, run_id)
     SELECT $1::uuid, account_id, $2, ${currentCols}, $3, $4 FROM _account_health
     ON CONFLICT (workspace_id, account_id) DO UPDATE SET as_of = EXCLUDED.as_of, ${set(currentCols)},
       model_version_id = EXCLUDED.model_version_id, run_id = EXCLUDED.run_id
     WHERE cur.as_of <= EXCLUDED.as_of`, p);
  lap('current_account');
}

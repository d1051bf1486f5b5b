/**
 * How long plays keep their history: cleared firings and closed (DONE / DISMISSED) tasks are purged
 * PLAY_HISTORY_RETENTION_DAYS after they cleared / closed (at least 366: a cleared firing decides the play's cooldown,
 * at most 365 days, until then). Open firings and OPEN tasks are never purged. Run by the daily job.
 */
import type { DataSource } from 'typeorm';
import { config } from '../shared/config';

/** One set-based statement over every workspace (system maintenance, like the delivery sweep). */
export async function purgePlayHistory(db: DataSource, days = config.playHistoryRetentionDays, now = new Date()): Promise<{ firings: number; tasks: number }> {
  const [r]: Array<{ firings: number; tasks: number }> = await db.query(
    `WITH firings AS (
       DELETE FROM play_firings WHERE cleared_at < $1::timestamptz - make_interval(days => $2::int) RETURNING 1
     ), tasks AS (
       DELETE FROM tasks WHERE status <> 'OPEN' AND coalesce(status_changed_at, updated_at) < $1::timestamptz - make_interval(days => $2::int) RETURNING 1
     )
     SELECT (SELECT count(*) FROM firings)::int AS firings, (SELECT count(*) FROM tasks)::int AS tasks`,
    [now, days]);
  return r;
}

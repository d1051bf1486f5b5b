/**
 * Change over N days (HEALTH-MODEL.md step 13), in one place: the past snapshot a current score is compared with is
 * the same account's (and outcome's) newest snapshot at or before (its scoring time − N days). `change(days:)`, the
 * account list's SCORE_CHANGE sort and the movers all read it through `pastSnapshotSql`, with one bound.
 */
import { InputError } from '../shared/errors';

/** The longest look-back: a year of daily snapshots. */
export const MAX_CHANGE_DAYS = 365;

/** Refuse a look-back that is not a whole number of days from 1 to MAX_CHANGE_DAYS; `field`: the argument's path. */
export function checkChangeDays(days: number, field: string): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_CHANGE_DAYS) {
    throw new InputError(field, `${field.split('.').pop()} must be a whole number of days from 1 to ${MAX_CHANGE_DAYS}.`);
  }
}

/**
 * SQL selecting `columns` of the past snapshot: `account` (and `outcome`; null: the account health) at or before
 * `at` − `days` days (SQL expressions; days counted as 24 hours, as every time in the model is UTC). One backward
 * probe of the snapshots' primary key.
 */
export function pastSnapshotSql(o: { columns: string; account: string; outcome: string | null; at: string; days: string }): string {
  const before = `(${o.at}) - (${o.days}) * interval '24 hours'`;
  return o.outcome !== null
    ? `SELECT ${o.columns} FROM health_snapshots p
        WHERE p.workspace_id = $1 AND p.account_id = ${o.account} AND p.outcome_id = ${o.outcome} AND p.as_of <= ${before}
        ORDER BY p.as_of DESC LIMIT 1`
    : `SELECT ${o.columns} FROM account_health_snapshots p
        WHERE p.workspace_id = $1 AND p.account_id = ${o.account} AND p.as_of <= ${before}
        ORDER BY p.as_of DESC LIMIT 1`;
}

/**
 * Usage profiles: for every account of a scope, a vector of usage features over a window, computed by
 * ONE statement over the window's signals. A profile says WHAT an account does (its mix), not how much:
 * every feature is a share, so an account with ten times the activity of another but the same habits
 * gets the same profile, and big accounts do not make a group of their own:
 * - `share:<type>`       — the type's share of the account's signals;
 * - `subject:<type>:<s>` — the subject's share of the account's signals of that type (which features it uses).
 * How much (intensity) is what health scores measure, and it grows with an account's size: on the
 * planted-persona test workspace it split the small accounts off as a fourth group (ARI 0.886 against
 * 1.000 without it; docs/discovery.md). It can be asked for (`intensity`):
 * - `days:<type>`        — share of the account's active days with that type;
 * - `breadth:<type>`     — distinct subjects (features, users) / the most any account has (grows with volume);
 * - `volume`             — ln(1 + signals per day): size enters once, compressed.
 * Clustering then standardises each column (clustering.ts). Accounts without signals get all zeros.
 */
import type { TenantScope } from '../shared/tenant';

export interface ProfileOptions {
  asOf: Date;
  windowDays: number;
  clusterId: string | null;
  /** Only these signal types (null: all). */
  signalTypes: string[] | null;
  /** Also the intensity features (`days:`, `volume`). */
  intensity: boolean;
  /** At most this many `subject:` features (the most widespread subjects). */
  maxSubjectFeatures?: number;
}

export interface Profiles {
  /** Account ids in external-id byte order (not uuid order: the same data imported into another workspace gives the same rows, so the same groups); row i of the matrix is accountIds[i]. */
  accountIds: string[];
  features: string[];
  /** Row-major n × p. */
  matrix: Float64Array;
}

/** A subject becomes a feature only when used by at least this share of the accounts (user ids, ticket ids are not habits). */
const MIN_SUBJECT_SHARE = 0.02;

export async function usageProfiles(scope: TenantScope, opts: ProfileOptions): Promise<Profiles> {
  // One pass over the window's signals for the mix (a hash aggregate per account, type and subject); the distinct
  // days of the intensity features need a second one, skipped (one-time filter) unless asked for. Big sorts and
  // hashes stay in memory (work_mem for this transaction only).
  const rows = await scope.transaction(async (tx) => {
    await tx.manager.query(`SET LOCAL work_mem = '256MB'`);
    return await tx.query<{ id: string | null; idx: number[] | null; val: number[] | null; features: Array<{ kind: string; type: string | null; subject: string | null }> | null }>(
    `WITH acc AS (
       SELECT a.id, a.external_id FROM accounts a WHERE a.workspace_id = $1 AND ($2::uuid IS NULL OR a.cluster_id = $2::uuid)
     ), sig AS NOT MATERIALIZED (
       SELECT s.account_id, s.type, s.subject, s.occurred_at
         FROM signals s
        WHERE s.workspace_id = $1 AND s.occurred_at > $3::timestamptz - $4::float8 * interval '1 day' AND s.occurred_at <= $3::timestamptz
          AND ($5::text[] IS NULL OR s.type = ANY($5::text[]))
          AND ($2::uuid IS NULL OR s.account_id IN (SELECT id FROM acc))
     ), agg AS MATERIALIZED (
       SELECT account_id, type, subject, count(*)::float8 AS n FROM sig GROUP BY account_id, type, subject
     ), by_type AS MATERIALIZED (
       SELECT account_id, type, sum(n) AS n, count(subject)::float8 AS breadth FROM agg GROUP BY account_id, type
     ), day_counts AS MATERIALIZED (
       SELECT account_id, type, count(DISTINCT (occurred_at AT TIME ZONE 'UTC')::date)::float8 AS days FROM sig WHERE $8::boolean GROUP BY account_id, type
     ), active_days AS MATERIALIZED (
       SELECT account_id, count(DISTINCT (occurred_at AT TIME ZONE 'UTC')::date)::float8 AS days FROM sig WHERE $8::boolean GROUP BY account_id
     ), totals AS (
       SELECT account_id, sum(n) AS n FROM by_type GROUP BY account_id
     ), types AS (
       SELECT type, max(breadth) AS max_breadth FROM by_type GROUP BY type
     ), features AS MATERIALIZED (
       SELECT (row_number() OVER (ORDER BY f.kind, f.type, f.subject) - 1)::int AS idx, f.* FROM (
         SELECT 'share' AS kind, type, NULL::text AS subject, max_breadth FROM types
         UNION ALL SELECT 'days', type, NULL, max_breadth FROM types WHERE $8::boolean
         UNION ALL SELECT 'breadth', type, NULL, max_breadth FROM types WHERE max_breadth > 1 AND $8::boolean
         UNION ALL (SELECT 'subject', type, subject, NULL FROM agg WHERE subject IS NOT NULL GROUP BY type, subject
                     HAVING count(*) >= greatest(2, $6::float8 * (SELECT count(*) FROM acc))
                     ORDER BY count(*) DESC, type, subject LIMIT $7::int)
         UNION ALL SELECT 'volume', NULL, NULL, NULL WHERE $8::boolean
       ) f
     ), vals AS (
       SELECT f.idx, t.account_id, t.n / tot.n AS v FROM features f JOIN by_type t ON f.kind = 'share' AND t.type = f.type JOIN totals tot USING (account_id)
       UNION ALL SELECT f.idx, d.account_id, d.days / ad.days FROM features f JOIN day_counts d ON f.kind = 'days' AND d.type = f.type JOIN active_days ad USING (account_id)
       UNION ALL SELECT f.idx, t.account_id, t.breadth / f.max_breadth FROM features f JOIN by_type t ON f.kind = 'breadth' AND t.type = f.type
       UNION ALL SELECT f.idx, s.account_id, s.n / t.n FROM features f
                  JOIN agg s ON f.kind = 'subject' AND s.type = f.type AND s.subject = f.subject
                  JOIN by_type t ON t.account_id = s.account_id AND t.type = s.type
       UNION ALL SELECT f.idx, tot.account_id, ln(1 + tot.n / $4::float8) FROM features f JOIN totals tot ON f.kind = 'volume'
     )
     SELECT * FROM (
     SELECT NULL::uuid AS id, NULL::text AS external_id, NULL::int[] AS idx, NULL::float8[] AS val,
            (SELECT json_agg(json_build_object('kind', kind, 'type', type, 'subject', subject) ORDER BY idx) FROM features) AS features
     UNION ALL
     SELECT acc.id, acc.external_id, array_agg(v.idx ORDER BY v.idx) FILTER (WHERE v.idx IS NOT NULL), array_agg(v.v ORDER BY v.idx) FILTER (WHERE v.idx IS NOT NULL), NULL
       FROM acc LEFT JOIN vals v ON v.account_id = acc.id
      GROUP BY acc.id, acc.external_id
     ) profile ORDER BY external_id COLLATE "C" NULLS FIRST`,
    [opts.clusterId, opts.asOf, opts.windowDays, opts.signalTypes, MIN_SUBJECT_SHARE, opts.maxSubjectFeatures ?? 24, opts.intensity],
    );
  });
  const features = (rows[0]?.features ?? []).map((f) =>
    f.kind === 'volume' ? 'volume' : f.kind === 'subject' ? `subject:${f.type}:${f.subject}` : `${f.kind}:${f.type}`);
  const n = rows.length - 1;
  const p = features.length;
  const matrix = new Float64Array(n * p);
  const accountIds = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i + 1];
    accountIds[i] = r.id!;
    if (!r.idx) continue;
    for (let j = 0; j < r.idx.length; j++) matrix[i * p + r.idx[j]] = r.val![j];
  }
  return { accountIds, features, matrix };
}

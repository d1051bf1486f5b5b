/**
 * The PERCENTILE peer distribution (step 4): where a component's value stands among the values of the same component
 * for all accounts of the same cluster at the same T. One interface, `PeerDistribution`, builds the temp table
 * _peer_distribution (component_id, v, lower = how many peers have a smaller value, equal, total) and tells step 4
 * how to rank a value in it. Its implementations, chosen in `choosePeerDistribution` only:
 * - none:   no PERCENTILE component in the model;
 * - scored: the peers go through steps 1-3 with the targets (a whole-workspace scoring, where every account is a
 *           target anyway; and a targeted one with a PERCENTILE over JOURNEY_ADHERENCE, which needs the peers' journeys);
 * - lean:   a targeted rescore ranks its accounts among their cluster peers without scoring them: one statement
 *           computes only the peers' values of the PERCENTILE components; when all of them count or sum signals,
 *           the peers without a signal in the window are counted, not listed (countedSql);
 * - stored: a scoring run's later chunks read the distribution its first chunk stored (scoring_peer_distributions,
 *           keyed by run and model hash); the first chunk builds it (scored or lean) over every PERCENTILE cluster
 *           and stores it (`storedForRun`).
 */
import type { StepContext } from './engine.config';
import { isPercentile } from './engine.config';
import { METRIC_KINDS, type MetricColumn } from './engine.kinds';
import { METRIC_COLUMNS, windowedSpecs, type ComponentValues, type WindowedSpec } from './engine.metrics';

type RankColumn = 'lower' | 'equal' | 'total';

export interface PeerDistribution {
  /** Which implementation (for logs and tests). */
  readonly name: 'none' | 'scored' | 'lean' | 'stored' | `${'scored' | 'lean'}, stored for the run`;
  /** Whether step 4 ranks against a distribution at all (false: no PERCENTILE component). */
  readonly present: boolean;
  /** Clusters whose other accounts join the scope as peers, through steps 1-3 (empty: the peers are not scored). */
  readonly scoredPeerClusters: string[];
  /** With scoredPeerClusters: the peers of every PERCENTILE cluster, not only those of the targets' clusters. */
  readonly everyCluster: boolean;
  /** Build _peer_distribution (after step 3). */
  build(ctx: StepContext, values: ComponentValues): Promise<void>;
  /** SQL of lower/equal/total for the value `val.v` of component `val.component_id`, from its row `p` of the distribution. */
  rank(col: RankColumn): string;
}

/** A PERCENTILE distribution a run's chunks share. */
export interface PeerCache { runId: string; modelHash: string }

/** The one place the strategy is chosen. */
export async function choosePeerDistribution(ctx: StepContext, run: PeerCache | null): Promise<PeerDistribution> {
  const { config, rows, ids, tx } = ctx;
  const clusters = [...new Set(config.outcomes.filter((o) => o.coin?.components.some(isPercentile)).map((o) => o.clusterId))];
  if (clusters.length === 0) return NONE;
  const forRun = ids && run ? run : null;
  if (forRun && (await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM scoring_peer_distributions WHERE workspace_id = $1 AND run_id = $2 AND model_hash = $3`,
    [forRun.runId, forRun.modelHash]))[0].n > 0) return stored(forRun);
  // A run's first chunk must cover every PERCENTILE cluster, not only those of its own accounts: a later chunk
  // may hold the only accounts of one.
  const everyCluster = forRun !== null;
  const base = ids !== null && !rows.components.some((c) => c.percentile && c.agg === 'JOURNEY_ADHERENCE')
    ? lean(clusters, everyCluster) : scored(clusters, everyCluster);
  return forRun ? storedForRun(base, forRun) : base;
}

const plain = (col: RankColumn) => `p.${col}`;

const NONE: PeerDistribution = {
  name: 'none', present: false, scoredPeerClusters: [], everyCluster: false, rank: plain,
  async build() { /* nothing to rank against */ },
};

/** From a CTE `raw` (component_id, applicable, v0, divisor): the distribution of each component's distinct values. */
const distributionSql = `g AS (
          SELECT component_id, v0 / divisor AS v, count(*) AS n FROM raw
          WHERE applicable AND v0 / divisor IS NOT NULL GROUP BY 1, 2
        )
        SELECT component_id, v, (sum(n) OVER (PARTITION BY component_id ORDER BY v) - n)::float8 AS lower, n::float8 AS equal,
          (sum(n) OVER (PARTITION BY component_id))::float8 AS total
        FROM g`;

function scored(clusters: string[], everyCluster: boolean): PeerDistribution {
  return {
    name: 'scored', present: true, scoredPeerClusters: clusters, everyCluster, rank: plain,
    async build({ step }, values) {
      await step('_peer_distribution', `CREATE TEMP TABLE _peer_distribution ON COMMIT DROP AS
        WITH raw AS (${values.raw('c.percentile')}), ${distributionSql}`, values.params);
    },
  };
}

/**
 * The metric row (the columns of _metric_values) of one PERCENTILE spec for every cluster peer: the same aggregates
 * over the same signals (the window and subject as conditions instead of FILTERs, so the values are identical), only
 * those the spec's PERCENTILE components read; the others are NULL. `clusters`: SQL for the ids of the peers' clusters.
 */
function peerMetricSql(sp: WindowedSpec, aggs: string[], $p: (v: unknown) => string, clusters: string, accounts: string): string {
  const read = new Set<MetricColumn>(aggs.flatMap((a) => METRIC_KINDS[a]?.reads ?? []));
  const cols = (Object.keys(METRIC_COLUMNS) as MetricColumn[])
    .map((c) => `${read.has(c) ? METRIC_COLUMNS[c].expr : `NULL::${METRIC_COLUMNS[c].type}`} AS ${c}`);
  return `SELECT s.account_id, ${sp.spec_id} AS spec_id,
            ${cols.join(',\n            ')}
          FROM signals s
          WHERE s.workspace_id = $1 AND s.type = ${$p(sp.signal_type)} AND s.occurred_at <= $2
            ${sp.window_days === null ? '' : `AND s.occurred_at > ${$p(sp.win_start)}::timestamptz`}
            ${sp.subject === null ? '' : `AND s.subject = ${$p(sp.subject)}`}
            -- the accounts table (not the peers CTE): with its statistics the planner can pick a range scan of the
            -- signals of this type and window (index signals_type_time_idx) over one probe per peer account
            AND s.account_id IN (SELECT a.id FROM ${accounts} a WHERE a.workspace_id = $1 AND a.cluster_id IN (${clusters}))
          GROUP BY s.account_id`;
}

/**
 * Whether every PERCENTILE component's value is 0 for a peer without signals in its window, with nothing else to
 * read per account (no applicability rule, no normalizeBy): then the lean pass counts those peers instead of listing
 * them (`countedSql`).
 */
function zeroWithoutSignals({ config, rows }: StepContext): boolean {
  const withRules = new Set(config.outcomes.flatMap((o) => o.coin?.components ?? []).filter((c) => c.applicability).map((c) => c.id));
  return rows.components.filter((c) => c.percentile).every((c) => METRIC_KINDS[c.agg]?.zeroWithoutSignals && c.spec_id !== null
    && c.normalize_by === null && !withRules.has(c.component_id));
}

/**
 * The lean distribution when every PERCENTILE component counts or sums signals (zeroWithoutSignals): only the peers
 * with a signal in the window are listed, with their value; the others are counted per outcome and enter as ONE row
 * of value 0 weighing their number. The same distribution as listing every peer (a count of nothing is 0, exactly the
 * `coalesce(…, 0)` the targets' own rows compute), without a row per peer and date: a backtest ranks each as-of date's
 * cases among 100k peers, most of whom had no signal of the kind that week.
 */
function countedSql(ctx: StepContext, values: ComponentValues, peerMv: string[], clustersSql: string, outcomesP: string): string {
  const kinds = Object.entries(METRIC_KINDS).filter(([, k]) => k.zeroWithoutSignals);
  return `WITH mv AS (
          ${peerMv.join('\n          UNION ALL\n          ')}
        ), peer_accounts AS MATERIALIZED (
          -- the other accounts of the clusters (one pass over the accounts for both uses below)
          SELECT a.id, a.cluster_id FROM ${ctx.accounts} a
          WHERE a.workspace_id = $1 AND a.cluster_id IN (${clustersSql}) AND NOT EXISTS (SELECT 1 FROM _accounts t WHERE t.account_id = a.id)
        ), peers AS (
          -- per outcome: counted, not listed
          SELECT o.outcome_id, count(*) AS n
          FROM peer_accounts a JOIN _outcomes o ON o.cluster_id = a.cluster_id AND o.outcome_id = ANY(${outcomesP}::uuid[])
          GROUP BY o.outcome_id
        ), listed AS MATERIALIZED (
          -- those with a signal in the component's window, with their value (the targets' own expression)
          SELECT c.component_id, CASE c.agg ${kinds.map(([agg, k]) => `WHEN '${agg}' THEN ${k.value('NULL::float8')}`).join(' ')} END AS v
          FROM mv JOIN peer_accounts a ON a.id = mv.account_id
          JOIN _components c ON c.spec_id = mv.spec_id AND c.percentile
          JOIN _outcomes o ON o.outcome_id = c.outcome_id AND o.cluster_id = a.cluster_id
        ), raw AS (
          SELECT component_id, v, 1::bigint AS w FROM listed
          UNION ALL
          -- every other peer: value 0, weighing their number
          SELECT c.component_id, 0::float8, p.n - (SELECT count(*) FROM listed l WHERE l.component_id = c.component_id)
          FROM _components c JOIN peers p ON p.outcome_id = c.outcome_id WHERE c.percentile
          UNION ALL
          SELECT component_id, v0 / divisor, 1::bigint FROM (${values.raw('ao.target AND c.percentile')}) t WHERE applicable
        ), g AS (
          SELECT component_id, v, sum(w) AS n FROM raw WHERE v IS NOT NULL GROUP BY 1, 2 HAVING sum(w) > 0
        )
        SELECT component_id, v, (sum(n) OVER (PARTITION BY component_id ORDER BY v) - n)::float8 AS lower, n::float8 AS equal,
          (sum(n) OVER (PARTITION BY component_id))::float8 AS total
        FROM g`;
}

function lean(clusters: string[], everyCluster: boolean): PeerDistribution {
  return {
    name: 'lean', present: true, scoredPeerClusters: [], everyCluster, rank: plain,
    async build(ctx, values) {
      const { rows } = ctx;
      // The targets' values from their own rows (so each finds itself in the distribution), the other accounts of
      // their clusters from one lean pass per PERCENTILE spec over its signals: no stage, journey or score, and only
      // the columns its aggregations read (COUNT: an index-only scan).
      const pp: unknown[] = [...values.params, [...new Set(rows.components.filter((c) => c.percentile).map((c) => c.outcome_id))]];
      const $p = (v: unknown) => { pp.push(v); return `$${pp.length + 1}`; };
      const outcomesP = `$${pp.length + 1}`;
      // Peers: the other accounts of the targets' clusters; for a run's stored distribution, of every PERCENTILE cluster.
      const clustersSql = everyCluster ? `SELECT unnest(${$p(clusters)}::uuid[])` : 'SELECT cluster_id FROM _accounts';
      const peerMv = windowedSpecs(ctx).filter((sp) => sp.percentile).map((sp) => peerMetricSql(sp,
        rows.components.filter((c) => c.percentile && c.spec_id === sp.spec_id).map((c) => c.agg), $p, clustersSql, ctx.accounts));
      if (peerMv.length && zeroWithoutSignals(ctx)) {
        await ctx.step('_peer_distribution', `CREATE TEMP TABLE _peer_distribution ON COMMIT DROP AS ${countedSql(ctx, values, peerMv, clustersSql, outcomesP)}`, pp);
        return;
      }
      await ctx.step('_peer_distribution', `CREATE TEMP TABLE _peer_distribution ON COMMIT DROP AS
        WITH peers AS MATERIALIZED (
          SELECT a.id AS account_id, a.attributes, o.outcome_id,
            GREATEST(0, floor(extract(epoch FROM ($2::timestamptz - a.journey_started_at)) / 86400))::int AS d
          FROM ${ctx.accounts} a JOIN _outcomes o ON o.cluster_id = a.cluster_id AND o.outcome_id = ANY(${outcomesP}::uuid[])
          WHERE a.workspace_id = $1 AND a.cluster_id IN (${clustersSql})
            AND NOT EXISTS (SELECT 1 FROM _accounts t WHERE t.account_id = a.id)
        ), mv AS (
          ${peerMv.length ? peerMv.join('\n          UNION ALL\n          ')
    // PERCENTILE only over what the account is (ATTRIBUTE, JOURNEY_DAY): no signals to read
    : `SELECT NULL::uuid AS account_id, NULL::int AS spec_id, NULL::bigint AS n, NULL::bigint AS days, NULL::bigint AS subjects,
            NULL::numeric AS sum_v, NULL::bigint AS n_v, NULL::float8 AS min_v, NULL::float8 AS max_v, NULL::float8 AS latest_v,
            NULL::timestamptz AS last_at WHERE false`}
        ), raw AS (
          SELECT c.component_id, ${values.applicable} AS applicable, ${values.value('NULL::float8')}
          FROM peers ao JOIN _components c ON c.outcome_id = ao.outcome_id AND c.percentile
          LEFT JOIN mv ON mv.account_id = ao.account_id AND mv.spec_id = c.spec_id
          UNION ALL
          SELECT component_id, applicable, v0, divisor FROM (${values.raw('ao.target AND c.percentile')}) t
        ), ${distributionSql}`, pp);
    },
  };
}

function stored(run: PeerCache): PeerDistribution {
  return {
    name: 'stored', present: true, scoredPeerClusters: [], everyCluster: false,
    async build({ step }) {
      await step('_peer_distribution', `CREATE TEMP TABLE _peer_distribution ON COMMIT DROP AS
        SELECT d.component_id, u.v, u.lower::float8 AS lower, u.equal::float8 AS equal, d.total::float8 AS total
        FROM scoring_peer_distributions d CROSS JOIN LATERAL unnest(d.vals, d.lowers, d.equals) AS u(v, lower, equal)
        WHERE d.workspace_id = $1 AND d.run_id = $2 AND d.model_hash = $3`, [run.runId, run.modelHash]);
    },
    // An account whose value is not in the stored distribution (its data changed during the run) is ranked as one
    // more value among those peers.
    rank: (col) => ({
      lower: `coalesce(p.lower, (SELECT coalesce(sum(q.equal), 0) FROM _peer_distribution q WHERE q.component_id = val.component_id AND q.v < val.v))`,
      equal: `coalesce(p.equal, 1::float8)`,
      total: `coalesce(p.total, 1 + coalesce((SELECT max(q.total) FROM _peer_distribution q WHERE q.component_id = val.component_id), 0))`,
    })[col],
  };
}

/** A run's first chunk: build the distribution as `base` does, then store it for the run's later chunks. */
function storedForRun(base: PeerDistribution, run: PeerCache): PeerDistribution {
  return {
    ...base,
    name: `${base.name as 'scored' | 'lean'}, stored for the run`,
    async build(ctx, values) {
      await base.build(ctx, values);
      await ctx.tx.query(`INSERT INTO scoring_peer_distributions (workspace_id, run_id, model_hash, component_id, vals, lowers, equals, total)
        SELECT $1::uuid, $2, $3, c.component_id, coalesce(array_agg(p.v ORDER BY p.v) FILTER (WHERE p.component_id IS NOT NULL), '{}'),
          coalesce(array_agg(p.lower::int ORDER BY p.v) FILTER (WHERE p.component_id IS NOT NULL), '{}'),
          coalesce(array_agg(p.equal::int ORDER BY p.v) FILTER (WHERE p.component_id IS NOT NULL), '{}'),
          coalesce(max(p.total), 0)::int
        FROM _components c LEFT JOIN _peer_distribution p ON p.component_id = c.component_id WHERE c.percentile GROUP BY c.component_id
        ON CONFLICT DO NOTHING`, [run.runId, run.modelHash]);
    },
  };
}

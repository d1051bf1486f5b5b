/**
 * Cluster discovery (source 004, step 1: "gain insights into the usage patterns and define clusters";
 * step 2: within each cluster, which logos to copy). `discoverClusters` records a QUEUED discovery and
 * hands it to the job queue; a worker claims it (like scoring runs: conditional UPDATE, attempts as a
 * fence, heartbeat, recovery sweep) and goes through the stages, writing its progress as it goes. The
 * whole answer (members, rules measured, figures) commits in one transaction, or not at all.
 */
import type { DataSource } from 'typeorm';
import { Cluster } from '../clusters/cluster.entity';
import { enqueue, JOBS } from '../jobs/queue';
import { BackgroundJobTable, JobLost, type JobOutcome } from '../shared/background-job';
import { InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { featureWeights, group, sampleIndices } from './clustering';
import { attributeColumns, describeRule, encodeAccounts, fitRule, groupName, measureRules, MIN_PRECISION, MIN_RECALL, toRule, traits, TREE_SAMPLE } from './describe';
import { ClusterDiscovery, DiscoveryStage, DiscoveryState } from './discovery.entity';
import type { DiscoverClustersInput } from './discovery.inputs';
import { ClusteringMethod, type ClusterSuggestion, type DiscoveryParams, type DiscoveryResult, type GroupHealth, type GroupLifecycle, type ModelFragmentCluster } from './discovery.types';
import { usageProfiles } from './profiles.sql';
import { ownerQuery } from '../shared/db/owner';

export const STALE_AFTER_MS = 60_000;
/** Accounts shown as the ones to copy, per group. */
const BEST_ACCOUNTS = 5;

/** Claims, fencing, heartbeat and the recovery sweep of discoveries (src/shared/background-job.ts). */
const DISCOVERIES = new BackgroundJobTable({
  table: 'cluster_discoveries', what: 'cluster discovery', logKey: 'discoveryId', staleAfterMs: STALE_AFTER_MS,
  enqueue: async (db, d) => await enqueueDiscovery(db, d),
  // A discovery is computed whole by each attempt (nothing is kept between attempts until it commits).
  claimSet: `progress = 0, stage = 'PROFILES'`,
});

/** Test hook: runs after each stage's progress is written (e.g. to observe RUNNING mid-way). */
export const discoveryHooks: { afterStage?: (stage: DiscoveryStage) => Promise<void> | void } = {};

export async function discoverClusters(scope: TenantScope, input: Partial<DiscoverClustersInput> = {}): Promise<ClusterDiscovery> {
  const params: DiscoveryParams = {
    clusterId: input.clusterId ? (await scope.mustFind(Cluster, input.clusterId, 'Cluster')).id : null,
    windowDays: input.windowDays ?? 90,
    k: input.k ?? null,
    maxK: input.maxK ?? 8,
    seed: input.seed ?? 1,
    method: input.method ?? ClusteringMethod.KMEANS,
    signalTypes: input.signalTypes?.length ? [...new Set(input.signalTypes)].sort() : null,
    attributes: input.attributes?.length ? [...new Set(input.attributes)].sort() : null,
    intensity: input.intensity ?? false,
  };
  if (params.k !== null && params.k > 12) throw new InputError('input.k', 'k must be between 2 and 12.');
  const discovery = await scope.transaction(async (tx) => {
    const [{ now }] = await tx.query<{ now: Date }>('SELECT now() AS now');
    if (input.asOf && input.asOf.getTime() > now.getTime()) throw new InputError('input.asOf', 'asOf must not be in the future: the usage window ends at asOf.');
    return await tx.save(tx.create(ClusterDiscovery, {
      state: DiscoveryState.QUEUED, stage: null, progress: 0, params, asOf: input.asOf ?? now, requestedBy: scope.actor, createdAt: now,
    }));
  });
  await enqueueDiscovery(scope.db, discovery);
  return discovery;
}

async function enqueueDiscovery(db: DataSource, d: Pick<ClusterDiscovery, 'workspaceId' | 'id'>): Promise<void> {
  await enqueue(db, JOBS.DISCOVER_CLUSTERS, { workspaceId: d.workspaceId, discoveryId: d.id }, { singletonKey: d.id });
}

export async function getDiscovery(scope: TenantScope, id: string): Promise<ClusterDiscovery> {
  return await scope.mustFind(ClusterDiscovery, id, 'Cluster discovery');
}

export async function listDiscoveries(scope: TenantScope, first = 20): Promise<ClusterDiscovery[]> {
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new InputError('first', 'first must be between 1 and 100.');
  return await scope.find(ClusterDiscovery, { order: { createdAt: 'DESC', id: 'DESC' }, take: first });
}

/** The described groups as clusters to create, in the order they would be tried. */
export function modelFragment(d: ClusterDiscovery): ModelFragmentCluster[] {
  return (d.result?.suggestions ?? [])
    .filter((s) => s.rule && s.priority !== null)
    .sort((a, b) => a.priority! - b.priority!)
    .map((s) => ({
      name: s.name, priority: s.priority!, rule: s.rule!, suggestionIndex: s.index,
      description: `Discovered from usage (${d.result!.method}, seed ${d.params.seed}): ${s.traits.slice(0, 2).map((t) => t.text).join('; ') || 'no distinctive usage'}.`,
    }));
}

/** Claim a discovery and compute it. Several workers may try: only one claims it. */
export async function processDiscovery(db: DataSource, workspaceId: string, id: string, opts: { staleAfterMs?: number; heartbeatMs?: number } = {}): Promise<JobOutcome> {
  return await DISCOVERIES.process(db, workspaceId, id, opts, async (job) => {
    const { scope, log } = job;
    const d = await scope.mustFind(ClusterDiscovery, id, 'Cluster discovery');
    const stage = async (s: DiscoveryStage, progress: number) => {
      await job.update(scope, `stage = $4, progress = $5, heartbeat_at = now()`, [s, progress]);
      await discoveryHooks.afterStage?.(s);
    };
    const result = await compute(scope, d, stage);
    const done = await scope.transaction(async (tx) => {
      await writeMembers(tx, id, result.accountIds, result.labels);
      const final = await finish(tx, d, result);
      const won = await job.succeed(tx, `stage = 'DONE', progress = 1, result = $4::jsonb`, [JSON.stringify(final)]);
      if (!won) throw new JobLost(); // taken over meanwhile: roll back what this attempt wrote
      return final;
    });
    log.info({ k: done.k, accounts: done.accounts, timings: done.timings }, 'cluster discovery succeeded');
    return 'SUCCEEDED';
  });
}

interface Computed {
  accountIds: string[];
  labels: Int32Array;
  result: Omit<DiscoveryResult, 'suggestions'>;
  suggestions: Array<Omit<ClusterSuggestion, 'lifecycle' | 'health' | 'bestAccountIds' | 'precision' | 'recall' | 'priority'> & { candidate: ClusterSuggestion['rule'] }>;
}

/** Profiles, groups, candidate rules and traits: everything up to what is measured against the stored members. */
async function compute(scope: TenantScope, d: ClusterDiscovery, stage: (s: DiscoveryStage, p: number) => Promise<void>): Promise<Computed> {
  const p = d.params;
  const timings: Record<string, number> = {};
  let t0 = Date.now();
  const profiles = await usageProfiles(scope, { asOf: d.asOf, windowDays: p.windowDays, clusterId: p.clusterId, signalTypes: p.signalTypes, intensity: p.intensity });
  timings.profilesMs = Date.now() - t0;
  const n = profiles.accountIds.length;
  if (n < 4) throw new Error(`Only ${n} account(s) in scope: discovery needs at least 4.`);
  if (p.k !== null && p.k >= n) throw new Error(`k = ${p.k} needs more than ${p.k} accounts; the scope has ${n}.`);
  await stage(DiscoveryStage.CLUSTERING, 0.3);

  t0 = Date.now();
  const raw = { n, p: profiles.features.length, data: profiles.matrix };
  const grouping = await group(raw, { k: p.k, maxK: p.maxK, seed: p.seed, method: p.method, weights: featureWeights(profiles.features) }, async (done, total) => {
    await stage(DiscoveryStage.CLUSTERING, 0.3 + (0.5 * done) / total);
  });
  timings.clusteringMs = Date.now() - t0;
  await stage(DiscoveryStage.DESCRIBING, 0.8);

  t0 = Date.now();
  const columns = await attributeColumns(scope, p.clusterId, p.attributes);
  const sample = sampleIndices(n, TREE_SAMPLE, p.seed + 2);
  const x = await encodeAccounts(scope, Array.from(sample, (i) => profiles.accountIds[i]), columns);
  const groupTraits = traits(raw, profiles.features, grouping.labels, grouping.k);
  const suggestions = Array.from({ length: grouping.k }, (_, g) => {
    const paths = fitRule(x, Array.from(sample, (i) => (grouping.labels[i] === g ? 1 : 0)), columns);
    const candidate = paths ? toRule(paths, columns) : null;
    const size = grouping.labels.reduce((s, l) => s + (l === g ? 1 : 0), 0);
    return {
      index: g, name: groupName(groupTraits[g], g), size, share: size / n,
      rule: null, ruleText: null, whyNoRule: null, traits: groupTraits[g], candidate,
    };
  });
  timings.describingMs = Date.now() - t0;
  return {
    accountIds: profiles.accountIds, labels: grouping.labels, suggestions,
    result: { method: p.method, k: grouping.k, kChosenBy: grouping.kChosenBy, candidates: grouping.candidates, accounts: n, features: profiles.features, timings },
  };
}

async function writeMembers(tx: TenantScope, id: string, accountIds: string[], labels: Int32Array): Promise<void> {
  await tx.query(`DELETE FROM cluster_discovery_members WHERE workspace_id = $1 AND discovery_id = $2`, [id]);
  await tx.query(
    `INSERT INTO cluster_discovery_members (workspace_id, discovery_id, account_id, group_index)
     SELECT $1::uuid, $2, m.account_id, m.group_index FROM unnest($3::uuid[], $4::smallint[]) AS m(account_id, group_index)`,
    [id, accountIds, Array.from(labels)]);
}

/** Measure the candidate rules on every account, and the group's lifecycle outcomes, health and best accounts. */
async function finish(tx: TenantScope, d: ClusterDiscovery, c: Computed): Promise<DiscoveryResult> {
  const t0 = Date.now();
  const measured = await measureRules(tx, d.id, c.suggestions.filter((s) => s.candidate).map((s) => ({ group: s.index, rule: s.candidate! })));
  const figures = await groupFigures(tx, d.id);
  const suggestions: ClusterSuggestion[] = c.suggestions.map(({ candidate, ...s }) => {
    const m = measured.get(s.index);
    const good = !!candidate && !!m && m.precision >= MIN_PRECISION && m.recall >= MIN_RECALL;
    const f = figures.get(s.index);
    return {
      ...s,
      rule: good ? candidate : null,
      ruleText: good ? describeRule(candidate!) : null,
      precision: good ? m!.precision : null,
      recall: good ? m!.recall : null,
      whyNoRule: good ? null : candidate && m
        ? `The best attribute rule found, ${describeRule(candidate)}, matches the group with ${pct(m.precision)} precision and ${pct(m.recall)} recall `
          + `(a rule needs ${pct(MIN_PRECISION)} and ${pct(MIN_RECALL)}): account attributes do not tell this group apart; it is a usage pattern.`
        : 'No account attribute separates this group from the others: it is a usage pattern, not (yet) a segment.',
      lifecycle: f?.lifecycle ?? emptyLifecycle(),
      health: f?.health ?? { scored: 0, meanScore: null, medianScore: null, red: 0, yellow: 0, green: 0, unknown: s.size },
      bestAccountIds: f?.best ?? [],
      priority: null,
    };
  });
  // The most precise rules are tried first, so a narrow group is not swallowed by a broad one.
  suggestions.filter((s) => s.rule).sort((a, b) => b.precision! - a.precision! || a.index - b.index)
    .forEach((s, i) => { s.priority = (i + 1) * 10; });
  return { ...c.result, suggestions, timings: { ...c.result.timings, measuringMs: Date.now() - t0 } };
}

const pct = (v: number) => `${Math.round(v * 100)}%`;

function emptyLifecycle(): GroupLifecycle {
  return { decided: 0, churned: 0, renewed: 0, expanded: 0, contracted: 0, churnRate: null, renewalRate: null };
}

/** One statement: per group, the latest lifecycle outcome of each account, current health, and the accounts to copy. */
async function groupFigures(tx: TenantScope, id: string): Promise<Map<number, { lifecycle: GroupLifecycle; health: GroupHealth; best: string[] }>> {
  const rows = await tx.query<{
    group_index: number; decided: number; churned: number; renewed: number; expanded: number; contracted: number;
    scored: number; mean_score: number | null; median_score: number | null; red: number; yellow: number; green: number; unknown: number; best: string[] | null;
  }>(
    `WITH m AS (SELECT account_id, group_index FROM cluster_discovery_members WHERE workspace_id = $1 AND discovery_id = $2),
          latest AS (SELECT DISTINCT ON (lo.account_id) lo.account_id, lo.kind FROM lifecycle_outcomes lo
                      WHERE lo.workspace_id = $1 AND lo.account_id IN (SELECT account_id FROM m)
                      ORDER BY lo.account_id, lo.occurred_on DESC, lo.kind),
          g AS (SELECT m.group_index, m.account_id, l.kind, h.score, h.band FROM m
                  LEFT JOIN latest l ON l.account_id = m.account_id
                  LEFT JOIN current_account_health h ON h.workspace_id = $1 AND h.account_id = m.account_id)
     SELECT group_index, count(kind)::int AS decided,
            count(*) FILTER (WHERE kind = 'CHURNED')::int AS churned, count(*) FILTER (WHERE kind = 'RENEWED')::int AS renewed,
            count(*) FILTER (WHERE kind = 'EXPANDED')::int AS expanded, count(*) FILTER (WHERE kind = 'CONTRACTED')::int AS contracted,
            count(score)::int AS scored, avg(score) AS mean_score, percentile_cont(0.5) WITHIN GROUP (ORDER BY score) AS median_score,
            count(*) FILTER (WHERE band = 'RED')::int AS red, count(*) FILTER (WHERE band = 'YELLOW')::int AS yellow,
            count(*) FILTER (WHERE band = 'GREEN')::int AS green, count(*) FILTER (WHERE band IS NULL OR band = 'UNKNOWN')::int AS unknown,
            (array_agg(account_id ORDER BY score DESC NULLS LAST, account_id) FILTER (WHERE kind IN ('RENEWED', 'EXPANDED')))[1:${BEST_ACCOUNTS}] AS best
       FROM g GROUP BY group_index`, [id]);
  return new Map(rows.map((r) => [r.group_index, {
    lifecycle: {
      decided: r.decided, churned: r.churned, renewed: r.renewed, expanded: r.expanded, contracted: r.contracted,
      churnRate: r.decided ? r.churned / r.decided : null, renewalRate: r.decided ? (r.renewed + r.expanded) / r.decided : null,
    },
    health: { scored: r.scored, meanScore: r.mean_score, medianScore: r.median_score, red: r.red, yellow: r.yellow, green: r.green, unknown: r.unknown },
    best: r.best ?? [],
  }]));
}

/** Recovery sweep: re-enqueue QUEUED discoveries nobody took and RUNNING ones whose worker died. */
export async function recoverDiscoveries(db: DataSource, opts: { staleAfterMs?: number; queuedForMs?: number } = {}): Promise<number> {
  return await DISCOVERIES.recover(db, opts);
}

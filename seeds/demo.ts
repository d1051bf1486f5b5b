/**
 * The demo workspace a new user can explore at once (see README "The demo workspace"): two persona
 * clusters, three desired outcomes with 4-stage journeys and two-sided coins (seeds/data/model.ts),
 * 200 accounts over journey days 0-400 with 90 days of persona-driven signals
 * (seeds/data/generate.ts), scored at each week of those 90 days and at the seed time, so scores,
 * trends, movers and changes show right after `npm start`.
 *
 * Everything goes through the GraphQL schema in-process, as an ADMIN client would send it, so the
 * seed is validated exactly like real input and depends on the API, not on service signatures.
 * Any GraphQL error or rejected batch item aborts the seed loudly (and removes the half-built workspace).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { graphql } from 'graphql';
import type { DataSource } from 'typeorm';
import { getSchema } from '../src/schema';
import { config } from '../src/shared/config';
import { RequestContext, type Caller } from '../src/shared/context';
import { formatError } from '../src/shared/errors';
import { logger } from '../src/shared/logger';
import { TenantScope } from '../src/shared/tenant';
import { scoreAccounts } from '../src/scoring/engine';
import { Workspace } from '../src/workspaces/workspace.entity';
import { authenticate, createWorkspace } from '../src/workspaces/workspace.service';
import { CLUSTERS, OUTCOMES, type ClusterKey, type OutcomeKey } from './data/model';
import { DAY, generateDemo, summarize, type DemoData } from './data/generate';
import { seedDemoPlays } from './plays';

export const DEMO_WORKSPACE_NAME = 'Demo: Acme Analytics';
const keyFile = () => path.join(config.dataDir, 'demo-admin-key');
const SIGNAL_BATCH = 5_000; // ingestSignals' limit
const ACCOUNT_BATCH = 1_000; // upsertAccounts' limit
const PARALLEL_COMPLETIONS = 8;

export interface DemoSeedResult {
  workspaceName: string;
  adminKey: string;
  workspaceId: string;
  /** What was generated (personas, clusters, signal types) and how long each step took. */
  stats: { accounts: number; signals: number; manualCompletions: number; ms: Record<string, number>; generated: ReturnType<typeof summarize> };
  /** The generated data (the test compares the API's answers with the plan). */
  data: DemoData;
}

/** Seed on a database without any workspace; otherwise re-show the saved key while it still works. */
export async function seedDemoIfEmpty(db: DataSource): Promise<{ workspaceName: string; adminKey: string } | undefined> {
  if ((await db.manager.count(Workspace)) === 0) {
    const seeded = await seedDemo(db);
    saveDemoKey(seeded.adminKey);
    return { workspaceName: seeded.workspaceName, adminKey: seeded.adminKey };
  }
  // The key is only stored hashed; re-show the one we saved locally when it still works.
  const saved = fs.existsSync(keyFile()) ? fs.readFileSync(keyFile(), 'utf8').trim() : '';
  if (saved && (await authenticate(db, saved))) return { workspaceName: DEMO_WORKSPACE_NAME, adminKey: saved };
  return undefined;
}

export function saveDemoKey(adminKey: string): string {
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(keyFile(), adminKey + '\n', { mode: 0o600 });
  return keyFile();
}

/** Build the demo workspace. `now` = the seed time every signal is relative to (default: the current time). */
export async function seedDemo(db: DataSource, opts: { now?: Date } = {}): Promise<DemoSeedResult> {
  const ms: Record<string, number> = {};
  let t0 = Date.now();
  const lap = (step: string) => { const t = Date.now(); ms[step] = t - t0; t0 = t; };

  const data = generateDemo(opts.now ?? new Date());
  lap('generate');
  const { workspace, adminKey } = await createWorkspace(db, DEMO_WORKSPACE_NAME);
  try {
    const caller = await authenticate(db, adminKey);
    if (!caller) throw new Error('demo seed: the new ADMIN key does not authenticate');
    const api = client(db, caller);
    await buildModel(api, data, lap);
    await scoreHistory(TenantScope.system(db, workspace.id), data.now);
    lap('score');
    await seedDemoPlays(api, db, workspace.id, data.now);
    lap('plays');
  } catch (err) {
    await deleteWorkspaceData(db, workspace.id).catch((cleanupErr) => logger.error({ err: cleanupErr }, 'demo seed: cleanup failed'));
    throw err;
  }
  const stats = {
    accounts: data.accounts.length, signals: data.signals.length, manualCompletions: data.completions.length,
    ms: { ...ms, total: Object.values(ms).reduce((a, b) => a + b, 0) }, generated: summarize(data),
  };
  logger.info({ workspaceId: workspace.id, ...stats, generated: undefined }, 'demo workspace seeded');
  return { workspaceName: DEMO_WORKSPACE_NAME, adminKey, workspaceId: workspace.id, stats, data };
}

/** Weekly snapshots over the 90 days of signals, oldest first (current rows only move forward in time). */
export const HISTORY_WEEKS = 12;

/**
 * Score the demo at each week of its 90 days of signals and then at the seed time, so that healthTrend,
 * movers and change(days: 7) have a past right after `npm start`. Each week is one set-based engine call
 * over the accounts whose journey had begun by then (an account has no health before its journey starts).
 */
async function scoreHistory(scope: TenantScope, now: Date): Promise<void> {
  for (let week = HISTORY_WEEKS; week >= 1; week--) {
    const asOf = new Date(now.getTime() - week * 7 * DAY);
    const started = await scope.query<{ id: string }>(
      `SELECT id FROM accounts WHERE workspace_id = $1 AND journey_started_at <= $2`, [asOf]);
    if (started.length) await scoreAccounts(scope, { asOf, accountIds: started.map((a) => a.id), persist: true });
  }
  await scoreAccounts(scope, { asOf: now, accountIds: null, persist: true });
}

type Api = <T = any>(source: string, variableValues?: Record<string, unknown>) => Promise<T>;

/** Run one operation through the schema as the given caller; throw with every GraphQL error. */
function client(db: DataSource, caller: Caller): Api {
  return async (source, variableValues = {}) => {
    const schema = await getSchema();
    const requestId = randomUUID();
    const contextValue = new RequestContext(requestId, db, logger.child({ requestId, seed: 'demo' }), caller);
    const res = await graphql({ schema, source, variableValues, contextValue });
    if (res.errors?.length) {
      const op = /(?:mutation|query)\s+(\w+)/.exec(source)?.[1] ?? source.slice(0, 60);
      // Formatted as the server would answer (code, field), plus the raw message: this is local output.
      const details = res.errors.map((e) => {
        const f = formatError(e.toJSON(), e);
        const raw = f.message === e.message ? '' : ` [${e.message}]`;
        return `  - ${f.message}${raw} (path ${e.path?.join('.') ?? '-'}, ${JSON.stringify(f.extensions ?? {})})`;
      });
      const cause = res.errors.find((e) => e.originalError && !e.extensions?.code)?.originalError;
      throw new Error(`demo seed: ${op} failed:\n${details.join('\n')}`, { cause });
    }
    return res.data as any;
  };
}

function failOnRejected(op: string, rejected: Array<{ index: number; field?: string | null; reason: string }>, items: unknown[]): void {
  if (!rejected.length) return;
  const shown = rejected.slice(0, 5).map((r) => `  - item ${r.index} (${r.field ?? '-'}): ${r.reason} — ${JSON.stringify(items[r.index])}`);
  throw new Error(`demo seed: ${op} rejected ${rejected.length} item(s):\n${shown.join('\n')}`);
}

async function buildModel(api: Api, data: DemoData, lap: (step: string) => void): Promise<void> {
  // Clusters: the default one becomes "Self-serve tech-touch"; "Managed enterprise" is tried first.
  const { clusters } = await api<{ clusters: Array<{ id: string; isDefault: boolean }> }>(`query Clusters { clusters { id isDefault } }`);
  const clusterIds = {} as Record<ClusterKey, string>;
  clusterIds.selfServe = clusters.find((c) => c.isDefault)!.id;
  await api(`mutation RenameDefaultCluster($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { id } }`,
    { id: clusterIds.selfServe, input: { name: CLUSTERS.selfServe.name, description: CLUSTERS.selfServe.description } });
  const created = await api(`mutation CreateCluster($input: CreateClusterInput!) { createCluster(input: $input) { id } }`,
    { input: CLUSTERS.enterprise });
  clusterIds.enterprise = created.createCluster.id;

  // Outcomes, each with its journey and coin.
  const milestoneIds = {} as Record<OutcomeKey, Record<string, string>>;
  for (const o of OUTCOMES) {
    const { createOutcome } = await api(`mutation CreateOutcome($input: CreateOutcomeInput!) { createOutcome(input: $input) { id } }`,
      { input: { clusterId: clusterIds[o.cluster], name: o.name, description: o.description, weight: o.weight } });
    const { defineJourney } = await api<{ defineJourney: { stages: Array<{ milestones: Array<{ id: string; key: string }> }> } }>(
      `mutation DefineJourney($outcomeId: ID!, $input: JourneyInput!) {
         defineJourney(outcomeId: $outcomeId, input: $input) { stages { milestones { id key } } }
       }`, { outcomeId: createOutcome.id, input: o.journey });
    milestoneIds[o.key] = Object.fromEntries(defineJourney.stages.flatMap((s) => s.milestones.map((m) => [m.key, m.id])));
    await api(`mutation DefineCoin($outcomeId: ID!, $input: CoinInput!) { defineCoin(outcomeId: $outcomeId, input: $input) { outcomeId } }`,
      { outcomeId: createOutcome.id, input: o.coin });
  }
  lap('model');

  // Accounts (cluster assignment follows the rules).
  const accountIds = new Map<string, string>();
  for (let i = 0; i < data.accounts.length; i += ACCOUNT_BATCH) {
    const batch = data.accounts.slice(i, i + ACCOUNT_BATCH);
    const { upsertAccounts: r } = await api(`mutation UpsertAccounts($accounts: [AccountInput!]!) {
        upsertAccounts(accounts: $accounts) { created rejected { index field reason } accounts { id externalId } }
      }`, { accounts: batch });
    failOnRejected('upsertAccounts', r.rejected, batch);
    for (const a of r.accounts as Array<{ id: string; externalId: string }>) accountIds.set(a.externalId, a.id);
  }
  lap('accounts');

  // Signals, in the largest batches ingestSignals takes.
  for (let i = 0; i < data.signals.length; i += SIGNAL_BATCH) {
    const batch = data.signals.slice(i, i + SIGNAL_BATCH);
    const { ingestSignals: r } = await api(`mutation IngestSignals($signals: [SignalInput!]!) {
        ingestSignals(signals: $signals) { accepted duplicates rejected { index field reason } }
      }`, { signals: batch });
    failOnRejected('ingestSignals', r.rejected, batch);
    if (r.accepted !== batch.length) throw new Error(`demo seed: ingestSignals accepted ${r.accepted} of ${batch.length}`);
  }
  lap('signals');

  // Manual milestones a CSM marked done, with the day they were achieved.
  const queue = data.completions.slice();
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      await api(`mutation CompleteMilestone($accountId: ID!, $milestoneId: ID!, $achievedAt: DateTimeISO, $note: String) {
          completeMilestone(accountId: $accountId, milestoneId: $milestoneId, achievedAt: $achievedAt, note: $note) { __typename }
        }`, { accountId: accountIds.get(c.accountExternalId), milestoneId: milestoneIds[c.outcome][c.milestoneKey], achievedAt: c.achievedAt, note: c.note });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_COMPLETIONS }, worker));
  lap('manualMilestones');
}

/**
 * Delete a workspace and everything in it. Accounts go first: their cluster FK is RESTRICT, so
 * deleting the workspace alone would stop at the first account; their rows cascade (signals,
 * snapshots, completions). Then every other table with a workspace_id, until nothing refers back.
 */
export async function deleteWorkspaceData(db: DataSource, workspaceId: string): Promise<void> {
  await db.query('DELETE FROM accounts WHERE workspace_id = $1', [workspaceId]);
  const tables: Array<{ table_name: string }> = await db.query(
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'workspace_id' AND table_name <> 'workspaces'`);
  let pending = tables.map((t) => t.table_name);
  for (let pass = 0; pending.length && pass < 10; pass++) {
    const blocked: string[] = [];
    for (const table of pending) {
      try {
        await db.query(`DELETE FROM "${table}" WHERE workspace_id = $1`, [workspaceId]);
      } catch (err) {
        if ((err as { code?: string }).code !== '23503') throw err; // foreign key: retry after the referencing table
        blocked.push(table);
      }
    }
    pending = blocked;
  }
  await db.query('DELETE FROM workspaces WHERE id = $1', [workspaceId]);
}

/** `npm run seed`: remove every workspace with the demo's name (and all its data). */
export async function deleteDemoWorkspaces(db: DataSource): Promise<number> {
  const found: Array<{ id: string }> = await db.query('SELECT id FROM workspaces WHERE name = $1', [DEMO_WORKSPACE_NAME]);
  for (const { id } of found) await deleteWorkspaceData(db, id);
  return found.length;
}

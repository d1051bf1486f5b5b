/**
 * The account list's page plan (src/shared/plan.ts): what the query asks of each account of a page that the page's
 * own statement can read (health, outcomes with their relations, cluster), and that statement's `planned` column.
 */
import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import type { DataSource } from 'typeorm';
import { Cluster } from '../clusters/cluster.entity';
import { accountHealthSql, outcomesSql, planAccountHealth, planOutcomes, type OutcomesPlan } from '../health/health.plan';
import { entityObjectSql, jsonObject, plannableEntityFields, type PlannedFields, type PlannedRelation } from '../shared/plan';
import { selectedFields } from '../shared/selection';

/** The relations a page reads for each account (absent: loaded by its resolver, if asked for at all). */
export interface AccountPagePlan {
  health?: PlannedFields;
  outcomes?: OutcomesPlan;
  cluster?: PlannedFields;
}

/** Account's relations a page plan reads along (see `answerPlannedRelations`). */
export const PLANNED_ACCOUNT_RELATIONS: PlannedRelation[] = [['Account', 'health'], ['Account', 'outcomes'], ['Account', 'cluster']];

/** Compile the plan from the Account field nodes of a page (for a connection: `edges.node`). */
export function planAccountPage(info: GraphQLResolveInfo, db: DataSource, accountNodes: readonly FieldNode[]): AccountPagePlan {
  const plan: AccountPagePlan = {};
  const selected = selectedFields(info, accountNodes);
  const health = selected.get('health');
  if (health) plan.health = planAccountHealth(info, health) ?? undefined;
  const outcomes = selected.get('outcomes');
  if (outcomes) plan.outcomes = planOutcomes(info, db, outcomes) ?? undefined;
  const cluster = selected.get('cluster');
  if (cluster) plan.cluster = plannableEntityFields(info, db, Cluster, 'Cluster', selectedFields(info, cluster).keys()) ?? undefined;
  return plan;
}

/** The page statement's `planned` column over its accounts (alias `a`; `$1` the workspace), or null when nothing is planned. */
export function plannedColumnSql(db: DataSource, plan: AccountPagePlan, param: (value: unknown, cast: string) => string): string | null {
  const pairs: Array<readonly [string, string]> = [];
  if (plan.health) pairs.push(['health', accountHealthSql(plan.health, 'a.id', '$1')]);
  if (plan.outcomes) pairs.push(['outcomes', outcomesSql(db, plan.outcomes, 'a.id', '$1', param)]);
  if (plan.cluster) {
    pairs.push(['cluster', `(SELECT ${entityObjectSql(db, Cluster, plan.cluster, 'c')} FROM clusters c WHERE c.workspace_id = $1 AND c.id = a.cluster_id)`]);
  }
  return pairs.length ? jsonObject(pairs) : null;
}

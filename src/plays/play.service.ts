/** Plays: define, change, enable/disable, delete, and dry-run (what would fire now). Every check reports all problems at once. */
import { Account } from '../accounts/account.entity';
import { Cluster } from '../clusters/cluster.entity';
import { Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import { DomainError, NotFoundError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { WebhookEndpoint } from '../webhooks/webhook.entity';
import { Play } from './play.entity';
import { evaluatePlays, type EvaluationSummary } from './play.evaluate';
import type { PlayDryRun, PlayInput } from './play.gql';
import { checkTrigger, matchInput, matchSql, OUTCOME_LEVEL, titleProblems, type Problem } from './play.trigger';

/** The play as stored, after every check; NOT_FOUND for ids outside the workspace, BAD_USER_INPUT with every problem. */
async function checked(scope: TenantScope, input: PlayInput): Promise<Partial<Play>> {
  const ids = async (entity: typeof Cluster | typeof Outcome, list: string[] | null | undefined, label: string) => {
    const unique = [...new Set(list ?? [])];
    const found = new Set((await scope.findByIds(entity, unique)).map((r) => r.id));
    const missing = unique.find((id) => !found.has(id));
    if (missing) throw new NotFoundError(label, missing);
    return unique;
  };
  const clusterIds = await ids(Cluster, input.clusterIds, 'Cluster');
  const outcomeIds = await ids(Outcome, input.outcomeIds, 'Outcome');
  if (input.trigger.milestoneId) await scope.mustFind(Milestone, input.trigger.milestoneId, 'Milestone');
  if (input.webhookEndpointId) await scope.mustFind(WebhookEndpoint, input.webhookEndpointId, 'Webhook endpoint');

  const { spec, problems } = checkTrigger(input.trigger, 'input.trigger');
  const all: Problem[] = [...problems];
  if (!input.task && !input.webhookEndpointId) all.push({ field: 'input.task', message: 'A play needs an action: a task, a webhookEndpointId, or both.' });
  if (input.task) all.push(...titleProblems(input.task.titleTemplate, 'input.task.titleTemplate'));
  if (outcomeIds.length && !OUTCOME_LEVEL.has(spec.kind)) {
    all.push({ field: 'input.outcomeIds', message: `${spec.kind} is about the whole account: leave outcomeIds empty.` });
  }
  if (all.length) throw new DomainError('BAD_USER_INPUT', `Invalid play: ${all.map((p) => `${p.field}: ${p.message}`).join(' ')}`, { field: all[0].field, problems: all });
  return {
    name: input.name.trim(), description: input.description?.trim() || null, enabled: input.enabled ?? true, trigger: spec,
    clusterIds, outcomeIds, cooldownDays: input.cooldownDays ?? 7,
    task: input.task ? { titleTemplate: input.task.titleTemplate, owner: input.task.owner?.trim() || null, dueInDays: input.task.dueInDays ?? 7, priority: input.task.priority } : null,
    webhookEndpointId: input.webhookEndpointId ?? null,
  };
}

export async function listPlays(scope: TenantScope): Promise<Play[]> {
  return await scope.find(Play, { order: { name: 'ASC' } });
}

export async function getPlay(scope: TenantScope, id: string): Promise<Play> {
  return await scope.mustFind(Play, id, 'Play');
}

export async function createPlay(scope: TenantScope, input: PlayInput): Promise<Play> {
  const values = await checked(scope, input);
  return await scope.save(scope.create(Play, values));
}

/** Replace a play's definition. Its open firings stay: those whose condition no longer holds clear at the next evaluation. */
export async function updatePlay(scope: TenantScope, id: string, input: PlayInput): Promise<Play> {
  const play = await getPlay(scope, id);
  Object.assign(play, await checked(scope, input));
  return await scope.save(play);
}

export async function setPlayEnabled(scope: TenantScope, id: string, enabled: boolean): Promise<Play> {
  const play = await getPlay(scope, id);
  play.enabled = enabled;
  return await scope.save(play);
}

/** Delete a play and its firings; the tasks it opened stay (with their history). */
export async function deletePlay(scope: TenantScope, id: string): Promise<boolean> {
  await getPlay(scope, id);
  return (await scope.delete(Play, { id })) > 0;
}

/** Evaluate now (normally done after every rescore and daily run). */
export async function runPlays(scope: TenantScope): Promise<EvaluationSummary> {
  return await evaluatePlays(scope.db, scope.workspaceId);
}

/** Which accounts (× outcomes) the play would fire for now, without firing: a saved play by id, or an unsaved definition. */
export async function dryRunPlay(scope: TenantScope, id: string | null | undefined, input: PlayInput | null | undefined, first: number): Promise<PlayDryRun> {
  if (!!id === !!input) throw new DomainError('BAD_USER_INPUT', 'Give either id (a saved play) or input (a play not saved yet).', { field: id ? 'input' : 'id' });
  const play = id ? await getPlay(scope, id) : await checked(scope, input!);
  const [r] = await scope.query<{ count: number; would: number; matches: Array<{ accountId: string; outcomeId: string | null; fired: boolean }> }>(
    `WITH m AS MATERIALIZED (${matchSql([play.trigger!.kind])}
     ), x AS (
       SELECT m.account_id, m.outcome_id,
              EXISTS (SELECT 1 FROM play_firings p WHERE p.workspace_id = $1 AND p.play_id = $5 AND p.account_id = m.account_id
                         AND p.scope_key = m.scope_key AND (p.cleared_at IS NULL OR p.fired_at > $3::timestamptz - make_interval(days => $6::int)))
              OR EXISTS (SELECT 1 FROM tasks t WHERE t.workspace_id = $1 AND t.play_id = $5 AND t.account_id = m.account_id
                           AND t.scope_key = m.scope_key AND t.status = 'OPEN') AS fired
         FROM m
     )
     SELECT (SELECT count(*) FROM x)::int AS count, (SELECT count(*) FROM x WHERE NOT fired)::int AS would,
            coalesce((SELECT json_agg(json_build_object('accountId', p.account_id, 'outcomeId', p.outcome_id, 'fired', p.fired) ORDER BY p.name, p.account_id)
                        FROM (SELECT x.*, a.name FROM x JOIN accounts a ON a.workspace_id = $1 AND a.id = x.account_id
                               ORDER BY a.name, a.id LIMIT $7) p), '[]') AS matches`,
    [JSON.stringify([matchInput({ id: id ?? null, trigger: play.trigger!, clusterIds: play.clusterIds, outcomeIds: play.outcomeIds })]),
      new Date(), null, id ?? null, play.cooldownDays ?? 7, first]);
  const accounts = new Map((await scope.findByIds(Account, [...new Set(r.matches.map((m) => m.accountId))])).map((a) => [a.id, a]));
  return {
    count: r.count,
    wouldFire: r.would,
    matches: r.matches.filter((m) => accounts.has(m.accountId))
      .map((m) => ({ account: accounts.get(m.accountId)!, outcomeId: m.outcomeId, alreadyFired: m.fired })),
  };
}

import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { Cluster } from '../clusters/cluster.entity';
import { clusterById } from '../clusters/cluster.loaders';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { Account, LifecycleOutcome } from './account.entity';
import { AccountFilter, AccountInput, AccountOrder } from './account.inputs';
import { listAccounts } from './account-list.service';
import { planAccountPage } from './account.plan';
import { selectedAt } from '../shared/selection';
import { lifecycleOutcomesByAccount } from './account.loaders';
import * as accounts from './account.service';
import { AccountConnection, UpsertAccountsResult } from './account.types';

@Resolver(() => Account)
export class AccountResolver {
  @Authorized(Roles.INGEST)
  @Mutation(() => UpsertAccountsResult, {
    description: 'Create or update up to 1000 accounts by externalId. Bad items are reported in `rejected`; the others are stored and assigned to their cluster.',
  })
  async upsertAccounts(@Ctx() ctx: RequestContext, @Arg('accounts', () => [AccountInput], { description: 'At most 1000; each matched by externalId.' }) items: AccountInput[]): Promise<UpsertAccountsResult> {
    return await accounts.upsertAccounts(ctx.tenant, items);
  }

  @Authorized(Roles.READ)
  @Query(() => Account, { description: 'One account by its id; NOT_FOUND when it is not in your workspace.' })
  async account(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'Account.id.' }) id: string): Promise<Account> {
    return await accounts.getAccount(ctx.tenant, id);
  }

  @Authorized(Roles.READ)
  @Query(() => Account, { description: 'One account by your own id for it; NOT_FOUND when there is none.' })
  async accountByExternalId(@Ctx() ctx: RequestContext, @Arg('externalId', { description: 'Account.externalId, as ingested.' }) externalId: string): Promise<Account> {
    return await accounts.getAccountByExternalId(ctx.tenant, externalId);
  }

  @Authorized(Roles.READ)
  @Query(() => AccountConnection, { description: 'Accounts, filtered and ordered, a page at a time (first ≤ 200).' })
  async accounts(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => AccountFilter, { nullable: true, description: 'Conditions that must all hold; omit for every account.' }) filter?: AccountFilter | null,
    @Arg('orderBy', () => AccountOrder, { nullable: true, description: 'Default: by name, ascending.' }) orderBy?: AccountOrder | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: 'Page size, 1-200.' }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The previous page\'s pageInfo.endCursor; omit for the first page.' }) after?: string | null,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<AccountConnection> {
    return await listAccounts(ctx.tenant, {
      filter, orderBy, first, after,
      plan: info && planAccountPage(info, ctx.tenant.db, selectedAt(info, ['edges', 'node'])),
    });
  }

  @FieldResolver(() => Cluster, { description: 'The persona cluster the account is in (by the rules, first match wins).' })
  async cluster(@Ctx() ctx: RequestContext, @Root() account: Account): Promise<Cluster> {
    return (await ctx.tenant.loader(clusterById).load(account.clusterId))!; // a foreign key: never missing
  }

  @FieldResolver(() => [LifecycleOutcome], { description: 'Recorded renewals, expansions, contractions and churn, oldest first.' })
  async lifecycleOutcomes(@Ctx() ctx: RequestContext, @Root() account: Account): Promise<LifecycleOutcome[]> {
    return await ctx.tenant.loader(lifecycleOutcomesByAccount).load(account.id);
  }
}

@Resolver(() => AccountConnection)
export class AccountConnectionResolver {
  @FieldResolver(() => Int, { description: 'Accounts matching the filter (all pages).' })
  async totalCount(@Root() connection: AccountConnection): Promise<number> {
    return await connection.countTotal();
  }
}

@Resolver(() => LifecycleOutcome)
export class LifecycleOutcomeResolver {
  @FieldResolver(() => LocalDateResolver, { description: 'Same as occurredOn (the name used in LifecycleOutcomeInput).' })
  date(@Root() lo: LifecycleOutcome): string {
    return lo.occurredOn;
  }
}

/** Health on Account: current (health, outcomes) and history, from the health read model (src/health/). */
import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { AccountHealth, HealthPoint, OutcomeHealth } from '../health/health.types';
import * as health from '../health/health.service';
import type { RequestContext } from '../shared/context';
import { AccountScore } from '../scoring/score-account';
import { Account } from './account.entity';

@Resolver(() => Account)
export class AccountHealthResolver {
  @FieldResolver(() => AccountHealth, { description: 'Current health (weighted mean of the outcome scores); UNKNOWN until scored.' })
  async health(@Ctx() ctx: RequestContext, @Root() account: Account): Promise<AccountHealth> {
    return await health.accountHealth(ctx.tenant, account.id);
  }

  @FieldResolver(() => [OutcomeHealth], { description: 'Current health per active outcome of its cluster.' })
  async outcomes(@Ctx() ctx: RequestContext, @Root() account: Account): Promise<OutcomeHealth[]> {
    return await health.accountOutcomes(ctx.tenant, account.id);
  }

  @FieldResolver(() => [HealthPoint], { description: 'Snapshots oldest first (at most the newest 1000): of one outcome, or of the account health without outcomeId.' })
  async healthHistory(
    @Ctx() ctx: RequestContext, @Root() account: Account,
    @Arg('outcomeId', () => ID, { nullable: true }) outcomeId?: string | null,
    @Arg('from', () => Date, { nullable: true }) from?: Date | null,
    @Arg('to', () => Date, { nullable: true }) to?: Date | null,
  ): Promise<HealthPoint[]> {
    return await health.history(ctx.tenant, account.id, { outcomeId, from, to });
  }
}

@Resolver(() => AccountScore)
export class AccountScoreResolver {
  @FieldResolver(() => Account)
  async account(@Ctx() ctx: RequestContext, @Root() s: AccountScore): Promise<Account> {
    return await ctx.tenant.mustFind(Account, s.accountId, 'Account');
  }
}

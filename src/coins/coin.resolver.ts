import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { Outcome } from '../outcomes/outcome.entity';
import { Coin, Component } from './coin.entity';
import { CoinInput } from './coin.inputs';
import { coinByOutcome, componentsByOutcome } from './coin.loaders';
import * as coins from './coin.service';

@Resolver(() => Coin)
export class CoinResolver {
  @Authorized(Roles.READ)
  @Query(() => Coin, { nullable: true, description: 'The coin (health score definition) of an outcome; null while none is defined.' })
  async coin(@Ctx() ctx: RequestContext, @Arg('outcomeId', () => ID, { description: 'The desired outcome whose coin to read.' }) outcomeId: string): Promise<Coin | null> {
    return await coins.getCoin(ctx.tenant, outcomeId);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Coin, {
    description: 'Define (create or replace) the whole coin of an outcome. Components are matched by key: '
      + 'matched ones keep their ids, unlisted ones are deleted, new ones are created. All or nothing.',
  })
  async defineCoin(
    @Ctx() ctx: RequestContext,
    @Arg('outcomeId', () => ID, { description: 'The desired outcome whose coin to define.' }) outcomeId: string,
    // Validated by the service, so that errors carry the full `input.…` path.
    @Arg('input', () => CoinInput, { validate: false, description: 'The whole coin: side weights and every component (errors name the path, e.g. input.components[2].weight).' }) input: CoinInput,
  ): Promise<Coin> {
    return await coins.defineCoin(ctx.tenant, outcomeId, input);
  }

  @FieldResolver(() => [Component], { description: 'Components of both sides, in the order they were defined.' })
  async components(@Root() coin: Coin, @Ctx() ctx: RequestContext): Promise<Component[]> {
    return await ctx.tenant.loader(componentsByOutcome).load(coin.outcomeId);
  }
}

/** Outcome.coin lives here (type-graphql merges field resolvers of several classes on one type). */
@Resolver(() => Outcome)
export class OutcomeCoinResolver {
  @FieldResolver(() => Coin, { nullable: true, description: 'The coin of this outcome; null while none is defined.' })
  async coin(@Root() outcome: Outcome, @Ctx() ctx: RequestContext): Promise<Coin | null> {
    return await ctx.tenant.loader(coinByOutcome).load(outcome.id);
  }
}

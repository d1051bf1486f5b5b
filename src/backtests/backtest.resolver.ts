import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { WeightSuggestion } from './backtest.types';
import { suggestWeights } from './suggest.service';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { Backtest } from './backtest.entity';
import { BacktestInput } from './backtest.inputs';
import * as backtests from './backtest.service';

@Resolver(() => Backtest)
export class BacktestResolver {
  @Authorized(Roles.BACKTEST)
  @Mutation(() => Backtest, { description: 'Check the model against recorded lifecycle outcomes, in the background; poll backtest(id) and read its report.' })
  async runBacktest(@Ctx() ctx: RequestContext, @Arg('input', () => BacktestInput, { nullable: true }) input?: BacktestInput | null): Promise<Backtest> {
    return await backtests.runBacktest(ctx.tenant, input ?? {});
  }

  @Authorized(Roles.BACKTEST)
  @Mutation(() => Backtest, { description: 'Resume a FAILED backtest, or a RUNNING one whose worker died, at its first date not yet scored.' })
  async restartBacktest(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Backtest> {
    return await backtests.restartBacktest(ctx.tenant, id);
  }

  @Authorized(Roles.READ)
  @Query(() => Backtest)
  async backtest(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Backtest> {
    return await backtests.getBacktest(ctx.tenant, id);
  }

  @Authorized(Roles.BACKTEST)
  @Query(() => WeightSuggestion, { description: 'Fit the coin weights of an outcome to the outcomes of a finished backtest, cross-validated (k folds) next to the current weights.' })
  async suggestWeights(
    @Ctx() ctx: RequestContext,
    @Arg('backtestId', () => ID) backtestId: string,
    @Arg('outcomeId', () => ID) outcomeId: string,
    @Arg('folds', () => Int, { defaultValue: 5 }) folds: number,
    @Arg('learnScoring', { defaultValue: false, description: 'Also learn each component\'s scoring (BANDS cut points, category scores).' }) learnScoring: boolean,
    @Arg('dropNoEvidence', { defaultValue: true, description: 'Leave components without evidence out of the suggested coin.' }) dropNoEvidence: boolean,
  ): Promise<WeightSuggestion> {
    return await suggestWeights(ctx.tenant, backtestId, outcomeId, { folds, learnScoring, dropNoEvidence });
  }

  @Authorized(Roles.READ)
  @Query(() => [Backtest], { description: 'The newest backtests first: compare the reports of model versions side by side.' })
  async backtests(@Ctx() ctx: RequestContext, @Arg('first', () => Int, { defaultValue: 20 }) first: number): Promise<Backtest[]> {
    return await backtests.listBacktests(ctx.tenant, first);
  }
}

import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { SuggestionDraft, WeightSuggestion } from './backtest.types';
import { draftSuggestedWeights, suggestWeights } from './suggest.service';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { Backtest } from './backtest.entity';
import { BacktestInput } from './backtest.inputs';
import * as backtests from './backtest.service';

@Resolver(() => Backtest)
export class BacktestResolver {
  @Authorized(Roles.BACKTEST)
  @Mutation(() => Backtest, { description: 'Check the model against recorded lifecycle outcomes, in the background; poll backtest(id) and read its report.' })
  async runBacktest(@Ctx() ctx: RequestContext, @Arg('input', () => BacktestInput, { nullable: true, description: 'Period, horizon, scope and model; omit for the live model, 90 days ahead, every outcome recorded.' }) input?: BacktestInput | null): Promise<Backtest> {
    return await backtests.runBacktest(ctx.tenant, input ?? {});
  }

  @Authorized(Roles.BACKTEST)
  @Mutation(() => Backtest, { description: 'Resume a FAILED backtest, or a RUNNING one whose worker died, at its first date not yet scored.' })
  async restartBacktest(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The backtest to resume.' }) id: string): Promise<Backtest> {
    return await backtests.restartBacktest(ctx.tenant, id);
  }

  @Authorized(Roles.READ)
  @Query(() => Backtest, { description: 'One backtest, with its progress and, once SUCCEEDED, its report. NOT_FOUND when there is none with this id.' })
  async backtest(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The backtest\'s id (from runBacktest or backtests).' }) id: string): Promise<Backtest> {
    return await backtests.getBacktest(ctx.tenant, id);
  }

  @Authorized(Roles.BACKTEST)
  @Query(() => WeightSuggestion, { description: 'Fit the coin weights of an outcome to the outcomes of a finished backtest, cross-validated (k folds) next to the current weights.' })
  async suggestWeights(
    @Ctx() ctx: RequestContext,
    @Arg('backtestId', () => ID, { description: 'A SUCCEEDED backtest whose cases to fit.' }) backtestId: string,
    @Arg('outcomeId', () => ID, { description: 'The desired outcome whose coin weights to fit.' }) outcomeId: string,
    @Arg('folds', () => Int, { defaultValue: 5, description: 'Cross-validation folds, 2-20 (stratified, seeded).' }) folds: number,
    @Arg('learnScoring', { defaultValue: false, description: 'Also learn each component\'s scoring (BANDS cut points, category scores).' }) learnScoring: boolean,
    @Arg('dropNoEvidence', { defaultValue: true, description: 'Leave components without evidence out of the suggested coin.' }) dropNoEvidence: boolean,
  ): Promise<WeightSuggestion> {
    return await suggestWeights(ctx.tenant, backtestId, outcomeId, { folds, learnScoring, dropNoEvidence });
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => SuggestionDraft, { description: 'suggestWeights, saved as a model draft (this outcome\'s coin replaced) to preview and publish.' })
  async draftSuggestedWeights(
    @Ctx() ctx: RequestContext,
    @Arg('backtestId', () => ID, { description: 'A SUCCEEDED backtest whose cases to fit.' }) backtestId: string,
    @Arg('outcomeId', () => ID, { description: 'The desired outcome whose coin to replace in the draft.' }) outcomeId: string,
    @Arg('folds', () => Int, { defaultValue: 5, description: 'Cross-validation folds, 2-20 (stratified, seeded).' }) folds: number,
    @Arg('learnScoring', { defaultValue: false, description: 'Also learn each component\'s scoring (BANDS cut points, category scores).' }) learnScoring: boolean,
    @Arg('dropNoEvidence', { defaultValue: true, description: 'Leave components without evidence out of the suggested coin.' }) dropNoEvidence: boolean,
    @Arg('name', () => String, { nullable: true, description: 'Name of the draft; omit for a name that says the outcome and the backtest.' }) name?: string | null,
  ): Promise<SuggestionDraft> {
    return await draftSuggestedWeights(ctx.tenant, backtestId, outcomeId, { folds, learnScoring, dropNoEvidence, name });
  }

  @Authorized(Roles.READ)
  @Query(() => [Backtest], { description: 'The newest backtests first: compare the reports of model versions side by side.' })
  async backtests(@Ctx() ctx: RequestContext, @Arg('first', () => Int, { defaultValue: 20, description: 'How many, 1-100 (newest first).' }) first: number): Promise<Backtest[]> {
    return await backtests.listBacktests(ctx.tenant, first);
  }
}

import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { clusterHealth } from './cluster-health.service';
import { healthTrend } from './health-trend.service';
import { journeyProgress } from './journey-progress.service';
import { movers } from './movers.service';
import { timeToMilestone } from './time-to-milestone.service';
import {
  ClusterHealth, HealthScopeInput, HealthTrendPoint, JourneyProgress, Movers, TimeToMilestone, TrendInterval,
} from './analytics.types';

/** healthTrend's default range: the last quarter, as far back as a typical signal history goes. */
const TREND_DEFAULT_DAYS = 90;
const AS_OF = { nullable: true, description: 'Answer as of this time (each account\'s newest snapshot at or before it); omit for the latest scoring.' };

/** Analyst questions, answered from the stored scoring results (any role may read). */
@Resolver()
export class AnalyticsResolver {
  @Authorized(Roles.READ)
  @Query(() => JourneyProgress, { description: 'Per milestone: due, achieved (on time), overdue, median/p90 days to achieve; per stage: accounts by time vs by achievement; accounts per journey status.' })
  async journeyProgress(
    @Ctx() ctx: RequestContext,
    @Arg('outcomeId', () => ID, { description: 'The desired outcome whose journey to summarise.' }) outcomeId: string,
    @Arg('asOf', () => Date, AS_OF) asOf?: Date | null,
  ): Promise<JourneyProgress> {
    return await journeyProgress(ctx.tenant, outcomeId, asOf ?? null);
  }

  @Authorized(Roles.READ)
  @Query(() => ClusterHealth, { description: 'Band distribution, score p10/p50/p90, mean proactive vs reactive side, mean coverage, per-outcome breakdown.' })
  async clusterHealth(
    @Ctx() ctx: RequestContext,
    @Arg('clusterId', () => ID, { description: 'The persona cluster to summarise.' }) clusterId: string,
    @Arg('asOf', () => Date, AS_OF) asOf?: Date | null,
  ): Promise<ClusterHealth> {
    return await clusterHealth(ctx.tenant, clusterId, asOf ?? null);
  }

  @Authorized(Roles.READ)
  @Query(() => [HealthTrendPoint], { description: 'Mean score and band counts at each point from `from` to `to` (at most 400 points).' })
  async healthTrend(
    @Ctx() ctx: RequestContext,
    @Arg('scope', () => HealthScopeInput, { nullable: true, description: 'Omit for the whole workspace.' }) scope: HealthScopeInput | null,
    @Arg('from', () => Date, { nullable: true, description: 'Omit for 90 days before `to`.' }) from: Date | null,
    @Arg('to', () => Date, { nullable: true, description: 'Omit for now.' }) to: Date | null,
    @Arg('interval', () => TrendInterval, { defaultValue: TrendInterval.DAY, description: 'Spacing of the points: DAY, WEEK (7 days) or MONTH (calendar months).' }) interval: TrendInterval,
  ): Promise<HealthTrendPoint[]> {
    const until = to ?? new Date();
    return await healthTrend(ctx.tenant, scope ?? {}, from ?? new Date(until.getTime() - TREND_DEFAULT_DAYS * 86_400_000), until, interval);
  }

  @Authorized(Roles.READ)
  @Query(() => Movers, { description: 'Biggest drops and rises over `days`, with the components that moved them.' })
  async movers(
    @Ctx() ctx: RequestContext,
    @Arg('scope', () => HealthScopeInput, { nullable: true, description: 'Which accounts; omit for the whole workspace.' }) scope: HealthScopeInput | null,
    @Arg('days', () => Int, { defaultValue: 30, description: 'Look-back in whole days, 1-365: each account\'s latest score is compared with its newest snapshot at or before (latest scoring − days).' }) days: number,
    @Arg('limit', () => Int, { defaultValue: 10, description: 'Per direction, at most 100.' }) limit: number,
  ): Promise<Movers> {
    return await movers(ctx.tenant, scope ?? {}, days, limit);
  }

  @Authorized(Roles.READ)
  @Query(() => TimeToMilestone, { description: 'Cohort curves: share of accounts that reached each milestone by day N, per start month.' })
  async timeToMilestone(
    @Ctx() ctx: RequestContext,
    @Arg('outcomeId', () => ID, { description: 'The desired outcome whose journey milestones to chart.' }) outcomeId: string,
    @Arg('maxDay', () => Int, { defaultValue: 180, description: 'Last journey day on the curves, 0-730.' }) maxDay: number,
    @Arg('step', () => Int, { defaultValue: 7, description: 'Days between points, at least 1; at most 200 points per curve (maxDay / step + 1).' }) step: number,
  ): Promise<TimeToMilestone> {
    return await timeToMilestone(ctx.tenant, outcomeId, maxDay, step);
  }
}

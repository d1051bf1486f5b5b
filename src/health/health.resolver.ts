/** The health types' relations (OutcomeHealth, Driver, JourneyHealth …); Account.health and .outcomes are in accounts/account-health.resolver.ts. */
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { Component } from '../coins/coin.entity';
import { stageById } from '../journeys/journey.loaders';
import { JourneyStage, Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import type { RequestContext } from '../shared/context';
import { componentById, milestoneById, outcomeById } from './health.loaders';
import * as health from './health.service';
import {
  ComponentMove, Driver, HealthChange, JourneyHealth, MilestoneProgress, OutcomeHealth, OverdueMilestone,
} from './health.types';

@Resolver(() => OutcomeHealth)
export class OutcomeHealthResolver {
  @FieldResolver(() => Outcome, { nullable: true, description: 'The desired outcome scored; null if it was deleted since.' })
  outcome(@Ctx() ctx: RequestContext, @Root() oh: OutcomeHealth): Outcome | null | Promise<Outcome | null> {
    return ctx.tenant.loader(outcomeById).load(oh.outcomeId);
  }

  @FieldResolver(() => String, { description: 'Hash of the scoring configuration that produced it (model_versions).' })
  async modelVersion(@Ctx() ctx: RequestContext, @Root() oh: OutcomeHealth): Promise<string> {
    return await health.modelVersionOf(ctx.tenant, oh);
  }

  @FieldResolver(() => JourneyStage, { nullable: true, description: 'Journey stage in force (null without a journey).' })
  async stage(@Ctx() ctx: RequestContext, @Root() oh: OutcomeHealth): Promise<JourneyStage | null> {
    return oh.row.stageId ? await ctx.tenant.loader(stageById).load(oh.row.stageId) : null;
  }

  @FieldResolver(() => [Driver], { description: 'Every component, the ones that lost the most points first; `top: 3` for the three that cost the most.' })
  drivers(@Ctx() ctx: RequestContext, @Root() oh: OutcomeHealth, @Arg('top', () => Int, { nullable: true, description: 'Only the first N (most points lost); omit for all.' }) top?: number | null): Driver[] | Promise<Driver[]> {
    return health.driversOf(ctx.tenant, oh, top);
  }

  @FieldResolver(() => HealthChange, { nullable: true, description: 'Change since the newest snapshot at or before asOf − days; null without one.' })
  async change(@Ctx() ctx: RequestContext, @Root() oh: OutcomeHealth, @Arg('days', () => Int, { description: 'How far back to compare, in whole days, 1-365 (7: week over week); BAD_USER_INPUT outside that range.' }) days: number): Promise<HealthChange | null> {
    return await health.changeOf(ctx.tenant, oh, days);
  }
}

@Resolver(() => Driver)
export class DriverResolver {
  @FieldResolver(() => Component, { nullable: true, description: 'Null if the component was removed since.' })
  async component(@Ctx() ctx: RequestContext, @Root() d: Driver): Promise<Component | null> {
    return await ctx.tenant.loader(componentById).load(d.componentId);
  }
}

@Resolver(() => ComponentMove)
export class ComponentMoveResolver {
  @FieldResolver(() => Component, { nullable: true, description: 'The coin component; null if it was removed since.' })
  async component(@Ctx() ctx: RequestContext, @Root() m: ComponentMove): Promise<Component | null> {
    return await ctx.tenant.loader(componentById).load(m.componentId);
  }
}

@Resolver(() => JourneyHealth)
export class JourneyHealthResolver {
  @FieldResolver(() => [OverdueMilestone], { description: 'Due and not achieved, most overdue first.' })
  async overdueMilestones(@Ctx() ctx: RequestContext, @Root() j: JourneyHealth): Promise<OverdueMilestone[]> {
    return await health.overdueMilestonesOf(ctx.tenant, j);
  }

  @FieldResolver(() => [MilestoneProgress], { description: 'Every milestone of the journey, in the order they are expected.' })
  async milestones(@Ctx() ctx: RequestContext, @Root() j: JourneyHealth): Promise<MilestoneProgress[]> {
    return await health.milestonesOf(ctx.tenant, j);
  }

  @FieldResolver(() => Milestone, { nullable: true, description: 'The milestone; null if it was removed from the journey since.' })
  nextMilestone(@Ctx() ctx: RequestContext, @Root() j: JourneyHealth): Milestone | null | Promise<Milestone | null> {
    return j.nextMilestoneId ? ctx.tenant.loader(milestoneById).load(j.nextMilestoneId) : null;
  }
}

@Resolver(() => MilestoneProgress)
export class MilestoneProgressResolver {
  @FieldResolver(() => Milestone, { nullable: true, description: 'The milestone; null if it was removed from the journey since.' })
  async milestone(@Ctx() ctx: RequestContext, @Root() m: MilestoneProgress): Promise<Milestone | null> {
    return await ctx.tenant.loader(milestoneById).load(m.milestoneId);
  }
}

@Resolver(() => OverdueMilestone)
export class OverdueMilestoneResolver {
  @FieldResolver(() => Milestone, { nullable: true, description: 'The milestone; null if it was removed from the journey since.' })
  async milestone(@Ctx() ctx: RequestContext, @Root() m: OverdueMilestone): Promise<Milestone | null> {
    return await ctx.tenant.loader(milestoneById).load(m.milestoneId);
  }
}

export const HEALTH_RESOLVERS = [
  OutcomeHealthResolver, DriverResolver, ComponentMoveResolver,
  JourneyHealthResolver, MilestoneProgressResolver, OverdueMilestoneResolver,
] as const;

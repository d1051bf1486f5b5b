import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { Outcome } from '../outcomes/outcome.entity';
import { Journey, JourneyStage, Milestone } from './journey.entity';
import { JourneyInput } from './journey.inputs';
import { journeyByOutcome, milestonesByStage, stageById, stagesByOutcome } from './journey.loaders';
import * as journeys from './journey.service';

@Resolver(() => Journey)
export class JourneyResolver {
  @Authorized(Roles.READ)
  @Query(() => Journey, { nullable: true, description: 'The success journey of an outcome; null while none is defined.' })
  async journey(@Ctx() ctx: RequestContext, @Arg('outcomeId', () => ID, { description: 'The desired outcome whose journey to read.' }) outcomeId: string): Promise<Journey | null> {
    return await journeys.getJourney(ctx.tenant, outcomeId);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Journey, {
    description: 'Define (create or replace) the whole journey of an outcome. Stages and milestones are matched by key: '
      + 'matched ones keep their ids, unlisted ones are deleted, new ones are created. All or nothing.',
  })
  async defineJourney(
    @Ctx() ctx: RequestContext,
    @Arg('outcomeId', () => ID, { description: 'The desired outcome whose journey to define.' }) outcomeId: string,
    // Validated by the service, so that errors carry the full `input.…` path.
    @Arg('input', () => JourneyInput, { validate: false, description: 'The whole journey: stages with their milestones (errors name the path, e.g. input.stages[1].milestones[0].key).' }) input: JourneyInput,
  ): Promise<Journey> {
    return await journeys.defineJourney(ctx.tenant, outcomeId, input);
  }

  @FieldResolver(() => [JourneyStage], { description: 'Stages in order of their start day.' })
  async stages(@Root() journey: Journey, @Ctx() ctx: RequestContext): Promise<JourneyStage[]> {
    return await ctx.tenant.loader(stagesByOutcome).load(journey.outcomeId);
  }
}

@Resolver(() => JourneyStage)
export class JourneyStageResolver {
  @FieldResolver(() => [Milestone], { description: 'Milestones of this stage, in the order they were defined.' })
  async milestones(@Root() stage: JourneyStage, @Ctx() ctx: RequestContext): Promise<Milestone[]> {
    return await ctx.tenant.loader(milestonesByStage).load(stage.id);
  }
}

@Resolver(() => Milestone)
export class MilestoneResolver {
  @FieldResolver(() => JourneyStage, { description: 'The stage the milestone belongs to.' })
  async stage(@Root() milestone: Milestone, @Ctx() ctx: RequestContext): Promise<JourneyStage> {
    return (await ctx.tenant.loader(stageById).load(milestone.stageId))!;
  }
}

/** Outcome.journey lives here (type-graphql merges field resolvers of several classes on one type). */
@Resolver(() => Outcome)
export class OutcomeJourneyResolver {
  @FieldResolver(() => Journey, { nullable: true, description: 'The success journey of this outcome; null while none is defined.' })
  async journey(@Root() outcome: Outcome, @Ctx() ctx: RequestContext): Promise<Journey | null> {
    return await ctx.tenant.loader(journeyByOutcome).load(outcome.id);
  }
}

import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { Task } from '../tasks/task.entity';
import { Play } from './play.entity';
import { PlayDryRun, PlayEvaluation, PlayInput } from './play.gql';
import { endpointFailing, playById } from './play.loaders';
import * as plays from './play.service';

@Resolver(() => Play)
export class PlayResolver {
  @Authorized(Roles.READ)
  @Query(() => [Play], { description: 'The workspace\'s plays, by name.' })
  async plays(@Ctx() ctx: RequestContext): Promise<Play[]> {
    return await plays.listPlays(ctx.tenant);
  }

  @Authorized(Roles.READ)
  @Query(() => Play, { description: 'One play. NOT_FOUND when there is none with this id.' })
  async play(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The play\'s id.' }) id: string): Promise<Play> {
    return await plays.getPlay(ctx.tenant, id);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Play, { description: 'Define a play: a trigger, and a task and/or a webhook when it starts to hold.' })
  async createPlay(@Ctx() ctx: RequestContext, @Arg('input', { description: 'The play\'s definition.' }) input: PlayInput): Promise<Play> {
    return await plays.createPlay(ctx.tenant, input);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Play, { description: 'Replace a play\'s definition.' })
  async updatePlay(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The play to change.' }) id: string, @Arg('input', { description: 'Its whole new definition (replaces the old one).' }) input: PlayInput): Promise<Play> {
    return await plays.updatePlay(ctx.tenant, id, input);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Play, { description: 'Enable or disable a play (disabled plays are not evaluated; their tasks stay).' })
  async setPlayEnabled(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The play to change.' }) id: string, @Arg('enabled', { description: 'True to evaluate it again, false to pause it.' }) enabled: boolean): Promise<Play> {
    return await plays.setPlayEnabled(ctx.tenant, id, enabled);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Boolean, { description: 'Delete a play; the tasks it opened stay.' })
  async deletePlay(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The play to delete.' }) id: string): Promise<boolean> {
    return await plays.deletePlay(ctx.tenant, id);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => PlayEvaluation, { description: 'Evaluate every enabled play now (this also happens after every rescore and the daily run).' })
  async evaluatePlays(@Ctx() ctx: RequestContext): Promise<PlayEvaluation> {
    return await plays.runPlays(ctx.tenant);
  }

  @Authorized(Roles.CONFIGURE)
  @Query(() => PlayDryRun, { description: 'Which accounts a play would fire for now, without firing: a saved play (id) or a definition (input).' })
  async dryRunPlay(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID, { nullable: true, description: 'A saved play to try (give id or input).' }) id?: string | null,
    @Arg('input', () => PlayInput, { nullable: true, description: 'A definition to try before saving it (give id or input).' }) input?: PlayInput | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'At most 200 matches listed.' }) first = 50,
  ): Promise<PlayDryRun> {
    return await plays.dryRunPlay(ctx.tenant, id, input, Math.max(1, Math.min(first, 200)));
  }

  @FieldResolver(() => Boolean, { description: 'Its webhook endpoint keeps failing (3 or more failed attempts since the last success): reported, not disabled.' })
  async webhookFailing(@Root() play: Play, @Ctx() ctx: RequestContext): Promise<boolean> {
    return play.webhookEndpointId ? await ctx.tenant.loader(endpointFailing).load(play.webhookEndpointId) : false;
  }
}

@Resolver(() => Task)
export class TaskPlayResolver {
  @FieldResolver(() => Play, { nullable: true, description: 'The play that opened it (null once the play is deleted).' })
  async play(@Root() task: Task, @Ctx() ctx: RequestContext): Promise<Play | null> {
    return task.playId ? await ctx.tenant.loader(playById).load(task.playId) : null;
  }
}

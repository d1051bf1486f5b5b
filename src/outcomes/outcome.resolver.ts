import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Cluster } from '../clusters/cluster.entity';
import { clusterById } from '../clusters/cluster.loaders';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { Outcome } from './outcome.entity';
import { CreateOutcomeInput, UpdateOutcomeInput } from './outcome.inputs';
import { outcomesByCluster } from './outcome.loaders';
import * as outcomes from './outcome.service';
import { outcomeSetWarnings } from './outcome.warnings';

@Resolver(() => Outcome)
export class OutcomeResolver {
  @Authorized(Roles.READ)
  @Query(() => [Outcome], { description: 'Desired outcomes, of one cluster or of all.' })
  async outcomes(@Ctx() ctx: RequestContext, @Arg('clusterId', () => ID, { nullable: true, description: 'Only the outcomes of this cluster; omit for every outcome.' }) clusterId?: string | null): Promise<Outcome[]> {
    return await outcomes.listOutcomes(ctx.tenant, clusterId);
  }

  @Authorized(Roles.READ)
  @Query(() => Outcome, { description: 'One desired outcome. NOT_FOUND when there is none with this id.' })
  async outcome(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The outcome\'s id.' }) id: string): Promise<Outcome> {
    return await outcomes.getOutcome(ctx.tenant, id);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Outcome, { description: 'Create a desired outcome for the accounts of a cluster; score it once it has a coin (defineCoin).' })
  async createOutcome(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Its cluster, name, weight and description.' }) input: CreateOutcomeInput): Promise<Outcome> {
    return await outcomes.createOutcome(ctx.tenant, input);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Outcome, { description: 'Change a desired outcome\'s name, description, weight or active flag; only the fields given change.' })
  async updateOutcome(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The outcome to change.' }) id: string, @Arg('input', { description: 'The fields to change.' }) input: UpdateOutcomeInput): Promise<Outcome> {
    return await outcomes.updateOutcome(ctx.tenant, id, input);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Boolean, { description: 'Delete a desired outcome with its journey, coin and history.' })
  async deleteOutcome(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The outcome to delete.' }) id: string): Promise<boolean> {
    return await outcomes.deleteOutcome(ctx.tenant, id);
  }

  @FieldResolver(() => Cluster, { description: 'The persona cluster whose accounts want this outcome.' })
  async cluster(@Ctx() ctx: RequestContext, @Root() outcome: Outcome): Promise<Cluster> {
    return (await ctx.tenant.loader(clusterById).load(outcome.clusterId))!;
  }

  @FieldResolver(() => [String], { description: 'Warnings about this outcome\'s cluster, e.g. more than four active outcomes (source 004).' })
  async warnings(@Ctx() ctx: RequestContext, @Root() outcome: Outcome): Promise<string[]> {
    return outcomeSetWarnings(await ctx.tenant.loader(outcomesByCluster).load(outcome.clusterId));
  }
}

/** A cluster's desired outcomes, resolved here: clusters/ sits below outcomes/ (an outcome belongs to a cluster). */
@Resolver(() => Cluster)
export class ClusterOutcomesResolver {
  @FieldResolver(() => [Outcome], { description: 'The desired outcomes of this cluster (active and inactive).' })
  async outcomes(@Ctx() ctx: RequestContext, @Root() cluster: Cluster): Promise<Outcome[]> {
    return await ctx.tenant.loader(outcomesByCluster).load(cluster.id);
  }

  @FieldResolver(() => [String], { description: 'Configuration smells, e.g. more than four active desired outcomes (source 004).' })
  async warnings(@Ctx() ctx: RequestContext, @Root() cluster: Cluster): Promise<string[]> {
    return outcomeSetWarnings(await ctx.tenant.loader(outcomesByCluster).load(cluster.id));
  }
}

import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ruleToText } from '../rules/rule.sql';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { Cluster } from './cluster.entity';
import { CreateClusterInput, UpdateClusterInput } from './cluster.inputs';
import { accountCountByCluster } from './cluster.loaders';
import * as clusters from './cluster.service';

// A cluster's outcomes and warnings are resolved in outcomes/ (ClusterOutcomesResolver): clusters/ sits below outcomes/.
@Resolver(() => Cluster)
export class ClusterResolver {
  @Authorized(Roles.READ)
  @Query(() => [Cluster], { description: 'The persona clusters in the order they are tried (the default one last).' })
  async clusters(@Ctx() ctx: RequestContext): Promise<Cluster[]> {
    return await clusters.listClusters(ctx.tenant);
  }

  @Authorized(Roles.READ)
  @Query(() => Cluster, { description: 'One persona cluster. NOT_FOUND when there is none with this id.' })
  async cluster(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The cluster\'s id.' }) id: string): Promise<Cluster> {
    return await clusters.getCluster(ctx.tenant, id);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Cluster, { description: 'Create a cluster; every account is re-assigned by the new rule set.' })
  async createCluster(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Its name, priority, rule and description.' }) input: CreateClusterInput): Promise<Cluster> {
    return (await clusters.createCluster(ctx.tenant, input)).cluster;
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Cluster, { description: 'Change a cluster; a new rule or priority re-assigns every account.' })
  async updateCluster(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The cluster to change.' }) id: string, @Arg('input', { description: 'The fields to change.' }) input: UpdateClusterInput): Promise<Cluster> {
    return (await clusters.updateCluster(ctx.tenant, id, input)).cluster;
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Boolean, { description: 'Delete a cluster (not the default one); its accounts go to the next cluster that matches them.' })
  async deleteCluster(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID, { description: 'The cluster to delete (not the default one).' }) id: string,
    @Arg('deleteOutcomes', { defaultValue: false, description: 'Confirm deleting the cluster\'s desired outcomes (with journeys, coins and history) too.' }) deleteOutcomes: boolean,
  ): Promise<boolean> {
    await clusters.deleteCluster(ctx.tenant, id, deleteOutcomes);
    return true;
  }

  @FieldResolver(() => String, { description: 'The rule in words, e.g. `managed = true AND plan IN ["enterprise"]`.' })
  ruleText(@Root() cluster: Cluster): string {
    return ruleToText(cluster.rule);
  }

  @FieldResolver(() => Int, { description: 'Accounts currently in this cluster.' })
  async accountCount(@Ctx() ctx: RequestContext, @Root() cluster: Cluster): Promise<number> {
    return await ctx.tenant.loader(accountCountByCluster).load(cluster.id);
  }
}

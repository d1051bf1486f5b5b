import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { ClusterDiscovery } from './discovery.entity';
import { DiscoverClustersInput } from './discovery.inputs';
import { accountById } from './discovery.loaders';
import * as discovery from './discovery.service';
import { adoptSuggestions } from './discovery.adopt';
import { ModelDraftType } from '../model/model.types';
import { ClusteringMethod, ClusterSuggestion, KScore, ModelFragmentCluster } from './discovery.types';

@Resolver(() => ClusterDiscovery)
export class ClusterDiscoveryResolver {
  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ClusterDiscovery, { description: 'Group the accounts by how they use the product, in the background; poll clusterDiscovery(id).' })
  async discoverClusters(
    @Ctx() ctx: RequestContext,
    @Arg('input', () => DiscoverClustersInput, { nullable: true, description: 'What to group and how; omit for every account over its last 90 days, k chosen automatically.' }) input?: DiscoverClustersInput | null,
  ): Promise<ClusterDiscovery> {
    return await discovery.discoverClusters(ctx.tenant, input ?? {});
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ModelDraftType, {
    description: 'A model draft with the live model plus a cluster per adopted group (its rule; tried after your clusters). Preview it with previewModel, then publishModelDraft. Changes nothing live.',
  })
  async adoptClusterSuggestions(
    @Ctx() ctx: RequestContext,
    @Arg('discoveryId', () => ID, { description: 'A SUCCEEDED discovery (CONFLICT otherwise).' }) discoveryId: string,
    @Arg('suggestionIndexes', () => [Int], { nullable: true, description: 'The groups to adopt; default: every group with a rule.' }) suggestionIndexes?: number[] | null,
    @Arg('draftName', () => String, { nullable: true, description: 'Name of the draft; omit for "Discovered clusters (<date>)".' }) draftName?: string | null,
  ): Promise<ModelDraftType> {
    return ModelDraftType.of(await adoptSuggestions(ctx.tenant, discoveryId, suggestionIndexes ?? null, draftName));
  }

  @Authorized(Roles.READ)
  @Query(() => ClusterDiscovery, { description: 'One discovery, with its progress and, once SUCCEEDED, its suggestions. NOT_FOUND when there is none with this id.' })
  async clusterDiscovery(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The discovery\'s id (from discoverClusters or clusterDiscoveries).' }) id: string): Promise<ClusterDiscovery> {
    return await discovery.getDiscovery(ctx.tenant, id);
  }

  @Authorized(Roles.READ)
  @Query(() => [ClusterDiscovery], { description: 'The newest discoveries first.' })
  async clusterDiscoveries(@Ctx() ctx: RequestContext, @Arg('first', () => Int, { defaultValue: 20, description: 'How many, 1-100 (newest first).' }) first: number): Promise<ClusterDiscovery[]> {
    return await discovery.listDiscoveries(ctx.tenant, first);
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The cluster whose accounts were grouped; null: every account.' })
  clusterId(@Root() d: ClusterDiscovery): string | null {
    return d.params.clusterId;
  }

  @FieldResolver(() => Int, { description: 'Usage window in days, ending at asOf, as asked for.' }) windowDays(@Root() d: ClusterDiscovery): number { return d.params.windowDays; }
  @FieldResolver(() => Int, { description: 'The random seed used: the same seed on the same data gives the same groups.' }) seed(@Root() d: ClusterDiscovery): number { return d.params.seed; }
  @FieldResolver(() => ClusteringMethod, { description: 'How the accounts were grouped.' }) method(@Root() d: ClusterDiscovery): ClusteringMethod { return d.params.method; }

  @FieldResolver(() => Int, { nullable: true, description: 'Groups found (the k given, or the one chosen).' })
  k(@Root() d: ClusterDiscovery): number | null { return d.result?.k ?? null; }

  @FieldResolver(() => String, { nullable: true, description: 'How k was chosen.' })
  kChosenBy(@Root() d: ClusterDiscovery): string | null { return d.result?.kChosenBy ?? null; }

  @FieldResolver(() => [KScore], { description: 'Every k tried, with its silhouette.' })
  candidates(@Root() d: ClusterDiscovery): KScore[] { return d.result?.candidates ?? []; }

  @FieldResolver(() => Int, { nullable: true, description: 'Accounts grouped.' })
  accounts(@Root() d: ClusterDiscovery): number | null { return d.result?.accounts ?? null; }

  @FieldResolver(() => [String], { description: 'The usage features of the profiles (see docs/discovery.md).' })
  features(@Root() d: ClusterDiscovery): string[] { return d.result?.features ?? []; }

  @FieldResolver(() => [ClusterSuggestion], { description: 'The groups, largest first; empty until SUCCEEDED.' })
  suggestions(@Root() d: ClusterDiscovery): ClusterSuggestion[] { return d.result?.suggestions ?? []; }

  @FieldResolver(() => [ModelFragmentCluster], { description: 'The groups with a rule, as the clusters adopting them would create (in priority order).' })
  modelFragment(@Root() d: ClusterDiscovery): ModelFragmentCluster[] { return discovery.modelFragment(d); }
}

@Resolver(() => ClusterSuggestion)
export class ClusterSuggestionResolver {
  @FieldResolver(() => [Account], { description: 'The accounts to copy (source 004, step 2): renewed or expanded, highest current health first (at most 5).' })
  async bestAccounts(@Ctx() ctx: RequestContext, @Root() s: ClusterSuggestion): Promise<Account[]> {
    const found = await ctx.tenant.loader(accountById).loadMany(s.bestAccountIds);
    return found.filter((a): a is Account => !!a && !(a instanceof Error));
  }
}

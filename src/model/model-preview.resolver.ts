import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role, Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { HealthBand } from '../health/health.types';
import { RecomputeScopeInput } from '../scoring/runs.inputs';
import * as previews from './model.preview';
import {
  BandTransition, ModelPreviewAccount, ModelPreviewAccountPage, ModelPreviewFilter, ModelPreviewMover, ModelPreviewOrder, ModelPreviewType, PreviewMeanChange,
} from './model-preview.types';

/** Previews change nothing live: ANALYST may run them too. */
const PREVIEW = [...Roles.CONFIGURE, Role.ANALYST];

const band = (b: string | null) => (b as HealthBand) ?? HealthBand.UNKNOWN;
function account(p: ModelPreviewType, r: previews.PreviewAccountRow): ModelPreviewAccount {
  return {
    accountId: r.accountId, externalId: r.externalId, name: r.name, change: r.change,
    before: { score: r.beforeScore, band: band(r.beforeBand) }, after: { score: r.afterScore, band: band(r.afterBand) },
    clusterBefore: p.ref(r.beforeClusterId), clusterAfter: p.ref(r.afterClusterId),
  };
}

@Resolver(() => ModelPreviewType)
export class ModelPreviewResolver {
  @Authorized(PREVIEW)
  @Mutation(() => ModelPreviewType, {
    description: 'Score the scope (default: every account) under the live model and under a draft at the same asOf (default: now), in the background; poll modelPreview(id). Changes no live score.',
  })
  async previewModel(
    @Ctx() ctx: RequestContext,
    @Arg('draftId', () => ID, { description: 'The model draft to score beside the live model.' }) draftId: string,
    @Arg('scope', () => RecomputeScopeInput, { nullable: true, description: 'Which accounts; omit for every account of the workspace.' }) scope?: RecomputeScopeInput | null,
    @Arg('asOf', () => Date, { nullable: true, description: 'Score both models as of this time (from the signals up to it); omit for now.' }) asOf?: Date | null,
  ): Promise<ModelPreviewType> {
    const p = await previews.previewModel(ctx.tenant, draftId, { scope, asOf });
    const { run } = await previews.getPreview(ctx.tenant, p.id);
    return ModelPreviewType.of(p, run);
  }

  @Authorized(Roles.READ)
  @Query(() => ModelPreviewType, { description: 'One preview: poll `run` until SUCCEEDED, then read its figures. NOT_FOUND when there is none with this id.' })
  async modelPreview(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The preview\'s id (from previewModel).' }) id: string): Promise<ModelPreviewType> {
    const { preview, run } = await previews.getPreview(ctx.tenant, id);
    return ModelPreviewType.of(preview, run);
  }

  @FieldResolver(() => ModelPreviewAccountPage, { description: 'Accounts before and after, sorted by change.' })
  async accounts(
    @Ctx() ctx: RequestContext, @Root() p: ModelPreviewType,
    @Arg('first', () => Int, { defaultValue: 50, description: 'Page size, 1-500.' }) first: number,
    @Arg('offset', () => Int, { defaultValue: 0, description: 'Accounts to skip: pass offset + first for the next page.' }) offset: number,
    @Arg('orderBy', () => ModelPreviewOrder, { defaultValue: ModelPreviewOrder.ABS_CHANGE_DESC, description: 'Sort by the account health change.' }) orderBy: ModelPreviewOrder,
    @Arg('filter', () => ModelPreviewFilter, { nullable: true, description: 'Only some accounts; omit for all.' }) filter?: ModelPreviewFilter | null,
  ): Promise<ModelPreviewAccountPage> {
    const page = await previews.previewAccounts(ctx.tenant, p.id, { first, offset: Math.max(0, offset), orderBy, filter: filter ?? {} });
    return { nodes: page.rows.map((r) => account(p, r)), totalCount: page.total, hasNextPage: offset + page.rows.length < page.total };
  }

  @FieldResolver(() => [BandTransition], { description: 'The band transition matrix: accounts per (band before, band after).' })
  async bandTransitions(@Ctx() ctx: RequestContext, @Root() p: ModelPreviewType): Promise<BandTransition[]> {
    return (await previews.bandTransitions(ctx.tenant, p.id)).map((r) => ({ from: band(r.from), to: band(r.to), accounts: r.accounts }));
  }

  @FieldResolver(() => [PreviewMeanChange], { description: 'Mean account score change per cluster (the cluster under the draft).' })
  async changeByCluster(@Ctx() ctx: RequestContext, @Root() p: ModelPreviewType): Promise<PreviewMeanChange[]> {
    return (await previews.changeByCluster(ctx.tenant, p.id)).map((r) => ({ of: p.ref(r.clusterId)!, accounts: r.accounts, meanChange: r.meanChange }));
  }

  @FieldResolver(() => [PreviewMeanChange], { description: 'Mean outcome score change per outcome.' })
  async changeByOutcome(@Ctx() ctx: RequestContext, @Root() p: ModelPreviewType): Promise<PreviewMeanChange[]> {
    return (await previews.changeByOutcome(ctx.tenant, p.id)).map((r) => ({ of: p.ref(r.outcomeId)!, accounts: r.accounts, meanChange: r.meanChange }));
  }

  @FieldResolver(() => ModelPreviewAccountPage, { description: 'Accounts the draft puts in another cluster.' })
  async clusterChanges(@Ctx() ctx: RequestContext, @Root() p: ModelPreviewType, @Arg('first', () => Int, { defaultValue: 50, description: 'How many, 1-500 (by external id).' }) first: number): Promise<ModelPreviewAccountPage> {
    const page = await previews.clusterChanges(ctx.tenant, p.id, first);
    return { nodes: page.rows.map((r) => account(p, r)), totalCount: page.total, hasNextPage: page.rows.length < page.total };
  }

  @FieldResolver(() => [ModelPreviewMover], { description: 'The outcome scores that move most, with the components that moved them.' })
  async biggestMovers(@Ctx() ctx: RequestContext, @Root() p: ModelPreviewType, @Arg('first', () => Int, { defaultValue: 10, description: 'How many, 1-100 (biggest move first).' }) first: number): Promise<ModelPreviewMover[]> {
    return (await previews.biggestMovers(ctx.tenant, p.id, first)).map((r) => ({
      accountId: r.accountId, externalId: r.externalId, name: r.name, outcome: p.ref(r.outcomeId)!, change: r.change,
      before: { score: r.beforeScore, band: band(r.beforeBand) }, after: { score: r.afterScore, band: band(r.afterBand) }, components: r.movers,
    }));
  }
}

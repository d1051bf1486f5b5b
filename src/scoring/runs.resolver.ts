import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { ScoringRun } from './runs.entity';
import { RecomputeScopeInput } from './runs.inputs';
import { ScoringRunConnection } from './runs.types';
import * as runs from './runs.service';

@Resolver(() => ScoringRun)
export class ScoringRunResolver {
  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ScoringRun, { description: 'Recompute health for a scope (default: every account) in the background; poll scoringRun(id). With asOf in the past: backfill history at that time.' })
  async recomputeHealth(
    @Ctx() ctx: RequestContext,
    @Arg('scope', () => RecomputeScopeInput, { nullable: true, description: 'Which accounts; omit to recompute every account of the workspace.' }) scope?: RecomputeScopeInput | null,
    @Arg('asOf', () => Date, { nullable: true, description: 'Score as of this past time, from the signals up to it (default: now).' }) asOf?: Date | null,
  ): Promise<ScoringRun> {
    return await runs.recomputeHealth(ctx.tenant, scope ?? {}, { asOf });
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ScoringRun, { description: 'Resume a FAILED or CANCELLED run, or a RUNNING one whose worker died, after its last completed chunk.' })
  async restartScoringRun(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The run to resume.' }) id: string): Promise<ScoringRun> {
    return await runs.restartRun(ctx.tenant, id);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ScoringRun, { description: 'Stop a QUEUED or RUNNING run; completed chunks keep their scores.' })
  async cancelScoringRun(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The run to stop.' }) id: string): Promise<ScoringRun> {
    return await runs.cancelRun(ctx.tenant, id);
  }

  @Authorized(Roles.READ)
  @Query(() => ScoringRun, { description: 'One scoring run, with its progress; poll it until state is SUCCEEDED, FAILED or CANCELLED. NOT_FOUND when there is none with this id.' })
  async scoringRun(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The run\'s id (from recomputeHealth or scoringRuns).' }) id: string): Promise<ScoringRun> {
    return await runs.getRun(ctx.tenant, id);
  }

  @Authorized(Roles.READ)
  @Query(() => ScoringRunConnection, { description: 'The newest runs first, a page at a time.' })
  async scoringRuns(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from the previous page: the runs older than it.' }) after?: string | null,
  ): Promise<ScoringRunConnection> {
    return await runs.listRuns(ctx.tenant, { first, after });
  }
}

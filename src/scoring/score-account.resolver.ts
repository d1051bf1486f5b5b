import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { AccountScore, scoreAccountAt } from './score-account';

@Resolver()
export class ScoreAccountResolver {
  @Authorized(Roles.READ)
  @Query(() => AccountScore, { description: 'Score an account at any time from the stored signals, without saving it (agrees with the snapshots).' })
  async scoreAccount(@Ctx() ctx: RequestContext, @Arg('accountId', () => ID) accountId: string, @Arg('asOf', () => Date) asOf: Date): Promise<AccountScore> {
    return await scoreAccountAt(ctx.tenant, accountId, asOf);
  }
}

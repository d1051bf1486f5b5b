import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { Signal } from '../signals/signal.entity';
import * as completions from './milestone-completion.service';
import { tagsByAccount } from './tag.loaders';
import * as touchpoints from './touchpoint.service';
import { LogTouchpointInput, ManualMilestoneCompletion } from './touchpoint.types';

@Resolver()
export class TouchpointResolver {
  @Authorized(Roles.CSM)
  @Mutation(() => Signal, { description: 'Record a meeting, QBR, training, success-plan review or onboarding call (a signal of that type).' })
  async logTouchpoint(@Ctx() ctx: RequestContext, @Arg('input', { description: 'The account, the kind, when and an optional note.' }) input: LogTouchpointInput): Promise<Signal> {
    return await touchpoints.logTouchpoint(ctx.tenant, input);
  }

  @Authorized(Roles.CSM)
  @Mutation(() => Signal, { description: 'The CSM pulse, 1 (very worried) to 5 (very confident): a `csm_pulse` signal.' })
  async setPulse(
    @Ctx() ctx: RequestContext,
    @Arg('accountId', () => ID, { description: 'The account the pulse is about.' }) accountId: string,
    @Arg('pulse', () => Int, { description: '1 (very worried) to 5 (very confident).' }) pulse: number,
    @Arg('note', () => String, { nullable: true, description: 'Why, in a few words (at most 200 characters, kept as the signal subject).' }) note?: string | null,
  ): Promise<Signal> {
    return await touchpoints.setPulse(ctx.tenant, accountId, pulse, note);
  }

  @Authorized(Roles.CSM)
  @Mutation(() => Account, { description: 'Tag an account (a `tag:<tag>` signal with value 1), e.g. champion_left, case_study.' })
  async addTag(@Ctx() ctx: RequestContext, @Arg('accountId', () => ID, { description: 'The account to tag.' }) accountId: string, @Arg('tag', { description: 'A slug of lowercase letters, digits, _ . - (e.g. champion_left).' }) tag: string): Promise<Account> {
    return await touchpoints.setTag(ctx.tenant, accountId, tag, true);
  }

  @Authorized(Roles.CSM)
  @Mutation(() => Account, { description: 'Remove a tag (a `tag:<tag>` signal with value 0).' })
  async removeTag(@Ctx() ctx: RequestContext, @Arg('accountId', () => ID, { description: 'The account to untag.' }) accountId: string, @Arg('tag', { description: 'The tag to remove (as given to addTag).' }) tag: string): Promise<Account> {
    return await touchpoints.setTag(ctx.tenant, accountId, tag, false);
  }

  @Authorized(Roles.CSM)
  @Mutation(() => ManualMilestoneCompletion, { description: 'Mark a MANUAL milestone achieved for an account (achievedAt defaults to now). Again = correct the date/note.' })
  async completeMilestone(
    @Ctx() ctx: RequestContext,
    @Arg('accountId', () => ID, { description: 'The account that achieved it.' }) accountId: string,
    @Arg('milestoneId', () => ID, { description: 'A MANUAL milestone of one of the account\'s outcomes.' }) milestoneId: string,
    @Arg('achievedAt', () => Date, { nullable: true, description: 'When it was achieved; omit for now. Not in the future.' }) achievedAt?: Date | null,
    @Arg('note', () => String, { nullable: true, description: 'The CSM\'s note (at most 1000 characters).' }) note?: string | null,
  ): Promise<ManualMilestoneCompletion> {
    return await completions.completeMilestone(ctx.tenant, accountId, milestoneId, achievedAt, note);
  }

  @Authorized(Roles.CSM)
  @Mutation(() => Boolean, { description: 'Take a manual completion back; false when it was not completed.' })
  async uncompleteMilestone(
    @Ctx() ctx: RequestContext,
    @Arg('accountId', () => ID, { description: 'The account.' }) accountId: string,
    @Arg('milestoneId', () => ID, { description: 'The milestone whose manual completion to take back.' }) milestoneId: string,
  ): Promise<boolean> {
    return await completions.uncompleteMilestone(ctx.tenant, accountId, milestoneId);
  }
}

@Resolver(() => Account)
export class AccountTagsResolver {
  @FieldResolver(() => [String], { description: 'Current tags: those whose newest tag signal is an add (value 1).' })
  async tags(@Root() account: Account, @Ctx() ctx: RequestContext): Promise<string[]> {
    return await ctx.tenant.loader(tagsByAccount).load(account.id);
  }
}

/** GraphQL types and inputs of plays. */
import { ArrayMaxSize, IsInt, IsOptional, IsUUID, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { HealthBand, JourneyStatus } from '../health/health.types';
import { TaskPriority } from '../tasks/task.entity';
import { PlayTriggerKind } from './play.trigger';

registerEnumType(PlayTriggerKind, {
  name: 'PlayTriggerKind',
  description: 'When a play fires. Outcome-level kinds fire per account × outcome, the others per account.',
  valuesConfig: {
    BAND_ENTERED: { description: 'An outcome band is `band` (fires when it enters it).' },
    BAND_LEFT: { description: 'An outcome\'s newest band change left `band`.' },
    SCORE_DROPPED: { description: 'An outcome score is at least `points` below its score `days` days ago.' },
    COVERAGE_BELOW: { description: 'An outcome\'s coverage (share of the score resting on evidence) is below `coverageBelow`.' },
    JOURNEY_STATUS: { description: 'An outcome\'s journey status is one of `journeyStatuses` (e.g. BEHIND, STUCK).' },
    MILESTONE_OVERDUE: { description: 'Milestone `milestoneId` (or any, when omitted) is overdue.' },
    TAG_ADDED: { description: 'The account carries tag `tag` (e.g. champion_left).' },
    RENEWAL_WITHIN: { description: 'The renewal date is within `days` days and the account band is one of `bands` (default RED, YELLOW).' },
    NO_TOUCHPOINT: { description: 'A managed account (attribute managed = true) had no touchpoint for `days` days.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'A play\'s trigger: its kind and the parameters that kind uses.' })
export class PlayTrigger {
  @Field(() => PlayTriggerKind, { description: 'When the play fires (see PlayTriggerKind); the other fields are the parameters this kind uses, null when unused.' }) kind: PlayTriggerKind;
  @Field(() => HealthBand, { nullable: true, description: 'BAND_ENTERED, BAND_LEFT: the outcome band watched.' }) band?: HealthBand | null;
  @Field(() => [HealthBand], { nullable: true, description: 'RENEWAL_WITHIN: the account bands that count (RED, YELLOW by default).' }) bands?: HealthBand[] | null;
  @Field(() => Float, { nullable: true, description: 'SCORE_DROPPED: the drop in points of the outcome score, in (0, 100].' }) points?: number | null;
  @Field(() => Int, { nullable: true, description: 'SCORE_DROPPED: the look-back; RENEWAL_WITHIN: days until renewal; NO_TOUCHPOINT: days without one.' }) days?: number | null;
  @Field(() => Float, { nullable: true, description: 'COVERAGE_BELOW: the coverage share, in (0, 1].' }) coverageBelow?: number | null;
  @Field(() => [JourneyStatus], { nullable: true, description: 'JOURNEY_STATUS: the statuses that fire it.' }) journeyStatuses?: JourneyStatus[] | null;
  @Field(() => ID, { nullable: true, description: 'MILESTONE_OVERDUE: the milestone watched; null: any milestone.' }) milestoneId?: string | null;
  @Field(() => String, { nullable: true, description: 'TAG_ADDED: the tag watched.' }) tag?: string | null;
  @Field(() => [String], { nullable: true, description: 'NO_TOUCHPOINT: the signal types that count as a touchpoint; null: the default types.' }) touchpointTypes?: string[] | null;
}

@ObjectType({ simpleResolvers: true, description: 'The task a play opens.' })
export class PlayTaskAction {
  @Field({ description: 'Task title with placeholders ({account.name}, {outcome.name}, {band} …), filled in when the play fires.' }) titleTemplate: string;
  @Field(() => String, { nullable: true, description: 'Named owner; null: the account\'s csmOwner.' }) owner: string | null;
  @Field(() => Int, { description: 'The task is due this many days after the play fired (0-365).' }) dueInDays: number;
  @Field(() => TaskPriority, { description: 'Priority of the tasks it opens.' }) priority: TaskPriority;
}

@InputType({ description: 'A trigger: its kind and the parameters that kind needs (the others are ignored).' })
export class PlayTriggerInput {
  @Field(() => PlayTriggerKind, { description: 'When the play fires; give the parameters that kind needs.' }) kind: PlayTriggerKind;
  @Field(() => HealthBand, { nullable: true, description: 'BAND_ENTERED, BAND_LEFT.' }) band?: HealthBand | null;
  @Field(() => [HealthBand], { nullable: true, description: 'RENEWAL_WITHIN (default RED, YELLOW).' }) bands?: HealthBand[] | null;
  @Field(() => Float, { nullable: true, description: 'SCORE_DROPPED: points (0–100].' }) points?: number | null;
  @Field(() => Int, { nullable: true, description: 'SCORE_DROPPED, RENEWAL_WITHIN, NO_TOUCHPOINT.' }) days?: number | null;
  @Field(() => Float, { nullable: true, description: 'COVERAGE_BELOW: a share in (0, 1].' }) coverageBelow?: number | null;
  @Field(() => [JourneyStatus], { nullable: true, description: 'JOURNEY_STATUS.' }) journeyStatuses?: JourneyStatus[] | null;
  @IsOptional() @IsUUID('all', { message: 'milestoneId must be an id (uuid).' })
  @Field(() => ID, { nullable: true, description: 'MILESTONE_OVERDUE (omit: any milestone).' }) milestoneId?: string | null;
  @IsOptional() @MaxLength(60)
  @Field(() => String, { nullable: true, description: 'TAG_ADDED, e.g. champion_left.' }) tag?: string | null;
  @IsOptional() @ArrayMaxSize(20) @MaxLength(100, { each: true })
  @Field(() => [String], { nullable: true, description: 'NO_TOUCHPOINT: signal types that count (default: meeting, qbr, training, success_plan_review, onboarding_call).' })
  touchpointTypes?: string[] | null;
}

@InputType({ description: 'The task a play opens.' })
export class PlayTaskInput {
  @Length(1, 300)
  @Field({ description: 'Title with placeholders: {account.name} {account.externalId} {account.csmOwner} {account.renewalDate} {outcome.name} {band} {score} {journeyStatus} {play.name}.' })
  titleTemplate: string;

  @IsOptional() @Length(1, 200)
  @Field(() => String, { nullable: true, description: 'A named owner for every task; omit to assign the account\'s csmOwner.' })
  owner?: string | null;

  @IsInt() @Min(0) @Max(365)
  @Field(() => Int, { defaultValue: 7, description: 'Due this many days after the play fired.' })
  dueInDays: number;

  @Field(() => TaskPriority, { defaultValue: TaskPriority.MEDIUM, description: 'Priority of the tasks it opens (default MEDIUM).' })
  priority: TaskPriority;
}

@InputType({ description: 'A play. At least one action: a task, a webhook endpoint, or both.' })
export class PlayInput {
  @Length(1, 120)
  @Field({ description: 'Unique name in the workspace, 1-120 characters.' }) name: string;

  @IsOptional() @MaxLength(2000)
  @Field(() => String, { nullable: true, description: 'What the play is for, for the team (at most 2000 characters).' }) description?: string | null;

  @Field({ defaultValue: true, description: 'False: saved but not evaluated.' }) enabled: boolean;

  @ValidateNested()
  @Field(() => PlayTriggerInput, { description: 'When the play fires.' }) trigger: PlayTriggerInput;

  @IsOptional() @ArrayMaxSize(100) @IsUUID('all', { each: true, message: 'clusterIds must be ids (uuid).' })
  @Field(() => [ID], { nullable: true, description: 'Only accounts of these clusters (default: all).' }) clusterIds?: string[] | null;

  @IsOptional() @ArrayMaxSize(100) @IsUUID('all', { each: true, message: 'outcomeIds must be ids (uuid).' })
  @Field(() => [ID], { nullable: true, description: 'Only these outcomes (outcome-level triggers; default: all).' }) outcomeIds?: string[] | null;

  @IsInt() @Min(0) @Max(365) // a year at most: a longer silence is a disabled play
  @Field(() => Int, { defaultValue: 7, description: 'Days after a firing before the play may fire again for the same account × outcome.' })
  cooldownDays: number;

  @IsOptional() @ValidateNested()
  @Field(() => PlayTaskInput, { nullable: true, description: 'The task to open when it fires; omit for a webhook-only play.' }) task?: PlayTaskInput | null;

  @IsOptional() @IsUUID('all', { message: 'webhookEndpointId must be an id (uuid).' })
  @Field(() => ID, { nullable: true, description: 'Deliver a signed webhook to this endpoint (see createWebhookEndpoint).' })
  webhookEndpointId?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'An account (× outcome) a play would fire for now.' })
export class PlayMatch {
  @Field(() => Account, { description: 'The account it would fire for (an entity: cache it by its id).' }) account: Account;
  @Field(() => ID, { nullable: true, description: 'Null for account-level triggers.' }) outcomeId: string | null;
  @Field({ description: 'True when the play has already fired for it and the condition still holds (it will not fire again).' }) alreadyFired: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'What a play would fire for now, without firing.' })
export class PlayDryRun {
  @Field(() => Int, { description: 'Accounts (× outcomes) for which the trigger holds now.' }) count: number;
  @Field(() => Int, { description: 'Of those, the ones it would fire for now (no open firing).' }) wouldFire: number;
  @Field(() => [PlayMatch], { description: 'The first matches, by account name.' }) matches: PlayMatch[];
}

@ObjectType({ simpleResolvers: true, description: 'The result of evaluating the workspace\'s plays.' })
export class PlayEvaluation {
  @Field(() => Int, { description: 'Enabled plays evaluated.' }) plays: number;
  @Field(() => Int, { description: 'New firings.' }) fired: number;
  @Field(() => Int, { description: 'Firings whose condition cleared.' }) cleared: number;
  @Field(() => Int, { description: 'Tasks opened.' }) tasks: number;
  @Field(() => Int, { description: 'Webhook deliveries queued.' }) deliveries: number;
}

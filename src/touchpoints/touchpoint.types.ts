import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { IsEnum, IsOptional, MaxLength } from 'class-validator';
import { Milestone } from '../journeys/journey.entity';
import { MAX_SUBJECT_LENGTH } from '../signals/signal.rules';

/** Kinds of CS-team touchpoint; each is stored as a signal whose type is the lowercase kind. */
export enum TouchpointKind {
  MEETING = 'MEETING',
  QBR = 'QBR',
  TRAINING = 'TRAINING',
  SUCCESS_PLAN_REVIEW = 'SUCCESS_PLAN_REVIEW',
  ONBOARDING_CALL = 'ONBOARDING_CALL',
}
registerEnumType(TouchpointKind, {
  name: 'TouchpointKind',
  description: 'A proactive moment with the customer; stored as a signal of type `meeting`, `qbr`, `training`, `success_plan_review` or `onboarding_call`.',
  valuesConfig: {
    MEETING: { description: 'Any call or meeting with the customer (signal `meeting`).' },
    QBR: { description: 'Quarterly business review (signal `qbr`).' },
    TRAINING: { description: 'A training session (signal `training`).' },
    SUCCESS_PLAN_REVIEW: { description: 'The success plan reviewed with the customer (signal `success_plan_review`).' },
    ONBOARDING_CALL: { description: 'An onboarding call (signal `onboarding_call`).' },
  },
});

@InputType({ description: 'A touchpoint to record: which account, what kind, when, and an optional note.' })
export class LogTouchpointInput {
  @Field(() => ID, { description: 'The account the touchpoint was with.' })
  accountId: string;

  @Field(() => TouchpointKind, { description: 'What kind of touchpoint (stored as a signal of that type).' })
  @IsEnum(TouchpointKind)
  kind: TouchpointKind;

  @Field({ nullable: true, description: 'When it took place; defaults to now. Not in the future.' })
  occurredAt?: Date;

  @Field(() => String, { nullable: true, description: 'Short note (≤ 200 chars), kept as the signal subject.' })
  @IsOptional() @MaxLength(MAX_SUBJECT_LENGTH)
  note?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A manual milestone a CSM marked as achieved for an account.' })
export class ManualMilestoneCompletion {
  @Field(() => ID, { description: 'accountId/milestoneId: an account completes a milestone at most once.' }) id: string;

  @Field(() => ID, { description: 'The account that achieved it.' }) accountId: string;
  @Field(() => Milestone, { description: 'The milestone achieved (an entity: cache it by its id).' }) milestone: Milestone;
  @Field({ description: 'When it was achieved, as the CSM said (defaults to when it was marked).' }) achievedAt: Date;
  @Field(() => String, { nullable: true, description: 'The CSM\'s note; null when none was given.' }) note: string | null;
  @Field(() => ID, { nullable: true, description: 'The API key that marked it.' }) completedBy: string | null;
}

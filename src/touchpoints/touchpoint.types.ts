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
});

@InputType()
export class LogTouchpointInput {
  @Field(() => ID)
  accountId: string;

  @Field(() => TouchpointKind)
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

  @Field(() => ID) accountId: string;
  @Field(() => Milestone) milestone: Milestone;
  @Field() achievedAt: Date;
  @Field(() => String, { nullable: true }) note: string | null;
  @Field(() => ID, { nullable: true, description: 'The API key that marked it.' }) completedBy: string | null;
}

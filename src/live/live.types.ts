import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ArrayMaxSize, IsOptional, IsUUID } from 'class-validator';
import { HealthBand } from '../health/health.types';
import { HealthEventKind } from '../health/health.events';

registerEnumType(HealthEventKind, {
  name: 'HealthEventKind',
  description: 'What changed in an account\'s health.',
  valuesConfig: {
    BAND_CHANGED: { description: 'An outcome band (or, with outcome null, the account\'s overall band) changed.' },
    MILESTONE_ACHIEVED: { description: 'A journey milestone was achieved since the previous scoring.' },
    MILESTONE_OVERDUE: { description: 'A journey milestone became overdue since the previous scoring.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'A change in an account\'s health, produced when it is scored.' })
export class HealthEvent {
  @Field(() => ID) id: string;
  @Field(() => HealthEventKind) kind: HealthEventKind;
  @Field(() => ID) accountId: string;
  @Field() accountName: string;
  @Field() accountExternalId: string;
  @Field(() => ID) clusterId: string;
  @Field(() => ID, { nullable: true, description: 'Null for a change of the overall account band.' }) outcomeId: string | null;
  @Field(() => String, { nullable: true }) outcomeName: string | null;
  @Field(() => ID, { nullable: true }) milestoneId: string | null;
  @Field(() => String, { nullable: true }) milestoneName: string | null;
  @Field(() => HealthBand, { nullable: true, description: 'BAND_CHANGED: the band before.' }) fromBand: HealthBand | null;
  @Field(() => HealthBand, { nullable: true, description: 'BAND_CHANGED: the band after.' }) toBand: HealthBand | null;
  @Field(() => Float, { nullable: true, description: 'Score after the change (outcome score, or account score).' }) score: number | null;
  @Field(() => Float, { nullable: true }) previousScore: number | null;
  @Field(() => Int, { nullable: true, description: 'MILESTONE_OVERDUE: days past its expected day.' }) daysOverdue: number | null;
  @Field({ description: 'The scoring time that produced the event.' }) asOf: Date;
  @Field() createdAt: Date;
}

@InputType({ description: 'Narrow the events you receive; all conditions must hold (omit for all of the workspace).' })
export class HealthEventFilter {
  @Field(() => [HealthEventKind], { nullable: true }) kinds?: HealthEventKind[];
  @IsOptional() @IsUUID('all', { message: 'clusterId must be an id (uuid).' })
  @Field(() => ID, { nullable: true }) clusterId?: string;
  @IsOptional() @IsUUID('all', { message: 'outcomeId must be an id (uuid).' })
  @Field(() => ID, { nullable: true }) outcomeId?: string;
  @IsOptional()
  @ArrayMaxSize(1000) // one subscription, not a bulk export
  @IsUUID('all', { each: true, message: 'accountIds must be ids (uuid).' })
  @Field(() => [ID], { nullable: true, description: 'At most 1000 accounts.' }) accountIds?: string[];
}

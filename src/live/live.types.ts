import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ArrayMaxSize, IsOptional, IsUUID } from 'class-validator';
import { HealthBand } from '../health/health.types';
import { HealthEventKind } from '../health/health.events';
import { PageInfo } from '../shared/connection';

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
  @Field(() => ID, { description: 'Stable id of the event (use it to de-duplicate after catching up).' }) id: string;
  @Field(() => HealthEventKind, { description: 'What changed.' }) kind: HealthEventKind;
  @Field(() => ID, { description: 'The account.' }) accountId: string;
  @Field({ description: 'The account\'s name when the event happened.' }) accountName: string;
  @Field({ description: 'The account\'s externalId.' }) accountExternalId: string;
  @Field(() => ID, { description: 'The account\'s cluster when the event happened.' }) clusterId: string;
  @Field(() => ID, { nullable: true, description: 'Null for a change of the overall account band.' }) outcomeId: string | null;
  @Field(() => String, { nullable: true, description: 'The outcome\'s name; null with outcomeId.' }) outcomeName: string | null;
  @Field(() => ID, { nullable: true, description: 'MILESTONE_ACHIEVED / MILESTONE_OVERDUE: the milestone.' }) milestoneId: string | null;
  @Field(() => String, { nullable: true, description: 'The milestone\'s name.' }) milestoneName: string | null;
  @Field(() => HealthBand, { nullable: true, description: 'BAND_CHANGED: the band before.' }) fromBand: HealthBand | null;
  @Field(() => HealthBand, { nullable: true, description: 'BAND_CHANGED: the band after.' }) toBand: HealthBand | null;
  @Field(() => Float, { nullable: true, description: 'Score after the change (outcome score, or account score).' }) score: number | null;
  @Field(() => Float, { nullable: true, description: 'Score before the change; unrounded, show one decimal.' }) previousScore: number | null;
  @Field(() => Int, { nullable: true, description: 'MILESTONE_OVERDUE: days past its expected day.' }) daysOverdue: number | null;
  @Field({ description: 'The scoring time that produced the event.' }) asOf: Date;
  @Field({ description: 'When the event was stored (kept 30 days).' }) createdAt: Date;
}

@ObjectType({ simpleResolvers: true, description: 'A health event in a page of healthEvents.' })
export class HealthEventEdge {
  @Field({ description: 'Opaque; pass as `after` to continue after this event.' }) cursor: string;
  @Field(() => HealthEvent, { description: 'The event.' }) node: HealthEvent;
}

@ObjectType({
  simpleResolvers: true,
  description: 'A page of health events, oldest first (Relay connection). No totalCount: counting 30 days of a workspace\'s events '
    + 'would cost what the page saves; page on while pageInfo.hasNextPage.',
})
export class HealthEventConnection {
  @Field(() => [HealthEventEdge], { description: 'The events of this page, oldest first.' }) edges: HealthEventEdge[];
  @Field(() => PageInfo, { description: 'Whether there is a next page, and the cursor to pass as `after` to get it.' }) pageInfo: PageInfo;
}

@InputType({ description: 'Narrow the events you receive; all conditions must hold (omit for all of the workspace).' })
export class HealthEventFilter {
  @Field(() => [HealthEventKind], { nullable: true, description: 'Only events of these kinds; omit for every kind.' }) kinds?: HealthEventKind[];
  @IsOptional() @IsUUID('all', { message: 'clusterId must be an id (uuid).' })
  @Field(() => ID, { nullable: true, description: 'Only events about accounts of this cluster.' }) clusterId?: string;
  @IsOptional() @IsUUID('all', { message: 'outcomeId must be an id (uuid).' })
  @Field(() => ID, { nullable: true, description: 'Only events about this outcome.' }) outcomeId?: string;
  @IsOptional()
  @ArrayMaxSize(1000) // one subscription, not a bulk export
  @IsUUID('all', { each: true, message: 'accountIds must be ids (uuid).' })
  @Field(() => [ID], { nullable: true, description: 'At most 1000 accounts.' }) accountIds?: string[];
}

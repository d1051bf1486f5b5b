import { Field, Float, InputType, Int } from 'type-graphql';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsEnum, IsInt, IsNumber, IsOptional, IsPositive, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';
import { KEY_MESSAGE, KEY_RE, NAME_RE, MAX_SIGNAL_TYPE_LENGTH, SIGNAL_TYPE_MESSAGE, SIGNAL_TYPE_RE } from './input-shape';
import { MilestoneAggregation, MilestoneCompletion } from './journey.entity';

/** Journeys longer than ten years are a typo, not a plan. */
const MAX_DAY = 3650;

@InputType({ description: 'Automatic completion: `aggregation(signalType[:subject]) >= atLeast`, cumulative since journey start.' })
export class MilestoneRuleInput {
  @Field({ description: 'Signal type, e.g. `feature_used`.' })
  @IsString() @MaxLength(MAX_SIGNAL_TYPE_LENGTH) @Matches(SIGNAL_TYPE_RE, { message: SIGNAL_TYPE_MESSAGE })
  signalType: string;

  @Field(() => String, { nullable: true, description: 'Only signals about this subject (e.g. a feature key).' })
  @IsOptional() @IsString() @Length(1, 200)
  subject?: string | null;

  @Field(() => MilestoneAggregation, { description: 'How the matching signals since journey start are measured (COUNT, DISTINCT_DAYS …).' })
  @IsEnum(MilestoneAggregation)
  aggregation: MilestoneAggregation;

  @Field(() => Float, { description: 'Threshold (> 0) the cumulative value must reach.' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive()
  atLeast: number;
}

@InputType({ description: 'One milestone of a stage: when it is expected and how it is achieved.' })
export class MilestoneInput {
  @Field({ description: 'Stable key, unique within the journey: the milestone keeps its id (and completions) while its key stays.' })
  @IsString() @Matches(KEY_RE, { message: KEY_MESSAGE })
  key: string;

  @Field({ description: 'Name, for display (1-200 characters).' })
  @IsString() @Length(1, 200) @Matches(NAME_RE, { message: '$property must not be blank' })
  name: string;

  @Field(() => Int, { description: 'Days after journey start by which it is expected; not before its stage starts.' })
  @IsInt() @Min(0) @Max(MAX_DAY)
  expectedByDay: number;

  @Field(() => Float, { defaultValue: 1, description: 'Weight (> 0) in journey adherence.' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() @Max(1_000_000)
  weight: number;

  @Field(() => MilestoneCompletion, { description: 'AUTOMATIC (give a rule) or MANUAL (a CSM marks it done).' })
  @IsEnum(MilestoneCompletion)
  completion: MilestoneCompletion;

  @Field(() => MilestoneRuleInput, { nullable: true, description: 'Required for AUTOMATIC, absent for MANUAL.' })
  @IsOptional() @ValidateNested()
  rule?: MilestoneRuleInput | null;
}

@InputType({ description: 'One stage of a journey, with its milestones.' })
export class JourneyStageInput {
  @Field({ description: 'Stable key, unique within the journey; component stage overrides refer to it.' })
  @IsString() @Matches(KEY_RE, { message: KEY_MESSAGE })
  key: string;

  @Field({ description: 'Name, for display (1-200 characters).' })
  @IsString() @Length(1, 200) @Matches(NAME_RE, { message: '$property must not be blank' })
  name: string;

  @Field(() => Int, { description: 'Day (since journey start) the stage begins; the first stage starts at 0, then strictly ascending.' })
  @IsInt() @Min(0) @Max(MAX_DAY)
  startDay: number;

  @Field(() => [MilestoneInput], { defaultValue: [], description: 'Milestones of this stage (at most 200); keys unique within the journey.' })
  @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true })
  milestones: MilestoneInput[];
}

@InputType({ description: 'The whole journey of one outcome. Stages and milestones are matched by key on redefinition.' })
export class JourneyInput {
  @Field(() => Int, { defaultValue: 30, description: 'STUCK after this many days (1-3650) without an achieved milestone while one is overdue.' })
  @IsInt() @Min(1) @Max(MAX_DAY)
  stuckAfterDays: number;

  @Field(() => [JourneyStageInput], { description: 'The stages, 1-50, in ascending startDay (the first at day 0).' })
  @IsArray() @ArrayMinSize(1, { message: 'a journey needs at least one stage' }) @ArrayMaxSize(50) @ValidateNested({ each: true })
  stages: JourneyStageInput[];
}

/** Plain object (CLI, seeds, tests) or GraphQL input -> input class instances with defaults, so the decorators apply. */
export function hydrateJourneyInput(raw: JourneyInput): JourneyInput {
  return Object.assign(new JourneyInput(), raw, {
    stuckAfterDays: raw.stuckAfterDays ?? 30,
    stages: Array.isArray(raw.stages)
      ? raw.stages.map((s) => Object.assign(new JourneyStageInput(), s, {
        milestones: (s.milestones ?? []).map((m) => Object.assign(new MilestoneInput(), m, {
          weight: m.weight ?? 1,
          rule: m.rule ? Object.assign(new MilestoneRuleInput(), m.rule) : m.rule,
        })),
      }))
      : raw.stages,
  });
}

import { Field, Float, ID, InputType } from 'type-graphql';
import { IsBoolean, IsNumber, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';

/** Weights are relative (account health is their weighted mean): > 0, and bounded so one outcome cannot drown the rest by a typo. */
const MIN_WEIGHT = 0.000001;
const MAX_WEIGHT = 1000;

@InputType({ description: 'A new desired outcome of one cluster.' })
export class CreateOutcomeInput {
  @Field(() => ID, { description: 'The cluster whose accounts want this outcome.' })
  @IsString()
  clusterId: string;

  @Field({ description: 'Unique within the cluster (case-insensitive), e.g. "Stakeholder intelligence +20%".' })
  @IsString() @Length(1, 200)
  name: string;

  @Field(() => String, { nullable: true, description: 'What the outcome means for the customer (at most 2000 characters).' })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @Field(() => Float, { nullable: true, defaultValue: 1, description: 'Weight in the account health; > 0 (default 1).' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(MIN_WEIGHT, { message: 'weight must be greater than 0' }) @Max(MAX_WEIGHT)
  weight?: number;

  @Field({ nullable: true, defaultValue: true, description: 'False: kept but not scored (default true).' })
  @IsOptional() @IsBoolean()
  active?: boolean;
}

@InputType({ description: 'Only the fields given change.' })
export class UpdateOutcomeInput {
  @Field({ nullable: true, description: 'A new name (1-200 characters, unique within the cluster); omit to keep it.' })
  @IsOptional() @IsString() @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true, description: 'A new description (at most 2000 characters); null clears it, omit to keep it.' })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @Field(() => Float, { nullable: true, description: 'A new weight in the account health, > 0 (at most 1000); omit to keep it.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(MIN_WEIGHT, { message: 'weight must be greater than 0' }) @Max(MAX_WEIGHT)
  weight?: number;

  @Field({ nullable: true, description: 'False stops scoring it (its history stays); omit to keep it.' })
  @IsOptional() @IsBoolean()
  active?: boolean;
}

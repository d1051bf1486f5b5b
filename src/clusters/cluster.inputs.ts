import { Field, InputType, Int } from 'type-graphql';
import { IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { RuleInput } from '../rules/rule.types';

/** Priorities run 0 … 999,999; the default cluster sits at 1,000,000 and is always tried last. */
export const MAX_CLUSTER_PRIORITY = 999_999;

@InputType()
export class CreateClusterInput {
  @Field({ description: 'Unique in the workspace (case-insensitive), e.g. "Managed enterprise".' })
  @IsString() @Length(1, 100)
  name: string;

  @Field(() => String, { nullable: true })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @Field(() => Int, { description: 'Lower is tried first; unique per workspace so that "first match wins" is unambiguous (0 … 999999).' })
  @IsInt() @Min(0) @Max(MAX_CLUSTER_PRIORITY)
  priority: number;

  @Field(() => RuleInput, { description: 'Membership rule over account attributes.' })
  @ValidateNested()
  rule: RuleInput;
}

@InputType({ description: 'Only the fields given change. The default cluster takes no rule and keeps its priority.' })
export class UpdateClusterInput {
  @Field({ nullable: true })
  @IsOptional() @IsString() @Length(1, 100)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @Field(() => Int, { nullable: true })
  @IsOptional() @IsInt() @Min(0) @Max(MAX_CLUSTER_PRIORITY)
  priority?: number;

  @Field(() => RuleInput, { nullable: true })
  @IsOptional() @ValidateNested()
  rule?: RuleInput | null;
}

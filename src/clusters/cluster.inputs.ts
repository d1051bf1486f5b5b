import { Field, InputType, Int } from 'type-graphql';
import { IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { RuleInput } from '../rules/rule.types';

/** Priorities run 0 … 999,999; the default cluster sits at 1,000,000 and is always tried last. */
export const MAX_CLUSTER_PRIORITY = 999_999;

@InputType({ description: 'A new persona cluster: a name, a priority and a membership rule.' })
export class CreateClusterInput {
  @Field({ description: 'Unique in the workspace (case-insensitive), e.g. "Managed enterprise".' })
  @IsString() @Length(1, 100)
  name: string;

  @Field(() => String, { nullable: true, description: 'What the cluster is for (at most 2000 characters).' })
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
  @Field({ nullable: true, description: 'A new name (1-100 characters, unique in the workspace); omit to keep it.' })
  @IsOptional() @IsString() @Length(1, 100)
  name?: string;

  @Field(() => String, { nullable: true, description: 'A new description (at most 2000 characters); null clears it, omit to keep it.' })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @Field(() => Int, { nullable: true, description: 'A new priority (0-999999, unique; lower is tried first); omit to keep it.' })
  @IsOptional() @IsInt() @Min(0) @Max(MAX_CLUSTER_PRIORITY)
  priority?: number;

  @Field(() => RuleInput, { nullable: true, description: 'A new membership rule; omit to keep it.' })
  @IsOptional() @ValidateNested()
  rule?: RuleInput | null;
}

import { ArrayMaxSize, IsOptional, IsUUID } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'Which accounts to recompute; the conditions combine. Empty or omitted = every account.' })
export class RecomputeScopeInput {
  @Field(() => ID, { nullable: true, description: 'Only the accounts of this persona cluster.' })
  @IsOptional() @IsUUID()
  clusterId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The accounts of the cluster this outcome belongs to.' })
  @IsOptional() @IsUUID()
  outcomeId?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Only these accounts (at most 100,000 ids).' })
  @IsOptional() @ArrayMaxSize(100_000) @IsUUID(undefined, { each: true })
  accountIds?: string[] | null;
}

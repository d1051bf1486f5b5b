import { IsIn, IsInt, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { RecomputeScopeInput } from '../scoring/runs.inputs';
import { ContractedAs } from './backtest.entity';

@InputType({ description: 'A recorded model version or a draft; give at most one (none: the live model).' })
export class BacktestModelInput {
  @Field(() => Int, { nullable: true, description: 'A model version number.' })
  @IsOptional() @IsInt() @Min(1)
  version?: number | null;

  @Field(() => ID, { nullable: true, description: 'A draft: check a proposed model before publishing it.' })
  @IsOptional() @IsUUID()
  draftId?: string | null;
}

@InputType({ description: 'What to check: which outcomes (period, scope), how far ahead, under which model.' })
export class BacktestInput {
  @Field(() => Int, { nullable: true, description: 'Score each case this many days before its outcome (default 90).' })
  @IsOptional() @IsInt() @Min(0) @Max(3650) // ten years: older history is not what a health score predicts
  horizonDays?: number | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Outcomes dated on or after this day.' })
  @IsOptional()
  from?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Outcomes dated on or before this day.' })
  @IsOptional()
  to?: string | null;

  @Field(() => RecomputeScopeInput, { nullable: true, description: 'Only these accounts (cluster, outcome\'s cluster, ids).' })
  @IsOptional() @ValidateNested()
  scope?: RecomputeScopeInput | null;

  @Field(() => ContractedAs, { nullable: true, description: 'How CONTRACTED counts (default RETAINED).' })
  @IsOptional() @IsIn(Object.values(ContractedAs))
  contractedAs?: ContractedAs | null;

  @Field(() => BacktestModelInput, { nullable: true, description: 'Which model to check (default: the live one).' })
  @IsOptional() @ValidateNested()
  model?: BacktestModelInput | null;
}

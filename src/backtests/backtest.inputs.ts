import { IsIn, IsInt, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { RecomputeScopeInput } from '../scoring/runs.inputs';
import { ContractedAs } from './backtest.entity';

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

  @Field(() => ID, { nullable: true, description: 'A stored model version (Backtest.modelVersionId of an earlier backtest, HealthSnapshot model) instead of the live model.' })
  @IsOptional() @IsUUID()
  modelVersionId?: string | null;
}

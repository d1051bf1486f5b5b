/**
 * Attribute rules: cluster membership and component applicability are both rules over an
 * account's `attributes` JSON, e.g. `managed = true AND plan IN [enterprise]`.
 * A rule is either a condition `{attribute, op, value}` or a combination `{all: [...]}` / `{any: [...]}`.
 */
import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ArrayMaxSize, IsEnum, IsOptional, Matches, MaxLength, ValidateNested } from 'class-validator';

export enum RuleOperator {
  EQ = 'EQ', NEQ = 'NEQ', IN = 'IN', NOT_IN = 'NOT_IN',
  GT = 'GT', GTE = 'GTE', LT = 'LT', LTE = 'LTE',
  EXISTS = 'EXISTS', NOT_EXISTS = 'NOT_EXISTS',
}
registerEnumType(RuleOperator, {
  name: 'RuleOperator',
  description: 'How a condition compares an account attribute with its value. Numeric comparisons are false for a missing or non-numeric attribute.',
  valuesConfig: {
    EQ: { description: 'Equal to value.' },
    NEQ: { description: 'Not equal to value (true when the attribute is missing).' },
    IN: { description: 'Equal to one of the values of a list.' },
    NOT_IN: { description: 'Equal to none of the values of a list.' },
    GT: { description: 'Greater than a number.' },
    GTE: { description: 'Greater than or equal to a number.' },
    LT: { description: 'Less than a number.' },
    LTE: { description: 'Less than or equal to a number.' },
    EXISTS: { description: 'The attribute is present (takes no value).' },
    NOT_EXISTS: { description: 'The attribute is absent (takes no value).' },
  },
});

export interface RuleJson {
  all?: RuleJson[];
  any?: RuleJson[];
  attribute?: string;
  op?: RuleOperator;
  value?: unknown;
}

@ObjectType({ simpleResolvers: true, description: 'A rule over account attributes: a condition, or all/any of nested rules.' })
export class Rule implements RuleJson {
  @Field(() => [Rule], { nullable: true, description: 'True when every nested rule is true (AND).' })
  all?: Rule[];

  @Field(() => [Rule], { nullable: true, description: 'True when at least one nested rule is true (OR).' })
  any?: Rule[];

  @Field({ nullable: true, description: 'Attribute name, e.g. `plan`, `managed`, `arr`.' })
  attribute?: string;

  @Field(() => RuleOperator, { nullable: true, description: 'How the attribute is compared with value; null for an all/any rule.' })
  op?: RuleOperator;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Compared value: a scalar, or a list for IN / NOT_IN.' })
  value?: unknown;
}

@InputType({ description: 'Give exactly one of: `all`, `any`, or `attribute` + `op` (+ `value` unless EXISTS/NOT_EXISTS).' })
export class RuleInput implements RuleJson {
  @Field(() => [RuleInput], { nullable: true, description: 'True when every nested rule is true (AND); at most 50.' })
  @IsOptional() @ArrayMaxSize(50) @ValidateNested({ each: true })
  all?: RuleInput[];

  @Field(() => [RuleInput], { nullable: true, description: 'True when at least one nested rule is true (OR); at most 50.' })
  @IsOptional() @ArrayMaxSize(50) @ValidateNested({ each: true })
  any?: RuleInput[];

  @Field({ nullable: true, description: 'Attribute name (letters, digits, _ . -, at most 100 characters), e.g. `plan`, `managed`, `arr`.' })
  @IsOptional() @MaxLength(100) @Matches(/^[A-Za-z_][A-Za-z0-9_.-]*$/, { message: 'attribute must be a plain attribute name (letters, digits, _ . -)' })
  attribute?: string;

  @Field(() => RuleOperator, { nullable: true, description: 'How the attribute is compared with value.' })
  @IsOptional() @IsEnum(RuleOperator)
  op?: RuleOperator;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Compared value: a scalar, or a list for IN / NOT_IN; omit for EXISTS / NOT_EXISTS.' })
  value?: unknown;
}

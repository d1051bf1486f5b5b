import { Field, Float, InputType, Int } from 'type-graphql';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsEnum, IsInt, IsNumber, IsOptional, IsPositive, IsString, Length, Matches, Max, MaxLength, Min,
  ValidateNested,
} from 'class-validator';
import { RuleInput } from '../rules/rule.types';
import { ATTRIBUTE_MESSAGE, ATTRIBUTE_RE, KEY_MESSAGE, KEY_RE, NAME_RE, MAX_SIGNAL_TYPE_LENGTH, SIGNAL_TYPE_MESSAGE, SIGNAL_TYPE_RE } from '../journeys/input-shape';
import { Aggregation, ScoringFunctionType, Side } from './coin.entity';

const FINITE = { allowNaN: false, allowInfinity: false };

@InputType({ description: 'BANDS scoring: values at or above `min` (up to the next band\'s min) score `score`.' })
export class ScoreBandInput {
  @Field(() => Float, { description: 'Lower bound (inclusive) of the band.' })
  @IsNumber(FINITE)
  min: number;

  @Field(() => Float, { description: 'Score (0-100) of values in this band.' })
  @IsNumber(FINITE) @Min(0) @Max(100)
  score: number;
}

@InputType({ description: 'CATEGORICAL scoring: the score of one attribute value.' })
export class ScoreCategoryInput {
  @Field({ description: 'An attribute value as text: `Two year`, `true`, `12`.' })
  @IsString() @Length(1, 200)
  value: string;

  @Field(() => Float, { description: 'Score (0-100) of this value.' })
  @IsNumber(FINITE) @Min(0) @Max(100)
  score: number;
}

@InputType({ description: 'LINEAR {floor, target} | BANDS {bands} | PERCENTILE {higherIsBetter} | CATEGORICAL {categories, defaultScore}; only the fields of the chosen type.' })
export class ScoringFunctionInput {
  @Field(() => ScoringFunctionType, { description: 'LINEAR, BANDS, PERCENTILE or CATEGORICAL; give only that type\'s fields.' })
  @IsEnum(ScoringFunctionType)
  type: ScoringFunctionType;

  @Field(() => Float, { nullable: true, description: 'LINEAR: the value that scores 0.' })
  @IsOptional() @IsNumber(FINITE)
  floor?: number | null;

  @Field(() => Float, { nullable: true, description: 'LINEAR: the value that scores 100 (below floor: lower is better).' })
  @IsOptional() @IsNumber(FINITE)
  target?: number | null;

  @Field(() => [ScoreBandInput], { nullable: true, description: 'BANDS: strictly ascending by min.' })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true })
  bands?: ScoreBandInput[] | null;

  @Field(() => Boolean, { nullable: true, description: 'PERCENTILE: whether a higher value is better.' })
  @IsOptional() @IsBoolean()
  higherIsBetter?: boolean | null;

  @Field(() => [ScoreCategoryInput], { nullable: true, description: 'CATEGORICAL (ATTRIBUTE metrics): a score per value, each value once.' })
  @IsOptional() @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true })
  categories?: ScoreCategoryInput[] | null;

  @Field(() => Float, { nullable: true, description: 'CATEGORICAL: the score of any value not listed; omitted = such a value is missing.' })
  @IsOptional() @IsNumber(FINITE) @Min(0) @Max(100)
  defaultScore?: number | null;
}

@InputType({ description: 'What a component measures. JOURNEY_ADHERENCE, JOURNEY_DAY and ATTRIBUTE (with `attribute`) take no signal type; every other aggregation needs one.' })
export class MetricInput {
  @Field(() => Aggregation, { description: 'How the signals in the window become one value (COUNT, SUM, DAYS_SINCE …).' })
  @IsEnum(Aggregation)
  aggregation: Aggregation;

  @Field(() => String, { nullable: true, description: 'Signal type, e.g. `login`.' })
  @IsOptional() @IsString() @MaxLength(MAX_SIGNAL_TYPE_LENGTH) @Matches(SIGNAL_TYPE_RE, { message: SIGNAL_TYPE_MESSAGE })
  signalType?: string | null;

  @Field(() => String, { nullable: true, description: 'Only signals about this subject.' })
  @IsOptional() @IsString() @Length(1, 200)
  subject?: string | null;

  @Field(() => Int, { nullable: true, description: 'Window in days (> 0); none = everything so far. Not for DAYS_SINCE / JOURNEY_ADHERENCE.' })
  @IsOptional() @IsInt() @Min(1) @Max(3650)
  windowDays?: number | null;

  @Field(() => String, { nullable: true, description: 'Divide by this numeric account attribute (e.g. `seats`).' })
  @IsOptional() @IsString() @Matches(ATTRIBUTE_RE, { message: ATTRIBUTE_MESSAGE })
  normalizeBy?: string | null;

  @Field(() => String, { nullable: true, description: 'ATTRIBUTE: the account attribute to read, e.g. `arr` or `contract`.' })
  @IsOptional() @IsString() @Matches(ATTRIBUTE_RE, { message: ATTRIBUTE_MESSAGE })
  attribute?: string | null;
}

@InputType({ description: 'A component\'s scoring for one journey stage, replacing its default scoring there.' })
export class StageOverrideInput {
  @Field({ description: 'Key of a stage of this outcome\'s journey.' })
  @IsString() @Matches(KEY_RE, { message: KEY_MESSAGE })
  stageKey: string;

  @Field(() => ScoringFunctionInput, { description: 'The scoring to use in that stage.' })
  @ValidateNested()
  scoring: ScoringFunctionInput;
}

@InputType({ description: 'One component of a coin: what it measures, how that is scored, on which side and with which weight.' })
export class ComponentInput {
  @Field({ description: 'Stable key, unique within the coin: the component keeps its id while its key stays.' })
  @IsString() @Matches(KEY_RE, { message: KEY_MESSAGE })
  key: string;

  @Field({ description: 'Name, for display (1-200 characters).' })
  @IsString() @Length(1, 200) @Matches(NAME_RE, { message: '$property must not be blank' })
  name: string;

  @Field(() => Side, { description: 'PROACTIVE (what the CS team did) or REACTIVE (what the customer does and says).' })
  @IsEnum(Side)
  side: Side;

  @Field(() => Float, { defaultValue: 1, description: 'Weight (> 0) inside its side.' })
  @IsNumber(FINITE) @IsPositive() @Max(1_000_000)
  weight: number;

  @Field(() => MetricInput, { description: 'What it measures.' })
  @ValidateNested()
  metric: MetricInput;

  @Field(() => ScoringFunctionInput, { description: 'Default scoring, used in every stage without an override.' })
  @ValidateNested()
  scoring: ScoringFunctionInput;

  @Field(() => [StageOverrideInput], { defaultValue: [], description: 'Scoring per journey stage, replacing the default in those stages (at most 50).' })
  @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true })
  stageOverrides: StageOverrideInput[];

  @Field(() => RuleInput, { nullable: true, description: 'Counts only for accounts matching this rule (e.g. managed = true).' })
  @IsOptional() @ValidateNested()
  applicability?: RuleInput | null;
}

@InputType({ description: 'The whole coin (health score definition) of one outcome. Components are matched by key on redefinition.' })
export class CoinInput {
  @Field(() => Float, { defaultValue: 50, description: 'Weight (> 0) of the proactive side.' })
  @IsNumber(FINITE) @IsPositive() @Max(1_000_000)
  proactiveWeight: number;

  @Field(() => Float, { defaultValue: 50, description: 'Weight (> 0) of the reactive side.' })
  @IsNumber(FINITE) @IsPositive() @Max(1_000_000)
  reactiveWeight: number;

  @Field(() => [ComponentInput], { description: 'The components of both sides, 1-100, keys unique within the coin.' })
  @IsArray() @ArrayMinSize(1, { message: 'a coin needs at least one component' }) @ArrayMaxSize(100) @ValidateNested({ each: true })
  components: ComponentInput[];
}

function hydrateScoring(s: ScoringFunctionInput): ScoringFunctionInput {
  if (!s || typeof s !== 'object') return s;
  return Object.assign(new ScoringFunctionInput(), s, {
    bands: Array.isArray(s.bands) ? s.bands.map((b) => Object.assign(new ScoreBandInput(), b)) : s.bands,
    categories: Array.isArray(s.categories) ? s.categories.map((c) => Object.assign(new ScoreCategoryInput(), c)) : s.categories,
  });
}

function hydrateRule(r: RuleInput | null | undefined): RuleInput | null | undefined {
  if (!r || typeof r !== 'object') return r;
  return Object.assign(new RuleInput(), r, {
    all: Array.isArray(r.all) ? r.all.map(hydrateRule) : r.all,
    any: Array.isArray(r.any) ? r.any.map(hydrateRule) : r.any,
  });
}

/** Plain object (CLI, seeds, tests) or GraphQL input -> input class instances with defaults, so the decorators apply. */
export function hydrateCoinInput(raw: CoinInput): CoinInput {
  return Object.assign(new CoinInput(), raw, {
    proactiveWeight: raw.proactiveWeight ?? 50,
    reactiveWeight: raw.reactiveWeight ?? 50,
    components: Array.isArray(raw.components)
      ? raw.components.map((c) => Object.assign(new ComponentInput(), c, {
        weight: c.weight ?? 1,
        metric: c.metric && typeof c.metric === 'object' ? Object.assign(new MetricInput(), c.metric) : c.metric,
        scoring: hydrateScoring(c.scoring),
        stageOverrides: (c.stageOverrides ?? []).map((o) => Object.assign(new StageOverrideInput(), o, { scoring: hydrateScoring(o.scoring) })),
        applicability: hydrateRule(c.applicability),
      }))
      : raw.components,
  });
}

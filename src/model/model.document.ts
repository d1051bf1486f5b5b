/**
 * The health model as one document: band thresholds, clusters, outcomes, journeys and coins, keyed by the model's
 * own keys (never database ids), in the shapes the configuration mutations accept (a journey is defineJourney's
 * input plus the key of its outcome, a coin defineCoin's). The input classes carry the shape rules (class-validator)
 * and, through the GraphQL schema, the JSON Schema in schema/model.schema.json.
 */
import { createHash } from 'node:crypto';
import { Field, Float, InputType, Int } from 'type-graphql';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsNumber, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { CoinInput } from '../coins/coin.inputs';
import { JourneyInput } from '../journeys/journey.inputs';
import { KEY_MESSAGE, KEY_RE } from '../journeys/input-shape';
import { RuleInput, type RuleJson } from '../rules/rule.types';
import { canonicalJson } from '../scoring/model-config';
import { BandThresholdsInput } from '../workspaces/workspace.inputs';
import { MAX_CLUSTER_PRIORITY } from '../clusters/cluster.inputs';

@InputType('ModelClusterInput', { description: 'A persona cluster. Exactly one is the default (no rule, tried last); the others need a rule and a unique priority.' })
export class ClusterDocument {
  @Field({ description: 'Stable key, unique in the workspace; outcomes name their cluster by it.' })
  @IsString() @Matches(KEY_RE, { message: KEY_MESSAGE })
  key: string;

  @Field({ description: 'Name, for display (1-100 characters).' })
  @IsString() @Length(1, 100) @Matches(/\S/, { message: '$property must not be blank' })
  name: string;

  @Field(() => String, { nullable: true, description: 'What the cluster is for (at most 2000 characters).' })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @Field(() => Int, { nullable: true, description: 'Lower is tried first (0 … 999999, unique); none for the default cluster.' })
  @IsOptional() @IsInt() @Min(0) @Max(MAX_CLUSTER_PRIORITY)
  priority?: number | null;

  @Field({ defaultValue: false, description: 'The default cluster catches every account no other cluster matches.' })
  @IsBoolean()
  isDefault: boolean;

  @Field(() => RuleInput, { nullable: true, description: 'Membership rule over account attributes; none for the default cluster.' })
  @IsOptional() @ValidateNested()
  rule?: RuleInput | null;
}

@InputType('ModelOutcomeInput', { description: 'A desired outcome of one cluster.' })
export class OutcomeDocument {
  @Field({ description: 'Stable key, unique in the workspace; journeys and coins name their outcome by it.' })
  @IsString() @Matches(KEY_RE, { message: KEY_MESSAGE })
  key: string;

  @Field({ description: 'Key of its cluster.' })
  @IsString()
  cluster: string;

  @Field({ description: 'Name, for display (1-200 characters).' })
  @IsString() @Length(1, 200) @Matches(/\S/, { message: '$property must not be blank' })
  name: string;

  @Field(() => String, { nullable: true, description: 'What the outcome means for the customer (at most 2000 characters).' })
  @IsOptional() @IsString() @MaxLength(2000)
  description?: string | null;

  @Field(() => Float, { defaultValue: 1, description: 'Weight in the account health, > 0 (at most 1000).' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.000001, { message: 'weight must be greater than 0' }) @Max(1000)
  weight: number;

  @Field({ defaultValue: true, description: 'Inactive outcomes are kept but not scored.' })
  @IsBoolean()
  active: boolean;
}

@InputType('ModelJourneyInput', { description: 'The journey of one outcome: defineJourney\'s input plus the outcome\'s key.' })
export class JourneyDocument extends JourneyInput {
  @Field({ description: 'Key of its outcome.' })
  @IsString()
  outcome: string;
}

@InputType('ModelCoinInput', { description: 'The coin of one outcome: defineCoin\'s input plus the outcome\'s key.' })
export class CoinDocument extends CoinInput {
  @Field({ description: 'Key of its outcome.' })
  @IsString()
  outcome: string;
}

@InputType('ModelDocumentInput', { description: 'The whole health model of a workspace, as the `model` query exports it.' })
export class ModelDocumentInput {
  @Field(() => BandThresholdsInput, { description: 'The score below which a band starts (RED below redBelow, YELLOW below yellowBelow).' })
  @ValidateNested()
  thresholds: BandThresholdsInput;

  @Field(() => [ClusterDocument], { description: 'The persona clusters: exactly one default, the others with a rule and a unique priority (1-200).' })
  @IsArray() @ArrayMinSize(1, { message: 'a model needs at least its default cluster' }) @ArrayMaxSize(200) @ValidateNested({ each: true })
  clusters: ClusterDocument[];

  @Field(() => [OutcomeDocument], { defaultValue: [], description: 'The desired outcomes, each naming its cluster by key (at most 500).' })
  @IsArray() @ArrayMaxSize(500) @ValidateNested({ each: true })
  outcomes: OutcomeDocument[];

  @Field(() => [JourneyDocument], { defaultValue: [], description: 'The success journeys, at most one per outcome (at most 500).' })
  @IsArray() @ArrayMaxSize(500) @ValidateNested({ each: true })
  journeys: JourneyDocument[];

  @Field(() => [CoinDocument], { defaultValue: [], description: 'The coins, at most one per outcome (at most 500).' })
  @IsArray() @ArrayMaxSize(500) @ValidateNested({ each: true })
  coins: CoinDocument[];
}

/** The document as stored and exported: every field present, normalised, in a canonical order. */
export interface ModelDocument {
  thresholds: { redBelow: number; yellowBelow: number };
  clusters: Array<{ key: string; name: string; description: string | null; priority: number | null; isDefault: boolean; rule: RuleJson | null }>;
  outcomes: Array<{ key: string; cluster: string; name: string; description: string | null; weight: number; active: boolean }>;
  journeys: Array<{
    outcome: string; stuckAfterDays: number;
    stages: Array<{ key: string; name: string; startDay: number; milestones: MilestoneDoc[] }>;
  }>;
  coins: Array<{ outcome: string; proactiveWeight: number; reactiveWeight: number; components: ComponentDoc[] }>;
}

export interface MilestoneDoc {
  key: string; name: string; expectedByDay: number; weight: number; completion: 'AUTOMATIC' | 'MANUAL';
  rule: { signalType: string; subject: string | null; aggregation: string; atLeast: number } | null;
}

export interface ComponentDoc {
  key: string; name: string; side: 'PROACTIVE' | 'REACTIVE'; weight: number;
  metric: { aggregation: string; signalType: string | null; subject: string | null; windowDays: number | null; normalizeBy: string | null; attribute?: string | null };
  scoring: { type: 'LINEAR' | 'BANDS' | 'PERCENTILE' | 'CATEGORICAL'; floor?: number | null; target?: number | null; bands?: Array<{ min: number; score: number }> | null; higherIsBetter?: boolean | null;
    categories?: Array<{ value: string; score: number }> | null; defaultScore?: number | null };
  stageOverrides: Array<{ stageKey: string; scoring: ComponentDoc['scoring'] }>;
  applicability: RuleJson | null;
}

export function documentHash(doc: ModelDocument): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}

/**
 * Canonical order: clusters as they are tried (priority, the default last), outcomes by cluster then key, journeys
 * and coins in the order of their outcomes. Order inside a journey or coin is meaningful and kept.
 */
export function sortDocument(doc: ModelDocument): ModelDocument {
  const clusters = [...doc.clusters].sort((a, b) => Number(a.isDefault) - Number(b.isDefault) || (a.priority ?? 0) - (b.priority ?? 0) || cmp(a.key, b.key));
  const clusterAt = new Map(clusters.map((c, i) => [c.key, i]));
  const outcomes = [...doc.outcomes].sort((a, b) => (clusterAt.get(a.cluster) ?? 1e9) - (clusterAt.get(b.cluster) ?? 1e9) || cmp(a.key, b.key));
  const outcomeAt = new Map(outcomes.map((o, i) => [o.key, i]));
  const byOutcome = (a: { outcome: string }, b: { outcome: string }) => (outcomeAt.get(a.outcome) ?? 1e9) - (outcomeAt.get(b.outcome) ?? 1e9) || cmp(a.outcome, b.outcome);
  return { thresholds: doc.thresholds, clusters, outcomes, journeys: [...doc.journeys].sort(byOutcome), coins: [...doc.coins].sort(byOutcome) };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What a cluster discovery answers. The result is stored as JSON on the discovery and read as a whole,
 * so these classes are both the stored shape and the GraphQL types.
 */
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Rule, type RuleJson } from '../rules/rule.types';

export enum ClusteringMethod {
  KMEANS = 'KMEANS',
  NMF = 'NMF',
}
registerEnumType(ClusteringMethod, {
  name: 'ClusteringMethod',
  description: 'How a cluster discovery groups the usage profiles.',
  valuesConfig: {
    KMEANS: { description: 'k-means (ml-kmeans, k-means++ start) on standardised profiles. The default: recovered planted personas best (docs/discovery.md).' },
    NMF: { description: 'Non-negative matrix factorisation (multiplicative updates); each account goes to its strongest factor.' },
  },
});

/** The normalised request, stored on the discovery. */
export interface DiscoveryParams {
  clusterId: string | null;
  windowDays: number;
  k: number | null;
  maxK: number;
  seed: number;
  method: ClusteringMethod;
  signalTypes: string[] | null;
  attributes: string[] | null;
  intensity: boolean;
}

@ObjectType('ClusterDiscoveryKScore', { simpleResolvers: true, description: 'How well k groups separate the accounts.' })
export class KScore {
  @Field(() => Int, { description: 'Number of groups tried.' }) k: number;
  @Field(() => Float, { description: 'Mean silhouette in [-1, 1] (higher: tighter, better separated groups), on a sample of at most 2,000 accounts.' })
  silhouette: number;
  @Field(() => Float, { description: 'The smallest group\'s share of the accounts; a k leaving a group under 5% is not chosen automatically.' })
  smallestGroupShare: number;
}

@ObjectType({ simpleResolvers: true, description: 'A usage feature in which a group differs from the other accounts.' })
export class UsageTrait {
  @Field({ description: 'e.g. `share:feature_used`, `days:login`, `subject:feature_used:org_chart`, `breadth:feature_used`, `volume`.' })
  feature: string;
  @Field({ description: 'In words, e.g. "uses feature_used:org_chart more (31% vs 4% of feature_used)".' })
  text: string;
  @Field(() => Float, { description: 'Mean of the feature in the group.' })
  groupMean: number;
  @Field(() => Float, { description: 'Mean of the feature over the other accounts.' })
  othersMean: number;
  @Field(() => Float, { description: '(group mean − others mean) / standard deviation over all accounts.' })
  effect: number;
}

@ObjectType({ simpleResolvers: true, description: 'What happened to the group\'s accounts (latest recorded lifecycle outcome of each).' })
export class GroupLifecycle {
  @Field(() => Int, { description: 'Accounts with a recorded lifecycle outcome; the rates are over these.' }) decided: number;
  @Field(() => Int, { description: 'Of those, accounts whose latest outcome is CHURNED.' }) churned: number;
  @Field(() => Int, { description: 'Of those, accounts whose latest outcome is RENEWED.' }) renewed: number;
  @Field(() => Int, { description: 'Of those, accounts whose latest outcome is EXPANDED.' }) expanded: number;
  @Field(() => Int, { description: 'Of those, accounts whose latest outcome is CONTRACTED.' }) contracted: number;
  @Field(() => Float, { nullable: true, description: 'churned / decided; null when no account has an outcome.' }) churnRate: number | null;
  @Field(() => Float, { nullable: true, description: '(renewed + expanded) / decided.' }) renewalRate: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Current account health of the group.' })
export class GroupHealth {
  @Field(() => Int, { description: 'Accounts of the group with a current score.' }) scored: number;
  @Field(() => Float, { nullable: true, description: 'Mean current account health of the scored accounts, unrounded 0-100 (show one decimal); null when none is scored.' }) meanScore: number | null;
  @Field(() => Float, { nullable: true, description: 'Median current account health of the scored accounts, unrounded 0-100; null when none is scored.' }) medianScore: number | null;
  @Field(() => Int, { description: 'Accounts currently RED.' }) red: number;
  @Field(() => Int, { description: 'Accounts currently YELLOW.' }) yellow: number;
  @Field(() => Int, { description: 'Accounts currently GREEN.' }) green: number;
  @Field(() => Int, { description: 'No current score (new or never scored).' }) unknown: number;
}

@ObjectType({ simpleResolvers: true, description: 'One discovered group of accounts that use the product alike, and how to keep it as a cluster.' })
export class ClusterSuggestion {
  @Field(() => Int, { description: 'Groups are numbered by size, largest first (0 …).' }) index: number;
  @Field({ description: 'A working name from its typical usage; rename when adopting.' }) name: string;
  @Field(() => Int, { description: 'Accounts in the group.' }) size: number;
  @Field(() => Float, { description: 'size / accounts of the discovery.' }) share: number;
  @Field(() => Rule, { nullable: true, description: 'A rule over account attributes that describes the group, in the cluster-rule form; null when attributes cannot (see whyNoRule).' })
  rule: RuleJson | null;
  @Field(() => String, { nullable: true, description: 'The rule in words, e.g. `managed = true AND plan = "enterprise"`.' }) ruleText: string | null;
  @Field(() => Float, { nullable: true, description: 'Of the accounts the rule matches, the share in this group (over every account of the scope).' }) precision: number | null;
  @Field(() => Float, { nullable: true, description: 'Of the group\'s accounts, the share the rule matches.' }) recall: number | null;
  @Field(() => String, { nullable: true, description: 'Why no rule is proposed: the best attribute rule found and how poorly it matches.' }) whyNoRule: string | null;
  @Field(() => [UsageTrait], { description: 'The usage features that set the group apart, strongest first.' }) traits: UsageTrait[];
  @Field(() => GroupLifecycle, { description: 'What happened to the group\'s accounts (churn and renewal rates).' }) lifecycle: GroupLifecycle;
  @Field(() => GroupHealth, { description: 'The group\'s current account health.' }) health: GroupHealth;
  /** Ids of the accounts to copy; the resolver loads them. */
  bestAccountIds: string[];
  @Field(() => Int, { nullable: true, description: 'Suggested cluster priority when adopted (lower is tried first); null for a group without a rule (it stays with the default cluster).' })
  priority: number | null;
}

/** The stored result of a discovery. */
export interface DiscoveryResult {
  method: ClusteringMethod;
  k: number;
  kChosenBy: string;
  candidates: KScore[];
  accounts: number;
  features: string[];
  suggestions: ClusterSuggestion[];
  timings: Record<string, number>;
}

@ObjectType({ simpleResolvers: true, description: 'The suggested clusters as a fragment of the model document: what adopting them would create.' })
export class ModelFragmentCluster {
  @Field({ description: 'The group\'s working name (adopting makes it unique among the live clusters).' }) name: string;
  @Field(() => String, { nullable: true, description: 'Where the cluster comes from: the method, the seed and the group\'s most distinctive usage.' }) description: string | null;
  @Field(() => Int, { description: 'Its priority among the clusters (lower is tried first), the same as the suggestion\'s.' }) priority: number;
  @Field(() => Rule, { description: 'Its membership rule over account attributes.' }) rule: RuleJson;
  @Field(() => Int, { description: 'The discovered group it comes from.' }) suggestionIndex: number;
}

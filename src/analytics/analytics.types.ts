/** GraphQL types of the analyst queries (journeyProgress, clusterHealth, healthTrend, movers, timeToMilestone). */
import { IsOptional, IsUUID } from 'class-validator';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { Cluster } from '../clusters/cluster.entity';
import { Side } from '../coins/coin.entity';
import { JourneyStage, Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
import { HealthBand } from '../health/health.types';

@ObjectType({ simpleResolvers: true, description: 'Accounts per health band.' })
export class BandCounts {
  @Field(() => Int, { description: 'Accounts in the RED band (score below the workspace\'s redBelow).' }) red: number;
  @Field(() => Int, { description: 'Accounts in the YELLOW band (score below yellowBelow).' }) yellow: number;
  @Field(() => Int, { description: 'Accounts in the GREEN band (score at or above yellowBelow).' }) green: number;
  @Field(() => Int, { description: 'Scored without evidence, or never scored.' }) unknown: number;
}

@ObjectType({ simpleResolvers: true, description: 'Accounts per journey status.' })
export class JourneyStatusCounts {
  @Field(() => Int, { description: 'Accounts with JourneyStatus ON_TRACK.' }) onTrack: number;
  @Field(() => Int, { description: 'Accounts with JourneyStatus AHEAD.' }) ahead: number;
  @Field(() => Int, { description: 'Accounts with JourneyStatus BEHIND (a due milestone not achieved).' }) behind: number;
  @Field(() => Int, { description: 'Accounts with JourneyStatus STUCK (overdue, and nothing achieved in the last stuckAfterDays).' }) stuck: number;
}

// ---- journeyProgress ----

@ObjectType({ simpleResolvers: true, description: 'How the accounts on an outcome\'s journey fare with one milestone.' })
export class JourneyMilestoneStats {
  @Field(() => Milestone, { description: 'The milestone these figures are about (an entity: cache it by its id).' }) milestone: Milestone;
  @Field(() => Int, { description: 'Accounts whose journey day has reached the milestone\'s expectedByDay.' }) due: number;
  @Field(() => Int, { description: 'Accounts that achieved it (at any time).' }) achieved: number;
  @Field(() => Int, { description: 'Achieved no later than journey start + expectedByDay days.' }) achievedOnTime: number;
  @Field(() => Int, { description: 'Due and not achieved.' }) overdue: number;
  @Field(() => Float, { nullable: true, description: 'Median whole days from journey start to achievement, over the accounts that achieved it.' }) medianDaysToAchieve: number | null;
  @Field(() => Float, { nullable: true, description: '90th percentile of the days to achieve (percentile_cont).' }) p90DaysToAchieve: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Accounts in one stage, by the calendar and by what they achieved.' })
export class JourneyStageStats {
  @Field(() => JourneyStage, { description: 'The journey stage these figures are about (an entity: cache it by its id).' }) stage: JourneyStage;
  @Field(() => Int, { description: 'Accounts whose journey day falls in this stage.' }) byTime: number;
  @Field(() => Int, { description: 'Accounts whose first unachieved milestone (in journey order) is in this stage; accounts that achieved every milestone count in the last stage.' }) byAchievement: number;
}

@ObjectType({ simpleResolvers: true, description: 'Journey progress of every account scored on one outcome.' })
export class JourneyProgress {
  @Field(() => Outcome, { description: 'The desired outcome whose journey this is.' }) outcome: Outcome;
  @Field(() => Date, { nullable: true, description: 'The time asked for; null = the latest scoring of each account.' }) asOf: Date | null;
  @Field(() => Int, { description: 'Accounts with a score on this outcome.' }) accounts: number;
  @Field(() => JourneyStatusCounts, { description: 'Accounts per journey status; the counts add up to `accounts`.' }) statuses: JourneyStatusCounts;
  @Field(() => [JourneyMilestoneStats], { description: 'In journey order (stage start day, then milestone order).' }) milestones: JourneyMilestoneStats[];
  @Field(() => [JourneyStageStats], { description: 'In stage order.' }) stages: JourneyStageStats[];
}

// ---- clusterHealth ----

@ObjectType({ simpleResolvers: true, description: 'Score distribution of a set of accounts.' })
export class ScoreDistribution {
  @Field(() => Int, { description: 'Accounts in the set.' }) accounts: number;
  @Field(() => Int, { description: 'Accounts with a score.' }) scored: number;
  @Field(() => BandCounts, { description: 'Accounts per band; never-scored accounts count as unknown, so the counts add up to `accounts`.' }) bands: BandCounts;
  @Field(() => Float, { nullable: true, description: 'Mean of the non-null scores, unrounded 0-100 (show one decimal); null when no account is scored.' }) meanScore: number | null;
  @Field(() => Float, { nullable: true, description: '10th percentile (percentile_cont) of the scores.' }) p10: number | null;
  @Field(() => Float, { nullable: true, description: 'Median (percentile_cont 0.5) of the scores, unrounded 0-100; null when no account is scored.' }) p50: number | null;
  @Field(() => Float, { nullable: true, description: '90th percentile (percentile_cont) of the scores, unrounded 0-100; null when no account is scored.' }) p90: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean proactive side score (what the CS team did).' }) meanProactive: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean reactive side score (what the customer does and says).' }) meanReactive: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean coverage (share of the score resting on evidence, 0..1).' }) meanCoverage: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'The score distribution of one desired outcome over the accounts of a cluster (every field of ScoreDistribution is about this outcome\'s score), with its journey statuses. A value: no id.' })
export class OutcomeHealthSummary extends ScoreDistribution {
  @Field(() => Outcome, { description: 'The desired outcome summarised.' }) outcome: Outcome;
  @Field(() => JourneyStatusCounts, { description: 'Accounts per journey status on this outcome (all zero when the outcome has no journey).' }) statuses: JourneyStatusCounts;
}

@ObjectType({ simpleResolvers: true, description: 'Health of a persona cluster: the account health of its accounts, and each outcome\'s.' })
export class ClusterHealth {
  @Field(() => Cluster, { description: 'The persona cluster summarised.' }) cluster: Cluster;
  @Field(() => Date, { nullable: true, description: 'The time asked for; null = the latest scoring of each account.' }) asOf: Date | null;
  @Field(() => ScoreDistribution, { description: 'Account health (weighted over outcomes); proactive/reactive are means over the outcome scores.' }) overall: ScoreDistribution;
  @Field(() => [OutcomeHealthSummary], { description: 'Active outcomes of the cluster, by name.' }) outcomes: OutcomeHealthSummary[];
}

// ---- healthTrend ----

export enum TrendInterval { DAY = 'DAY', WEEK = 'WEEK', MONTH = 'MONTH' }
registerEnumType(TrendInterval, {
  name: 'TrendInterval',
  description: 'Spacing of the points of healthTrend.',
  valuesConfig: { DAY: { description: 'One point per day.' }, WEEK: { description: 'One point every 7 days.' }, MONTH: { description: 'One point per calendar month.' } },
});

@InputType({ description: 'Which accounts: a cluster, an outcome (its score instead of the account health), or the whole workspace.' })
export class HealthScopeInput {
  @IsOptional() @IsUUID('all', { message: 'clusterId must be an id.' })
  @Field(() => ID, { nullable: true, description: 'Only the accounts of this persona cluster; omit for every cluster.' }) clusterId?: string;

  @IsOptional() @IsUUID('all', { message: 'outcomeId must be an id.' })
  @Field(() => ID, { nullable: true, description: 'Use this outcome\'s score instead of the account health.' }) outcomeId?: string;
}

@ObjectType({ simpleResolvers: true, description: 'The state of the accounts in scope at one time: each account counted with its newest snapshot at or before `at`.' })
export class HealthTrendPoint {
  @Field(() => Date, { description: 'The time of this point (UTC): from `from`, spaced by the interval.' }) at: Date;
  @Field(() => Int, { description: 'Accounts with a snapshot at or before `at`.' }) accounts: number;
  @Field(() => Float, { nullable: true, description: 'Mean score of the counted accounts at that time, unrounded 0-100 (show one decimal); null when none had a score.' }) meanScore: number | null;
  @Field(() => BandCounts, { description: 'Accounts per band at that time (never-scored accounts are not counted).' }) bands: BandCounts;
}

// ---- movers ----

@ObjectType({ simpleResolvers: true, description: 'A component that moved an account\'s score.' })
export class MoverDriver {
  @Field(() => ID, { description: 'The desired outcome the component belongs to.' }) outcomeId: string;
  @Field({ description: 'That outcome\'s name, for display.' }) outcomeName: string;
  @Field(() => ID, { description: 'The coin component (look it up with coin(outcomeId) to show more).' }) componentId: string;
  @Field({ description: 'The component\'s key (stable across coin redefinitions).' }) key: string;
  @Field({ description: 'The component\'s name, for display.' }) name: string;
  @Field(() => Side, { description: 'The side of the coin it belongs to.' }) side: Side;
  @Field(() => Float, { nullable: true, description: 'The component\'s score in the snapshot compared with, unrounded 0-100; null when it was not applicable or had no value then.' }) fromScore: number | null;
  @Field(() => Float, { nullable: true, description: 'The component\'s score now, unrounded 0-100 (show one decimal); null when not applicable or missing.' }) score: number | null;
  @Field(() => Float, { description: 'Change of its contribution, in points of the mover\'s score (outcome weight applied for the account health).' }) contributionDelta: number;
}

@ObjectType({ simpleResolvers: true, description: 'An account whose score moved most over the period, with the components that moved it. A value (answer to one movers question): no id.' })
export class Mover {
  @Field(() => Account, { description: 'The account that moved (an entity: cache it by its id).' }) account: Account;
  @Field(() => Float, { description: 'Its score now (account health, or the outcome\'s score when the scope names an outcome), unrounded 0-100: show one decimal.' }) score: number;
  @Field(() => Float, { description: 'Its score in the snapshot compared with, unrounded 0-100: show one decimal.' }) fromScore: number;
  @Field(() => Float, { description: 'score − fromScore.' }) delta: number;
  @Field(() => HealthBand, { description: 'Band of the current score.' }) band: HealthBand;
  @Field(() => HealthBand, { description: 'Band of the score compared with.' }) fromBand: HealthBand;
  @Field(() => Date, { description: 'When the current score was scored.' }) asOf: Date;
  @Field(() => Date, { description: 'The snapshot compared with: the newest at or before asOf − days.' }) fromAsOf: Date;
  @Field(() => [MoverDriver], { description: 'Up to 3 components that moved it most in the direction of the move.' }) topDrivers: MoverDriver[];
}

@ObjectType({ simpleResolvers: true, description: 'The accounts whose score fell and rose most over `days` days. A value: no id (refetch for fresh figures).' })
export class Movers {
  @Field(() => Int, { description: 'The look-back asked for, in days (1-365).' }) days: number;
  @Field(() => [Mover], { description: 'Biggest drops first.' }) drops: Mover[];
  @Field(() => [Mover], { description: 'Biggest rises first.' }) rises: Mover[];
}

// ---- timeToMilestone ----

@ObjectType({ simpleResolvers: true, description: 'One point of a cohort curve: how many accounts of the cohort had reached the milestone by journey day `day`.' })
export class CohortCurvePoint {
  @Field(() => Int, { description: 'Journey day.' }) day: number;
  @Field(() => Int, { description: 'Accounts of the cohort whose journey has lasted at least `day` days (only they can tell).' }) observed: number;
  @Field(() => Int, { description: 'Of those, accounts that had reached the milestone by `day`.' }) reached: number;
  @Field(() => Float, { description: 'reached / observed.' }) share: number;
}

@ObjectType({ simpleResolvers: true, description: 'Accounts whose journey started in one month.' })
export class MilestoneCohort {
  @Field(() => LocalDateResolver, { description: 'First day of the start month.' }) cohort: string;
  @Field(() => Int, { description: 'Accounts of the cohort (journey started in that month).' }) accounts: number;
  @Field(() => [CohortCurvePoint], { description: 'Days with at least one observed account.' }) points: CohortCurvePoint[];
}

@ObjectType({ simpleResolvers: true, description: 'The cohort curves of one milestone.' })
export class MilestoneCohortCurves {
  @Field(() => Milestone, { description: 'The milestone the curves are about (an entity: cache it by its id).' }) milestone: Milestone;
  @Field(() => [MilestoneCohort], { description: 'Oldest cohort first.' }) cohorts: MilestoneCohort[];
}

@ObjectType({ simpleResolvers: true, description: 'Cohort curves: the share of accounts that reached each milestone by day N of their journey, per start month.' })
export class TimeToMilestone {
  @Field(() => Outcome, { description: 'The desired outcome whose journey milestones these are.' }) outcome: Outcome;
  @Field(() => Int, { description: 'The last journey day on the curves (as asked for).' }) maxDay: number;
  @Field(() => Int, { description: 'Days between two points of a curve (as asked for).' }) step: number;
  @Field(() => [MilestoneCohortCurves], { description: 'In journey order.' }) milestones: MilestoneCohortCurves[];
}

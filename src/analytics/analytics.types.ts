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
  @Field(() => Int) red: number;
  @Field(() => Int) yellow: number;
  @Field(() => Int) green: number;
  @Field(() => Int, { description: 'Scored without evidence, or never scored.' }) unknown: number;
}

@ObjectType({ simpleResolvers: true, description: 'Accounts per journey status.' })
export class JourneyStatusCounts {
  @Field(() => Int) onTrack: number;
  @Field(() => Int) ahead: number;
  @Field(() => Int) behind: number;
  @Field(() => Int) stuck: number;
}

// ---- journeyProgress ----

@ObjectType({ simpleResolvers: true, description: 'How the accounts on an outcome\'s journey fare with one milestone.' })
export class JourneyMilestoneStats {
  @Field(() => Milestone) milestone: Milestone;
  @Field(() => Int, { description: 'Accounts whose journey day has reached the milestone\'s expectedByDay.' }) due: number;
  @Field(() => Int, { description: 'Accounts that achieved it (at any time).' }) achieved: number;
  @Field(() => Int, { description: 'Achieved no later than journey start + expectedByDay days.' }) achievedOnTime: number;
  @Field(() => Int, { description: 'Due and not achieved.' }) overdue: number;
  @Field(() => Float, { nullable: true, description: 'Median whole days from journey start to achievement, over the accounts that achieved it.' }) medianDaysToAchieve: number | null;
  @Field(() => Float, { nullable: true, description: '90th percentile of the days to achieve (percentile_cont).' }) p90DaysToAchieve: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Accounts in one stage, by the calendar and by what they achieved.' })
export class JourneyStageStats {
  @Field(() => JourneyStage) stage: JourneyStage;
  @Field(() => Int, { description: 'Accounts whose journey day falls in this stage.' }) byTime: number;
  @Field(() => Int, { description: 'Accounts whose first unachieved milestone (in journey order) is in this stage; accounts that achieved every milestone count in the last stage.' }) byAchievement: number;
}

@ObjectType({ simpleResolvers: true, description: 'Journey progress of every account scored on one outcome.' })
export class JourneyProgress {
  @Field(() => Outcome) outcome: Outcome;
  @Field(() => Date, { nullable: true, description: 'The time asked for; null = the latest scoring of each account.' }) asOf: Date | null;
  @Field(() => Int, { description: 'Accounts with a score on this outcome.' }) accounts: number;
  @Field(() => JourneyStatusCounts) statuses: JourneyStatusCounts;
  @Field(() => [JourneyMilestoneStats], { description: 'In journey order (stage start day, then milestone order).' }) milestones: JourneyMilestoneStats[];
  @Field(() => [JourneyStageStats], { description: 'In stage order.' }) stages: JourneyStageStats[];
}

// ---- clusterHealth ----

@ObjectType({ simpleResolvers: true, description: 'Score distribution of a set of accounts.' })
export class ScoreDistribution {
  @Field(() => Int, { description: 'Accounts in the set.' }) accounts: number;
  @Field(() => Int, { description: 'Accounts with a score.' }) scored: number;
  @Field(() => BandCounts) bands: BandCounts;
  @Field(() => Float, { nullable: true }) meanScore: number | null;
  @Field(() => Float, { nullable: true, description: '10th percentile (percentile_cont) of the scores.' }) p10: number | null;
  @Field(() => Float, { nullable: true }) p50: number | null;
  @Field(() => Float, { nullable: true }) p90: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean proactive side score (what the CS team did).' }) meanProactive: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean reactive side score (what the customer does and says).' }) meanReactive: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean coverage (share of the score resting on evidence, 0..1).' }) meanCoverage: number | null;
}

@ObjectType({ simpleResolvers: true })
export class OutcomeHealthSummary extends ScoreDistribution {
  @Field(() => Outcome) outcome: Outcome;
  @Field(() => JourneyStatusCounts) statuses: JourneyStatusCounts;
}

@ObjectType({ simpleResolvers: true, description: 'Health of a persona cluster: the account health of its accounts, and each outcome\'s.' })
export class ClusterHealth {
  @Field(() => Cluster) cluster: Cluster;
  @Field(() => Date, { nullable: true }) asOf: Date | null;
  @Field(() => ScoreDistribution, { description: 'Account health (weighted over outcomes); proactive/reactive are means over the outcome scores.' }) overall: ScoreDistribution;
  @Field(() => [OutcomeHealthSummary], { description: 'Active outcomes of the cluster, by name.' }) outcomes: OutcomeHealthSummary[];
}

// ---- healthTrend ----

export enum TrendInterval { DAY = 'DAY', WEEK = 'WEEK', MONTH = 'MONTH' }
registerEnumType(TrendInterval, { name: 'TrendInterval' });

@InputType({ description: 'Which accounts: a cluster, an outcome (its score instead of the account health), or the whole workspace.' })
export class HealthScopeInput {
  @IsOptional() @IsUUID('all', { message: 'clusterId must be an id.' })
  @Field(() => ID, { nullable: true }) clusterId?: string;

  @IsOptional() @IsUUID('all', { message: 'outcomeId must be an id.' })
  @Field(() => ID, { nullable: true, description: 'Use this outcome\'s score instead of the account health.' }) outcomeId?: string;
}

@ObjectType({ simpleResolvers: true, description: 'The state of the accounts in scope at one time: each account counted with its newest snapshot at or before `at`.' })
export class HealthTrendPoint {
  @Field(() => Date) at: Date;
  @Field(() => Int, { description: 'Accounts with a snapshot at or before `at`.' }) accounts: number;
  @Field(() => Float, { nullable: true }) meanScore: number | null;
  @Field(() => BandCounts) bands: BandCounts;
}

// ---- movers ----

@ObjectType({ simpleResolvers: true, description: 'A component that moved an account\'s score.' })
export class MoverDriver {
  @Field(() => ID) outcomeId: string;
  @Field() outcomeName: string;
  @Field(() => ID) componentId: string;
  @Field() key: string;
  @Field() name: string;
  @Field(() => Side) side: Side;
  @Field(() => Float, { nullable: true }) fromScore: number | null;
  @Field(() => Float, { nullable: true }) score: number | null;
  @Field(() => Float, { description: 'Change of its contribution, in points of the mover\'s score (outcome weight applied for the account health).' }) contributionDelta: number;
}

@ObjectType({ simpleResolvers: true })
export class Mover {
  @Field(() => Account) account: Account;
  @Field(() => Float) score: number;
  @Field(() => Float) fromScore: number;
  @Field(() => Float, { description: 'score − fromScore.' }) delta: number;
  @Field(() => HealthBand) band: HealthBand;
  @Field(() => HealthBand) fromBand: HealthBand;
  @Field(() => Date) asOf: Date;
  @Field(() => Date, { description: 'The snapshot compared with: the newest at or before asOf − days.' }) fromAsOf: Date;
  @Field(() => [MoverDriver], { description: 'Up to 3 components that moved it most in the direction of the move.' }) topDrivers: MoverDriver[];
}

@ObjectType({ simpleResolvers: true })
export class Movers {
  @Field(() => Int) days: number;
  @Field(() => [Mover], { description: 'Biggest drops first.' }) drops: Mover[];
  @Field(() => [Mover], { description: 'Biggest rises first.' }) rises: Mover[];
}

// ---- timeToMilestone ----

@ObjectType({ simpleResolvers: true })
export class CohortCurvePoint {
  @Field(() => Int, { description: 'Journey day.' }) day: number;
  @Field(() => Int, { description: 'Accounts of the cohort whose journey has lasted at least `day` days (only they can tell).' }) observed: number;
  @Field(() => Int, { description: 'Of those, accounts that had reached the milestone by `day`.' }) reached: number;
  @Field(() => Float, { description: 'reached / observed.' }) share: number;
}

@ObjectType({ simpleResolvers: true, description: 'Accounts whose journey started in one month.' })
export class MilestoneCohort {
  @Field(() => LocalDateResolver, { description: 'First day of the start month.' }) cohort: string;
  @Field(() => Int) accounts: number;
  @Field(() => [CohortCurvePoint], { description: 'Days with at least one observed account.' }) points: CohortCurvePoint[];
}

@ObjectType({ simpleResolvers: true })
export class MilestoneCohortCurves {
  @Field(() => Milestone) milestone: Milestone;
  @Field(() => [MilestoneCohort], { description: 'Oldest cohort first.' }) cohorts: MilestoneCohort[];
}

@ObjectType({ simpleResolvers: true, description: 'Cohort curves: the share of accounts that reached each milestone by day N of their journey, per start month.' })
export class TimeToMilestone {
  @Field(() => Outcome) outcome: Outcome;
  @Field(() => Int) maxDay: number;
  @Field(() => Int) step: number;
  @Field(() => [MilestoneCohortCurves], { description: 'In journey order.' }) milestones: MilestoneCohortCurves[];
}

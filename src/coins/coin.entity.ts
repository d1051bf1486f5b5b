import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, OneToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Rule, type RuleJson } from '../rules/rule.types';
import { Outcome } from '../outcomes/outcome.entity';

export enum Side {
  PROACTIVE = 'PROACTIVE',
  REACTIVE = 'REACTIVE',
}
registerEnumType(Side, {
  name: 'Side',
  description: 'PROACTIVE: value-adding moments the CS team creates. REACTIVE: what the customer does and says.',
  valuesConfig: {
    PROACTIVE: { description: 'What the CS team does: meetings, QBRs, trainings, the account keeping to its journey.' },
    REACTIVE: { description: 'What the customer does and says: usage, logins, tickets, NPS, invoices, tags.' },
  },
});

export enum Aggregation {
  COUNT = 'COUNT',
  DISTINCT_DAYS = 'DISTINCT_DAYS',
  DISTINCT_SUBJECTS = 'DISTINCT_SUBJECTS',
  SUM = 'SUM',
  AVG = 'AVG',
  MIN = 'MIN',
  MAX = 'MAX',
  LATEST = 'LATEST',
  DAYS_SINCE = 'DAYS_SINCE',
  JOURNEY_ADHERENCE = 'JOURNEY_ADHERENCE',
  /** What the account is: an account attribute (numeric, or text for CATEGORICAL scoring); it has no history. */
  ATTRIBUTE = 'ATTRIBUTE',
  /** Tenure: the account's journey day d. */
  JOURNEY_DAY = 'JOURNEY_DAY',
}
registerEnumType(Aggregation, {
  name: 'Aggregation',
  description: 'How a component turns the signals in its window into one value (docs/scoring.md, step 3).',
  valuesConfig: {
    COUNT: { description: 'Number of signals (0 when none).' },
    DISTINCT_DAYS: { description: 'Number of distinct UTC dates with a signal (0 when none).' },
    DISTINCT_SUBJECTS: { description: 'Number of distinct non-null subjects: features used, active users (0 when none).' },
    SUM: { description: 'Sum of the values (0 when none).' },
    AVG: { description: 'Mean of the values; missing when none.' },
    MIN: { description: 'Smallest value; missing when none.' },
    MAX: { description: 'Largest value; missing when none.' },
    LATEST: { description: 'Value of the newest signal with a value; missing when none.' },
    DAYS_SINCE: { description: 'Whole days since the newest signal (ignores the window); the journey day when there never was one.' },
    JOURNEY_ADHERENCE: { description: 'Weight of the due milestones achieved ÷ weight of the due milestones (0..1); 1 while none is due. Takes no signal type.' },
    ATTRIBUTE: { description: 'The account attribute named by `attribute` (a number; any value for CATEGORICAL scoring). Attributes have no history: a backtest reads today\'s.' },
    JOURNEY_DAY: { description: 'Whole days since the account\'s journey started (tenure).' },
  },
});

export enum ScoringFunctionType {
  LINEAR = 'LINEAR',
  BANDS = 'BANDS',
  PERCENTILE = 'PERCENTILE',
  /** A score per value (plan, contract type …), with a default for any other value. */
  CATEGORICAL = 'CATEGORICAL',
}
registerEnumType(ScoringFunctionType, {
  name: 'ScoringFunctionType',
  description: 'How a metric value becomes a 0-100 component score.',
  valuesConfig: {
    LINEAR: { description: 'clamp((v − floor) / (target − floor), 0, 1) × 100; floor > target means lower is better.' },
    BANDS: { description: 'The score of the band with the greatest min ≤ v; 0 below every band.' },
    PERCENTILE: { description: 'Rank among the cluster\'s accounts at the same time (50 when alone); needs higherIsBetter.' },
    CATEGORICAL: { description: 'A score per value (plan, contract type …) from `categories`, else `defaultScore`.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'CATEGORICAL scoring: the score of one attribute value. A value: no id.' })
export class ScoreCategory {
  @Field({ description: 'The attribute value, as text (true, 12, Month-to-month).' }) value: string;
  @Field(() => Float, { description: 'Score (0-100) of this value.' }) score: number;
}

@ObjectType({ simpleResolvers: true, description: 'BANDS scoring: values at or above `min` (up to the next band\'s min) score `score`. A value: no id.' })
export class ScoreBand {
  @Field(() => Float, { description: 'Lower bound (inclusive) of the band, in the metric\'s unit.' }) min: number;
  @Field(() => Float, { description: 'Score (0-100) of values in this band.' }) score: number;
}

@ObjectType({ simpleResolvers: true, description: 'Maps a metric value to a score in [0, 100].' })
export class ScoringFunction {
  @Field(() => ScoringFunctionType, { description: 'LINEAR, BANDS, PERCENTILE or CATEGORICAL; only that type\'s fields are set, the others are null.' }) type: ScoringFunctionType;
  @Field(() => Float, { nullable: true, description: 'LINEAR: value scoring 0.' }) floor?: number | null;
  @Field(() => Float, { nullable: true, description: 'LINEAR: value scoring 100 (below floor = lower is better).' }) target?: number | null;
  @Field(() => [ScoreBand], { nullable: true, description: 'BANDS: ascending by min.' }) bands?: ScoreBand[] | null;
  @Field(() => Boolean, { nullable: true, description: 'PERCENTILE: whether a higher value is better.' }) higherIsBetter?: boolean | null;
  @Field(() => [ScoreCategory], { nullable: true, description: 'CATEGORICAL: the score of each listed value.' }) categories?: ScoreCategory[] | null;
  @Field(() => Float, { nullable: true, description: 'CATEGORICAL: the score of any other value (none: such a value is missing).' }) defaultScore?: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'A component\'s scoring for one journey stage, replacing its default scoring there. A value: no id.' })
export class StageOverride {
  @Field({ description: 'Key of the journey stage in which this scoring applies.' }) stageKey: string;
  @Field(() => ScoringFunction, { description: 'The scoring used in that stage.' }) scoring: ScoringFunction;
}

@ObjectType({ simpleResolvers: true, description: 'What a component measures.' })
export class Metric {
  @Field(() => Aggregation, { description: 'How the signals in the window become one value (COUNT, SUM, DAYS_SINCE …).' }) aggregation: Aggregation;
  @Field(() => String, { nullable: true, description: 'Signal type; none for JOURNEY_ADHERENCE.' }) signalType?: string | null;
  @Field(() => String, { nullable: true, description: 'Only signals about this subject.' }) subject?: string | null;
  @Field(() => Int, { nullable: true, description: 'Window in days; none = since the beginning.' }) windowDays?: number | null;
  @Field(() => String, { nullable: true, description: 'Divide by this numeric account attribute (e.g. seats).' }) normalizeBy?: string | null;
  @Field(() => String, { nullable: true, description: 'ATTRIBUTE: the account attribute read (e.g. arr, contract).' }) attribute?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'The health score definition of one desired outcome: a proactive and a reactive side.' })
@Entity('coins')
export class Coin {
  @PrimaryColumn('uuid')
  workspaceId: string;

  /** One coin per outcome: the outcome's id (a stable key for client caches). */
  @Field(() => ID, { description: 'The id of its outcome (one coin per outcome).' })
  get id(): string {
    return this.outcomeId;
  }

  @Field(() => ID, { description: 'The desired outcome this coin scores (also its id).' })
  @PrimaryColumn('uuid')
  outcomeId: string;

  @Field(() => Float, { description: 'Weight of the proactive side (relative to reactiveWeight; the two need not add up to 100).' })
  @Column('double precision', { default: 50 })
  proactiveWeight: number;

  @Field(() => Float, { description: 'Weight of the reactive side (relative to proactiveWeight).' })
  @Column('double precision', { default: 50 })
  reactiveWeight: number;

  @Field({ description: 'When the coin was last defined.' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @OneToOne(() => Outcome, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'outcome_id', referencedColumnName: 'id' }])
  outcome?: Outcome;
}

@ObjectType({ simpleResolvers: true, description: 'One measured aspect of a coin side.' })
@Entity('components')
@Index('components_key', ['workspaceId', 'outcomeId', 'key'], { unique: true })
export class Component {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The component\'s row id (UUID): kept while its key stays the same across defineCoin calls; cache on it.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  outcomeId: string;

  @Field({ description: 'Stable key, unique within the coin (what defineCoin matches on).' })
  @Column('text')
  key: string;

  @Field({ description: 'Name, for display.' })
  @Column('text')
  name: string;

  @Field(() => Side, { description: 'PROACTIVE (what the CS team did) or REACTIVE (what the customer does and says).' })
  @Column('text')
  side: Side;

  @Field(() => Metric, { description: 'What it measures.' })
  @Column('jsonb')
  metric: Metric;

  @Field(() => ScoringFunction, { description: 'Default scoring: how the metric value becomes a 0-100 score, in every stage without an override.' })
  @Column('jsonb')
  scoring: ScoringFunction;

  @Field(() => Float, { description: 'Weight inside its side.' })
  @Column('double precision')
  weight: number;

  @Field(() => [StageOverride], { description: 'Scoring per journey stage, replacing the default in those stages; empty when none.' })
  @Column('jsonb', { default: () => "'[]'" })
  stageOverrides: StageOverride[];

  @Field(() => Rule, { nullable: true, description: 'The component counts only for accounts matching this rule.' })
  @Column('jsonb', { nullable: true })
  applicability: RuleJson | null;

  @Column('int')
  position: number;

  @ManyToOne(() => Coin, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'outcome_id', referencedColumnName: 'outcomeId' }])
  coin?: Coin;
}

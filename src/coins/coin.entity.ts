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
  description: 'How a component turns signals into one value (see the health model).',
  valuesConfig: {
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
registerEnumType(ScoringFunctionType, { name: 'ScoringFunctionType' });

@ObjectType({ simpleResolvers: true })
export class ScoreCategory {
  @Field({ description: 'The attribute value, as text (true, 12, Month-to-month).' }) value: string;
  @Field(() => Float) score: number;
}

@ObjectType({ simpleResolvers: true })
export class ScoreBand {
  @Field(() => Float) min: number;
  @Field(() => Float) score: number;
}

@ObjectType({ simpleResolvers: true, description: 'Maps a metric value to a score in [0, 100].' })
export class ScoringFunction {
  @Field(() => ScoringFunctionType) type: ScoringFunctionType;
  @Field(() => Float, { nullable: true, description: 'LINEAR: value scoring 0.' }) floor?: number | null;
  @Field(() => Float, { nullable: true, description: 'LINEAR: value scoring 100 (below floor = lower is better).' }) target?: number | null;
  @Field(() => [ScoreBand], { nullable: true, description: 'BANDS: ascending by min.' }) bands?: ScoreBand[] | null;
  @Field(() => Boolean, { nullable: true, description: 'PERCENTILE: whether a higher value is better.' }) higherIsBetter?: boolean | null;
  @Field(() => [ScoreCategory], { nullable: true, description: 'CATEGORICAL: the score of each listed value.' }) categories?: ScoreCategory[] | null;
  @Field(() => Float, { nullable: true, description: 'CATEGORICAL: the score of any other value (none: such a value is missing).' }) defaultScore?: number | null;
}

@ObjectType({ simpleResolvers: true })
export class StageOverride {
  @Field({ description: 'Key of the journey stage in which this scoring applies.' }) stageKey: string;
  @Field(() => ScoringFunction) scoring: ScoringFunction;
}

@ObjectType({ simpleResolvers: true, description: 'What a component measures.' })
export class Metric {
  @Field(() => Aggregation) aggregation: Aggregation;
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

  @Field(() => ID)
  @PrimaryColumn('uuid')
  outcomeId: string;

  @Field(() => Float)
  @Column('double precision', { default: 50 })
  proactiveWeight: number;

  @Field(() => Float)
  @Column('double precision', { default: 50 })
  reactiveWeight: number;

  @Field()
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

  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  outcomeId: string;

  @Field()
  @Column('text')
  key: string;

  @Field()
  @Column('text')
  name: string;

  @Field(() => Side)
  @Column('text')
  side: Side;

  @Field(() => Metric)
  @Column('jsonb')
  metric: Metric;

  @Field(() => ScoringFunction)
  @Column('jsonb')
  scoring: ScoringFunction;

  @Field(() => Float, { description: 'Weight inside its side.' })
  @Column('double precision')
  weight: number;

  @Field(() => [StageOverride])
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

import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, OneToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Outcome } from '../outcomes/outcome.entity';

export enum MilestoneCompletion {
  AUTOMATIC = 'AUTOMATIC',
  MANUAL = 'MANUAL',
}
registerEnumType(MilestoneCompletion, {
  name: 'MilestoneCompletion',
  description: 'AUTOMATIC: achieved when a signal condition first holds. MANUAL: a CSM marks it done.',
  valuesConfig: {
    AUTOMATIC: { description: 'Achieved at the signal with which its rule first held (a CSM completion also counts).' },
    MANUAL: { description: 'Achieved when a CSM marks it done (completeMilestone), at the date given.' },
  },
});

export enum MilestoneAggregation {
  COUNT = 'COUNT',
  DISTINCT_DAYS = 'DISTINCT_DAYS',
  DISTINCT_SUBJECTS = 'DISTINCT_SUBJECTS',
  SUM = 'SUM',
}
registerEnumType(MilestoneAggregation, {
  name: 'MilestoneAggregation',
  description: 'Cumulative measure since journey start.',
  valuesConfig: {
    COUNT: { description: 'Number of matching signals.' },
    DISTINCT_DAYS: { description: 'Number of distinct UTC dates with a matching signal.' },
    DISTINCT_SUBJECTS: { description: 'Number of distinct non-null subjects (e.g. features used).' },
    SUM: { description: 'Sum of the signals\' values.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'Automatic completion: `aggregation(signalType[:subject]) >= atLeast`, cumulative since journey start.' })
export class MilestoneRule {
  @Field({ description: 'The signal type counted, e.g. `feature_used`.' }) signalType: string;
  @Field(() => String, { nullable: true, description: 'Only signals about this subject (e.g. a feature key).' }) subject?: string | null;
  @Field(() => MilestoneAggregation, { description: 'How the matching signals since journey start are measured (COUNT, DISTINCT_DAYS …).' }) aggregation: MilestoneAggregation;
  @Field(() => Float, { description: 'Threshold (> 0): achieved when the cumulative measure reaches it.' }) atLeast: number;
}

@ObjectType({ simpleResolvers: true, description: 'The success journey (course map) of one desired outcome.' })
@Entity('journeys')
export class Journey {
  @PrimaryColumn('uuid')
  workspaceId: string;

  /** One journey per outcome: the outcome's id (a stable key for client caches). */
  @Field(() => ID, { description: 'The id of its outcome (one journey per outcome).' })
  get id(): string {
    return this.outcomeId;
  }

  @Field(() => ID, { description: 'The desired outcome this journey belongs to (also its id).' })
  @PrimaryColumn('uuid')
  outcomeId: string;

  @Field(() => Int, { description: 'A journey is STUCK when a milestone is overdue and none was achieved in this many days.' })
  @Column('int', { default: 30 })
  stuckAfterDays: number;

  @Field({ description: 'When the journey was last defined.' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @OneToOne(() => Outcome, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'outcome_id', referencedColumnName: 'id' }])
  outcome?: Outcome;
}

@ObjectType({ simpleResolvers: true, description: 'A stage of a journey, from its start day (days since journey start) until the next stage.' })
@Entity('journey_stages')
@Index('journey_stages_key', ['workspaceId', 'outcomeId', 'key'], { unique: true })
@Index('journey_stages_start_day_key', ['workspaceId', 'outcomeId', 'startDay'], { unique: true })
export class JourneyStage {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The stage\'s row id (UUID): kept while its key stays the same across defineJourney calls; cache on it.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  outcomeId: string;

  @Field({ description: 'Stable key, used to match stages when the journey is redefined and by component overrides.' })
  @Column('text')
  key: string;

  @Field({ description: 'Name, for display.' })
  @Column('text')
  name: string;

  @Field(() => Int, { description: 'Journey day (days since journey start) on which the stage begins; it lasts until the next stage\'s startDay.' })
  @Column('int')
  startDay: number;

  @ManyToOne(() => Journey, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'outcome_id', referencedColumnName: 'outcomeId' }])
  journey?: Journey;
}

@ObjectType({ simpleResolvers: true, description: 'A milestone the account is expected to reach by a day of its journey.' })
@Entity('milestones')
@Index('milestones_key', ['workspaceId', 'outcomeId', 'key'], { unique: true })
export class Milestone {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The milestone\'s row id (UUID): kept while its key stays the same across defineJourney calls (manual completions stay with it); cache on it.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  outcomeId: string;

  @Column('uuid')
  stageId: string;

  @Field({ description: 'Stable key, unique within the journey (what defineJourney matches on).' })
  @Column('text')
  key: string;

  @Field({ description: 'Name, for display.' })
  @Column('text')
  name: string;

  @Field(() => Int, { description: 'Days after journey start by which it is expected.' })
  @Column('int')
  expectedByDay: number;

  @Field(() => Float, { description: 'Weight (> 0) in journey adherence, relative to the other milestones.' })
  @Column('double precision')
  weight: number;

  @Field(() => MilestoneCompletion, { description: 'How it is achieved: AUTOMATIC (a signal rule) or MANUAL (a CSM marks it done).' })
  @Column('text')
  completion: MilestoneCompletion;

  @Field(() => MilestoneRule, { nullable: true, description: 'The signal rule of an AUTOMATIC milestone; null for MANUAL.' })
  @Column('jsonb', { nullable: true })
  rule: MilestoneRule | null;

  @Column('int')
  position: number;

  @ManyToOne(() => JourneyStage, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'stage_id', referencedColumnName: 'id' }])
  stage?: JourneyStage;
}

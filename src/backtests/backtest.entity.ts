/**
 * Backtests: the model checked against what happened (HEALTH-MODEL.md "Checking the model against what happened").
 * A backtest is a run (state, progress) over its cases — one per account with a lifecycle outcome in the period —
 * each scored as of D − horizon; its report is computed from the stored scores when the last case is scored.
 * Every backtest names the model version it scored, so versions can be compared side by side.
 */
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { ModelConfig } from '../scoring/model-config';
import { RunScope, ScoringRunState } from '../scoring/runs.entity';
import { BackgroundJob, progressOf } from '../shared/background-job';
import { BacktestReport } from './backtest.types';

export enum ContractedAs {
  RETAINED = 'RETAINED',
  CHURNED = 'CHURNED',
  EXCLUDED = 'EXCLUDED',
}
registerEnumType(ContractedAs, {
  name: 'ContractedAs',
  description: 'How a CONTRACTED account counts in a backtest (it is always reported apart as well).',
  valuesConfig: {
    RETAINED: { description: 'It stayed a customer (the default).' },
    CHURNED: { description: 'Lost revenue counts as churn.' },
    EXCLUDED: { description: 'Left out of every figure except the per-kind counts.' },
  },
});

export enum BacktestModelSource {
  LIVE = 'LIVE',
  VERSION = 'VERSION',
  DRAFT = 'DRAFT',
}
registerEnumType(BacktestModelSource, {
  name: 'BacktestModelSource',
  description: 'Which model a backtest scored.',
  valuesConfig: {
    LIVE: { description: 'The live model when the backtest started (its configuration is kept with the backtest).' },
    VERSION: { description: 'A recorded model version (`modelVersions`).' },
    DRAFT: { description: 'A model draft, before it is published.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'A check of a model against recorded lifecycle outcomes; poll it for progress, read `report` when SUCCEEDED.' })
@Entity('backtests')
@Index('backtests_created_idx', ['workspaceId', 'createdAt'])
@Index('backtests_open_idx', ['state', 'heartbeatAt'], { where: `"state" IN ('QUEUED', 'RUNNING')` })
export class Backtest extends BackgroundJob {
  @Field(() => ScoringRunState, { description: 'QUEUED → RUNNING → SUCCEEDED, FAILED or CANCELLED; poll until it is one of the last three.' })
  @Column('text', { default: ScoringRunState.QUEUED })
  state: ScoringRunState;

  @Field(() => BacktestModelSource, { description: 'Which model was scored: the live one, a version or a draft.' })
  @Column('text', { default: BacktestModelSource.LIVE })
  modelSource: BacktestModelSource;

  @Field(() => Int, { nullable: true, description: 'The model version scored (the live model\'s current version); null for a draft.' })
  @Column('int', { nullable: true })
  modelVersion: number | null;

  @Field(() => ID, { nullable: true, description: 'The draft scored, if one was.' })
  @Column('uuid', { nullable: true })
  draftId: string | null;

  /** The configuration scored, verbatim: a backtest stays reproducible while the model (or the draft) changes. */
  @Column('jsonb')
  config: ModelConfig;

  @Field({ description: 'sha256 of the scored configuration: equal hashes, equal models.' })
  @Column('text')
  modelHash: string;

  @Field(() => Int, { description: 'Each case is scored as of its outcome date minus this many days.' })
  @Column('int')
  horizonDays: number;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Outcomes dated on or after this day (none: from the first).' })
  @Column('date', { nullable: true })
  fromDate: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Outcomes dated on or before this day (none: up to today).' })
  @Column('date', { nullable: true })
  toDate: string | null;

  @Field(() => RunScope, { description: 'Which accounts\' outcomes were checked; empty = every account.' })
  @Column('jsonb', { default: () => "'{}'" })
  scope: RunScope;

  @Field(() => ContractedAs, { description: 'How CONTRACTED cases counted in the figures (they are also reported apart in report.lifecycleKinds).' })
  @Column('text', { default: ContractedAs.RETAINED })
  contractedAs: ContractedAs;

  @Field(() => Int, { description: 'Cases (account × outcome date) to score.' })
  @Column('int', { default: 0 })
  total: number;

  @Field(() => Int, { description: 'Cases scored so far.' })
  @Column('int', { default: 0 })
  done: number;

  @Field(() => Int, { description: 'Distinct as-of dates: one engine call each.' })
  @Column('int', { default: 0 })
  asOfDates: number;

  @Field(() => BacktestReport, { nullable: true, description: 'The figures, once SUCCEEDED.' })
  @Column('jsonb', { nullable: true })
  report: BacktestReport | null;

  @Field(() => Float, { description: 'done / total in [0, 1].' })
  get progress(): number {
    return progressOf(this);
  }
}

/**
 * One case: an account's lifecycle outcome on `occurredOn`, scored as of `asOf` = occurredOn − horizon (00:00 UTC).
 * Several outcomes of one account on one day make one case (the most severe kind: CHURNED, CONTRACTED, EXPANDED,
 * RENEWED).
 */
@Entity('backtest_cases')
@Index('backtest_cases_pending_idx', ['workspaceId', 'backtestId', 'asOf'], { where: 'NOT scored' })
export class BacktestCase {
  @PrimaryColumn('uuid') workspaceId: string;
  @PrimaryColumn('uuid') backtestId: string;
  @PrimaryColumn('uuid') accountId: string;
  @PrimaryColumn('date') occurredOn: string;
  @Column('text') kind: string;
  @Column('timestamptz') asOf: Date;
  @Column('uuid', { nullable: true }) clusterId: string | null;
  /** Account health at asOf (null: nothing to score it on). */
  @Column('float8', { nullable: true }) score: number | null;
  @Column('text', { nullable: true }) band: string | null;
  @Column('boolean', { default: false }) scored: boolean;

  @ManyToOne(() => Backtest, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'backtest_id', referencedColumnName: 'id' }])
  backtest?: Backtest;
}

/** A case's score per desired outcome, with its drivers (every component's raw value and score), for the report and the fit. */
@Entity('backtest_outcome_scores')
export class BacktestOutcomeScore {
  @PrimaryColumn('uuid') workspaceId: string;
  @PrimaryColumn('uuid') backtestId: string;
  @PrimaryColumn('uuid') accountId: string;
  @PrimaryColumn('date') occurredOn: string;
  @PrimaryColumn('uuid') outcomeId: string;
  @Column('float8', { nullable: true }) score: number | null;
  @Column('text') band: string;
  @Column('float8', { nullable: true }) coverage: number | null;
  @Column('jsonb') drivers: unknown[];

  @ManyToOne(() => Backtest, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'backtest_id', referencedColumnName: 'id' }])
  backtest?: Backtest;
}

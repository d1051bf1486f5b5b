/**
 * The health rows (the health read model's tables): scoring results. Snapshots are history (append, one row per account × outcome × asOf); the
 * `current_*` tables hold the newest result per account × outcome and per account: the fast read
 * path for lists, dashboards and filters. Every key leads with workspace_id.
 */
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Account } from '../accounts/account.entity';
import { Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';
// Relations to accounts and model versions by entity name, not by class: health/ sits below accounts/ (whose list
// reads health) and scoring/ (whose engine writes health), so it must not import them.
import type { ModelVersion } from '../scoring/model-version.entity';
import {
  ACCOUNT_RESULT_COLUMNS, applyColumns, CURRENT_ACCOUNT_COLUMNS, OUTCOME_RESULT_COLUMNS, PROVENANCE_COLUMNS, type OutcomeResult, type ValuesOf,
} from './health.columns';

/** Columns shared by the outcome snapshot and the current outcome health: the keys, then health.columns.ts's tables. */
abstract class OutcomeHealthColumns {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryColumn('uuid')
  accountId: string;

  @PrimaryColumn('uuid')
  outcomeId: string;
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the columns' properties, from their table
interface OutcomeHealthColumns extends OutcomeResult, ValuesOf<typeof PROVENANCE_COLUMNS> {}
applyColumns(OutcomeHealthColumns, { ...OUTCOME_RESULT_COLUMNS, ...PROVENANCE_COLUMNS });

@Entity('health_snapshots')
@Index('health_snapshots_outcome_time_idx', ['workspaceId', 'outcomeId', 'asOf'])
@Index('health_snapshots_run_idx', ['workspaceId', 'runId'], { where: '"run_id" IS NOT NULL' })
export class HealthSnapshot extends OutcomeHealthColumns {
  @PrimaryColumn('timestamptz')
  asOf: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;

  @ManyToOne(() => Outcome, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'outcome_id', referencedColumnName: 'id' }])
  outcome?: Outcome;

  @ManyToOne('ModelVersion', { onDelete: 'RESTRICT' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'model_version_id', referencedColumnName: 'id' }])
  modelVersion?: ModelVersion;
}

@Entity('current_outcome_health')
@Index('current_outcome_health_score_idx', ['workspaceId', 'outcomeId', 'score'])
@Index('current_outcome_health_journey_idx', ['workspaceId', 'outcomeId', 'journeyStatus', 'stageId', 'achievementStageId'])
export class CurrentOutcomeHealth extends OutcomeHealthColumns {
  @Column('timestamptz')
  asOf: Date;

  /** Stage by achievement: the stage of the first milestone not achieved yet (the last stage when all are); null without a journey. */
  @Column('uuid', { nullable: true })
  achievementStageId: string | null;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;

  @ManyToOne(() => Outcome, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'outcome_id', referencedColumnName: 'id' }])
  outcome?: Outcome;
}

/**
 * One row per current account × outcome × journey milestone, in native types: what journeyProgress
 * aggregates over a whole outcome (read off an index-only scan instead of unpacking every milestones jsonb).
 * Kept by the engine with current_outcome_health; follows it (and the milestone) on delete.
 */
@Entity('current_milestone_progress')
@Index('current_milestone_progress_histogram_idx', ['workspaceId', 'outcomeId', 'milestoneId', 'daysToAchieve', 'due', 'achievedOnTime'])
export class CurrentMilestoneProgress {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryColumn('uuid')
  outcomeId: string;

  @PrimaryColumn('uuid')
  accountId: string;

  @PrimaryColumn('uuid')
  milestoneId: string;

  /** Whole days from journey start to achievement; null while not achieved. */
  @Column('int', { nullable: true })
  daysToAchieve: number | null;

  /** Due at asOf: the account's journey day has reached the milestone's expected day. */
  @Column('boolean')
  due: boolean;

  /** Achieved by its expected day. */
  @Column('boolean')
  achievedOnTime: boolean;

  @ManyToOne(() => CurrentOutcomeHealth, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'accountId' },
    { name: 'outcome_id', referencedColumnName: 'outcomeId' },
  ])
  outcomeHealth?: CurrentOutcomeHealth;

  @ManyToOne(() => Milestone, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'milestone_id', referencedColumnName: 'id' }])
  milestone?: Milestone;
}

abstract class AccountHealthColumns {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryColumn('uuid')
  accountId: string;
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the columns' properties, from their table
interface AccountHealthColumns extends ValuesOf<typeof ACCOUNT_RESULT_COLUMNS>, ValuesOf<typeof PROVENANCE_COLUMNS> {}
applyColumns(AccountHealthColumns, { ...ACCOUNT_RESULT_COLUMNS, ...PROVENANCE_COLUMNS });

@Entity('account_health_snapshots')
export class AccountHealthSnapshot extends AccountHealthColumns {
  @PrimaryColumn('timestamptz')
  asOf: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;

  @ManyToOne('ModelVersion', { onDelete: 'RESTRICT' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'model_version_id', referencedColumnName: 'id' }])
  modelVersion?: ModelVersion;
}

@Entity('current_account_health')
@Index('current_account_health_score_idx', ['workspaceId', 'score'])
@Index('current_account_health_band_idx', ['workspaceId', 'band'])
export class CurrentAccountHealth extends AccountHealthColumns {
  @Column('timestamptz')
  asOf: Date;


  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;
}
// Worst journey status over the account's outcomes (STUCK > BEHIND > ON_TRACK > AHEAD), for filters.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the columns' properties, from their table
export interface CurrentAccountHealth extends ValuesOf<typeof CURRENT_ACCOUNT_COLUMNS> {}
applyColumns(CurrentAccountHealth, CURRENT_ACCOUNT_COLUMNS);

/**
 * Scoring results. Snapshots are history (append, one row per account × outcome × asOf); the
 * `current_*` tables hold the newest result per account × outcome and per account: the fast read
 * path for lists, dashboards and filters. Every key leads with workspace_id.
 */
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Milestone } from '../journeys/journey.entity';
import { Outcome } from '../outcomes/outcome.entity';

/**
 * A version of the workspace's health model: the whole scoring configuration that produced a score, kept verbatim
 * (`config`, hashed as `hash`: what snapshots point at), and, for versions recorded by a change of the model, its
 * number (only grows per workspace), the key-based document, who made it and why (src/model/).
 */
@Entity('model_versions')
@Index('model_versions_hash_idx', ['workspaceId', 'hash'])
@Index('model_versions_number_key', ['workspaceId', 'number'], { unique: true })
export class ModelVersion {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** 1, 2, 3 … per workspace, in the order the versions were recorded. */
  @Column('int')
  number: number;

  /** sha256 of the canonical JSON of `config`. */
  @Column('text')
  hash: string;

  @Column('jsonb')
  config: Record<string, unknown>;

  /** The model document (keys, no ids); null for versions recorded before documents existed. */
  @Column('jsonb', { nullable: true })
  document: Record<string, unknown> | null;

  /** sha256 of the canonical JSON of `document`. */
  @Column('text', { nullable: true })
  documentHash: string | null;

  /** Entity path (`component:<outcome>/<key>` …) → database id, so that a revert brings back the same ids. */
  @Column('jsonb', { nullable: true })
  ids: Record<string, string> | null;

  @Column('uuid', { nullable: true })
  actorKeyId: string | null;

  @Column('text', { nullable: true })
  actorName: string | null;

  @Column('text', { nullable: true })
  actorRole: string | null;

  @Column('text', { nullable: true })
  message: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** Columns shared by the outcome snapshot and the current outcome health. */
abstract class OutcomeHealthColumns {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryColumn('uuid')
  accountId: string;

  @PrimaryColumn('uuid')
  outcomeId: string;

  /** Null when every component is missing or not applicable. */
  @Column('double precision', { nullable: true })
  score: number | null;

  /** RED | YELLOW | GREEN | UNKNOWN */
  @Column('text')
  band: string;

  @Column('double precision', { nullable: true })
  proactive: number | null;

  @Column('double precision', { nullable: true })
  reactive: number | null;

  @Column('double precision', { nullable: true })
  coverage: number | null;

  @Column('uuid', { nullable: true })
  stageId: string | null;

  /** Whole days since journey start at asOf. */
  @Column('int')
  journeyDay: number;

  /** ON_TRACK | AHEAD | BEHIND | STUCK; null when the outcome has no journey. */
  @Column('text', { nullable: true })
  journeyStatus: string | null;

  @Column('int', { default: 0 })
  overdueCount: number;

  @Column('uuid', { nullable: true })
  nextMilestoneId: string | null;

  @Column('int', { nullable: true })
  daysUntilDue: number | null;

  /** [{componentId, key, name, side, rawValue, score, weight, effectiveWeight, contribution, pointsLost, applicable, missing}] */
  @Column('jsonb', { default: () => "'[]'" })
  drivers: unknown[];

  /** [{milestoneId, achievedAt, expectedByDay, weight}] */
  @Column('jsonb', { default: () => "'[]'" })
  milestones: unknown[];

  @Column('uuid')
  modelVersionId: string;

  @Column('uuid', { nullable: true })
  runId: string | null;
}

@Entity('health_snapshots')
@Index('health_snapshots_outcome_time_idx', ['workspaceId', 'outcomeId', 'asOf'])
@Index('health_snapshots_run_idx', ['workspaceId', 'runId'], { where: '"run_id" IS NOT NULL' })
export class HealthSnapshot extends OutcomeHealthColumns {
  @PrimaryColumn('timestamptz')
  asOf: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;

  @ManyToOne(() => Outcome, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'outcome_id', referencedColumnName: 'id' }])
  outcome?: Outcome;

  @ManyToOne(() => ModelVersion, { onDelete: 'RESTRICT' })
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

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
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

  /** Weighted mean of the non-null scores of the cluster's active outcomes; null when none. */
  @Column('double precision', { nullable: true })
  score: number | null;

  @Column('text')
  band: string;

  /** Outcome-weighted mean coverage of the scored outcomes. */
  @Column('double precision', { nullable: true })
  coverage: number | null;

  @Column('uuid')
  modelVersionId: string;

  @Column('uuid', { nullable: true })
  runId: string | null;
}

@Entity('account_health_snapshots')
export class AccountHealthSnapshot extends AccountHealthColumns {
  @PrimaryColumn('timestamptz')
  asOf: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;

  @ManyToOne(() => ModelVersion, { onDelete: 'RESTRICT' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'model_version_id', referencedColumnName: 'id' }])
  modelVersion?: ModelVersion;
}

@Entity('current_account_health')
@Index('current_account_health_score_idx', ['workspaceId', 'score'])
@Index('current_account_health_band_idx', ['workspaceId', 'band'])
export class CurrentAccountHealth extends AccountHealthColumns {
  @Column('timestamptz')
  asOf: Date;

  /** Worst journey status over the account's outcomes (STUCK > BEHIND > ON_TRACK > AHEAD), for filters. */
  @Column('text', { nullable: true })
  worstJourneyStatus: string | null;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;
}

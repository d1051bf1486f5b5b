/**
 * Previews: a draft scored beside the live model, stored apart from the live snapshots. The preview's id is the id
 * of the scoring run (kind PREVIEW) that computes it, chunk by chunk, with progress.
 */
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

@Entity('model_previews')
@Index('model_previews_created_idx', ['workspaceId', 'createdAt'])
export class ModelPreview {
  @PrimaryColumn('uuid')
  workspaceId: string;

  /** = the scoring run's id. */
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { nullable: true })
  draftId: string | null;

  @Column('text')
  draftName: string;

  @Column('timestamptz')
  asOf: Date;

  /** Both configurations, fixed when the preview starts, so that every chunk scores the same two models. */
  @Column('jsonb')
  liveConfig: Record<string, unknown>;

  @Column('jsonb')
  draftConfig: Record<string, unknown>;

  @Column('text')
  liveHash: string;

  @Column('text')
  draftHash: string;

  @Column('uuid', { nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** One account: its health and cluster under the live model (before) and under the draft (after). */
@Entity('model_preview_accounts')
@Index('model_preview_accounts_change_idx', ['workspaceId', 'previewId', 'change'])
export class ModelPreviewAccount {
  @PrimaryColumn('uuid') workspaceId: string;
  @PrimaryColumn('uuid') previewId: string;
  @PrimaryColumn('uuid') accountId: string;
  @Column('uuid', { nullable: true }) beforeClusterId: string | null;
  @Column('uuid', { nullable: true }) afterClusterId: string | null;
  @Column('double precision', { nullable: true }) beforeScore: number | null;
  @Column('text', { nullable: true }) beforeBand: string | null;
  @Column('double precision', { nullable: true }) afterScore: number | null;
  @Column('text', { nullable: true }) afterBand: string | null;
  /** after − before; null when either is null. */
  @Column('double precision', { nullable: true }) change: number | null;

  @ManyToOne(() => ModelPreview, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'preview_id', referencedColumnName: 'id' }])
  preview?: ModelPreview;
}

/** One account × outcome, under either model (an outcome only one of them scores has the other side null). */
@Entity('model_preview_outcomes')
export class ModelPreviewOutcome {
  @PrimaryColumn('uuid') workspaceId: string;
  @PrimaryColumn('uuid') previewId: string;
  @PrimaryColumn('uuid') accountId: string;
  @PrimaryColumn('uuid') outcomeId: string;
  @Column('double precision', { nullable: true }) beforeScore: number | null;
  @Column('text', { nullable: true }) beforeBand: string | null;
  @Column('double precision', { nullable: true }) afterScore: number | null;
  @Column('text', { nullable: true }) afterBand: string | null;
  @Column('double precision', { nullable: true }) change: number | null;
  /** Component key → contribution (points of the outcome score) under the live model. */
  @Column('jsonb', { nullable: true }) beforeContributions: Record<string, number> | null;
  /** The components that moved the score most: [{ key, before, after, change }], by |change|. */
  @Column('jsonb', { nullable: true }) movers: Array<{ key: string; before: number; after: number; change: number }> | null;

  @ManyToOne(() => ModelPreview, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'preview_id', referencedColumnName: 'id' }])
  preview?: ModelPreview;
}

import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A proposed model: a whole document, edited and previewed apart from the live model until it is published. */
@Entity('model_drafts')
@Index('model_drafts_created_idx', ['workspaceId', 'createdAt'])
export class ModelDraft {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  /** A valid model document (see model.document.ts); replaced whole. */
  @Column('jsonb')
  document: Record<string, unknown>;

  @Column('text')
  documentHash: string;

  /** Entity path → database id of the version it was taken from: entities it brings back keep their old ids. */
  @Column('jsonb', { default: () => "'{}'" })
  ids: Record<string, string>;

  /** The version it was taken from (null: the live model had no recorded version yet). */
  @Column('int', { nullable: true })
  baseVersion: number | null;

  @Column('uuid', { nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

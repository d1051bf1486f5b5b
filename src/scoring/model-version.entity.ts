import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

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

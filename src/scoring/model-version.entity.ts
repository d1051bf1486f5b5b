import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** The whole scoring configuration of a workspace that produced a score, kept verbatim. */
@Entity('model_versions')
@Index('model_versions_hash_key', ['workspaceId', 'hash'], { unique: true })
export class ModelVersion {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** sha256 of the canonical JSON of `config`. */
  @Column('text')
  hash: string;

  @Column('jsonb')
  config: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

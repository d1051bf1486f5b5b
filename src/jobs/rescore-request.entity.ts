/**
 * The rescore request row (src/jobs/rescore-requests.ts says who writes and who drains them). In a file of its own with
 * no value imports but TypeORM's: src/entities.ts lists it, and the data source that reads that list is imported by
 * the tenant scope the writers use, so an entity file importing them would be a module cycle.
 */
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { Workspace } from '../workspaces/workspace.entity';

/**
 * Accounts whose signals changed and that await the incremental rescore. Append-only rows (one per
 * ingestion call) so that ingestion never waits on a lock; the rescore job deletes the rows it scores
 * in the same transaction as the scores, so a crash leaves them for the next attempt. Account ids
 * are an array (no foreign key): ids of deleted accounts simply score nothing.
 */
@Entity('rescore_requests')
export class RescoreRequest {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('uuid', { array: true })
  accountIds: string[];

  @Column('timestamptz', { default: () => 'now()' })
  requestedAt: Date;

  // By entity name: jobs/ is plumbing under every feature folder.
  @ManyToOne('Workspace', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;
}

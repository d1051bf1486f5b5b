/**
 * Rescore requests: the accounts whose evidence changed (signals, touchpoints, account attributes, cluster rules), left
 * for the incremental rescore job. Every writer (accounts/, signals/, imports/, touchpoints/, clusters/) records one in
 * its own transaction; scoring/ drains them (src/scoring/rescore.ts). They live here, beside the queue, because they
 * are a message between those folders and scoring/: the writers need no import of scoring/ (which reads their tables),
 * and scoring/ none of theirs.
 */
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { isUuid, type TenantScope } from '../shared/tenant';
import type { Workspace } from '../workspaces/workspace.entity';
import { enqueue, JOBS } from './queue';

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

/** Enqueue an incremental rescore of these accounts (after new signals, tags, completions). */
export async function requestRescore(scope: TenantScope, accountIds: string[]): Promise<void> {
  const ids = [...new Set(accountIds)].filter(isUuid);
  if (!ids.length) return;
  await scope.query('INSERT INTO rescore_requests (workspace_id, account_ids) VALUES ($1::uuid, $2::uuid[])', [ids]);
  // Inside a transaction the job row joins it, so the worker never looks before the request is visible.
  await enqueue(scope.db, JOBS.RESCORE_ACCOUNTS, { workspaceId: scope.workspaceId }, { singletonKey: scope.workspaceId, manager: scope.inTransaction ? scope.manager : undefined });
}

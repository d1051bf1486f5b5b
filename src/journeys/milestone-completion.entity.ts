import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
// The account by entity name: journeys/ sits below accounts/ (whose health reads journeys), so it must not import it.
import type { Account } from '../accounts/account.entity';
import { Milestone } from './journey.entity';

/** A manual milestone marked done by a CSM, with the date it was achieved. */
@Entity('milestone_completions')
export class MilestoneCompletionRecord {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryColumn('uuid')
  accountId: string;

  @PrimaryColumn('uuid')
  milestoneId: string;

  @Column('timestamptz')
  achievedAt: Date;

  @Column('text', { nullable: true })
  note: string | null;

  @Column('uuid', { nullable: true })
  completedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;

  @ManyToOne(() => Milestone, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'milestone_id', referencedColumnName: 'id' }])
  milestone?: Milestone;
}

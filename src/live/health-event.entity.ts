/**
 * Health events (band changed, milestone achieved, milestone newly overdue), written by
 * `publishHealthChanges` after scoring. They are kept so that every server instance can load a
 * published batch by id (the NOTIFY payload only carries workspace id + batch id) and so that a
 * client that reconnects can catch up (`healthEvents(since:)`).
 */
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Account } from '../accounts/account.entity';

@Entity('health_events')
@Index('health_events_batch_idx', ['workspaceId', 'batchId'])
// healthEvents pages by (created_at, id) (src/live/hub.ts).
@Index('health_events_created_idx', ['workspaceId', 'createdAt', 'id'])
export class HealthEventRecord {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** One publish call = one batch = one NOTIFY. */
  @Column('uuid')
  batchId: string;

  /** BAND_CHANGED | MILESTONE_ACHIEVED | MILESTONE_OVERDUE */
  @Column('text')
  kind: string;

  @Column('uuid')
  accountId: string;

  /** Null for a change of the account's overall band. */
  @Column('uuid', { nullable: true })
  outcomeId: string | null;

  @Column('uuid', { nullable: true })
  milestoneId: string | null;

  @Column('text', { nullable: true })
  fromBand: string | null;

  @Column('text', { nullable: true })
  toBand: string | null;

  @Column('double precision', { nullable: true })
  score: number | null;

  @Column('double precision', { nullable: true })
  previousScore: number | null;

  @Column('int', { nullable: true })
  daysOverdue: number | null;

  /** The scoring time (snapshot asOf) that produced the event. */
  @Column('timestamptz')
  asOf: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;
}

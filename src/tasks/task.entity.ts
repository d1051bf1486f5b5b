/** Tasks for the CS team: opened by plays (or later by hand), owned by a person, closed as DONE or DISMISSED. */
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Account } from '../accounts/account.entity';

export enum TaskStatus { OPEN = 'OPEN', DONE = 'DONE', DISMISSED = 'DISMISSED' }
export enum TaskPriority { LOW = 'LOW', MEDIUM = 'MEDIUM', HIGH = 'HIGH', URGENT = 'URGENT' }
registerEnumType(TaskStatus, { name: 'TaskStatus', description: 'OPEN until someone marks it DONE or DISMISSED.' });
registerEnumType(TaskPriority, { name: 'TaskPriority' });

@ObjectType({ simpleResolvers: true, description: 'Work for the CS team on one account, opened by a play.' })
@Entity('tasks')
// A play keeps at most one OPEN task per account × outcome: the task stays open until someone closes it.
@Index('tasks_open_play_key', ['workspaceId', 'playId', 'accountId', 'scopeKey'], { unique: true, where: `"status" = 'OPEN' AND "play_id" IS NOT NULL` })
@Index('tasks_account_idx', ['workspaceId', 'accountId', 'status'])
@Index('tasks_status_due_idx', ['workspaceId', 'status', 'dueOn', 'id'])
export class Task {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column('uuid')
  accountId: string;

  @Field(() => ID, { nullable: true })
  @Column('uuid', { nullable: true })
  outcomeId: string | null;

  /** The play that opened it (no foreign key: tasks outlive a deleted play). */
  @Field(() => ID, { nullable: true })
  @Column('uuid', { nullable: true })
  playId: string | null;

  @Column('uuid', { nullable: true })
  firingId: string | null;

  @Column('text', { default: '' })
  scopeKey: string;

  @Field()
  @Column('text')
  title: string;

  @Field(() => String, { nullable: true, description: 'Who should do it: the account\'s csmOwner or the play\'s named owner.' })
  @Column('text', { nullable: true })
  owner: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @Column('date', { nullable: true })
  dueOn: string | null;

  @Field(() => TaskPriority)
  @Column('text', { default: TaskPriority.MEDIUM })
  priority: TaskPriority;

  @Field(() => TaskStatus)
  @Column('text', { default: TaskStatus.OPEN })
  status: TaskStatus;

  /** API key id of who last changed the status (null: opened by a play). */
  @Field(() => String, { nullable: true, description: 'API key id of who last changed the status.' })
  @Column('text', { nullable: true })
  statusChangedBy: string | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  statusChangedAt: Date | null;

  @Field()
  @Column('text', { default: '' })
  notes: string;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;
}

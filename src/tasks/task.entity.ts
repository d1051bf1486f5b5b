/** Tasks for the CS team: opened by plays (or later by hand), owned by a person, closed as DONE or DISMISSED. */
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Account } from '../accounts/account.entity';

export enum TaskStatus { OPEN = 'OPEN', DONE = 'DONE', DISMISSED = 'DISMISSED' }
export enum TaskPriority { LOW = 'LOW', MEDIUM = 'MEDIUM', HIGH = 'HIGH', URGENT = 'URGENT' }
registerEnumType(TaskStatus, {
  name: 'TaskStatus',
  description: 'OPEN until someone marks it DONE or DISMISSED.',
  valuesConfig: {
    OPEN: { description: 'To do.' },
    DONE: { description: 'Done (who and when are recorded).' },
    DISMISSED: { description: 'Closed without action (not needed, or a false alarm).' },
  },
});
registerEnumType(TaskPriority, {
  name: 'TaskPriority',
  description: 'How urgent a task is, as the play that opened it said.',
  valuesConfig: {
    LOW: { description: 'When there is time.' },
    MEDIUM: { description: 'This week.' },
    HIGH: { description: 'Before other work.' },
    URGENT: { description: 'Today.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'Work for the CS team on one account, opened by a play.' })
@Entity('tasks')
// A play keeps at most one OPEN task per account × outcome: the task stays open until someone closes it.
@Index('tasks_open_play_key', ['workspaceId', 'playId', 'accountId', 'scopeKey'], { unique: true, where: `"status" = 'OPEN' AND "play_id" IS NOT NULL` })
@Index('tasks_account_idx', ['workspaceId', 'accountId', 'status'])
@Index('tasks_status_due_idx', ['workspaceId', 'status', 'dueOn', 'id'])
export class Task {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The task\'s row id (UUID); stable: cache on it.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { description: 'The account the task is about (also reachable as `account`).' })
  @Column('uuid')
  accountId: string;

  @Field(() => ID, { nullable: true, description: 'The desired outcome that fired the play (outcome-level triggers); null for account-level ones.' })
  @Column('uuid', { nullable: true })
  outcomeId: string | null;

  /** The play that opened it (no foreign key: tasks outlive a deleted play). */
  @Field(() => ID, { nullable: true, description: 'The play that opened it; null when no play did. May name a play deleted since (tasks outlive their play).' })
  @Column('uuid', { nullable: true })
  playId: string | null;

  @Column('uuid', { nullable: true })
  firingId: string | null;

  @Column('text', { default: '' })
  scopeKey: string;

  @Field({ description: 'What to do, for display (the play\'s title template, filled in).' })
  @Column('text')
  title: string;

  @Field(() => String, { nullable: true, description: 'Who should do it: the account\'s csmOwner or the play\'s named owner.' })
  @Column('text', { nullable: true })
  owner: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'The day it is due (YYYY-MM-DD); null when it has no due date.' })
  @Column('date', { nullable: true })
  dueOn: string | null;

  @Field(() => TaskPriority, { description: 'LOW, MEDIUM, HIGH or URGENT.' })
  @Column('text', { default: TaskPriority.MEDIUM })
  priority: TaskPriority;

  @Field(() => TaskStatus, { description: 'OPEN, DONE or DISMISSED.' })
  @Column('text', { default: TaskStatus.OPEN })
  status: TaskStatus;

  /** API key id of who last changed the status (null: opened by a play). */
  @Field(() => String, { nullable: true, description: 'API key id of who last changed the status.' })
  @Column('text', { nullable: true })
  statusChangedBy: string | null;

  @Field(() => Date, { nullable: true, description: 'When the status last changed; null while it never did.' })
  @Column('timestamptz', { nullable: true })
  statusChangedAt: Date | null;

  @Field({ description: 'Free-text notes of the team; empty string when none.' })
  @Column('text', { default: '' })
  notes: string;

  @Field({ description: 'When the task was opened.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field({ description: 'When its status or notes last changed.' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;
}

import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
// The account by entity name: signals/ sits below accounts/ (whose health reads the journeys that read signal rules).
import type { Account } from '../accounts/account.entity';

/**
 * One fact about an account at a time. Append-only; the scoring engine reads it set-based.
 * (account, type, occurred_at) is the access path of every metric and milestone query.
 */
@ObjectType({ simpleResolvers: true, description: 'One fact about an account at a time (a login, a meeting, a pulse, a tag …).' })
@Entity('signals')
@Index('signals_account_type_time_idx', ['workspaceId', 'accountId', 'type', 'occurredAt'])
@Index('signals_idempotency_key', ['workspaceId', 'idempotencyKey'], { unique: true, where: '"idempotency_key" IS NOT NULL' })
// (workspace, type, occurred_at) INCLUDE (account_id): the PERCENTILE peers of a targeted rescore; migration SignalsTypeTimeIndex.
@Index('signals_type_time_idx', { synchronize: false })
export class Signal {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The signal\'s row id (a number, as a string); stable: cache on it.' })
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Field(() => ID, { description: 'The account the signal is about.' })
  @Column('uuid')
  accountId: string;

  @Field({ description: 'What happened, e.g. `login`, `feature_used`, `meeting`, `csm_pulse`, `tag:champion_left`.' })
  @Column('text')
  type: string;

  @Field(() => String, { nullable: true, description: 'What it was about (a feature key, a note …); null when not given.' })
  @Column('text', { nullable: true })
  subject: string | null;

  @Field(() => Float, { nullable: true, description: 'Its number (an amount, a pulse 1-5, 1/0 for a tag); null when it has none.' })
  @Column('double precision', { nullable: true })
  value: number | null;

  @Field({ description: 'When it happened (what scoring windows read).' })
  @Column('timestamptz')
  occurredAt: Date;

  @Field(() => String, { nullable: true, description: 'The sender\'s key for retries: a second signal with the same key is a duplicate and is not stored. Null when none was given.' })
  @Column('text', { nullable: true })
  idempotencyKey: string | null;

  @Field({ description: 'When the API stored it.' })
  @Column('timestamptz', { default: () => 'now()' })
  ingestedAt: Date;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;
}

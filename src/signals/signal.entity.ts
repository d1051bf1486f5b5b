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

  @Field(() => ID)
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Field(() => ID)
  @Column('uuid')
  accountId: string;

  @Field()
  @Column('text')
  type: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  subject: string | null;

  @Field(() => Float, { nullable: true })
  @Column('double precision', { nullable: true })
  value: number | null;

  @Field()
  @Column('timestamptz')
  occurredAt: Date;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  idempotencyKey: string | null;

  @Field()
  @Column('timestamptz', { default: () => 'now()' })
  ingestedAt: Date;

  @ManyToOne('Account', { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;
}

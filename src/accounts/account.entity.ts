import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject, LocalDateResolver } from 'graphql-scalars';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Cluster } from '../clusters/cluster.entity';
import type { AccountHealth, OutcomeHealth } from '../health/health.types';

export enum LifecycleOutcomeKind {
  RENEWED = 'RENEWED',
  EXPANDED = 'EXPANDED',
  CONTRACTED = 'CONTRACTED',
  CHURNED = 'CHURNED',
}
registerEnumType(LifecycleOutcomeKind, {
  name: 'LifecycleOutcomeKind',
  description: 'What really happened to an account, to check the model against.',
  valuesConfig: {
    RENEWED: { description: 'Renewed at the same size (retained).' },
    EXPANDED: { description: 'Renewed or grew with more seats, plan or products (retained).' },
    CONTRACTED: { description: 'Stayed but shrank.' },
    CHURNED: { description: 'Left.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'A customer account.' })
@Entity('accounts')
@Index('accounts_external_id_key', ['workspaceId', 'externalId'], { unique: true })
@Index('accounts_cluster_idx', ['workspaceId', 'clusterId'])
// Expression indexes (lower(name)) for name-ordered pages, created in migration AccountListIndexes.
@Index('accounts_cluster_name_idx', { synchronize: false })
@Index('accounts_name_idx', { synchronize: false })
export class Account {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'Stable id, given by the API at creation.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Your id for the account (unique per workspace); ingestion uses it.' })
  @Column('text')
  externalId: string;

  @Field({ description: 'Display name.' })
  @Column('text')
  name: string;

  @Field(() => GraphQLJSONObject, { description: 'Free attributes: plan, arr, seats, region, managed …' })
  @Column('jsonb', { default: () => "'{}'" })
  attributes: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: 'The CSM who owns the account (e.g. an email); null for tech-touch accounts.' })
  @Column('text', { nullable: true })
  csmOwner: string | null;

  @Field({ description: 'Day 0 of the success journey.' })
  @Column('timestamptz')
  journeyStartedAt: Date;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Next renewal (YYYY-MM-DD), when known.' })
  @Column('date', { nullable: true })
  renewalDate: string | null;

  @Column('uuid')
  clusterId: string;

  @Field({ description: 'When it was first upserted.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field({ description: 'When it was last changed by an upsert.' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @ManyToOne(() => Cluster, { onDelete: 'RESTRICT' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'cluster_id', referencedColumnName: 'id' }])
  cluster?: Cluster;

  /** Relations a page of the account list read along (src/accounts/account.plan.ts); their resolvers load what is not here. Not stored. */
  planned?: { health?: AccountHealth; outcomes?: OutcomeHealth[]; cluster?: Cluster };
}

@ObjectType({ simpleResolvers: true, description: 'A recorded renewal, expansion, contraction or churn.' })
@Entity('lifecycle_outcomes')
export class LifecycleOutcome {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryColumn('uuid')
  accountId: string;

  @Field(() => LifecycleOutcomeKind, { description: 'RENEWED, EXPANDED, CONTRACTED or CHURNED.' })
  @PrimaryColumn('text')
  kind: LifecycleOutcomeKind;

  @Field(() => LocalDateResolver, { description: 'The day it happened (YYYY-MM-DD).' })
  @PrimaryColumn('date')
  occurredOn: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;
}

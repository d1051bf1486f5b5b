/**
 * Plays: a trigger over an account's health (scoped to clusters and outcomes) and the actions it takes when the
 * trigger starts to hold — open a task, deliver a webhook. A firing records one play × account × outcome for as
 * long as the condition holds; the partial unique index on open firings is what makes evaluation idempotent when
 * several instances evaluate at once.
 */
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PlayTaskAction, PlayTrigger } from './play.gql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { WebhookEndpoint } from '../webhooks/webhook.entity';
import type { PlayTaskSpec, PlayTriggerSpec } from './play.trigger';

@ObjectType({ simpleResolvers: true, description: 'A play: a trigger over account health and the actions it takes when the trigger starts to hold.' })
@Entity('plays')
@Index('plays_name_key', ['workspaceId', 'name'], { unique: true })
export class Play {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The play\'s row id (UUID); stable: cache on it.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Unique name in the workspace, for display.' })
  @Column('text')
  name: string;

  @Field(() => String, { nullable: true, description: 'What the play is for; null when none was given.' })
  @Column('text', { nullable: true })
  description: string | null;

  @Field({ description: 'Disabled plays are not evaluated; their tasks stay.' })
  @Column('boolean', { default: true })
  enabled: boolean;

  /** {kind, band, bands, points, days, coverageBelow, journeyStatuses, milestoneId, tag, touchpointTypes} (play.trigger.ts). */
  @Field(() => PlayTrigger, { description: 'When it fires: the trigger kind and its parameters.' })
  @Column('jsonb')
  trigger: PlayTriggerSpec;

  /** Empty = every cluster. Ids of clusters deleted later simply match nothing. */
  @Field(() => [ID], { description: 'Empty: every cluster.' })
  @Column('uuid', { array: true, default: () => "'{}'" })
  clusterIds: string[];

  /** Empty = every outcome (outcome-level triggers only). */
  @Field(() => [ID], { description: 'Empty: every outcome (outcome-level triggers).' })
  @Column('uuid', { array: true, default: () => "'{}'" })
  outcomeIds: string[];

  /** Days after a firing before the same play may fire again for the same account × outcome. */
  @Field(() => Int, { description: 'Days after a firing before the play may fire again for the same account × outcome.' })
  @Column('int', { default: 7 })
  cooldownDays: number;

  /** The task to open, or null for a webhook-only play. */
  @Field(() => PlayTaskAction, { nullable: true, description: 'The task it opens; null for a webhook-only play.' })
  @Column('jsonb', { nullable: true })
  task: PlayTaskSpec | null;

  @Field(() => ID, { nullable: true, description: 'The webhook endpoint it delivers to (details: webhookEndpoints, ADMIN).' })
  @Column('uuid', { nullable: true })
  webhookEndpointId: string | null;

  @Field({ description: 'When the play was created.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field({ description: 'When its definition last changed (or it was enabled or disabled).' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'NO ACTION' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'webhook_endpoint_id', referencedColumnName: 'id' }])
  webhookEndpoint?: WebhookEndpoint;
}

@Entity('play_firings')
// One open firing per play × account × outcome ('' for account-level triggers): the no-flood rule, enforced by PostgreSQL.
@Index('play_firings_open_key', ['workspaceId', 'playId', 'accountId', 'scopeKey'], { unique: true, where: '"cleared_at" IS NULL' })
@Index('play_firings_recent_idx', ['workspaceId', 'playId', 'accountId', 'scopeKey', 'firedAt'])
export class PlayFiring {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  playId: string;

  @Column('uuid')
  accountId: string;

  /** Null for account-level triggers (tag, renewal, touchpoint). */
  @Column('uuid', { nullable: true })
  outcomeId: string | null;

  /** outcome id as text, or '' for account-level triggers (a NOT NULL key for the unique index). */
  @Column('text')
  scopeKey: string;

  @Column('timestamptz')
  firedAt: Date;

  /** When the condition stopped holding; null while it holds. */
  @Column('timestamptz', { nullable: true })
  clearedAt: Date | null;

  @ManyToOne(() => Play, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'play_id', referencedColumnName: 'id' }])
  play?: Play;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'account_id', referencedColumnName: 'id' }])
  account?: Account;
}

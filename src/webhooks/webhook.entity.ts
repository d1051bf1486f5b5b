/**
 * Webhook endpoints (where plays deliver), deliveries (one per firing × endpoint; its id is the idempotency id in
 * the payload) and the attempts of each delivery (the delivery log).
 */
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum DeliveryState { PENDING = 'PENDING', SENDING = 'SENDING', DELIVERED = 'DELIVERED', DEAD = 'DEAD' }
registerEnumType(DeliveryState, {
  name: 'DeliveryState',
  description: 'PENDING (waiting for its next attempt), SENDING, DELIVERED (a 2xx answer), DEAD (attempts or retry window used up: dead-letter).',
  valuesConfig: {
    PENDING: { description: 'Waiting for its next attempt.' },
    SENDING: { description: 'An attempt is under way.' },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    DEAD: { description: 'Attempts or retry window used up (dead-letter); redeliverWebhook sends it again.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'Where plays deliver signed webhooks (ADMIN).' })
@Entity('webhook_endpoints')
@Index('webhook_endpoints_name_key', ['workspaceId', 'name'], { unique: true })
export class WebhookEndpoint {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The endpoint\'s row id (UUID); stable: cache on it.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Unique name in the workspace, for display and for picking it in a play.' })
  @Column('text')
  name: string;

  @Field({ description: 'Where deliveries are POSTed (https://).' })
  @Column('text')
  url: string;

  /** The signing secret, AES-256-GCM encrypted with the server key (webhook.secret.ts); never stored in clear. */
  @Column('text')
  secretCiphertext: string;

  /** The secret's first characters, to tell secrets apart. */
  @Field({ description: 'The first characters of the signing secret (the secret itself is shown once).' })
  @Column('text')
  secretPrefix: string;

  @Field({ description: 'False: nothing is sent to it; its deliveries fail at once ("The endpoint is disabled.") and are not retried: redeliverWebhook once it is enabled again.' })
  @Column('boolean', { default: true })
  enabled: boolean;

  /** Failed attempts since the last success: a play that keeps failing is reported, not silently disabled. */
  @Field(() => Int, { description: 'Failed attempts since the last success.' })
  @Column('int', { default: 0 })
  consecutiveFailures: number;

  @Field(() => String, { nullable: true, description: 'The last failed attempt\'s error (status or network error); null when none failed yet.' })
  @Column('text', { nullable: true })
  lastError: string | null;

  @Field(() => Date, { nullable: true, description: 'When an attempt last got a 2xx answer; null if never.' })
  @Column('timestamptz', { nullable: true })
  lastSuccessAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When an attempt last failed; null if never.' })
  @Column('timestamptz', { nullable: true })
  lastFailureAt: Date | null;

  @Field({ description: 'When the endpoint was created.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

@ObjectType({ simpleResolvers: true, description: 'One webhook to deliver: its payload, state and attempts.' })
@Entity('webhook_deliveries')
@Index('webhook_deliveries_endpoint_idx', ['workspaceId', 'endpointId', 'createdAt'])
// The recovery sweep (all workspaces) looks for deliveries whose job was lost.
@Index('webhook_deliveries_due_idx', ['state', 'nextAttemptAt'], { where: `"state" IN ('PENDING', 'SENDING')` })
export class WebhookDelivery {
  @PrimaryColumn('uuid')
  workspaceId: string;

  /** Also the idempotency id sent in every attempt's payload and headers. */
  @Field(() => ID, { description: 'Also the idempotency id in the payload (`id`) and the x-oh-delivery header.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { description: 'The endpoint it goes to.' })
  @Column('uuid')
  endpointId: string;

  @Field(() => ID, { nullable: true, description: 'The play that fired it; null when the play was deleted since.' })
  @Column('uuid', { nullable: true })
  playId: string | null;

  @Field(() => ID, { nullable: true, description: 'The account the play fired for; null when the account was deleted since.' })
  @Column('uuid', { nullable: true })
  accountId: string | null;

  @Field({ description: 'The event in the payload, e.g. "play.fired".' })
  @Column('text')
  event: string;

  /** The body without its id (added when sent): event, play, account, scores, top drivers at firing time. */
  @Field(() => GraphQLJSONObject, { description: 'The body sent, without its id.' })
  @Column('jsonb')
  payload: Record<string, unknown>;

  @Field(() => DeliveryState, { description: 'Where it stands: PENDING, SENDING, DELIVERED or DEAD.' })
  @Column('text', { default: DeliveryState.PENDING })
  state: DeliveryState;

  @Field(() => Int, { description: 'Attempts made so far (every retry and redelivery counts).' })
  @Column('int', { default: 0 })
  attempts: number;

  /** `attempts` when the current retry window started (a redelivery gets a fresh attempt budget; the log keeps counting). */
  @Column('int', { default: 0 })
  attemptBase: number;

  @Field({ description: 'PENDING: when the next attempt is due.' })
  @Column('timestamptz', { default: () => 'now()' })
  nextAttemptAt: Date;

  /** When the current attempt was claimed (state SENDING). */
  @Column('timestamptz', { nullable: true })
  claimedAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt; null when it got no answer (network error, timeout) or none was made yet.' })
  @Column('int', { nullable: true })
  lastStatusCode: number | null;

  @Field(() => String, { nullable: true, description: 'Error of the last failed attempt; null after a success or before any attempt.' })
  @Column('text', { nullable: true })
  lastError: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was delivered (2xx); null until then.' })
  @Column('timestamptz', { nullable: true })
  deliveredAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it went DEAD; null unless dead.' })
  @Column('timestamptz', { nullable: true })
  deadAt: Date | null;

  /** Start of the retry window (creation, or the last manual redelivery). */
  @Column('timestamptz', { default: () => 'now()' })
  windowStartedAt: Date;

  @Field({ description: 'When the play fired it.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'endpoint_id', referencedColumnName: 'id' }])
  endpoint?: WebhookEndpoint;
}

@ObjectType({ simpleResolvers: true, description: 'One call of a delivery: the delivery log.' })
@Entity('webhook_attempts')
export class WebhookAttempt {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryColumn('uuid')
  deliveryId: string;

  @Field(() => Int, { description: '1, 2, 3 … in the order made (a key within its delivery).' })
  @PrimaryColumn('int')
  attempt: number;

  @Field({ description: 'When the call started.' })
  @Column('timestamptz')
  startedAt: Date;

  @Field(() => Int, { nullable: true, description: 'HTTP status answered; null when there was no answer (network error, timeout).' })
  @Column('int', { nullable: true })
  statusCode: number | null;

  @Field(() => Int, { description: 'Milliseconds until the answer (or the failure).' })
  @Column('int')
  latencyMs: number;

  @Field(() => String, { nullable: true, description: 'Why it failed (non-2xx status, network error, timeout); null on success.' })
  @Column('text', { nullable: true })
  error: string | null;

  /** At most the first 512 characters of the response body. */
  @Field(() => String, { nullable: true, description: 'At most the first 512 characters of the response body.' })
  @Column('text', { nullable: true })
  responseExcerpt: string | null;

  @ManyToOne(() => WebhookDelivery, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'delivery_id', referencedColumnName: 'id' }])
  delivery?: WebhookDelivery;
}

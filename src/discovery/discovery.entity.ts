/**
 * Cluster discovery: a background job that groups a scope's accounts by how they use the product,
 * describes each group by a rule over account attributes, and says which accounts of each group to
 * copy (source 004, steps 1-2). The result is kept on the row (it is read as a whole), the group of
 * every account in `cluster_discovery_members` so that rules, churn and health are measured in SQL.
 */
import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BackgroundJob, JobState } from '../shared/background-job';
import type { DiscoveryParams, DiscoveryResult } from './discovery.types';

/** The background-job states (src/shared/background-job.ts) a discovery goes through: it is never cancelled. */
export enum DiscoveryState {
  QUEUED = JobState.QUEUED,
  RUNNING = JobState.RUNNING,
  SUCCEEDED = JobState.SUCCEEDED,
  FAILED = JobState.FAILED,
}
registerEnumType(DiscoveryState, {
  name: 'ClusterDiscoveryState',
  description: 'Where a cluster discovery is: poll `clusterDiscovery(id)` until SUCCEEDED or FAILED.',
  valuesConfig: {
    QUEUED: { description: 'Waiting for a worker.' },
    RUNNING: { description: 'A worker is at `stage`; `progress` grows as it goes.' },
    SUCCEEDED: { description: '`suggestions` are ready.' },
    FAILED: { description: 'See `error`; ask again with discoverClusters (the same seed gives the same answer).' },
  },
});

export enum DiscoveryStage {
  PROFILES = 'PROFILES',
  CLUSTERING = 'CLUSTERING',
  DESCRIBING = 'DESCRIBING',
  DONE = 'DONE',
}
registerEnumType(DiscoveryStage, {
  name: 'ClusterDiscoveryStage',
  description: 'The step a running cluster discovery is at, for a progress line.',
  valuesConfig: {
    PROFILES: { description: 'Computing every account\'s usage profile over the window.' },
    CLUSTERING: { description: 'Grouping the profiles (trying each k when k was not given).' },
    DESCRIBING: { description: 'Rules over attributes, typical usage, churn, health and best accounts per group.' },
    DONE: { description: 'Finished.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'A cluster discovery: usage-based persona suggestions, computed in the background; poll it for progress.' })
@Entity('cluster_discoveries')
@Index('cluster_discoveries_created_idx', ['workspaceId', 'createdAt'])
// The recovery sweep looks across workspaces for discoveries no worker is processing.
@Index('cluster_discoveries_open_idx', ['state', 'heartbeatAt'], { where: `"state" IN ('QUEUED', 'RUNNING')` })
export class ClusterDiscovery extends BackgroundJob {
  @Field(() => DiscoveryState, { description: 'QUEUED → RUNNING → SUCCEEDED, FAILED or CANCELLED; poll until it is one of the last three.' })
  @Column('text', { default: DiscoveryState.QUEUED })
  state: DiscoveryState;

  @Field(() => DiscoveryStage, { nullable: true, description: 'The step a RUNNING discovery is in; null before it starts.' })
  @Column('text', { nullable: true })
  stage: DiscoveryStage | null;

  @Field(() => Float, { description: 'Share of the work done, in [0, 1].' })
  @Column('double precision', { default: 0 })
  progress: number;

  /** What was asked, normalised (window, k, seed, method, scope, attributes). */
  @Column('jsonb')
  params: DiscoveryParams;

  @Field({ description: 'Usage is read over the window ending here: the asOf asked for, or when the discovery was requested.' })
  @Column('timestamptz')
  asOf: Date;

  /** The groups, their rules and figures; null until SUCCEEDED. */
  @Column('jsonb', { nullable: true })
  result: DiscoveryResult | null;
}

/** The group each account of a discovery fell into. */
@Entity('cluster_discovery_members')
export class ClusterDiscoveryMember {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @PrimaryColumn('uuid')
  discoveryId: string;

  @PrimaryColumn('uuid')
  accountId: string;

  @Column('smallint')
  groupIndex: number;

  @ManyToOne(() => ClusterDiscovery, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'discovery_id', referencedColumnName: 'id' }])
  discovery?: ClusterDiscovery;
}

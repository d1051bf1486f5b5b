import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Cluster } from '../clusters/cluster.entity';

@ObjectType({ simpleResolvers: true, description: 'A desired outcome: what the accounts of one cluster bought the product for. Each has its own health score.' })
@Entity('outcomes')
@Index('outcomes_name_key', ['workspaceId', 'clusterId', 'name'], { unique: true })
@Index('outcomes_key', ['workspaceId', 'key'], { unique: true })
export class Outcome {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The outcome\'s row id (UUID); stable: cache on it.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  clusterId: string;

  @Field({ description: 'Stable key (a slug), unique in the workspace: how the model document names this outcome. Filled from the name when not given.' })
  @Column('text')
  key: string;

  @Field({ description: 'Name, for display; unique within its cluster.' })
  @Column('text')
  name: string;

  @Field(() => String, { nullable: true, description: 'What the outcome means for the customer; null when none was given.' })
  @Column('text', { nullable: true })
  description: string | null;

  @Field(() => Float, { description: 'Weight of this outcome in the account health (default 1).' })
  @Column('double precision', { default: 1 })
  weight: number;

  @Field({ description: 'Inactive outcomes are kept (with their history) but not scored.' })
  @Column('boolean', { default: true })
  active: boolean;

  @Field({ description: 'When the outcome was created.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field({ description: 'When it was last changed.' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @ManyToOne(() => Cluster, { onDelete: 'CASCADE' })
  @JoinColumn([{ name: 'workspace_id', referencedColumnName: 'workspaceId' }, { name: 'cluster_id', referencedColumnName: 'id' }])
  cluster?: Cluster;
}

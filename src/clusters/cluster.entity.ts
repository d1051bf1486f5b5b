import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Rule, type RuleJson } from '../rules/rule.types';
// The workspace by entity name: workspaces/ creates a workspace's default cluster, so clusters/ must not import it.
import type { Workspace } from '../workspaces/workspace.entity';

@ObjectType({ simpleResolvers: true, description: 'A persona cluster: accounts that use the product alike and want the same outcomes.' })
@Entity('clusters')
@Index('clusters_name_key', ['workspaceId', 'name'], { unique: true })
@Index('clusters_one_default', ['workspaceId'], { unique: true, where: '"is_default"' })
@Index('clusters_key', ['workspaceId', 'key'], { unique: true })
export class Cluster {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The cluster\'s row id (UUID); stable: cache on it.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Stable key (a slug), unique in the workspace: how the model document names this cluster. Filled from the name when not given.' })
  @Column('text')
  key: string;

  @Field({ description: 'Name, for display; unique in the workspace (case-insensitive).' })
  @Column('text')
  name: string;

  @Field(() => String, { nullable: true, description: 'What the cluster is for; null when none was given.' })
  @Column('text', { nullable: true })
  description: string | null;

  @Field(() => Int, { description: 'Clusters are tried in ascending priority; the first whose rule matches wins.' })
  @Column('int')
  priority: number;

  @Field(() => Rule, { nullable: true, description: 'Membership rule; null for the default cluster.' })
  @Column('jsonb', { nullable: true })
  rule: RuleJson | null;

  @Field({ description: 'The default cluster catches every account no other cluster matches.' })
  @Column('boolean', { default: false })
  isDefault: boolean;

  @Field({ description: 'When the cluster was created.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field({ description: 'When it was last changed.' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @ManyToOne('Workspace', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;
}

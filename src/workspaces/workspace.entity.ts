import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ simpleResolvers: true, description: 'A tenant: one company using Outcome Health. Nothing crosses workspaces.' })
@Entity('workspaces')
@Check('band_thresholds_ordered', '"red_below" > 0 AND "red_below" < "yellow_below" AND "yellow_below" <= 100')
export class Workspace {
  /** The workspace row is the tenant root: its id is every other table's workspace_id. */
  @Field(() => ID, { description: 'The workspace\'s id (UUID); stable: cache on it.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'The company\'s name, for display.' })
  @Column('text')
  name: string;

  @Field(() => Float, { description: 'Scores below this are RED (default 40).' })
  @Column('double precision', { default: 40 })
  redBelow: number;

  @Field(() => Float, { description: 'Scores below this (and not RED) are YELLOW (default 70); the rest GREEN.' })
  @Column('double precision', { default: 70 })
  yellowBelow: number;

  @Field({ description: 'When the workspace was created.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

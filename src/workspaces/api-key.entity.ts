import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from '../shared/auth';
import { Workspace } from './workspace.entity';

@ObjectType({ simpleResolvers: true, description: 'An API key. Only its hash is stored; the key itself is shown once, at creation.' })
@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field()
  @Column('text')
  name: string;

  @Field(() => Role)
  @Column('text')
  role: Role;

  @Field({ description: 'The first characters of the key, to recognise it.' })
  @Column('text')
  prefix: string;

  @Index('api_keys_key_hash_key', { unique: true })
  @Column('text')
  keyHash: string;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;
}

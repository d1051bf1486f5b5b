import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from '../shared/auth';
import { Workspace } from './workspace.entity';

@ObjectType({ simpleResolvers: true, description: 'An API key. Only its hash is stored; the key itself is shown once, at creation.' })
@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn('uuid')
  workspaceId: string;

  @Field(() => ID, { description: 'The key\'s row id (UUID); stable: cache on it. Not the secret.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'What the key is for, for display.' })
  @Column('text')
  name: string;

  @Field(() => Role, { description: 'What the key may do (ADMIN, OPS, ANALYST, CSM …; see Role).' })
  @Column('text')
  role: Role;

  @Field({ description: 'The first characters of the key, to recognise it.' })
  @Column('text')
  prefix: string;

  @Index('api_keys_key_hash_key', { unique: true })
  @Column('text')
  keyHash: string;

  @Field({ description: 'When the key was created.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it was revoked (requests with it are refused since); null while it is valid.' })
  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;

  @ManyToOne(() => Workspace, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: Workspace;
}

/** GraphQL inputs and connection of tasks. */
import { ArrayMaxSize, IsOptional, IsUUID, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { PageInfo } from '../shared/connection';
import { Task, TaskStatus } from './task.entity';

@InputType({ description: 'Narrow the task list; all conditions must hold.' })
export class TaskFilter {
  @IsOptional() @MaxLength(200)
  @Field(() => String, { nullable: true, description: 'Only tasks of this owner (exact match).' }) owner?: string | null;
  @IsOptional() @ArrayMaxSize(3)
  @Field(() => [TaskStatus], { nullable: true, description: 'Default: every status.' }) statuses?: TaskStatus[] | null;
  @Field(() => LocalDateResolver, { nullable: true, description: 'Due on or before this day.' }) dueBefore?: string | null;
  @IsOptional() @IsUUID('all', { message: 'accountId must be an id (uuid).' })
  @Field(() => ID, { nullable: true, description: 'Only tasks of this account.' }) accountId?: string | null;
  @IsOptional() @IsUUID('all', { message: 'clusterId must be an id (uuid).' })
  @Field(() => ID, { nullable: true, description: 'Tasks of the accounts of this cluster.' }) clusterId?: string | null;
  @IsOptional() @IsUUID('all', { message: 'playId must be an id (uuid).' })
  @Field(() => ID, { nullable: true, description: 'Only tasks opened by this play.' }) playId?: string | null;
}

@InputType({ description: 'Change a task: its status (OPEN, DONE, DISMISSED) and/or its notes.' })
export class UpdateTaskInput {
  @Field(() => TaskStatus, { nullable: true, description: 'The new status; omit to keep it.' }) status?: TaskStatus | null;
  @IsOptional() @MaxLength(5000)
  @Field(() => String, { nullable: true, description: 'Replaces the notes (at most 5000 characters).' }) notes?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'One task in a page of tasks, with its cursor.' })
export class TaskEdge {
  @Field({ description: 'Opaque; pass as `after` to continue after this task.' }) cursor: string;
  @Field(() => Task, { description: 'The task (an entity: cache it by its id).' }) node: Task;
}

@ObjectType({ simpleResolvers: true, description: 'A page of tasks, soonest due first (Relay connection).' })
export class TaskConnection {
  @Field(() => [TaskEdge], { description: 'The tasks of this page, soonest due first.' }) edges: TaskEdge[];
  @Field(() => PageInfo, { description: 'Whether there is a next page, and the cursor to pass as `after` to get it.' }) pageInfo: PageInfo;
  @Field(() => Int, { description: 'Tasks matching the filter (all pages).' }) totalCount: number;
}

import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { LiveRequestContext } from '../live/live.context';
import { Roles } from '../shared/auth';
import { DomainError } from '../shared/errors';
import type { RequestContext } from '../shared/context';
import { Task, TaskStatus } from './task.entity';
import { TaskConnection, TaskFilter, UpdateTaskInput } from './task.gql';
import { TaskHub } from './task.hub';
import { accountById, tasksByAccount } from './task.loaders';
import * as tasks from './task.service';

@Resolver(() => Task)
export class TaskResolver {
  @Authorized(Roles.READ)
  @Query(() => TaskConnection, { description: 'Tasks, soonest due first, filtered by owner, status, due date, account, cluster or play.' })
  async tasks(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => TaskFilter, { nullable: true, description: 'Narrow the list; omit for every task.' }) filter?: TaskFilter | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'At most 200.' }) first = 50,
    @Arg('after', () => String, { nullable: true, description: 'pageInfo.endCursor of the previous page; omit for the first page.' }) after?: string | null,
  ): Promise<TaskConnection> {
    return await tasks.listTasks(ctx.tenant, filter ?? {}, first, after);
  }

  @Authorized(Roles.READ)
  @Query(() => Task, { description: 'One task. NOT_FOUND when there is none with this id.' })
  async task(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The task\'s id.' }) id: string): Promise<Task> {
    return await tasks.getTask(ctx.tenant, id);
  }

  @Authorized(Roles.CSM)
  @Mutation(() => Task, { description: 'Mark a task DONE or DISMISSED (or OPEN again), and/or replace its notes; records who and when.' })
  async updateTask(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The task to change.' }) id: string, @Arg('input', { description: 'The new status and/or notes.' }) input: UpdateTaskInput): Promise<Task> {
    return await tasks.updateTask(ctx.tenant, id, input);
  }

  @Authorized(Roles.READ)
  @Subscription(() => Task, {
    description: 'Tasks of your workspace as they are opened by plays or changed by people (status, notes). Over WebSocket (graphql-ws) at /graphql, like healthChanged.',
    subscribe: ({ args, context }) => {
      const hub = context instanceof LiveRequestContext ? TaskHub.of(context.db) : undefined;
      if (!hub || !(context instanceof LiveRequestContext)) throw new DomainError('BAD_USER_INPUT', 'Subscriptions are served over WebSocket (graphql-ws) at /graphql.');
      return hub.subscribe(context.tenant.workspaceId, { owner: args.owner ?? null, accountId: args.accountId ?? null });
    },
  })
  taskChanged(
    @Root() task: Task,
    @Arg('owner', () => String, { nullable: true, description: 'Only tasks of this owner.' }) _owner?: string | null,
    @Arg('accountId', () => ID, { nullable: true, description: 'Only tasks of this account.' }) _accountId?: string | null,
  ): Task {
    return task;
  }

  @FieldResolver(() => Account, { description: 'The account the task is about (an entity: cache it by its id).' })
  async account(@Root() task: Task, @Ctx() ctx: RequestContext): Promise<Account | null> {
    return await ctx.tenant.loader(accountById).load(task.accountId);
  }
}

@Resolver(() => Account)
export class AccountTasksResolver {
  @FieldResolver(() => [Task], { description: 'The account\'s tasks, open first, then soonest due.' })
  async tasks(
    @Root() account: Account,
    @Ctx() ctx: RequestContext,
    @Arg('status', () => TaskStatus, { nullable: true, description: 'Only tasks in this status; omit for all.' }) status?: TaskStatus | null,
  ): Promise<Task[]> {
    const all = await ctx.tenant.loader(tasksByAccount).load(account.id);
    return status ? all.filter((t) => t.status === status) : all;
  }
}

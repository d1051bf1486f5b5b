import { Arg, Authorized, Ctx, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { DomainError } from '../shared/errors';
import { listEvents } from './hub';
import { LiveRequestContext } from './live.context';
import { HealthEvent, HealthEventConnection, HealthEventFilter } from './live.types';

@Resolver()
export class LiveResolver {
  @Authorized(Roles.READ)
  @Subscription(() => HealthEvent, {
    description: 'Health changes of your workspace as they are scored: band changes, milestones achieved, milestones newly overdue. '
      + 'Served over WebSocket (graphql-ws protocol) at /graphql; authenticate with connectionParams { authorization: "Bearer <key>" }.',
    subscribe: ({ args, context }) => {
      if (!(context instanceof LiveRequestContext)) {
        throw new DomainError('BAD_USER_INPUT', 'Subscriptions are served over WebSocket (graphql-ws) at /graphql.');
      }
      return context.live.subscribe(context.tenant.workspaceId, (args.filter as HealthEventFilter | undefined) ?? {});
    },
  })
  healthChanged(
    @Root() event: HealthEvent,
    @Arg('filter', () => HealthEventFilter, { nullable: true, description: 'Which events to receive; omit for every event of the workspace.' }) _filter?: HealthEventFilter,
  ): HealthEvent {
    return event;
  }

  @Authorized(Roles.READ)
  @Query(() => HealthEventConnection, { description: 'Health events after a time, oldest first, a page at a time: catch up after a subscription was interrupted.' })
  async healthEvents(
    @Ctx() ctx: RequestContext,
    @Arg('since', { description: 'Events stored after this time (events are kept 30 days).' }) since: Date,
    @Arg('filter', () => HealthEventFilter, { nullable: true, description: 'Only the events matching it; omit for all of the workspace.' }) filter?: HealthEventFilter,
    @Arg('first', () => Int, { defaultValue: 100, description: 'At most 1000.' }) first = 100,
    @Arg('after', () => String, { nullable: true, description: 'A cursor from the previous page: the events after it (and after `since`).' }) after?: string | null,
  ): Promise<HealthEventConnection> {
    return await listEvents(ctx.tenant, { since, filter: filter ?? {}, first, after });
  }
}

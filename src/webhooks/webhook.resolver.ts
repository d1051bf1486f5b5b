import DataLoader from 'dataloader';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import type { TenantScope } from '../shared/tenant';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook.entity';
import { WebhookDeliveryFilter, WebhookEndpointInput, WebhookEndpointWithSecret } from './webhook.gql';
import * as webhooks from './webhook.service';

/** Delivery id → its attempts (the delivery log), one statement per batch. */
const attemptsByDelivery = (scope: TenantScope) => new DataLoader<string, WebhookAttempt[]>(async (ids) => {
  const rows = await webhooks.attemptsOf(scope, ids);
  return ids.map((id) => rows.filter((r) => r.deliveryId === id));
});

@Resolver(() => WebhookEndpoint)
export class WebhookEndpointResolver {
  @Authorized(Roles.ADMIN)
  @Query(() => [WebhookEndpoint], { description: 'Where plays deliver webhooks (ADMIN).' })
  async webhookEndpoints(@Ctx() ctx: RequestContext): Promise<WebhookEndpoint[]> {
    return await webhooks.listEndpoints(ctx.tenant);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => WebhookEndpointWithSecret, { description: 'A webhook endpoint and its signing secret, shown this once.' })
  async createWebhookEndpoint(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Its name and URL; the secret is generated.' }) input: WebhookEndpointInput): Promise<WebhookEndpointWithSecret> {
    return await webhooks.createEndpoint(ctx.tenant, input);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => WebhookEndpoint, { description: 'Change an endpoint\'s name, URL or enabled (ADMIN); its secret stays.' })
  async updateWebhookEndpoint(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The endpoint to change.' }) id: string, @Arg('input', { description: 'Its new settings (every field; enabled defaults to true).' }) input: WebhookEndpointInput): Promise<WebhookEndpoint> {
    return await webhooks.updateEndpoint(ctx.tenant, id, input);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => WebhookEndpointWithSecret, { description: 'A new signing secret, shown this once; the old one stops working at once.' })
  async rotateWebhookSecret(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The endpoint whose secret to replace.' }) id: string): Promise<WebhookEndpointWithSecret> {
    return await webhooks.rotateSecret(ctx.tenant, id);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => Boolean, { description: 'Delete an endpoint no play uses (with its delivery log).' })
  async deleteWebhookEndpoint(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The endpoint to delete.' }) id: string): Promise<boolean> {
    return await webhooks.deleteEndpoint(ctx.tenant, id);
  }

  @FieldResolver(() => Boolean, { description: 'Reported when 3 or more attempts failed since the last success (the endpoint is not disabled).' })
  failing(@Root() endpoint: WebhookEndpoint): boolean {
    return endpoint.consecutiveFailures >= 3;
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @Authorized(Roles.ADMIN)
  @Query(() => [WebhookDelivery], { description: 'The delivery log, newest first (ADMIN).' })
  async webhookDeliveries(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => WebhookDeliveryFilter, { nullable: true, description: 'Narrow the log; omit for every delivery.' }) filter?: WebhookDeliveryFilter | null,
    @Arg('first', () => Int, { defaultValue: 50, description: 'At most 200.' }) first = 50,
  ): Promise<WebhookDelivery[]> {
    return await webhooks.listDeliveries(ctx.tenant, filter ?? {}, first);
  }

  @Authorized(Roles.ADMIN)
  @Query(() => WebhookDelivery, { description: 'One delivery, with its attempts (ADMIN). NOT_FOUND when there is none with this id.' })
  async webhookDelivery(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The delivery\'s id (also the idempotency id in its payload).' }) id: string): Promise<WebhookDelivery> {
    return await webhooks.getDelivery(ctx.tenant, id);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => WebhookDelivery, { description: 'Send a DEAD (or DELIVERED) delivery again: same id, fresh retry window.' })
  async redeliverWebhook(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The delivery to send again.' }) id: string): Promise<WebhookDelivery> {
    return await webhooks.redeliver(ctx.tenant, id);
  }

  @FieldResolver(() => [WebhookAttempt], { description: 'Every call made: status code, latency, error, response excerpt.' })
  async attemptLog(@Root() delivery: WebhookDelivery, @Ctx() ctx: RequestContext): Promise<WebhookAttempt[]> {
    return await ctx.tenant.loader(attemptsByDelivery).load(delivery.id);
  }
}

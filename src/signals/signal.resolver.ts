import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { IngestSignalsResult, SignalInput } from './signal.inputs';
import * as signals from './signal.service';

@Resolver()
export class SignalResolver {
  @Authorized(Roles.INGEST)
  @Mutation(() => IngestSignalsResult, {
    description: 'Store up to 5,000 signals. Bad items are reported by index and the rest stored; a known idempotencyKey counts as a duplicate.',
  })
  async ingestSignals(
    @Ctx() ctx: RequestContext,
    // validate: false — items are checked one by one in the service so one bad item doesn't fail the batch
    @Arg('signals', () => [SignalInput], { validate: false, description: 'The signals, at most 5,000; each item is checked on its own and a bad one is reported by its index in `rejected`.' }) items: SignalInput[],
  ): Promise<IngestSignalsResult> {
    return await signals.ingestSignals(ctx.tenant, items);
  }
}

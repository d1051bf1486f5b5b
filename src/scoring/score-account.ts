/** Query.scoreAccount: one account scored at any time from the stored signals, without saving (same engine as the snapshots). */
import { Field, ID, ObjectType } from 'type-graphql';
import { AccountHealth, OutcomeHealth, scoredId } from '../health/health.types';
import { InputError, NotFoundError } from '../shared/errors';
import { isUuid, type TenantScope } from '../shared/tenant';
import { scoreAccount } from './engine';

@ObjectType({ simpleResolvers: true, description: 'An account scored at any time from the stored signals, not saved.' })
export class AccountScore {
  accountId: string;
  @Field(() => ID, { description: 'The account and the time it was scored at (unsaved scores are values of that pair).' }) id: string;
  @Field(() => Date) asOf: Date;
  @Field(() => AccountHealth) health: AccountHealth;
  @Field(() => [OutcomeHealth]) outcomes: OutcomeHealth[];
  @Field() modelVersion: string;
}

/** Score one account at `asOf` from the stored signals, without saving. */
export async function scoreAccountAt(scope: TenantScope, accountId: string, asOf: Date): Promise<AccountScore> {
  // The account's existence by SQL: scoring/ does not import accounts/ (accounts/ requests rescores of scoring/).
  const [found] = isUuid(accountId) ? await scope.query('SELECT 1 FROM accounts WHERE workspace_id = $1 AND id = $2', [accountId]) : [];
  if (!found) throw new NotFoundError('Account', accountId);
  if (Number.isNaN(new Date(asOf).getTime())) throw new InputError('asOf', 'asOf must be a valid date-time.');
  const r = await scoreAccount(scope, accountId, asOf);
  return Object.assign(new AccountScore(), {
    accountId, id: scoredId(accountId, null, asOf), asOf, modelVersion: r.modelHash,
    health: AccountHealth.from(r.account, accountId),
    outcomes: r.outcomes.map((o) => OutcomeHealth.from(o, r.modelHash)),
  });
}

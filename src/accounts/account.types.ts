import { Field, Int, ObjectType } from 'type-graphql';
import { RejectedItem } from '../shared/batch';
import { PageInfo } from '../shared/connection';
import { Account } from './account.entity';

@ObjectType({ simpleResolvers: true, description: 'What upsertAccounts did: counts, the stored accounts and the items refused. A value: no id (the accounts inside are entities).' })
export class UpsertAccountsResult {
  @Field(() => Int, { description: 'Accounts that did not exist before.' })
  created: number;

  @Field(() => Int, { description: 'Existing accounts that were updated.' })
  updated: number;

  @Field(() => [Account], { description: 'The stored accounts, in input order.' })
  accounts: Account[];

  @Field(() => [RejectedItem], { description: 'Items not stored, with the reason; the others were stored.' })
  rejected: RejectedItem[];
}

@ObjectType({ simpleResolvers: true, description: 'One account in a page of accounts, with its cursor.' })
export class AccountEdge {
  @Field({ description: 'Opaque; pass as `after` to continue after this account.' })
  cursor: string;

  @Field(() => Account, { description: 'The account (an entity: cache it by its id).' })
  node: Account;
}

@ObjectType({ simpleResolvers: true, description: 'A page of accounts (Relay connection).' })
export class AccountConnection {
  @Field(() => [AccountEdge], { description: 'The accounts of this page, in the order asked for.' })
  edges: AccountEdge[];

  @Field(() => PageInfo, { description: 'Whether there is a next page, and the cursor to pass as `after` to get it.' })
  pageInfo: PageInfo;

  /** Counted only when asked for (see AccountConnectionResolver.totalCount). */
  countTotal: () => Promise<number>;
}

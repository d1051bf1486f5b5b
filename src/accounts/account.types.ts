import { Field, Int, ObjectType } from 'type-graphql';
import { RejectedItem } from '../shared/batch';
import { PageInfo } from '../shared/connection';
import { Account } from './account.entity';

@ObjectType({ simpleResolvers: true })
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

@ObjectType({ simpleResolvers: true })
export class AccountEdge {
  @Field({ description: 'Opaque; pass as `after` to continue after this account.' })
  cursor: string;

  @Field(() => Account)
  node: Account;
}

@ObjectType({ simpleResolvers: true, description: 'A page of accounts (Relay connection).' })
export class AccountConnection {
  @Field(() => [AccountEdge])
  edges: AccountEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  /** Counted only when asked for (see AccountConnectionResolver.totalCount). */
  countTotal: () => Promise<number>;
}

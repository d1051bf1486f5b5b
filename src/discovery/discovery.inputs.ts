import { ArrayMaxSize, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { ClusteringMethod } from './discovery.types';

@InputType({ description: 'What to group and how. Everything is optional: the defaults group every account by its last 90 days of usage.' })
export class DiscoverClustersInput {
  @Field(() => ID, { nullable: true, description: 'Only the accounts of this cluster (e.g. to split the default cluster); default: every account.' })
  @IsOptional() @IsUUID()
  clusterId?: string | null;

  @Field(() => Int, { defaultValue: 90, description: 'Usage window in days, ending at asOf (1 … 730).' })
  @IsInt() @Min(1) @Max(730)
  windowDays: number;

  @Field(() => Date, { nullable: true, description: 'Where the usage window ends; omitted: now. Not in the future. Set it to group accounts as they were on a past date, or to get the same groups again from the same data.' })
  @IsOptional()
  asOf?: Date | null;

  @Field(() => Int, { nullable: true, description: 'Number of groups (2 … 12); omitted: chosen by silhouette between 2 and maxK.' })
  @IsOptional() @IsInt() @Min(2) @Max(12)
  k?: number | null;

  @Field(() => Int, { defaultValue: 8, description: 'Largest k tried when k is omitted (2 … 12).' })
  @IsInt() @Min(2) @Max(12)
  maxK: number;

  @Field(() => Int, { defaultValue: 1, description: 'The same seed on the same data gives the same groups.' })
  @IsInt() @Min(0) @Max(2_147_483_647)
  seed: number;

  @Field(() => ClusteringMethod, { defaultValue: ClusteringMethod.KMEANS, description: 'How the accounts are grouped (see ClusteringMethod; default KMEANS).' })
  method: ClusteringMethod;

  @Field(() => [String], { nullable: true, description: 'Only these signal types make the profiles (e.g. leave out invoices); default: all.' })
  @IsOptional() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(200, { each: true })
  signalTypes?: string[] | null;

  @Field({ defaultValue: false, description: 'Also group by how much accounts do (active days per type, breadth, volume), not only by what they do. Off by default: it grows with account size, and small accounts can then form a group of their own (docs/discovery.md).' })
  intensity: boolean;

  @Field(() => [String], { nullable: true, description: 'Only these account attributes may appear in rules (e.g. leave out ones derived from today\'s clusters); default: all.' })
  @IsOptional() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(100, { each: true })
  attributes?: string[] | null;
}

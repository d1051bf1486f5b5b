/** The page of scoringRuns (Relay connection). */
import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../shared/connection';
import { ScoringRun } from './runs.entity';

@ObjectType({ simpleResolvers: true, description: 'A scoring run in a page of scoringRuns.' })
export class ScoringRunEdge {
  @Field({ description: 'Opaque; pass as `after` to continue after this run.' }) cursor: string;
  @Field(() => ScoringRun, { description: 'The run.' }) node: ScoringRun;
}

@ObjectType({ simpleResolvers: true, description: 'A page of scoring runs, newest first (Relay connection).' })
export class ScoringRunConnection {
  @Field(() => [ScoringRunEdge], { description: 'The runs of this page, newest first.' }) edges: ScoringRunEdge[];
  @Field(() => PageInfo, { description: 'Whether there is a next page, and the cursor to pass as `after` to get it.' }) pageInfo: PageInfo;

  /** Counted only when asked for (one index-only count of the workspace's runs). */
  countTotal: () => Promise<number>;

  @Field(() => Int, { description: 'Runs of the workspace (all pages).' })
  get totalCount(): Promise<number> {
    return this.countTotal();
  }
}

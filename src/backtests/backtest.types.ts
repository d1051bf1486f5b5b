/** The report of a backtest: stored as jsonb on the backtest, read as these GraphQL types. */
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: 'Churn among the cases of one band.' })
export class BandChurn {
  @Field() band: string;
  @Field(() => Int) n: number;
  @Field(() => Int) churners: number;
  @Field(() => Float, { nullable: true }) churnRate: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Churn among the cases whose score lies in [from, to).' })
export class CalibrationBin {
  @Field(() => Float) from: number;
  @Field(() => Float) to: number;
  @Field(() => Int) n: number;
  @Field(() => Int) churners: number;
  @Field(() => Float, { nullable: true }) churnRate: number | null;
  @Field(() => Float, { nullable: true }) meanScore: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'The cases of one lifecycle kind (CONTRACTED is always reported apart here).' })
export class LifecycleKindCount {
  @Field() kind: string;
  @Field(() => Int) n: number;
  @Field({ description: 'CHURNED, RETAINED or EXCLUDED in the figures.' }) treatedAs: string;
  @Field(() => Float, { nullable: true }) meanScore: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'How well one score separates churned from retained cases.' })
export class Separation {
  @Field(() => Int, { description: 'Cases with a score.' }) n: number;
  @Field(() => Int) churners: number;
  @Field(() => Float, { nullable: true, description: 'P(a retained case scored higher than a churned one), ties half; 0.5 = chance.' }) auc: number | null;
  @Field(() => Float, { nullable: true, description: '95 % bootstrap interval of the AUC (1,000 resamples, seeded).' }) aucLow: number | null;
  @Field(() => Float, { nullable: true }) aucHigh: number | null;
  @Field(() => Float, { nullable: true }) churnRate: number | null;
  @Field(() => Float, { nullable: true, description: 'Churn rate of the lowest-scored 10 % over the overall churn rate.' }) topDecileLift: number | null;
  @Field(() => [BandChurn]) bands: BandChurn[];
  @Field({ description: `Fewer churners (or retained) than the report's minChurners: the figures mean little.` }) tooFew: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'The figures of one cluster or one desired outcome.' })
export class SegmentFigures extends Separation {
  @Field(() => ID) id: string;
  @Field() name: string;
}

@ObjectType({ simpleResolvers: true, description: 'Which signals carry the evidence: one component on its own.' })
export class ComponentEvidence {
  @Field(() => ID) outcomeId: string;
  @Field(() => ID) componentId: string;
  @Field() key: string;
  @Field() name: string;
  @Field() side: string;
  @Field(() => Float, { description: 'Its configured weight inside its side.' }) weight: number;
  @Field(() => Int, { description: 'Cases where it applies and has a score.' }) n: number;
  @Field(() => Float, { nullable: true, description: 'AUC of its own score.' }) auc: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of the cases it applies to whose value was missing.' }) missingShare: number | null;
  @Field(() => Int, { description: 'Cases it did not apply to.' }) notApplicable: number;
  @Field(() => Float, { nullable: true }) meanScoreChurned: number | null;
  @Field(() => Float, { nullable: true }) meanScoreRetained: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'What a backtest found. Account health decides the overall figures; outcomes use their own score.' })
export class BacktestReport extends Separation {
  @Field(() => Int, { description: 'Cases left out because nothing scored them (null score).' }) unscored: number;
  @Field(() => Int, { description: 'Below this many churners (or retained cases) a figure is flagged tooFew.' }) minChurners: number;
  @Field(() => [CalibrationBin], { description: 'Churn rate per tenth of the score scale.' }) calibration: CalibrationBin[];
  @Field(() => [LifecycleKindCount]) lifecycleKinds: LifecycleKindCount[];
  @Field(() => [SegmentFigures]) clusters: SegmentFigures[];
  @Field(() => [SegmentFigures]) outcomes: SegmentFigures[];
  @Field(() => [ComponentEvidence]) components: ComponentEvidence[];
  @Field(() => [String], { description: 'Too few churners, possible leakage, attributes without history.' }) warnings: string[];
}

@ObjectType({ simpleResolvers: true, description: 'One component in a weight suggestion.' })
export class SuggestedComponent {
  @Field(() => ID) componentId: string;
  @Field() key: string;
  @Field() name: string;
  @Field() side: string;
  @Field(() => Float, { description: 'Its share of the whole coin today, in % (all components present).' }) currentWeight: number;
  @Field(() => Float, { description: 'Its suggested share of the whole coin, in %.' }) suggestedWeight: number;
  @Field({ description: 'The fit gave it (almost) no weight: the outcomes show no evidence for it.' }) noEvidence: boolean;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'With learnScoring: the learned scoring function (BANDS or CATEGORICAL).' }) scoring: Record<string, unknown> | null;
}

@ObjectType({ simpleResolvers: true, description: 'Weights fitted to what happened, with their out-of-sample AUC next to the current weights\' on the same folds.' })
export class WeightSuggestion {
  @Field(() => ID) backtestId: string;
  @Field(() => ID) outcomeId: string;
  @Field(() => Int, { description: 'Cases the fit used (with a score, not EXCLUDED).' }) n: number;
  @Field(() => Int) churners: number;
  @Field(() => Int) folds: number;
  @Field() learnScoring: boolean;
  @Field(() => Float, { nullable: true, description: 'Mean held-out AUC of the suggestion (each fold fitted on the others).' }) cvAuc: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean held-out AUC of the current weights on the same folds.' }) cvAucCurrent: number | null;
  @Field(() => [Float], { nullable: 'items' }) cvAucPerFold: Array<number | null>;
  @Field(() => [Float], { nullable: 'items' }) cvAucCurrentPerFold: Array<number | null>;
  @Field(() => Float) proactiveWeight: number;
  @Field(() => Float) reactiveWeight: number;
  @Field(() => [SuggestedComponent]) components: SuggestedComponent[];
  @Field(() => GraphQLJSONObject, { description: 'The suggested coin as a CoinInput document (defineCoin input), fitted on every case.' }) coin: Record<string, unknown>;
  @Field(() => [String]) warnings: string[];
}

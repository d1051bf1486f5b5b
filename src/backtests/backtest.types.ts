/** The report of a backtest: stored as jsonb on the backtest, read as these GraphQL types. */
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: 'Churn among the cases of one band.' })
export class BandChurn {
  @Field({ description: 'RED, YELLOW or GREEN: the band of the case\'s score at D − horizon, by the workspace thresholds.' }) band: string;
  @Field(() => Int, { description: 'Cases in this band.' }) n: number;
  @Field(() => Int, { description: 'Of those, cases that churned.' }) churners: number;
  @Field(() => Float, { nullable: true, description: 'churners / n, 0-1 (show as a percentage); null when the band has no case.' }) churnRate: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Churn among the cases whose score lies in [from, to).' })
export class CalibrationBin {
  @Field(() => Float, { description: 'Lower bound of the score bin (inclusive), 0-100.' }) from: number;
  @Field(() => Float, { description: 'Upper bound of the score bin (exclusive, except 100 for the last bin).' }) to: number;
  @Field(() => Int, { description: 'Cases whose score falls in the bin.' }) n: number;
  @Field(() => Int, { description: 'Of those, cases that churned.' }) churners: number;
  @Field(() => Float, { nullable: true, description: 'churners / n, 0-1; null when the bin is empty. A score that means something shows it falling from low to high bins.' }) churnRate: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean score of the cases in the bin, unrounded 0-100 (show one decimal); null when the bin is empty.' }) meanScore: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'The cases of one lifecycle kind (CONTRACTED is always reported apart here).' })
export class LifecycleKindCount {
  @Field({ description: 'Lifecycle kind: CHURNED, CONTRACTED, EXPANDED or RENEWED.' }) kind: string;
  @Field(() => Int, { description: 'Cases of this kind.' }) n: number;
  @Field({ description: 'CHURNED, RETAINED or EXCLUDED in the figures.' }) treatedAs: string;
  @Field(() => Float, { nullable: true, description: 'Mean account health of these cases at D − horizon, unrounded 0-100; null when none was scored.' }) meanScore: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'How well one score separates churned from retained cases.' })
export class Separation {
  @Field(() => Int, { description: 'Cases with a score.' }) n: number;
  @Field(() => Int, { description: 'Of the cases with a score, those that churned.' }) churners: number;
  @Field(() => Float, { nullable: true, description: 'P(a retained case scored higher than a churned one), ties half; 0.5 = chance.' }) auc: number | null;
  @Field(() => Float, { nullable: true, description: '95 % bootstrap interval of the AUC (1,000 resamples, seeded).' }) aucLow: number | null;
  @Field(() => Float, { nullable: true, description: 'Upper bound of the 95 % bootstrap interval of the AUC; null with the AUC.' }) aucHigh: number | null;
  @Field(() => Float, { nullable: true, description: 'churners / n, 0-1 (show as a percentage); null without cases.' }) churnRate: number | null;
  @Field(() => Float, { nullable: true, description: 'Churn rate of the lowest-scored 10 % over the overall churn rate.' }) topDecileLift: number | null;
  @Field(() => [BandChurn], { description: 'Churn per band (RED, YELLOW, GREEN).' }) bands: BandChurn[];
  @Field({ description: `Fewer churners (or retained) than the report's minChurners: the figures mean little.` }) tooFew: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'The figures of one cluster or one desired outcome.' })
export class SegmentFigures extends Separation {
  @Field(() => ID, { description: 'The cluster\'s or the desired outcome\'s id (clusters and outcomes lists respectively).' }) id: string;
  @Field({ description: 'The cluster\'s or the outcome\'s name, for display.' }) name: string;
}

@ObjectType({ simpleResolvers: true, description: 'Which signals carry the evidence: one component on its own.' })
export class ComponentEvidence {
  @Field(() => ID, { description: 'The desired outcome whose coin holds the component.' }) outcomeId: string;
  @Field(() => ID, { description: 'The coin component.' }) componentId: string;
  @Field({ description: 'The component\'s key (stable across coin redefinitions).' }) key: string;
  @Field({ description: 'The component\'s name, for display.' }) name: string;
  @Field({ description: 'PROACTIVE or REACTIVE.' }) side: string;
  @Field(() => Float, { description: 'Its configured weight inside its side.' }) weight: number;
  @Field(() => Int, { description: 'Cases where it applies and has a score.' }) n: number;
  @Field(() => Float, { nullable: true, description: 'AUC of its own score.' }) auc: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of the cases it applies to whose value was missing.' }) missingShare: number | null;
  @Field(() => Int, { description: 'Cases it did not apply to.' }) notApplicable: number;
  @Field(() => Float, { nullable: true, description: 'Mean of its score over the churned cases, unrounded 0-100; null when none had a score.' }) meanScoreChurned: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean of its score over the retained cases, unrounded 0-100; null when none had a score.' }) meanScoreRetained: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'What a backtest found. Account health decides the overall figures; outcomes use their own score.' })
export class BacktestReport extends Separation {
  @Field(() => Int, { description: 'Cases left out because nothing scored them (null score).' }) unscored: number;
  @Field(() => Int, { description: 'Below this many churners (or retained cases) a figure is flagged tooFew.' }) minChurners: number;
  @Field(() => [CalibrationBin], { description: 'Churn rate per tenth of the score scale.' }) calibration: CalibrationBin[];
  @Field(() => [LifecycleKindCount], { description: 'Cases per lifecycle kind, how each counted, and their mean score.' }) lifecycleKinds: LifecycleKindCount[];
  @Field(() => [SegmentFigures], { description: 'The same figures per cluster (the case\'s cluster under the model scored).' }) clusters: SegmentFigures[];
  @Field(() => [SegmentFigures], { description: 'The same figures per desired outcome, on each outcome\'s own score.' }) outcomes: SegmentFigures[];
  @Field(() => [ComponentEvidence], { description: 'Per component: how well its own score separates churned from retained cases.' }) components: ComponentEvidence[];
  @Field(() => [String], { description: 'Too few churners, possible leakage, attributes without history.' }) warnings: string[];
}

@ObjectType({ simpleResolvers: true, description: 'One component in a weight suggestion.' })
export class SuggestedComponent {
  @Field(() => ID, { description: 'The coin component.' }) componentId: string;
  @Field({ description: 'The component\'s key (stable across coin redefinitions).' }) key: string;
  @Field({ description: 'The component\'s name, for display.' }) name: string;
  @Field({ description: 'PROACTIVE or REACTIVE.' }) side: string;
  @Field(() => Float, { description: 'Its share of the whole coin today, in % (all components present).' }) currentWeight: number;
  @Field(() => Float, { description: 'Its suggested share of the whole coin, in %.' }) suggestedWeight: number;
  @Field({ description: 'The fit gave it (almost) no weight: the outcomes show no evidence for it.' }) noEvidence: boolean;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'With learnScoring: the learned scoring function (BANDS or CATEGORICAL).' }) scoring: Record<string, unknown> | null;
}

@ObjectType({ simpleResolvers: true, description: 'Weights fitted to what happened, with their out-of-sample AUC next to the current weights\' on the same folds.' })
export class WeightSuggestion {
  @Field(() => ID, { description: 'The finished backtest whose cases were fitted.' }) backtestId: string;
  @Field(() => ID, { description: 'The desired outcome whose coin was fitted.' }) outcomeId: string;
  @Field(() => Int, { description: 'Cases the fit used (with a score, not EXCLUDED).' }) n: number;
  @Field(() => Int, { description: 'Of those cases, the ones that churned.' }) churners: number;
  @Field(() => Int, { description: 'Cross-validation folds used (2-20).' }) folds: number;
  @Field({ description: 'Whether scoring functions were learned too (BANDS cut points, category scores), not only weights.' }) learnScoring: boolean;
  @Field(() => Float, { nullable: true, description: 'Mean held-out AUC of the suggestion (each fold fitted on the others).' }) cvAuc: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean held-out AUC of the current weights on the same folds.' }) cvAucCurrent: number | null;
  @Field(() => [Float], { nullable: 'items', description: 'Held-out AUC of the suggestion per fold (empty with fewer than 2 cases per fold); an item is null when its fold had no churned or no retained case.' }) cvAucPerFold: Array<number | null>;
  @Field(() => [Float], { nullable: 'items', description: 'Held-out AUC of the current weights per fold (same folds); null items as in cvAucPerFold.' }) cvAucCurrentPerFold: Array<number | null>;
  @Field(() => Float, { description: 'Suggested weight of the proactive side, in % of the coin (proactiveWeight + reactiveWeight = 100).' }) proactiveWeight: number;
  @Field(() => Float, { description: 'Suggested weight of the reactive side, in % of the coin.' }) reactiveWeight: number;
  @Field(() => [SuggestedComponent], { description: 'Every component of the current coin, with its current and suggested share.' }) components: SuggestedComponent[];
  @Field(() => GraphQLJSONObject, { description: 'The suggested coin as a CoinInput document (defineCoin input), fitted on every case.' }) coin: Record<string, unknown>;
  @Field(() => [String], { description: 'Things to know before using the suggestion: too few cases, possible leakage, components left out.' }) warnings: string[];
}

@ObjectType({ simpleResolvers: true, description: 'A weight suggestion saved as a model draft.' })
export class SuggestionDraft {
  @Field(() => ID, { description: 'The draft: preview it, backtest it (runBacktest(input: { model: { draftId } })), publish it.' }) draftId: string;
  @Field(() => WeightSuggestion, { description: 'The suggestion that was saved.' }) suggestion: WeightSuggestion;
}

/** GraphQL types of a model preview. */
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IsEnum, IsOptional, IsUUID } from 'class-validator';
import { HealthBand } from '../health/health.types';
import { ScoringRun } from '../scoring/runs.entity';
import type { ModelPreview } from './model-preview.entity';
import type { PreviewOrder } from './model.preview';

export enum ModelPreviewOrder { CHANGE_ASC = 'CHANGE_ASC', CHANGE_DESC = 'CHANGE_DESC', ABS_CHANGE_DESC = 'ABS_CHANGE_DESC' }
registerEnumType(ModelPreviewOrder, {
  name: 'ModelPreviewOrder',
  description: 'Order of a preview\'s accounts by their score change.',
  valuesConfig: { CHANGE_ASC: { description: 'Biggest drops first.' }, CHANGE_DESC: { description: 'Biggest gains first.' }, ABS_CHANGE_DESC: { description: 'Biggest moves either way first.' } },
});

@InputType({ description: 'The conditions combine; omitted = every account of the preview.' })
export class ModelPreviewFilter {
  @Field(() => ID, { nullable: true, description: 'In this cluster before or after.' }) @IsOptional() @IsUUID() clusterId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Scored for this outcome (before or after).' }) @IsOptional() @IsUUID() outcomeId?: string | null;
  @Field(() => HealthBand, { nullable: true, description: 'Only accounts in this band under the live model.' }) @IsOptional() @IsEnum(HealthBand) bandBefore?: HealthBand | null;
  @Field(() => HealthBand, { nullable: true, description: 'Only accounts in this band under the draft.' }) @IsOptional() @IsEnum(HealthBand) bandAfter?: HealthBand | null;
}

@ObjectType({ simpleResolvers: true, description: 'A score under one of the two models, with its band. A value: no id.' })
export class PreviewScore {
  @Field(() => Float, { nullable: true, description: 'Unrounded, 0-100 (show one decimal); null when nothing could be scored.' }) score: number | null;
  @Field(() => HealthBand, { description: 'Band of the score by the workspace thresholds (UNKNOWN without a score).' }) band: HealthBand;
}

@ObjectType({ simpleResolvers: true, description: 'A named cluster or outcome of either model.' })
export class PreviewRef {
  @Field(() => ID, { description: 'The cluster\'s or the outcome\'s id (in the draft, or in the live model when the draft drops it).' }) id: string;
  @Field(() => String, { nullable: true, description: 'Its name in the draft (or in the live model when the draft drops it).' }) name: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'One account: its health under the live model (before) and under the draft (after).' })
export class ModelPreviewAccount {
  @Field(() => ID, { description: 'The account (look it up with account(id) for more).' }) accountId: string;
  @Field({ description: 'The account\'s id in the customer\'s own system.' }) externalId: string;
  @Field({ description: 'The account\'s name, for display.' }) name: string;
  @Field(() => PreviewScore, { description: 'Account health under the live model.' }) before: PreviewScore;
  @Field(() => PreviewScore, { description: 'Account health under the draft.' }) after: PreviewScore;
  @Field(() => Float, { nullable: true, description: 'after − before (null when either is).' }) change: number | null;
  @Field(() => PreviewRef, { nullable: true, description: 'Its cluster under the live model; null when no cluster takes it.' }) clusterBefore: PreviewRef | null;
  @Field(() => PreviewRef, { nullable: true, description: 'Its cluster under the draft; null when no cluster takes it.' }) clusterAfter: PreviewRef | null;
}

@ObjectType({ simpleResolvers: true, description: 'One page of a preview\'s accounts (offset paging: a finished preview never changes). A value: the accounts inside have no id either; key them by accountId within the preview.' })
export class ModelPreviewAccountPage {
  @Field(() => [ModelPreviewAccount], { description: 'The accounts of this page, in the order asked for.' }) nodes: ModelPreviewAccount[];
  @Field(() => Int, { description: 'Accounts matching the filter, over all pages.' }) totalCount: number;
  @Field({ description: 'Pass `offset + first` to get the next page.' }) hasNextPage: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'How many accounts go from one band to another (GREEN → YELLOW …).' })
export class BandTransition {
  @Field(() => HealthBand, { description: 'Band under the live model.' }) from: HealthBand;
  @Field(() => HealthBand, { description: 'Band under the draft.' }) to: HealthBand;
  @Field(() => Int, { description: 'Accounts that go from `from` to `to` (from = to: they stay).' }) accounts: number;
}

@ObjectType({ simpleResolvers: true, description: 'The mean score change of the accounts of one cluster or one outcome.' })
export class PreviewMeanChange {
  @Field(() => PreviewRef, { description: 'The cluster or the outcome.' }) of: PreviewRef;
  @Field(() => Int, { description: 'Accounts counted.' }) accounts: number;
  @Field(() => Float, { nullable: true, description: 'Mean score change of its accounts (after − before).' }) meanChange: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'A component\'s contribution (points of the outcome score) before and after.' })
export class PreviewComponentMove {
  @Field({ description: 'The component\'s key (stable across coin redefinitions).' }) key: string;
  @Field(() => Float, { description: 'Its contribution under the live model, in points of the outcome score (0 when absent).' }) before: number;
  @Field(() => Float, { description: 'Its contribution under the draft, in points of the outcome score (0 when absent).' }) after: number;
  @Field(() => Float, { description: 'after − before, in points.' }) change: number;
}

@ObjectType({ simpleResolvers: true, description: 'An account × outcome score that moves, and the components that moved it most.' })
export class ModelPreviewMover {
  @Field(() => ID, { description: 'The account.' }) accountId: string;
  @Field({ description: 'The account\'s id in the customer\'s own system.' }) externalId: string;
  @Field({ description: 'The account\'s name, for display.' }) name: string;
  @Field(() => PreviewRef, { description: 'The desired outcome whose score moves.' }) outcome: PreviewRef;
  @Field(() => PreviewScore, { description: 'The outcome score under the live model.' }) before: PreviewScore;
  @Field(() => PreviewScore, { description: 'The outcome score under the draft.' }) after: PreviewScore;
  @Field(() => Float, { description: 'after − before, in points of the outcome score (unrounded: show one decimal).' }) change: number;
  @Field(() => [PreviewComponentMove], { description: 'The components that moved it most, biggest move first.' }) components: PreviewComponentMove[];
}

@ObjectType('ModelPreview', { simpleResolvers: true, description: 'A draft scored beside the live model at one asOf; stored apart from live scores.' })
export class ModelPreviewType {
  @Field(() => ID, { description: 'Also the id of its scoring run.' }) id: string;
  @Field(() => ID, { nullable: true, description: 'The draft scored; null once the draft is deleted (the preview stays).' }) draftId: string | null;
  @Field({ description: 'The draft\'s name when the preview was made.' }) draftName: string;
  @Field({ description: 'The time both models were scored at (the same for every account).' }) asOf: Date;
  @Field({ description: 'sha256 of the live model\'s configuration scored (compare with ModelVersion.hash).' }) liveHash: string;
  @Field({ description: 'sha256 of the draft\'s configuration scored.' }) draftHash: string;
  @Field(() => ScoringRun, { description: 'Progress: the run that computes the preview (kind PREVIEW).' }) run: ScoringRun;
  @Field({ description: 'When the preview was asked for.' }) createdAt: Date;

  /** id → name of every cluster and outcome of both models (draft names win). */
  names: Map<string, string>;

  static of(p: ModelPreview, run: ScoringRun): ModelPreviewType {
    const names = new Map<string, string>();
    for (const cfg of [p.liveConfig, p.draftConfig] as Array<{ clusters: Array<{ id: string; name: string }>; outcomes: Array<{ id: string; name: string }> }>) {
      for (const x of [...cfg.clusters, ...cfg.outcomes]) names.set(x.id, x.name);
    }
    return Object.assign(new ModelPreviewType(), {
      id: p.id, draftId: p.draftId, draftName: p.draftName, asOf: p.asOf, liveHash: p.liveHash, draftHash: p.draftHash, run, createdAt: p.createdAt, names,
    });
  }

  ref(id: string | null): PreviewRef | null {
    return id ? { id, name: this.names.get(id) ?? null } : null;
  }
}

export type { PreviewOrder };

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
  valuesConfig: { CHANGE_ASC: { description: 'Biggest drops first.' }, CHANGE_DESC: { description: 'Biggest gains first.' }, ABS_CHANGE_DESC: { description: 'Biggest moves either way first.' } },
});

@InputType({ description: 'The conditions combine; omitted = every account of the preview.' })
export class ModelPreviewFilter {
  @Field(() => ID, { nullable: true, description: 'In this cluster before or after.' }) @IsOptional() @IsUUID() clusterId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Scored for this outcome (before or after).' }) @IsOptional() @IsUUID() outcomeId?: string | null;
  @Field(() => HealthBand, { nullable: true }) @IsOptional() @IsEnum(HealthBand) bandBefore?: HealthBand | null;
  @Field(() => HealthBand, { nullable: true }) @IsOptional() @IsEnum(HealthBand) bandAfter?: HealthBand | null;
}

@ObjectType({ simpleResolvers: true })
export class PreviewScore {
  @Field(() => Float, { nullable: true }) score: number | null;
  @Field(() => HealthBand) band: HealthBand;
}

@ObjectType({ simpleResolvers: true, description: 'A named cluster or outcome of either model.' })
export class PreviewRef {
  @Field(() => ID) id: string;
  @Field(() => String, { nullable: true, description: 'Its name in the draft (or in the live model when the draft drops it).' }) name: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'One account: its health under the live model (before) and under the draft (after).' })
export class ModelPreviewAccount {
  @Field(() => ID) accountId: string;
  @Field() externalId: string;
  @Field() name: string;
  @Field(() => PreviewScore) before: PreviewScore;
  @Field(() => PreviewScore) after: PreviewScore;
  @Field(() => Float, { nullable: true, description: 'after − before (null when either is).' }) change: number | null;
  @Field(() => PreviewRef, { nullable: true }) clusterBefore: PreviewRef | null;
  @Field(() => PreviewRef, { nullable: true }) clusterAfter: PreviewRef | null;
}

@ObjectType({ simpleResolvers: true })
export class ModelPreviewAccountPage {
  @Field(() => [ModelPreviewAccount]) nodes: ModelPreviewAccount[];
  @Field(() => Int) totalCount: number;
  @Field({ description: 'Pass `offset + first` to get the next page.' }) hasNextPage: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'How many accounts go from one band to another (GREEN → YELLOW …).' })
export class BandTransition {
  @Field(() => HealthBand) from: HealthBand;
  @Field(() => HealthBand) to: HealthBand;
  @Field(() => Int) accounts: number;
}

@ObjectType({ simpleResolvers: true })
export class PreviewMeanChange {
  @Field(() => PreviewRef) of: PreviewRef;
  @Field(() => Int) accounts: number;
  @Field(() => Float, { nullable: true, description: 'Mean score change of its accounts (after − before).' }) meanChange: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'A component\'s contribution (points of the outcome score) before and after.' })
export class PreviewComponentMove {
  @Field() key: string;
  @Field(() => Float) before: number;
  @Field(() => Float) after: number;
  @Field(() => Float) change: number;
}

@ObjectType({ simpleResolvers: true, description: 'An account × outcome score that moves, and the components that moved it most.' })
export class ModelPreviewMover {
  @Field(() => ID) accountId: string;
  @Field() externalId: string;
  @Field() name: string;
  @Field(() => PreviewRef) outcome: PreviewRef;
  @Field(() => PreviewScore) before: PreviewScore;
  @Field(() => PreviewScore) after: PreviewScore;
  @Field(() => Float) change: number;
  @Field(() => [PreviewComponentMove]) components: PreviewComponentMove[];
}

@ObjectType('ModelPreview', { simpleResolvers: true, description: 'A draft scored beside the live model at one asOf; stored apart from live scores.' })
export class ModelPreviewType {
  @Field(() => ID, { description: 'Also the id of its scoring run.' }) id: string;
  @Field(() => ID, { nullable: true }) draftId: string | null;
  @Field() draftName: string;
  @Field() asOf: Date;
  @Field() liveHash: string;
  @Field() draftHash: string;
  @Field(() => ScoringRun, { description: 'Progress: the run that computes the preview (kind PREVIEW).' }) run: ScoringRun;
  @Field() createdAt: Date;

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

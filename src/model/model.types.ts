/** GraphQL types of the model document, its versions, diffs and drafts. */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { PageInfo } from '../shared/connection';
import { ScoringRun } from '../scoring/runs.entity';
import type { ModelVersion as ModelVersionRow } from '../scoring/model-version.entity';
import type { ModelChange as Change, ChangeKind } from './model.diff';
import type { ModelDraft as DraftRow } from './model-draft.entity';

export enum ModelChangeKind { ADDED = 'ADDED', REMOVED = 'REMOVED', CHANGED = 'CHANGED' }
registerEnumType(ModelChangeKind, {
  name: 'ModelChangeKind',
  description: 'How one item differs between two models.',
  valuesConfig: {
    ADDED: { description: 'Only in the newer model.' },
    REMOVED: { description: 'Only in the older model.' },
    CHANGED: { description: 'In both, with different settings.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'One change between two models, in words: "component `login_frequency` of `adoption`: weight 20 → 30".' })
export class ModelChange implements Change {
  @Field(() => ModelChangeKind) kind: ChangeKind;
  @Field({ description: 'thresholds, cluster, outcome, journey, stage, milestone, coin or component.' }) entity: string;
  @Field({ description: 'Its key; `outcome/key` for what belongs to an outcome.' }) key: string;
  @Field(() => String, { nullable: true, description: 'The field that changed (CHANGED only).' }) field: string | null;
  @Field() text: string;
}

@ObjectType({ simpleResolvers: true, description: 'The API key that made a version (null for changes made outside the API).' })
export class ModelActor {
  @Field(() => ID, { nullable: true }) apiKeyId: string | null;
  @Field(() => String, { nullable: true }) name: string | null;
  @Field(() => String, { nullable: true, description: 'Its role, or SYSTEM for seeds, CLIs and scoring.' }) role: string | null;
}

@ObjectType('ModelVersion', { simpleResolvers: true, description: 'A version of the live health model. Every change of the live model records one.' })
export class ModelVersionType {
  @Field(() => ID) id: string;
  @Field(() => Int, { description: '1, 2, 3 … in the order the versions were recorded.' }) number: number;
  @Field({ description: 'Hash of the scoring configuration: the `modelVersion` health snapshots record.' }) hash: string;
  @Field(() => String, { nullable: true, description: 'Hash of the document (sha256 of its canonical JSON).' }) documentHash: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The whole model (see schema/model.schema.json); null for versions recorded before documents existed.' })
  document: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) message: string | null;
  @Field(() => ModelActor) actor: ModelActor;
  @Field() createdAt: Date;

  static of(v: ModelVersionRow): ModelVersionType {
    return Object.assign(new ModelVersionType(), {
      id: v.id, number: v.number, hash: v.hash, documentHash: v.documentHash, document: v.document, message: v.message, createdAt: v.createdAt,
      actor: { apiKeyId: v.actorKeyId, name: v.actorName, role: v.actorRole },
    });
  }
}

@ObjectType({ simpleResolvers: true, description: 'Versions, newest first. Continue with `before: pageInfo.endCursor`.' })
export class ModelVersionConnection {
  @Field(() => [ModelVersionType]) nodes: ModelVersionType[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int) totalCount: number;
}

@ObjectType('Model', { simpleResolvers: true, description: 'A whole health model: the live one, a version or a draft.' })
export class ModelType {
  @Field(() => GraphQLJSONObject, { description: 'The model document (see schema/model.schema.json): keys, never database ids.' }) document: Record<string, unknown>;
  @Field({ description: 'Hash of the scoring configuration (what snapshots record).' }) hash: string;
  @Field() documentHash: string;
  @Field(() => Int, { nullable: true, description: 'Its version number (live: the newest version with its hash).' }) version: number | null;
}

@ObjectType('ModelDraft', { simpleResolvers: true, description: 'A proposed model, edited and previewed apart from the live model.' })
export class ModelDraftType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => GraphQLJSONObject) document: Record<string, unknown>;
  @Field() documentHash: string;
  @Field(() => Int, { nullable: true, description: 'The version it was taken from.' }) baseVersion: number | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static of(d: DraftRow): ModelDraftType {
    return Object.assign(new ModelDraftType(), {
      id: d.id, name: d.name, document: d.document, documentHash: d.documentHash, baseVersion: d.baseVersion, createdAt: d.createdAt, updatedAt: d.updatedAt,
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class ModelProblem {
  @Field({ description: 'Path in the document, e.g. `coins[1].components[3].scoring.floor`.' }) field: string;
  @Field() message: string;
}

@ObjectType({ simpleResolvers: true })
export class ModelValidation {
  @Field() valid: boolean;
  @Field(() => [ModelProblem], { description: 'Every problem of the document, not only the first.' }) problems: ModelProblem[];
}

@ObjectType({ simpleResolvers: true })
export class ModelPublication {
  @Field(() => ModelVersionType, { description: 'The new live version.' }) version: ModelVersionType;
  @Field(() => ScoringRun, { description: 'The full rescore under it; poll scoringRun(id).' }) run: ScoringRun;
}

@InputType()
export class CreateModelDraftInput {
  @Field({ description: 'What the draft is about, e.g. "More weight on logins".' })
  @IsString() @Length(1, 200)
  name: string;

  @Field(() => Int, { nullable: true, description: 'Start from this version; none: from the live model.' })
  @IsOptional() @IsInt() @Min(1)
  fromVersion?: number | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Start from this whole document instead (e.g. a model file kept in version control); every problem is reported at once.' })
  @IsOptional()
  document?: Record<string, unknown> | null;
}

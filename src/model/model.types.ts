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
  @Field(() => ModelChangeKind, { description: 'ADDED, REMOVED or CHANGED.' }) kind: ChangeKind;
  @Field({ description: 'thresholds, cluster, outcome, journey, stage, milestone, coin or component.' }) entity: string;
  @Field({ description: 'Its key; `outcome/key` for what belongs to an outcome.' }) key: string;
  @Field(() => String, { nullable: true, description: 'The field that changed (CHANGED only).' }) field: string | null;
  @Field({ description: 'The change as one sentence, for display (e.g. "component `login_frequency` of `adoption`: weight 20 → 30").' }) text: string;
}

@ObjectType({ simpleResolvers: true, description: 'The API key that made a version (null for changes made outside the API).' })
export class ModelActor {
  @Field(() => ID, { nullable: true, description: 'The API key; null for changes made outside the API (seeds, CLIs).' }) apiKeyId: string | null;
  @Field(() => String, { nullable: true, description: 'The API key\'s name at the time; null outside the API.' }) name: string | null;
  @Field(() => String, { nullable: true, description: 'Its role, or SYSTEM for seeds, CLIs and scoring.' }) role: string | null;
}

@ObjectType('ModelVersion', { simpleResolvers: true, description: 'A version of the live health model. Every change of the live model records one.' })
export class ModelVersionType {
  @Field(() => ID, { description: 'The version\'s row id (UUID); stable: cache on it.' }) id: string;
  @Field(() => Int, { description: '1, 2, 3 … in the order the versions were recorded.' }) number: number;
  @Field({ description: 'Hash of the scoring configuration: the `modelVersion` health snapshots record.' }) hash: string;
  @Field(() => String, { nullable: true, description: 'Hash of the document (sha256 of its canonical JSON).' }) documentHash: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The whole model (see schema/model.schema.json); null for versions recorded before documents existed.' })
  document: Record<string, unknown> | null;
  @Field(() => String, { nullable: true, description: 'What the change was for, as given when publishing (or a generated one, e.g. "published draft …"); null when none was recorded.' }) message: string | null;
  @Field(() => ModelActor, { description: 'Who made the version.' }) actor: ModelActor;
  @Field({ description: 'When the version was recorded (when it went live).' }) createdAt: Date;

  static of(v: ModelVersionRow): ModelVersionType {
    return Object.assign(new ModelVersionType(), {
      id: v.id, number: v.number, hash: v.hash, documentHash: v.documentHash, document: v.document, message: v.message, createdAt: v.createdAt,
      actor: { apiKeyId: v.actorKeyId, name: v.actorName, role: v.actorRole },
    });
  }
}

@ObjectType({ simpleResolvers: true, description: 'Versions, newest first. Continue with `before: pageInfo.endCursor`.' })
export class ModelVersionConnection {
  @Field(() => [ModelVersionType], { description: 'The versions of this page, newest first.' }) nodes: ModelVersionType[];
  @Field(() => PageInfo, { description: 'Pass pageInfo.endCursor as `before` for the next page, while hasNextPage.' }) pageInfo: PageInfo;
  @Field(() => Int, { description: 'Versions recorded in the workspace, over all pages.' }) totalCount: number;
}

@ObjectType('Model', { simpleResolvers: true, description: 'A whole health model: the live one, a version or a draft.' })
export class ModelType {
  @Field(() => GraphQLJSONObject, { description: 'The model document (see schema/model.schema.json): keys, never database ids.' }) document: Record<string, unknown>;
  @Field({ description: 'Hash of the scoring configuration (what snapshots record).' }) hash: string;
  @Field({ description: 'sha256 of the document\'s canonical JSON: equal hashes, equal documents.' }) documentHash: string;
  @Field(() => Int, { nullable: true, description: 'Its version number (live: the newest version with its hash).' }) version: number | null;
}

@ObjectType('ModelDraft', { simpleResolvers: true, description: 'A proposed model, edited and previewed apart from the live model.' })
export class ModelDraftType {
  @Field(() => ID, { description: 'The draft\'s row id (UUID); stable: cache on it.' }) id: string;
  @Field({ description: 'What the draft is about, for display (1-200 characters).' }) name: string;
  @Field(() => GraphQLJSONObject, { description: 'The whole proposed model (see schema/model.schema.json).' }) document: Record<string, unknown>;
  @Field({ description: 'sha256 of the document\'s canonical JSON: changes whenever the document does.' }) documentHash: string;
  @Field(() => Int, { nullable: true, description: 'The version it was taken from.' }) baseVersion: number | null;
  @Field({ description: 'When the draft was created.' }) createdAt: Date;
  @Field({ description: 'When its document or name last changed.' }) updatedAt: Date;

  static of(d: DraftRow): ModelDraftType {
    return Object.assign(new ModelDraftType(), {
      id: d.id, name: d.name, document: d.document, documentHash: d.documentHash, baseVersion: d.baseVersion, createdAt: d.createdAt, updatedAt: d.updatedAt,
    });
  }
}

@ObjectType({ simpleResolvers: true, description: 'One problem of a model document: where and what. A value: no id.' })
export class ModelProblem {
  @Field({ description: 'Path in the document, e.g. `coins[1].components[3].scoring.floor`.' }) field: string;
  @Field({ description: 'What is wrong and how to fix it, for display next to the field.' }) message: string;
}

@ObjectType({ simpleResolvers: true, description: 'The answer of validateModel. A value: no id.' })
export class ModelValidation {
  @Field({ description: 'True when the document can be saved and published as it is; then problems is empty.' }) valid: boolean;
  @Field(() => [ModelProblem], { description: 'Every problem of the document, not only the first.' }) problems: ModelProblem[];
}

@ObjectType({ simpleResolvers: true, description: 'What publishModelDraft or revertModel did: the new live version and the rescore it started.' })
export class ModelPublication {
  @Field(() => ModelVersionType, { description: 'The new live version.' }) version: ModelVersionType;
  @Field(() => ScoringRun, { description: 'The full rescore under it; poll scoringRun(id).' }) run: ScoringRun;
}

@InputType({ description: 'A new model draft: a name, and where to start from (the live model by default, a version, or a whole document).' })
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

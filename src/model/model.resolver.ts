import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { DomainError, InputError } from '../shared/errors';
import { documentHash } from './model.document';
import * as drafts from './model.drafts';
import { resolveModel } from './model.source';
import * as versions from './model.versions';
import { parseDocument } from './model.validate';
import {
  CreateModelDraftInput, ModelChange, ModelDraftType, ModelPublication, ModelType, ModelValidation, ModelVersionConnection, ModelVersionType,
} from './model.types';

@Resolver()
export class ModelResolver {
  @Authorized(Roles.READ)
  @Query(() => ModelType, { description: 'The whole health model as one document: the live one, or a version, or a draft.' })
  async model(
    @Ctx() ctx: RequestContext,
    @Arg('version', () => Int, { nullable: true, description: 'This recorded version\'s model; omit (and draftId) for the live model.' }) version?: number | null,
    @Arg('draftId', () => ID, { nullable: true, description: 'This draft\'s model (not with version).' }) draftId?: string | null,
  ): Promise<ModelType> {
    if (version != null && draftId != null) throw new InputError('draftId', 'Give a version or a draftId, not both.');
    const m = await resolveModel(ctx.tenant, draftId != null ? { draftId } : version != null ? { version } : { live: true });
    return { document: m.document as unknown as Record<string, unknown>, hash: m.hash, documentHash: documentHash(m.document), version: m.version };
  }

  @Authorized(Roles.READ)
  @Query(() => ModelVersionConnection, { description: 'Versions of the live model, newest first.' })
  async modelVersions(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('before', () => String, { nullable: true, description: 'endCursor of the previous page.' }) before?: string | null,
  ): Promise<ModelVersionConnection> {
    const page = await versions.listVersions(ctx.tenant, first, before ? Number(before) : null);
    const last = page.versions.at(-1);
    return {
      nodes: page.versions.map(ModelVersionType.of), totalCount: page.totalCount,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? String(last.number) : null },
    };
  }

  @Authorized(Roles.READ)
  @Query(() => [ModelChange], { description: 'What changed from version `from` to version `to`, in words.' })
  async modelDiff(@Ctx() ctx: RequestContext, @Arg('from', () => Int, { description: 'The older version\'s number.' }) from: number, @Arg('to', () => Int, { description: 'The newer version\'s number.' }) to: number): Promise<ModelChange[]> {
    return await versions.diffVersions(ctx.tenant, from, to);
  }

  @Authorized(Roles.READ)
  @Query(() => [ModelDraftType], { description: 'Every model draft of the workspace.' })
  async modelDrafts(@Ctx() ctx: RequestContext): Promise<ModelDraftType[]> {
    return (await drafts.listDrafts(ctx.tenant)).map(ModelDraftType.of);
  }

  @Authorized(Roles.READ)
  @Query(() => [ModelChange], { description: 'What publishing this draft would change in the live model, in words.' })
  async modelDraftChanges(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The draft to compare with the live model.' }) id: string): Promise<ModelChange[]> {
    return await drafts.draftChanges(ctx.tenant, id);
  }

  @Authorized(Roles.READ)
  @Query(() => ModelValidation, { description: 'Check a model document without saving it: every problem, each with its path.' })
  async validateModel(@Arg('document', () => GraphQLJSONObject, { description: 'The whole model document (see schema/model.schema.json).' }) document: Record<string, unknown>): Promise<ModelValidation> {
    try {
      await parseDocument(document);
      return { valid: true, problems: [] };
    } catch (err) {
      if (err instanceof DomainError && err.code === 'BAD_USER_INPUT') {
        return { valid: false, problems: (err.extra.problems as ModelValidation['problems']) ?? [{ field: String(err.extra.field), message: err.message }] };
      }
      throw err;
    }
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ModelDraftType, { description: 'Start a draft from the live model or from a version. Changes nothing live.' })
  async createModelDraft(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Its name, and where to start from.' }) input: CreateModelDraftInput): Promise<ModelDraftType> {
    return ModelDraftType.of(await drafts.createDraft(ctx.tenant, input));
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ModelDraftType, { description: 'Replace a draft\'s whole document. An invalid document is refused with every problem listed (extensions.problems).' })
  async updateModelDraft(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID, { description: 'The draft to change.' }) id: string,
    @Arg('document', () => GraphQLJSONObject, { description: 'The whole new document (see schema/model.schema.json); replaces the old one.' }) document: Record<string, unknown>,
    @Arg('name', () => String, { nullable: true, description: 'A new name; omit to keep the name.' }) name?: string | null,
  ): Promise<ModelDraftType> {
    return ModelDraftType.of(await drafts.replaceDraftDocument(ctx.tenant, id, document, name));
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Boolean, { description: 'Delete a model draft (its previews stay). True when it was deleted; NOT_FOUND when there is none with this id. Changes nothing live.' })
  async deleteModelDraft(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The draft to delete.' }) id: string): Promise<boolean> {
    return await drafts.deleteDraft(ctx.tenant, id);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ModelPublication, {
    description: 'Make a draft the live model (one transaction), record a version and start a full rescore. CONFLICT, and nothing changes, when the live version is not `expectedLiveVersion`.',
  })
  async publishModelDraft(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID, { description: 'The draft to publish.' }) id: string,
    @Arg('expectedLiveVersion', () => Int, { description: 'The live version number the draft was reviewed against: if someone published since, CONFLICT and nothing changes.' }) expectedLiveVersion: number,
    @Arg('message', () => String, { nullable: true, description: 'What the change is for, kept with the version; omit for "published draft <name>".' }) message?: string | null,
  ): Promise<ModelPublication> {
    const p = await drafts.publishDraft(ctx.tenant, id, expectedLiveVersion, message);
    return { version: ModelVersionType.of(p.version), run: p.run };
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ModelPublication, { description: 'Make an earlier version live again, as a new version with the same document and hash; starts a full rescore.' })
  async revertModel(
    @Ctx() ctx: RequestContext,
    @Arg('toVersion', () => Int, { description: 'The version to make live again.' }) toVersion: number,
    @Arg('message', () => String, { nullable: true, description: 'What the revert is for, kept with the version; omit for "reverted to version N".' }) message?: string | null,
    @Arg('expectedLiveVersion', () => Int, { nullable: true, description: 'The live version number the caller saw: if someone published since, CONFLICT and nothing changes; omit to revert regardless.' }) expectedLiveVersion?: number | null,
  ): Promise<ModelPublication> {
    const p = await drafts.revertModel(ctx.tenant, toVersion, message, expectedLiveVersion);
    return { version: ModelVersionType.of(p.version), run: p.run };
  }
}

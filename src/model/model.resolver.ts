import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { DomainError, InputError } from '../shared/errors';
import { documentHash } from './model.document';
import * as drafts from './model.drafts';
import { diffDocuments } from './model.diff';
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
    @Arg('version', () => Int, { nullable: true }) version?: number | null,
    @Arg('draftId', () => ID, { nullable: true }) draftId?: string | null,
  ): Promise<ModelType> {
    if (version != null && draftId != null) throw new InputError('draftId', 'Give a version or a draftId, not both.');
    const m = await resolveModel(ctx.tenant, draftId != null ? { draftId } : version != null ? { version } : { live: true });
    return { document: m.document as unknown as Record<string, unknown>, hash: m.hash, documentHash: documentHash(m.document), version: m.version };
  }

  @Authorized(Roles.READ)
  @Query(() => ModelVersionConnection, { description: 'Versions of the live model, newest first.' })
  async modelVersions(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
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
  async modelDiff(@Ctx() ctx: RequestContext, @Arg('from', () => Int) from: number, @Arg('to', () => Int) to: number): Promise<ModelChange[]> {
    return await versions.diffVersions(ctx.tenant, from, to);
  }

  @Authorized(Roles.READ)
  @Query(() => [ModelDraftType])
  async modelDrafts(@Ctx() ctx: RequestContext): Promise<ModelDraftType[]> {
    return (await drafts.listDrafts(ctx.tenant)).map(ModelDraftType.of);
  }

  @Authorized(Roles.READ)
  @Query(() => [ModelChange], { description: 'What publishing this draft would change in the live model, in words.' })
  async modelDraftChanges(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ModelChange[]> {
    const [live, draft] = [await resolveModel(ctx.tenant, { live: true }), await resolveModel(ctx.tenant, { draftId: id })];
    return diffDocuments(live.document, draft.document);
  }

  @Authorized(Roles.READ)
  @Query(() => ModelValidation, { description: 'Check a model document without saving it: every problem, each with its path.' })
  async validateModel(@Arg('document', () => GraphQLJSONObject) document: Record<string, unknown>): Promise<ModelValidation> {
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
  async createModelDraft(@Ctx() ctx: RequestContext, @Arg('input') input: CreateModelDraftInput): Promise<ModelDraftType> {
    return ModelDraftType.of(await drafts.createDraft(ctx.tenant, input));
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ModelDraftType, { description: 'Replace a draft\'s whole document. An invalid document is refused with every problem listed (extensions.problems).' })
  async updateModelDraft(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('document', () => GraphQLJSONObject) document: Record<string, unknown>,
    @Arg('name', () => String, { nullable: true }) name?: string | null,
  ): Promise<ModelDraftType> {
    return ModelDraftType.of(await drafts.replaceDraftDocument(ctx.tenant, id, document, name));
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => Boolean)
  async deleteModelDraft(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return await drafts.deleteDraft(ctx.tenant, id);
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ModelPublication, {
    description: 'Make a draft the live model (one transaction), record a version and start a full rescore. CONFLICT, and nothing changes, when the live version is not `expectedLiveVersion`.',
  })
  async publishModelDraft(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('expectedLiveVersion', () => Int) expectedLiveVersion: number,
    @Arg('message', () => String, { nullable: true }) message?: string | null,
  ): Promise<ModelPublication> {
    const p = await drafts.publishDraft(ctx.tenant, id, expectedLiveVersion, message);
    return { version: ModelVersionType.of(p.version), run: p.run };
  }

  @Authorized(Roles.CONFIGURE)
  @Mutation(() => ModelPublication, { description: 'Make an earlier version live again, as a new version with the same document and hash; starts a full rescore.' })
  async revertModel(
    @Ctx() ctx: RequestContext,
    @Arg('toVersion', () => Int) toVersion: number,
    @Arg('message', () => String, { nullable: true }) message?: string | null,
    @Arg('expectedLiveVersion', () => Int, { nullable: true }) expectedLiveVersion?: number | null,
  ): Promise<ModelPublication> {
    const p = await drafts.revertModel(ctx.tenant, toVersion, message, expectedLiveVersion);
    return { version: ModelVersionType.of(p.version), run: p.run };
  }
}

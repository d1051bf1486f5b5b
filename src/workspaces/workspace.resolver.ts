import { Arg, Authorized, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { Role, Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { ApiKey } from './api-key.entity';
import { BandThresholdsInput, CreateApiKeyInput } from './workspace.inputs';
import { Workspace } from './workspace.entity';
import * as workspaces from './workspace.service';

@ObjectType({ simpleResolvers: true })
class Viewer {
  @Field(() => ID, { description: 'The id of the API key making the request (the same as apiKeyId).' }) id: string;

  @Field(() => Workspace) workspace: Workspace;
  @Field(() => Role) role: Role;
  @Field(() => ID) apiKeyId: string;
}

@ObjectType({ simpleResolvers: true })
class CreatedApiKey {
  @Field(() => ApiKey) apiKey: ApiKey;
  @Field({ description: 'The secret key. Shown only now: store it safely.' }) key: string;
}

@Resolver()
export class WorkspaceResolver {
  @Authorized(Roles.READ)
  @Query(() => Viewer, { description: 'The caller: workspace and role of the API key used.' })
  async viewer(@Ctx() ctx: RequestContext): Promise<Viewer> {
    return { id: ctx.caller!.apiKeyId, workspace: await workspaces.getWorkspace(ctx.tenant), role: ctx.caller!.role, apiKeyId: ctx.caller!.apiKeyId };
  }

  @Authorized(Roles.ADMIN)
  @Query(() => [ApiKey])
  async apiKeys(@Ctx() ctx: RequestContext, @Arg('includeRevoked', { defaultValue: false }) includeRevoked: boolean): Promise<ApiKey[]> {
    return await workspaces.listApiKeys(ctx.tenant, includeRevoked);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => CreatedApiKey)
  async createApiKey(@Ctx() ctx: RequestContext, @Arg('input') input: CreateApiKeyInput): Promise<CreatedApiKey> {
    return await workspaces.createApiKey(ctx.tenant, input.name, input.role);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => ApiKey)
  async revokeApiKey(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ApiKey> {
    return await workspaces.revokeApiKey(ctx.tenant, id);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => Workspace)
  async setBandThresholds(@Ctx() ctx: RequestContext, @Arg('thresholds') t: BandThresholdsInput): Promise<Workspace> {
    return await workspaces.setBandThresholds(ctx.tenant, t.redBelow, t.yellowBelow);
  }
}

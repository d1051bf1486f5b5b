import { Arg, Authorized, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { Role, Roles } from '../shared/auth';
import type { RequestContext } from '../shared/context';
import { ApiKey } from './api-key.entity';
import { BandThresholdsInput, CreateApiKeyInput } from './workspace.inputs';
import { Workspace } from './workspace.entity';
import * as workspaces from './workspace.service';

@ObjectType({ simpleResolvers: true, description: 'Who is calling: the API key of the request, its workspace and role.' })
class Viewer {
  @Field(() => ID, { description: 'The id of the API key making the request (the same as apiKeyId).' }) id: string;

  @Field(() => Workspace, { description: 'The workspace the key belongs to (every answer is about this workspace only).' }) workspace: Workspace;
  @Field(() => Role, { description: 'The key\'s role: what the caller may do.' }) role: Role;
  @Field(() => ID, { description: 'The id of the API key making the request.' }) apiKeyId: string;
}

@ObjectType({ simpleResolvers: true, description: 'A new API key with its secret: the only time the secret is shown.' })
class CreatedApiKey {
  @Field(() => ApiKey, { description: 'The key\'s record (an entity: cache it by its id).' }) apiKey: ApiKey;
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
  @Query(() => [ApiKey], { description: 'The workspace\'s API keys, oldest first (ADMIN).' })
  async apiKeys(@Ctx() ctx: RequestContext, @Arg('includeRevoked', { defaultValue: false, description: 'Also list revoked keys.' }) includeRevoked: boolean): Promise<ApiKey[]> {
    return await workspaces.listApiKeys(ctx.tenant, includeRevoked);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => CreatedApiKey, { description: 'Create an API key (ADMIN); its secret is in the answer, once.' })
  async createApiKey(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Its name and role.' }) input: CreateApiKeyInput): Promise<CreatedApiKey> {
    return await workspaces.createApiKey(ctx.tenant, input.name, input.role);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => ApiKey, { description: 'Revoke an API key (ADMIN): refused from now on, on every instance. You cannot revoke the key you are using. Revoking twice is harmless.' })
  async revokeApiKey(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'The key to revoke (its id, not the secret).' }) id: string): Promise<ApiKey> {
    return await workspaces.revokeApiKey(ctx.tenant, id);
  }

  @Authorized(Roles.ADMIN)
  @Mutation(() => Workspace, { description: 'Change the band thresholds of the workspace (ADMIN); records a model version. BAD_USER_INPUT unless 0 < redBelow < yellowBelow <= 100.' })
  async setBandThresholds(@Ctx() ctx: RequestContext, @Arg('thresholds', { description: 'The new thresholds.' }) t: BandThresholdsInput): Promise<Workspace> {
    return await workspaces.setBandThresholds(ctx.tenant, t.redBelow, t.yellowBelow);
  }
}

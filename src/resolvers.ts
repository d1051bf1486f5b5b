/** Every GraphQL resolver class; one line per feature. */
import { WorkspaceResolver } from './workspaces/workspace.resolver';

export const RESOLVERS = [WorkspaceResolver] as const;

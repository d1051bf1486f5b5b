/** What the background worker does for cluster discoveries (src/job-handlers.ts composes it with the other features'). */
import type { DataSource } from 'typeorm';
import type { JobHandlers } from '../jobs/worker';
import { processDiscovery, recoverDiscoveries } from './discovery.service';

export function discoveryJobHandlers(db: DataSource): Pick<JobHandlers, 'discoverClusters' | 'sweep'> {
  return {
    discoverClusters: async ({ workspaceId, discoveryId }) => ({ outcome: await processDiscovery(db, workspaceId, discoveryId) }),
    sweep: async () => { await recoverDiscoveries(db); },
  };
}

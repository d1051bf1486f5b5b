/** Which health fields a query asks of the accounts of a list: the list reads them in its own statement (`HealthPrefetch`). */
import type { GraphQLResolveInfo } from 'graphql';
import { intArgument, selectedAt } from '../shared/selection';
import type { HealthPrefetch } from './health.loaders';

/**
 * `path`: from the list field to an Account (['edges', 'node'] for a connection). Drivers are read with the
 * outcomes when every `drivers` selection asks for the same `top` (the usual `drivers(top: 3)`); otherwise
 * `currentDrivers` reads them in one statement of their own.
 */
export function healthPrefetchOf(info: GraphQLResolveInfo, path: readonly string[]): HealthPrefetch {
  const health = selectedAt(info, [...path, 'health']).length > 0;
  const outcomes = selectedAt(info, [...path, 'outcomes']);
  if (!outcomes.length) return { health };
  const tops = new Set(selectedAt(info, [...path, 'outcomes', 'drivers']).map((d) => intArgument(info, d, 'top')));
  const [top] = tops;
  const outcome = selectedAt(info, [...path, 'outcomes', 'outcome']).length > 0;
  const nextMilestone = selectedAt(info, [...path, 'outcomes', 'journey', 'nextMilestone']).length > 0;
  return { health, outcomes: true, outcome, nextMilestone, drivers: tops.size === 1 && top !== undefined && (top === null || (Number.isInteger(top) && top >= 0)) ? { top } : undefined };
}

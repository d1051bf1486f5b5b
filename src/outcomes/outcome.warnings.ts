import type { Outcome } from './outcome.entity';

/** Source 004: more than four active desired outcomes in one persona is a symptom of a company that is not customer-success focused. */
export const MAX_ACTIVE_OUTCOMES_BEFORE_WARNING = 4;

/** Warnings about one cluster's set of outcomes (shown on the cluster and on each of its outcomes). */
export function outcomeSetWarnings(outcomes: Outcome[]): string[] {
  const active = outcomes.filter((o) => o.active).length;
  if (active <= MAX_ACTIVE_OUTCOMES_BEFORE_WARNING) return [];
  return [
    `This cluster has ${active} active desired outcomes; more than ${MAX_ACTIVE_OUTCOMES_BEFORE_WARNING} is a symptom of a company ` +
      'that is not customer-success focused (a persona rarely buys for that many reasons). Merge some or deactivate the minor ones.',
  ];
}

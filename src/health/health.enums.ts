/**
 * The GraphQL enums of the health row (HealthBand, JourneyStatus): here, below health.columns.ts, so that the column
 * table can name them as the GraphQL types of its columns. health.types.ts re-exports them.
 */
import { registerEnumType } from 'type-graphql';

export enum HealthBand {
  RED = 'RED',
  YELLOW = 'YELLOW',
  GREEN = 'GREEN',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(HealthBand, {
  name: 'HealthBand',
  description: 'RED below the workspace red threshold (40), YELLOW below the yellow one (70), else GREEN; UNKNOWN without a score.',
  valuesConfig: {
    RED: { description: 'Score below the workspace\'s redBelow (default 40): act now.' },
    YELLOW: { description: 'Score below yellowBelow (default 70): watch.' },
    GREEN: { description: 'Score at or above yellowBelow: healthy.' },
    UNKNOWN: { description: 'No score: never scored, or nothing to score it on.' },
  },
});

export enum JourneyStatus {
  ON_TRACK = 'ON_TRACK',
  AHEAD = 'AHEAD',
  BEHIND = 'BEHIND',
  STUCK = 'STUCK',
}
registerEnumType(JourneyStatus, {
  name: 'JourneyStatus',
  description: 'STUCK: a milestone is overdue and none was achieved in the last stuckAfterDays. BEHIND: a milestone is overdue. '
    + 'AHEAD: none overdue and a milestone not yet due is achieved. ON_TRACK otherwise.',
  valuesConfig: {
    ON_TRACK: { description: 'Nothing overdue, nothing early.' },
    AHEAD: { description: 'Nothing overdue, and a milestone not yet due is already achieved.' },
    BEHIND: { description: 'A due milestone is not achieved (see overdueMilestones).' },
    STUCK: { description: 'Something is overdue and no milestone was achieved in the journey\'s last stuckAfterDays.' },
  },
});

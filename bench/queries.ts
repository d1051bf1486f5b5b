/** The read-path queries shared by the statement-count test (test/n-plus-one.test.ts) and `npm run bench:api`. */

/** The dashboard: a page of a cluster's accounts with overall and per-outcome score, band, journey status, next milestone and top 3 drivers. */
export const DASHBOARD_QUERY = `query Dashboard($clusterId: ID!, $first: Int!, $topDrivers: Int = 3) {
  cluster(id: $clusterId) { id name }
  accounts(filter: { clusterId: $clusterId }, first: $first) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id externalId name
        cluster { id name }
        health { score band }
        outcomes {
          outcome { id name }
          score band
          journey { status daysUntilDue nextMilestone { id name } }
          drivers(top: $topDrivers) { key name score pointsLost }
        }
      }
    }
  }
}`;

export const JOURNEY_PROGRESS_QUERY = `query JourneyProgress($outcomeId: ID!) {
  journeyProgress(outcomeId: $outcomeId) {
    accounts
    statuses { onTrack ahead behind stuck }
    milestones { milestone { key name } due achieved achievedOnTime overdue medianDaysToAchieve p90DaysToAchieve }
    stages { stage { key name } byTime byAchievement }
  }
}`;

import type { ActivityDeps, WorkerLocal } from './deps';
import { createHealthActivities } from './health';
import { createLoginActivities } from './logins';
import { createStoreSessionActivities } from './store-sessions';

export type { ActivityDeps, WorkerLocal } from './deps';

export function createActivities(deps: ActivityDeps, local: WorkerLocal) {
  return {
    ...createHealthActivities(deps),
    ...createLoginActivities(deps, local),
    ...createStoreSessionActivities(deps, local),
  };
}

export type Activities = ReturnType<typeof createActivities>;

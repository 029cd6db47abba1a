import { createCatalogActivities } from './catalog';
import { createDemperActivities } from './demper';
import type { ActivityDeps } from './deps';
import { createHealthActivities } from './health';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps),
    ...createDemperActivities(deps),
    ...createCatalogActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

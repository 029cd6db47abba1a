import type { ActivityDeps, WorkerLocal } from './deps';
import { createCatalogActivities } from './catalog';
import { createDemperActivities } from './demper';
import { createHealthActivities } from './health';
import { createLoginActivities } from './logins';
import { createStoreSessionActivities } from './store-sessions';
import { createProxyActivities } from './proxies';
import { createSubscriptionActivities } from './subscriptions';
import { createOrderActivities } from './orders';
import { createPreorderActivities } from './preorders';
import { createTelegramActivities } from './telegram';

export type { ActivityDeps, WorkerLocal } from './deps';

export function createActivities(deps: ActivityDeps, local: WorkerLocal) {
  return {
    ...createHealthActivities(deps),
    ...createLoginActivities(deps, local),
    ...createStoreSessionActivities(deps, local),
    ...createProxyActivities(deps),
    ...createSubscriptionActivities(deps),
    ...createDemperActivities(deps),
    ...createCatalogActivities(deps, local),
    ...createOrderActivities(deps),
    ...createPreorderActivities(deps, local),
    ...createTelegramActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

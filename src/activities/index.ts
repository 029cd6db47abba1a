import type { ActivityDeps } from './deps';
import { createHealthActivities } from './health';
import { createProxyActivities } from './proxies';
import { createSubscriptionActivities } from './subscriptions';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps),
    ...createProxyActivities(deps),
    ...createSubscriptionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

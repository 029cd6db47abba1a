import { and, eq, inArray, isNull } from 'drizzle-orm';
import { kaspiStores } from '../db/schema';
import type { Logger } from '../lib/logger';
import { NEEDS_REAUTH } from '../workflows/messages';
import { pauseDemper, resumeDemper, startDemper, type DemperControlDeps } from './demper-control';

export interface LifecycleDeps extends DemperControlDeps {
  logger: Logger;
}

/**
 * Stores have a fresh, verified session (new store, reconnect or re-login): each one's demper loop runs
 * — started if it is not, and resumed if it was paused because the session was lost. A loop the
 * merchant paused stays paused.
 */
export async function storesConnected(deps: LifecycleDeps, storeIds: string[]): Promise<void> {
  if (storeIds.length === 0) return;
  const stores = await deps.db
    .select({ id: kaspiStores.id, userId: kaspiStores.userId, pausedReason: kaspiStores.demperPausedReason })
    .from(kaspiStores)
    .where(and(inArray(kaspiStores.id, storeIds), isNull(kaspiStores.deletedAt)));
  for (const store of stores) {
    if (store.pausedReason === NEEDS_REAUTH) await resumeDemper(deps, store.id);
    await startDemper(deps, store);
  }
  const resumed = stores.filter((s) => s.pausedReason === NEEDS_REAUTH).map((s) => s.id);
  if (resumed.length > 0) deps.logger.info({ storeIds: resumed }, 'stores reconnected; demper resumed');
}

/**
 * Kaspi refused the store's session and it could not be renewed without the merchant: the store shows
 * `needs_reauth` and its demper pauses with that reason until the merchant reconnects.
 */
export async function storeNeedsReauth(deps: LifecycleDeps, storeId: string, reason: string): Promise<void> {
  await deps.db.update(kaspiStores).set({ sessionState: 'needs_reauth' }).where(eq(kaspiStores.id, storeId));
  await pauseDemper(deps, storeId, NEEDS_REAUTH);
  deps.logger.warn({ storeId, reason }, 'Kaspi session lost; the store needs the merchant to reconnect');
}

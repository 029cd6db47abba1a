import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores } from '../db/schema';
import type { Logger } from '../lib/logger';

/** Why a store's demper is paused when its session is gone and only the merchant can bring it back. */
export const NEEDS_REAUTH = 'needs_reauth';

export interface LifecycleDeps {
  db: Db;
  logger: Logger;
}

/**
 * A store has a fresh, verified session (new store, reconnect or re-login): a demper that was paused
 * because the session was lost works again.
 */
export async function storesConnected(deps: LifecycleDeps, storeIds: string[]): Promise<void> {
  if (storeIds.length === 0) return;
  const resumed = await deps.db
    .update(kaspiStores)
    .set({ demperPausedReason: null })
    .where(and(inArray(kaspiStores.id, storeIds), eq(kaspiStores.demperPausedReason, NEEDS_REAUTH)))
    .returning({ id: kaspiStores.id });
  if (resumed.length > 0) deps.logger.info({ storeIds: resumed.map((s) => s.id) }, 'stores reconnected; demper resumed');
}

/**
 * Kaspi refused the store's session and it could not be renewed without the merchant: the store shows
 * `needs_reauth` and its demper stays paused with that reason until the merchant reconnects.
 */
export async function storeNeedsReauth(deps: LifecycleDeps, storeId: string, reason: string): Promise<void> {
  await deps.db
    .update(kaspiStores)
    .set({ sessionState: 'needs_reauth', demperPausedReason: NEEDS_REAUTH })
    .where(eq(kaspiStores.id, storeId));
  deps.logger.warn({ storeId, reason }, 'Kaspi session lost; the store needs the merchant to reconnect');
}

import { and, eq, inArray, isNull } from 'drizzle-orm';
import { kaspiStores, users } from '../db/schema';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { recordAlert } from '../notify/alerts';
import { NEEDS_REAUTH, PAUSED_BY_MERCHANT } from '../workflows/messages';
import { pauseDemper, resumeDemper, startDemper, type DemperControlDeps } from './demper-control';
import { startOrdersPolls } from './orders-poll';

export interface LifecycleDeps extends DemperControlDeps {
  logger: Logger;
  config: Pick<Config, 'temporal' | 'orders'>;
}

/**
 * Stores have a fresh, verified session (new store, reconnect or re-login): each one's demper loop runs
 * — started if it is not, and resumed if it was paused because the session was lost (a loop the
 * merchant paused stays paused, and so does one whose merchant paused every store meanwhile) — and a
 * store with a Shop API token has its orders polled.
 */
export async function storesConnected(deps: LifecycleDeps, storeIds: string[]): Promise<void> {
  if (storeIds.length === 0) return;
  const stores = await deps.db
    .select({
      id: kaspiStores.id,
      userId: kaspiStores.userId,
      pausedReason: kaspiStores.demperPausedReason,
      shopApiTokenEnc: kaspiStores.shopApiTokenEnc,
      ownerPausedAll: users.demperPaused,
    })
    .from(kaspiStores)
    .innerJoin(users, eq(users.id, kaspiStores.userId))
    .where(and(inArray(kaspiStores.id, storeIds), isNull(kaspiStores.deletedAt)));
  for (const store of stores) {
    if (store.pausedReason === NEEDS_REAUTH) {
      // The session is back, but a merchant who paused every store meanwhile keeps this one paused too.
      if (store.ownerPausedAll) await pauseDemper(deps, store.id, PAUSED_BY_MERCHANT);
      else await resumeDemper(deps, store.id);
    }
    await startDemper(deps, store);
  }
  const resumed = stores.filter((s) => s.pausedReason === NEEDS_REAUTH && !s.ownerPausedAll).map((s) => s.id);
  if (resumed.length > 0) deps.logger.info({ storeIds: resumed }, 'stores reconnected; demper resumed');
  await startOrdersPolls(deps, stores);
}

/**
 * Kaspi refused the store's session and it could not be renewed without the merchant: the store shows
 * `needs_reauth`, its demper pauses with that reason until the merchant reconnects, and the merchant
 * is told once.
 */
export async function storeNeedsReauth(deps: LifecycleDeps, storeId: string, reason: string): Promise<void> {
  const [before] = await deps.db
    .select({ sessionState: kaspiStores.sessionState, userId: kaspiStores.userId, name: kaspiStores.name })
    .from(kaspiStores)
    .where(eq(kaspiStores.id, storeId));
  await deps.db.update(kaspiStores).set({ sessionState: 'needs_reauth' }).where(eq(kaspiStores.id, storeId));
  await pauseDemper(deps, storeId, NEEDS_REAUTH);
  deps.logger.warn({ storeId, reason }, 'Kaspi session lost; the store needs the merchant to reconnect');
  if (!before || before.sessionState === 'needs_reauth') return;
  await recordAlert(deps.db, deps.logger, {
    audience: 'user',
    userId: before.userId,
    kind: 'session_expired',
    message: `Kaspi ended the session of «${before.name}» (${reason}); its demper is paused until you connect the store again.`,
    link: `/api/v1/stores/${storeId}`,
  });
}

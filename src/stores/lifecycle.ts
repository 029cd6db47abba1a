import type { Client } from '@temporalio/client';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores } from '../db/schema';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { recordAlert } from '../notify/alerts';
import { startOrdersPolls } from './orders-poll';

/** Why a store's demper is paused when its session is gone and only the merchant can bring it back. */
export const NEEDS_REAUTH = 'needs_reauth';

export interface LifecycleDeps {
  db: Db;
  logger: Logger;
  temporal: Client;
  config: Pick<Config, 'temporal' | 'orders'>;
}

/**
 * A store has a fresh, verified session (new store, reconnect or re-login): a demper that was paused
 * because the session was lost works again, and a store with a Shop API token has its orders polled.
 */
export async function storesConnected(deps: LifecycleDeps, storeIds: string[]): Promise<void> {
  if (storeIds.length === 0) return;
  const resumed = await deps.db
    .update(kaspiStores)
    .set({ demperPausedReason: null })
    .where(and(inArray(kaspiStores.id, storeIds), eq(kaspiStores.demperPausedReason, NEEDS_REAUTH)))
    .returning({ id: kaspiStores.id });
  if (resumed.length > 0) deps.logger.info({ storeIds: resumed.map((s) => s.id) }, 'stores reconnected; demper resumed');
  const connected = await deps.db
    .select({ id: kaspiStores.id, userId: kaspiStores.userId, shopApiTokenEnc: kaspiStores.shopApiTokenEnc })
    .from(kaspiStores)
    .where(inArray(kaspiStores.id, storeIds));
  await startOrdersPolls(deps, connected);
}

/**
 * Kaspi refused the store's session and it could not be renewed without the merchant: the store shows
 * `needs_reauth` and its demper stays paused with that reason until the merchant reconnects.
 */
export async function storeNeedsReauth(deps: LifecycleDeps, storeId: string, reason: string): Promise<void> {
  const [before] = await deps.db
    .select({ sessionState: kaspiStores.sessionState, userId: kaspiStores.userId, name: kaspiStores.name })
    .from(kaspiStores)
    .where(eq(kaspiStores.id, storeId));
  await deps.db
    .update(kaspiStores)
    .set({ sessionState: 'needs_reauth', demperPausedReason: NEEDS_REAUTH })
    .where(eq(kaspiStores.id, storeId));
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

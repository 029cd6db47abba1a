/**
 * A merchant disconnecting a store: it leaves every list, the Kaspi session, password and Shop API token
 * kept for it are forgotten, and its demper loop and orders poll stop.
 */
import { eq } from 'drizzle-orm';
import { kaspiStores } from '../db/schema';
import type { Logger } from '../lib/logger';
import { stopDemper, type DemperControlDeps } from './demper-control';
import { stopOrdersPoll } from './orders-poll';

export async function disconnectStore(deps: DemperControlDeps & { logger: Logger }, storeId: string): Promise<void> {
  await deps.db
    .update(kaspiStores)
    .set({ deletedAt: new Date(), sessionEnc: null, credentialsEnc: null, shopApiTokenEnc: null })
    .where(eq(kaspiStores.id, storeId));
  await stopDemper(deps, storeId);
  // A poll that misses the cancel finds the store deleted at its next poll and ends there.
  await stopOrdersPoll(deps, storeId).catch((error: unknown) =>
    deps.logger.warn({ err: error, storeId }, 'could not stop the orders poll'),
  );
}

import { eq } from 'drizzle-orm';
import { kaspiStores } from '../db/schema';
import { SESSION_EXPIRED } from '../workflows/messages';
import { pauseDemper, type DemperControlDeps } from './demper-control';

/**
 * Kaspi rejected a store's cabinet session (401): the store needs a new login, and its demper loop
 * pauses until then, saying why. Every activity that meets a 401 calls this one function.
 */
export async function sessionExpired(deps: DemperControlDeps, storeId: string): Promise<void> {
  await deps.db.update(kaspiStores).set({ sessionState: 'needs_reauth' }).where(eq(kaspiStores.id, storeId));
  await pauseDemper(deps, storeId, SESSION_EXPIRED);
}

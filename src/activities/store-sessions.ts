import { eq } from 'drizzle-orm';
import { kaspiStores } from '../db/schema';
import { checkSession, isKaspiError, toApplicationFailure } from '../kaspi';
import { StoreSessionMissingError, withStoreSession } from '../stores/relogin';
import type { StoreSessionCheck } from '../workflows/messages';
import type { ActivityDeps, WorkerLocal } from './deps';

export function createStoreSessionActivities(deps: ActivityDeps, local: Pick<WorkerLocal, 'browser'>) {
  const sessionDeps = { ...deps, browser: local.browser };
  return {
    /**
     * Asks Kaspi whether the store's session still works (`/s/m`). A refused session is renewed with the
     * remembered password when there is one; otherwise the store goes `needs_reauth`.
     */
    async checkStoreSession(input: { storeId: string }): Promise<StoreSessionCheck> {
      // withStoreSession calls again only after a re-login renewed the session.
      let calls = 0;
      try {
        await withStoreSession(sessionDeps, input.storeId, (ctx) => {
          calls++;
          return checkSession(ctx);
        });
      } catch (error) {
        if (isKaspiError(error, 'session_expired') || error instanceof StoreSessionMissingError) {
          return { sessionState: 'needs_reauth', renewed: false };
        }
        if (isKaspiError(error)) throw toApplicationFailure(error);
        throw error;
      }
      const [store] = await deps.db
        .update(kaspiStores)
        .set({ sessionState: 'active', sessionVerifiedAt: new Date() })
        .where(eq(kaspiStores.id, input.storeId))
        .returning({ sessionState: kaspiStores.sessionState });
      return { sessionState: store?.sessionState ?? 'needs_reauth', renewed: calls > 1 };
    },
  };
}

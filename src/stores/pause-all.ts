/**
 * The merchant's switch for every store at once. The choice is kept on the merchant (`users.demperPaused`),
 * so a store connected later starts paused as well, and every store there is now has its loop paused or resumed.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { kaspiStores, users } from '../db/schema';
import { PAUSED_BY_MERCHANT } from '../workflows/messages';
import { pauseDemper, resumeDemper, type DemperControlDeps } from './demper-control';

/** Answers the ids of the stores whose loops were asked. */
export async function setAllStoresPaused(
  control: DemperControlDeps,
  userId: string,
  paused: boolean,
): Promise<string[]> {
  await control.db.update(users).set({ demperPaused: paused }).where(eq(users.id, userId));
  const stores = await control.db
    .select({ id: kaspiStores.id })
    .from(kaspiStores)
    .where(and(eq(kaspiStores.userId, userId), isNull(kaspiStores.deletedAt)));
  for (const store of stores) {
    if (paused) await pauseDemper(control, store.id, PAUSED_BY_MERCHANT);
    else await resumeDemper(control, store.id);
  }
  return stores.map((s) => s.id);
}

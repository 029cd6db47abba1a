import { and, eq, isNull, ne } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, type StorePoint } from '../db/schema';
import { completeDemperConfig, type DemperConfig } from '../domain/demper-config';

/** What the demper needs to know about a store. */
export interface DemperStore {
  id: string;
  userId: string;
  merchantUid: string;
  points: StorePoint[];
  killSwitch: boolean;
  /** Merchant ids of the owner's other stores: never treated as rivals. */
  ownMerchantIds: string[];
  pausedReason: string | null;
  config: DemperConfig;
}

/** The store, or null when it is gone (deleted or disconnected). */
export async function loadDemperStore(db: Db, storeId: string): Promise<DemperStore | null> {
  const [store] = await db
    .select()
    .from(kaspiStores)
    .where(and(eq(kaspiStores.id, storeId), isNull(kaspiStores.deletedAt)));
  if (!store) return null;
  const siblings = await db
    .select({ merchantUid: kaspiStores.merchantUid })
    .from(kaspiStores)
    .where(and(eq(kaspiStores.userId, store.userId), ne(kaspiStores.id, store.id), isNull(kaspiStores.deletedAt)));
  return {
    id: store.id,
    userId: store.userId,
    merchantUid: store.merchantUid,
    points: store.points,
    killSwitch: store.killSwitch !== null,
    ownMerchantIds: [...new Set(siblings.map((s) => s.merchantUid).filter((uid) => uid !== store.merchantUid))],
    pausedReason: store.demperPausedReason,
    config: completeDemperConfig(store.demperConfig),
  };
}

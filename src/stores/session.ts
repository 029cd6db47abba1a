import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { kaspiStores } from '../db/schema';
import { openFrom, sealFor } from '../db/sealed-columns';
import type { Keyring } from '../lib/crypto';
import type { KaspiSession } from '../kaspi';

const sessionSchema = z.object({ cookies: z.record(z.string(), z.string()) });

/**
 * A store's Kaspi cabinet session, sealed in `kaspi_stores.session_enc` as the JSON of
 * `{cookies}`. Only activities call these; workflows pass store ids, never sessions.
 */
export async function readStoreSession(db: Db, keyring: Keyring, storeId: string): Promise<KaspiSession | undefined> {
  const [row] = await db
    .select({ sealed: kaspiStores.sessionEnc })
    .from(kaspiStores)
    .where(eq(kaspiStores.id, storeId));
  if (!row?.sealed) return undefined;
  return sessionSchema.parse(JSON.parse(openFrom(keyring, 'storeSession', storeId, row.sealed)));
}

/** Stores a fresh session and marks the store's session active and verified now. */
export async function writeStoreSession(
  db: Db,
  keyring: Keyring,
  storeId: string,
  session: KaspiSession,
): Promise<void> {
  await db
    .update(kaspiStores)
    .set({
      sessionEnc: sealFor(keyring, 'storeSession', storeId, JSON.stringify({ cookies: session.cookies })),
      sessionState: 'active',
      sessionVerifiedAt: new Date(),
    })
    .where(eq(kaspiStores.id, storeId));
}

import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores } from '../db/schema';
import { sealFor } from '../db/sealed-columns';
import { fetchOrdersPage } from '../kaspi';
import type { Config } from '../lib/config';
import type { Keyring } from '../lib/crypto';

const DAY_MS = 24 * 3600_000;

/**
 * Proves a Shop API token works with the cheapest call there is: one order of the last day. Kaspi
 * answers 401/403 for a token it does not know (thrown as `KaspiError` `session_expired`).
 */
export async function checkShopApiToken(
  config: Pick<Config, 'kaspi' | 'kaspiClient'>,
  shopApiToken: string,
): Promise<void> {
  await fetchOrdersPage(
    { urls: config.kaspi, timeoutMs: config.kaspiClient.timeoutMs, shopApiToken },
    { filter: { creationDateFromMs: Date.now() - DAY_MS }, page: 0, size: 1 },
  );
}

/** Seals the token into the store (`shop_api_token_enc`, bound to the store's row). */
export async function saveShopApiToken(
  deps: { db: Db; keyring: Keyring },
  storeId: string,
  shopApiToken: string,
): Promise<void> {
  await deps.db
    .update(kaspiStores)
    .set({ shopApiTokenEnc: sealFor(deps.keyring, 'storeShopApiToken', storeId, shopApiToken) })
    .where(eq(kaspiStores.id, storeId));
}

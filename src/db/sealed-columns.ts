import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Keyring } from '../lib/crypto';
import type { Db } from '.';
import { kaspiLogins, kaspiStores, orders, proxies } from './schema';

/**
 * Every column that holds a secret, sealed with AES-256-GCM and bound to its row: the associated
 * data names table, column and row id, so a value moved to another row or column does not open.
 */
export const SEALED_COLUMNS = {
  storeSession: {
    table: kaspiStores,
    key: 'sessionEnc',
    column: kaspiStores.sessionEnc,
    id: kaspiStores.id,
    name: 'kaspi_stores.session_enc',
  },
  storeCredentials: {
    table: kaspiStores,
    key: 'credentialsEnc',
    column: kaspiStores.credentialsEnc,
    id: kaspiStores.id,
    name: 'kaspi_stores.credentials_enc',
  },
  storeShopApiToken: {
    table: kaspiStores,
    key: 'shopApiTokenEnc',
    column: kaspiStores.shopApiTokenEnc,
    id: kaspiStores.id,
    name: 'kaspi_stores.shop_api_token_enc',
  },
  loginCredentials: {
    table: kaspiLogins,
    key: 'credentialsEnc',
    column: kaspiLogins.credentialsEnc,
    id: kaspiLogins.id,
    name: 'kaspi_logins.credentials_enc',
  },
  orderCustomerPhone: {
    table: orders,
    key: 'customerPhoneEnc',
    column: orders.customerPhoneEnc,
    id: orders.id,
    name: 'orders.customer_phone_enc',
  },
  proxyPassword: {
    table: proxies,
    key: 'passwordEnc',
    column: proxies.passwordEnc,
    id: proxies.id,
    name: 'proxies.password_enc',
  },
} satisfies Record<string, { table: PgTable; key: string; column: PgColumn; id: PgColumn; name: string }>;

export type SealedColumn = keyof typeof SEALED_COLUMNS;

function context(column: SealedColumn, rowId: string): string {
  return `${SEALED_COLUMNS[column].name}:${rowId}`;
}

export function sealFor(keyring: Keyring, column: SealedColumn, rowId: string, plaintext: string): string {
  return keyring.seal(plaintext, context(column, rowId));
}

export function openFrom(keyring: Keyring, column: SealedColumn, rowId: string, sealed: string): string {
  return keyring.openText(sealed, context(column, rowId));
}

/**
 * Re-seals every secret that is not under the current key, in batches; safe to run while the
 * service runs (a row changed meanwhile is left for the next run) and to run again.
 */
export async function reencryptAll(db: Db, keyring: Keyring, batchSize = 500): Promise<Record<SealedColumn, number>> {
  const counts = {} as Record<SealedColumn, number>;
  for (const name of Object.keys(SEALED_COLUMNS) as SealedColumn[]) {
    const { table, key, column, id } = SEALED_COLUMNS[name];
    counts[name] = 0;
    for (;;) {
      // Under an older key, or sealed before keys were derived per purpose (`v1`).
      const stale = sql`(split_part(${column}, '.', 2) <> ${keyring.currentKeyId} or split_part(${column}, '.', 1) <> 'v2')`;
      const rows = (await db
        .select({ id, value: column })
        .from(table)
        .where(and(isNotNull(column), stale))
        .limit(batchSize)) as { id: string; value: string }[];
      if (rows.length === 0) break;
      for (const row of rows) {
        const resealed = sealFor(keyring, name, row.id, openFrom(keyring, name, row.id, row.value));
        await db
          .update(table)
          .set({ [key]: resealed })
          .where(and(eq(id, row.id), eq(column, row.value)));
        counts[name]++;
      }
    }
  }
  return counts;
}

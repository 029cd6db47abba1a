import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { kaspiStores, users, type StorePoint } from '../db/schema';
import { checkSession, fetchMerchant, type CabinetContext, type KaspiSession, type MerchantInfo } from '../kaspi';
import type { Config } from '../lib/config';
import type { Keyring } from '../lib/crypto';
import {
  sealStoreCredentials,
  openStoreCredentials,
  canLogInAlone,
  type RememberedCredentials,
} from '../logins/credentials';
import { PAUSED_BY_MERCHANT } from '../workflows/messages';
import { storesConnected, type LifecycleDeps } from './lifecycle';
import { writeStoreSession } from './session';

export type Store = typeof kaspiStores.$inferSelect;

export interface ConnectDeps extends LifecycleDeps {
  keyring: Keyring;
  config: Pick<Config, 'kaspi' | 'kaspiClient' | 'temporal' | 'orders'>;
}

/**
 * What to do with a store's remembered credentials when a session is connected:
 * keep them (a pasted cookie says nothing about them), remember a password (the merchant asked to),
 * forget them (a password login without "remember"), or remember the phone of an SMS login.
 */
export type RememberChoice =
  | { kind: 'keep' }
  | { kind: 'forget' }
  | { kind: 'password'; email: string; password: string }
  | { kind: 'phone'; phone: string };

export function cabinetContext(config: ConnectDeps['config'], session: KaspiSession): CabinetContext {
  return { urls: config.kaspi, timeoutMs: config.kaspiClient.timeoutMs, session };
}

/** The merchant's pickup points as the store keeps them: code and city of each point that has a city. */
export function storePoints(merchant: MerchantInfo): StorePoint[] {
  return merchant.points
    .filter((p) => p.cityId !== null)
    .map((p) => ({ code: p.code, cityId: p.cityId!, ...(p.cityName ? { name: p.cityName } : {}), enabled: p.enabled }));
}

/**
 * Connects (or reconnects) every merchant a cabinet session manages as the user's stores: validates the
 * session (`/s/m`; a rejected one throws `KaspiError` `session_expired`), reads each merchant's name and
 * pickup points, then creates the missing stores and updates the others — session sealed, marked active
 * and verified now — and tells the store lifecycle they are connected.
 */
export async function connectSession(
  deps: ConnectDeps,
  args: { userId: string; session: KaspiSession; via: 'cookies' | 'password' | 'sms'; remember: RememberChoice },
): Promise<Store[]> {
  const ctx = cabinetContext(deps.config, args.session);
  const { merchantUids } = await checkSession(ctx);
  const merchants: MerchantInfo[] = [];
  for (const uid of merchantUids) merchants.push(await fetchMerchant(ctx, uid));

  // A merchant who paused every store's demper gets new stores paused too; resuming them is theirs to do.
  const [owner] = await deps.db
    .select({ demperPaused: users.demperPaused })
    .from(users)
    .where(eq(users.id, args.userId));
  const storeIds: string[] = [];
  for (const merchant of merchants) {
    storeIds.push(await upsertStore(deps, args.userId, merchant, owner?.demperPaused ? PAUSED_BY_MERCHANT : null));
  }
  for (const storeId of storeIds) {
    await writeStoreSession(deps.db, deps.keyring, storeId, args.session);
    await applyRemember(deps, storeId, args.via, args.remember);
  }
  await storesConnected(deps, storeIds);
  deps.logger.info({ userId: args.userId, storeIds, via: args.via }, 'Kaspi stores connected');
  return deps.db.select().from(kaspiStores).where(inArray(kaspiStores.id, storeIds));
}

/** `pausedReason` applies to a store created here; an existing store keeps its own. */
async function upsertStore(
  deps: ConnectDeps,
  userId: string,
  merchant: MerchantInfo,
  pausedReason: string | null,
): Promise<string> {
  const mine = and(
    eq(kaspiStores.userId, userId),
    eq(kaspiStores.merchantUid, merchant.merchantUid),
    isNull(kaspiStores.deletedAt),
  );
  // Insert-or-nothing first, so two connects racing for the same merchant end with one store.
  await deps.db
    .insert(kaspiStores)
    .values({
      id: randomUUID(),
      userId,
      merchantUid: merchant.merchantUid,
      name: merchant.name,
      points: storePoints(merchant),
      demperPausedReason: pausedReason,
    })
    .onConflictDoNothing({
      target: [kaspiStores.userId, kaspiStores.merchantUid],
      where: sql`${kaspiStores.deletedAt} is null`,
    });
  const [store] = await deps.db
    .update(kaspiStores)
    .set({ name: merchant.name, points: storePoints(merchant) })
    .where(mine)
    .returning({ id: kaspiStores.id });
  return store!.id;
}

async function applyRemember(
  deps: ConnectDeps,
  storeId: string,
  via: 'cookies' | 'password' | 'sms',
  remember: RememberChoice,
) {
  const set: Partial<typeof kaspiStores.$inferInsert> = { connectedVia: via };
  if (remember.kind === 'forget') Object.assign(set, { credentialsEnc: null, autoRelogin: false });
  if (remember.kind === 'password') {
    const credentials: RememberedCredentials = { email: remember.email, password: remember.password };
    Object.assign(set, { credentialsEnc: sealStoreCredentials(deps.keyring, storeId, credentials), autoRelogin: true });
  }
  if (remember.kind === 'phone' && !(await remembersPassword(deps, storeId))) {
    // An SMS login cannot renew itself, so it never replaces a remembered password that can.
    const credentials: RememberedCredentials = { phone: remember.phone };
    Object.assign(set, {
      credentialsEnc: sealStoreCredentials(deps.keyring, storeId, credentials),
      autoRelogin: false,
    });
  }
  await deps.db.update(kaspiStores).set(set).where(eq(kaspiStores.id, storeId));
}

async function remembersPassword(deps: ConnectDeps, storeId: string): Promise<boolean> {
  const [row] = await deps.db
    .select({ sealed: kaspiStores.credentialsEnc })
    .from(kaspiStores)
    .where(eq(kaspiStores.id, storeId));
  return row?.sealed ? canLogInAlone(openStoreCredentials(deps.keyring, storeId, row.sealed)) : false;
}

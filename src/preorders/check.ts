import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, preorders, products } from '../db/schema';
import { preorderShown } from '../domain/preorders';
import { fetchOffers, type KaspiUrls } from '../kaspi';
import type { ReadChannel } from '../proxies/read-channel';
import { readThrough } from '../proxies/read-through';
import { latestPreorderChanges } from './pricefeed';

export interface CheckDeps {
  db: Db;
  channel: ReadChannel;
  urls: KaspiUrls;
  timeoutMs: number;
  activationTimeoutHours: number;
  /** Waits for read capacity; in an activity it heartbeats, so a cancelled check stops waiting. */
  sleep: (ms: number) => Promise<void>;
}

/**
 * How long a check waits for the catalog proxies to have room. Past it the check ends: the preorders
 * it did not read stay `processing` and are looked up at the next check.
 */
export const CAPACITY_WAIT_MS = 60_000;

export interface CheckResult {
  activated: number;
  failed: number;
  /** Still waiting for Kaspi. */
  processing: number;
}

/**
 * Looks each uploaded preorder up on Kaspi's public offers (our offer, in the city of its first stocked
 * point): shown with preorder days, it is `active`. One whose push the store's loop could not send is
 * `failed` with why; one still waiting for its push is not looked up yet. One not shown within
 * `PREORDER_ACTIVATION_TIMEOUT_HOURS` of its upload is `failed`. Reads go through the user's `catalog`
 * proxies.
 */
export async function checkStorePreorders(deps: CheckDeps, storeId: string): Promise<CheckResult> {
  const { db } = deps;
  const result: CheckResult = { activated: 0, failed: 0, processing: 0 };
  const [store] = await db
    .select({ userId: kaspiStores.userId, merchantUid: kaspiStores.merchantUid, points: kaspiStores.points })
    .from(kaspiStores)
    .where(and(eq(kaspiStores.id, storeId), isNull(kaspiStores.deletedAt)));
  if (!store) return result;
  const processing = await db
    .select({ preorder: preorders, kaspiProductId: products.kaspiProductId })
    .from(preorders)
    .leftJoin(products, eq(products.id, preorders.productId))
    .where(and(eq(preorders.storeId, storeId), eq(preorders.status, 'processing')));
  const latest = await latestPreorderChanges(
    db,
    processing.map((p) => p.preorder.id),
  );
  // A push recorded before the preorder's latest upload (a price-list file since) no longer speaks for it.
  const pushOf = (preorder: (typeof processing)[number]['preorder']) => {
    const push = latest.get(preorder.id);
    return push && preorder.uploadedAt && push.recordedAt >= preorder.uploadedAt ? push : undefined;
  };
  for (const { preorder } of processing) {
    const push = pushOf(preorder);
    if (push?.state !== 'failed') continue;
    const failed = await db
      .update(preorders)
      .set({ status: 'failed', error: `Kaspi was not sent the preorder: ${push.reason}`.slice(0, 500) })
      .where(and(eq(preorders.id, preorder.id), eq(preorders.status, 'processing')))
      .returning({ id: preorders.id });
    result.failed += failed.length;
  }
  // A preorder pushed by the loop is looked up once its push went; one carried by a price-list file at once.
  const waiting = processing.filter(({ preorder }) => (pushOf(preorder)?.state ?? 'sent') === 'sent');

  const lookups = waiting.flatMap(({ preorder, kaspiProductId }) => {
    const stocked = [...preorder.warehouses].sort((a, b) => a.point - b.point).find((w) => w.quantity > 0);
    const cityId = store.points.find((p) => p.code === `PP${stocked?.point}`)?.cityId;
    return kaspiProductId && cityId ? [{ id: preorder.id, productId: kaspiProductId, cityId }] : [];
  });
  const { results: reads } = await readThrough(
    { channel: deps.channel, sleep: deps.sleep, now: () => Date.now() },
    {
      userId: store.userId,
      module: 'catalog',
      storeId,
      items: lookups,
      waitUpToMs: CAPACITY_WAIT_MS,
      read: (item, proxyUrl) =>
        fetchOffers(
          { urls: deps.urls, timeoutMs: deps.timeoutMs, proxyUrl },
          { productId: item.productId, cityId: item.cityId, merchantId: store.merchantUid },
        ),
    },
  );
  const shown = reads.filter((r) => r.result && preorderShown(r.result.ours?.preorderDays)).map((r) => r.item.id);
  if (shown.length > 0) {
    const activated = await db
      .update(preorders)
      .set({ status: 'active', activatedAt: sql`now()`, error: null })
      .where(and(inArray(preorders.id, shown), eq(preorders.status, 'processing')))
      .returning({ id: preorders.id });
    result.activated = activated.length;
  }
  const expired = await db
    .update(preorders)
    .set({
      status: 'failed',
      error: `Kaspi did not show the preorder within ${deps.activationTimeoutHours} hours of the upload`,
    })
    .where(
      and(
        eq(preorders.storeId, storeId),
        eq(preorders.status, 'processing'),
        lt(preorders.uploadedAt, sql`now() - make_interval(secs => ${deps.activationTimeoutHours * 3600})`),
      ),
    )
    .returning({ id: preorders.id });
  result.failed += expired.length;
  const [left] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(preorders)
    .where(and(eq(preorders.storeId, storeId), eq(preorders.status, 'processing')));
  result.processing = left?.n ?? 0;
  return result;
}

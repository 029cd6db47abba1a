import { and, eq, inArray, isNull, min, notInArray, gte, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, orders } from '../db/schema';
import { openFrom } from '../db/sealed-columns';
import { FINAL_STATUSES } from '../domain/order-events';
import { advanceWatermark, creationWindows, pollStartMs, type CreationWindow } from '../domain/order-windows';
import {
  fetchOrderEntries,
  fetchOrdersPage,
  isKaspiError,
  MAX_ORDERS_PAGE_SIZE,
  type OrderEntry,
  type OrdersPage,
  type OrderState,
  type ShopApiContext,
  type ShopOrder,
} from '../kaspi';
import type { Config } from '../lib/config';
import type { Keyring } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import type { ReadChannel } from '../proxies/read-channel';
import { readThrough } from '../proxies/read-through';
import { loadMessageSettings } from '../notify/settings';
import { demperStandings } from '../earnings/standings';
import { queueOrderMessages, upsertOrders, type IncomingOrder } from './store-orders';

export interface PollDeps {
  db: Db;
  keyring: Keyring;
  logger: Logger;
  config: Pick<Config, 'kaspi' | 'kaspiClient' | 'orders' | 'waha' | 'telegram'>;
  /** Reads through the user's `orders` proxies (or the process's own address for users without them). */
  channel: ReadChannel;
  /** Tells Temporal the poll is alive (and lets it cancel a poll that is no longer wanted). */
  heartbeat: (progress: Record<string, number | string>) => void;
  /** Waits for read capacity; in an activity it heartbeats too, as the wait can outlast the heartbeat timeout. */
  sleep: (ms: number) => Promise<void>;
  nowMs?: () => number;
}

export interface PollInput {
  storeId: string;
  /** The newest Kaspi creation date stored by earlier polls. */
  watermarkMs: number | null;
  /** The store's first poll: store what is there, tell nobody about it. */
  baseline: boolean;
}

export interface PollResult {
  outcome: 'polled' | 'store_gone' | 'no_token';
  watermarkMs: number | null;
  windows: number;
  /** Distinct orders Kaspi returned. */
  fetched: number;
  newOrders: number;
  statusChanges: number;
  queued: number;
}

/** A pass whose pages came back with fewer distinct orders than Kaspi counted is read again, this often. */
const PASS_READS = 3;
/** Kaspi's two views of a window: the open tabs, and the archive it only shows when asked. */
const STATE_PASSES: (OrderState | undefined)[] = [undefined, 'ARCHIVE'];
const MAX_PAGES = 1000;

/**
 * One poll of a store's orders: every creation-date window from the watermark (less an overlap) or the
 * oldest order still open, both the open tabs and the archive, every page, entries for orders not yet
 * stored with them — through the user's `orders` proxies — then stored in batches of
 * `ORDERS_BATCH_SIZE`, oldest first, each batch in one transaction with the messages it calls for.
 * The new watermark is returned only after every batch committed; the caller saves it. Run again after
 * a crash at any point, it stores nothing twice and queues no message twice.
 */
export async function pollStoreOrders(deps: PollDeps, input: PollInput): Promise<PollResult> {
  const { db, config } = deps;
  const nowMs = (deps.nowMs ?? Date.now)();
  const result: PollResult = {
    outcome: 'polled',
    watermarkMs: input.watermarkMs,
    windows: 0,
    fetched: 0,
    newOrders: 0,
    statusChanges: 0,
    queued: 0,
  };

  const [store] = await db
    .select({ userId: kaspiStores.userId, sealedToken: kaspiStores.shopApiTokenEnc })
    .from(kaspiStores)
    .where(and(eq(kaspiStores.id, input.storeId), isNull(kaspiStores.deletedAt)));
  if (!store) return { ...result, outcome: 'store_gone' };
  if (!store.sealedToken) return { ...result, outcome: 'no_token' };
  const ctx: ShopApiContext = {
    urls: config.kaspi,
    timeoutMs: config.kaspiClient.timeoutMs,
    shopApiToken: openFrom(deps.keyring, 'storeShopApiToken', input.storeId, store.sealedToken),
  };

  const reads = async <I, R>(items: I[], read: (item: I, proxyUrl: string | undefined) => Promise<R>): Promise<R[]> => {
    const { results } = await readThrough(
      { channel: deps.channel, sleep: deps.sleep, now: () => Date.now() },
      {
        userId: store.userId,
        module: 'orders',
        storeId: input.storeId,
        items,
        waitUpToMs: Infinity,
        read: (item, proxyUrl) => {
          deps.heartbeat({ reading: items.length });
          return read(item, proxyUrl);
        },
      },
    );
    const failed = results.find((r) => r.error !== undefined);
    if (failed) throw failed.error;
    return results.map((r) => r.result!);
  };

  const trackMs = config.orders.trackDays * 86_400_000;
  const [open] = await db
    .select({ oldest: min(orders.creationDate) })
    .from(orders)
    .where(
      and(
        eq(orders.storeId, input.storeId),
        notInArray(orders.status, [...FINAL_STATUSES]),
        gte(orders.creationDate, new Date(nowMs - trackMs)),
      ),
    );
  const fromMs = pollStartMs({
    nowMs,
    watermarkMs: input.watermarkMs,
    oldestOpenMs: open?.oldest ? new Date(open.oldest).getTime() : null,
    overlapMs: config.orders.overlapSeconds * 1000,
    backfillMs: config.orders.backfillDays * 86_400_000,
    trackMs,
  });
  const windows = creationWindows(fromMs, nowMs);
  result.windows = windows.length;

  const seen = new Map<string, ShopOrder>();
  for (const [w, window] of windows.entries()) {
    for (const state of STATE_PASSES) {
      for (const order of await readPass(window, state)) seen.set(order.code, order);
      deps.heartbeat({ window: w, state: state ?? 'OPEN', orders: seen.size });
    }
  }
  result.fetched = seen.size;

  const settings = input.baseline ? null : await loadMessageSettings(db, config, input.storeId);
  const pending = [...seen.values()].sort((a, b) => a.creationDateMs - b.creationDateMs || (a.code < b.code ? -1 : 1));
  for (let start = 0; start < pending.length; start += config.orders.batchSize) {
    const batch = pending.slice(start, start + config.orders.batchSize);
    const incoming = await withEntries(batch);
    const skus = incoming.flatMap(({ entries }) => (entries ?? []).map((e) => e.sku));
    const standings = await demperStandings(db, input.storeId, skus);
    await db.transaction(async (tx) => {
      const changes = await upsertOrders(tx, deps.keyring, input.storeId, incoming, standings);
      result.newOrders += changes.filter((c) => c.previous === null).length;
      result.statusChanges += changes.filter((c) => c.previous !== null && c.previous.status !== c.status).length;
      if (settings)
        result.queued += (await queueOrderMessages(tx, { storeId: input.storeId, changes, settings, nowMs })).queued;
    });
    deps.heartbeat({ stored: start + batch.length, of: pending.length });
  }

  const newest = pending.length === 0 ? null : pending[pending.length - 1]!.creationDateMs;
  result.watermarkMs = advanceWatermark(input.watermarkMs, newest);
  return result;

  /** Every page of one window and tab filter; read again when pages shifted under us and lost an order. */
  async function readPass(window: CreationWindow, state: OrderState | undefined): Promise<ShopOrder[]> {
    const filter = { creationDateFromMs: window.fromMs, creationDateToMs: window.toMs, ...(state ? { state } : {}) };
    const page = (n: number, proxyUrl: string | undefined): Promise<OrdersPage> =>
      fetchOrdersPage({ ...ctx, proxyUrl }, { filter, page: n, size: MAX_ORDERS_PAGE_SIZE });
    const byCode = new Map<string, ShopOrder>();
    for (let attempt = 1; attempt <= PASS_READS; attempt++) {
      const [first] = await reads([0], page);
      const rest = Array.from({ length: Math.min(first!.pageCount, MAX_PAGES) - 1 }, (_, i) => i + 1);
      const pages = [first!, ...(rest.length > 0 ? await reads(rest, page) : [])];
      for (const p of pages) for (const order of p.orders) byCode.set(order.code, order);
      const expected = Math.max(...pages.map((p) => p.totalCount));
      if (byCode.size >= expected) break;
      deps.logger.warn(
        { storeId: input.storeId, state: state ?? 'OPEN', expected, got: byCode.size, attempt },
        'orders pages shifted while reading; reading the window again',
      );
    }
    return [...byCode.values()];
  }

  /** The batch with the lines of each order not yet stored with them. */
  async function withEntries(batch: ShopOrder[]): Promise<IncomingOrder[]> {
    const stored = await db
      .select({ code: orders.code })
      .from(orders)
      .where(
        and(
          eq(orders.storeId, input.storeId),
          inArray(
            orders.code,
            batch.map((o) => o.code),
          ),
          sql`jsonb_array_length(${orders.entries}) > 0`,
        ),
      );
    const haveLines = new Set(stored.map((s) => s.code));
    const missing = batch.filter((o) => !haveLines.has(o.code));
    const lines = await reads(missing, async (order, proxyUrl): Promise<OrderEntry[]> => {
      try {
        return await fetchOrderEntries({ ...ctx, proxyUrl }, order.id);
      } catch (error) {
        // An order Kaspi no longer shows lines for is stored without them, not allowed to stop the poll.
        if (isKaspiError(error, 'not_found')) return [];
        throw error;
      }
    });
    const byCode = new Map(missing.map((o, i) => [o.code, lines[i]!]));
    return batch.map((order) => ({ order, entries: byCode.get(order.code) ?? null }));
  }
}

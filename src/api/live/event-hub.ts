/**
 * Fans the `store_events` rows out to the cabinet's open streams. Each API process LISTENs on one
 * dedicated connection; a notification names a store, and the hub reads that store's new rows once
 * for all its subscribers, renders what they name as it is now (a decision, a product row) and hands
 * them over. A subscriber resuming from an event id gets the rows after it first. Works with any
 * number of API processes: the rows, not the notifications, are the record.
 */

import { and, asc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import pg from 'pg';
import type { Db } from '../../db';
import type { DatabaseSettings } from '../../db/pool';
import { priceChanges, products, storeEvents } from '../../db/schema';
import type { Config } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { scrubCredentials } from '../../lib/logger';
import { priceChangeView, renderProducts, type PriceChangeViewShape, type ProductViewShape } from '../views';

export type StreamEvent =
  | { id: number; event: 'decision'; data: PriceChangeViewShape & { productName: string } }
  | { id: number; event: 'product'; data: ProductViewShape };

export interface EventHub {
  /**
   * Delivers the store's events after `afterId` (or from now) to `deliver` until unsubscribed; `end`
   * is called if the hub closes first (the process is stopping).
   */
  subscribe(storeId: string, afterId: number | null, stream: StreamSink): Promise<() => void>;
  /** Deletes events older than the retention, a batch at a time. */
  prune(): Promise<number>;
  close(): Promise<void>;
}

export interface StreamSink {
  deliver(events: StreamEvent[]): void;
  end(): void;
}

interface Subscriber extends StreamSink {
  lastId: number;
}

/**
 * Rows read per store and round; a backlog larger than this is read over several rounds. A row names
 * what one statement changed: a check batch's products are fifty at most, a bulk edit's a catalog.
 */
const BATCH = 50;
const RECONNECT_MS = 2_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const CHANNEL = 'store_events';

export interface EventHubDeps {
  db: Db;
  database: DatabaseSettings;
  urls: Config['kaspi'];
  logger: Logger;
  keepHours: number;
}

export function createEventHub(deps: EventHubDeps): EventHub {
  const { db, logger } = deps;
  const subscribers = new Map<string, Set<Subscriber>>();
  const dirty = new Set<string>();
  let listener: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;
  let flushing = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;

  const listen = (): Promise<void> => {
    connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: deps.database.url,
        connectionTimeoutMillis: deps.database.connectTimeoutMs,
        application_name: 'kaspi-demper-events',
      });
      client.on('notification', (message) => {
        if (message.payload) markDirty(message.payload);
      });
      client.on('error', (err) => {
        logger.warn(
          { err: { message: scrubCredentials(err.message) } },
          'event stream lost its PostgreSQL connection; reconnecting',
        );
        dropListener(client);
      });
      client.on('end', () => dropListener(client));
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        listener = client;
        // Whatever happened while nobody listened is read now.
        for (const storeId of subscribers.keys()) markDirty(storeId);
      } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
      } finally {
        connecting = null;
      }
    })();
    return connecting;
  };

  const dropListener = (client: pg.Client) => {
    if (listener !== client) return;
    listener = null;
    void client.end().catch(() => undefined);
    scheduleReconnect();
  };

  const scheduleReconnect = () => {
    if (closed || reconnectTimer || subscribers.size === 0) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      listen().catch((err: unknown) => {
        logger.warn(
          { err: { message: scrubCredentials((err as Error).message) } },
          'event stream could not reconnect; trying again',
        );
        scheduleReconnect();
      });
    }, RECONNECT_MS);
    reconnectTimer.unref();
  };

  const markDirty = (storeId: string) => {
    if (!subscribers.has(storeId)) return;
    dirty.add(storeId);
    if (!flushing) setImmediate(() => void flush());
  };

  const flush = async () => {
    if (flushing) return;
    flushing = true;
    try {
      while (dirty.size > 0) {
        const [storeId] = dirty;
        dirty.delete(storeId!);
        await deliverStore(storeId!);
      }
    } catch (err) {
      logger.warn({ err }, 'could not read store events; the next notification tries again');
    } finally {
      flushing = false;
    }
  };

  const deliverStore = async (storeId: string) => {
    const subs = subscribers.get(storeId);
    if (!subs || subs.size === 0) return;
    const from = Math.min(...[...subs].map((s) => s.lastId));
    const { events, lastRowId, full } = await readEvents(storeId, from);
    for (const sub of subs) {
      const fresh = events.filter((e) => e.id > sub.lastId);
      // Past rows that render to nothing (deleted since) as well, so they are not read again.
      sub.lastId = Math.max(sub.lastId, lastRowId);
      if (fresh.length > 0) sub.deliver(fresh);
    }
    if (full) markDirty(storeId);
  };

  /** The store's events after `afterId`, rendered; several changes of one product in a batch give its last. */
  const readEvents = async (
    storeId: string,
    afterId: number,
  ): Promise<{ events: StreamEvent[]; lastRowId: number; full: boolean }> => {
    const rows = await db
      .select()
      .from(storeEvents)
      .where(and(eq(storeEvents.storeId, storeId), gt(storeEvents.id, afterId)))
      .orderBy(asc(storeEvents.id))
      .limit(BATCH);
    if (rows.length === 0) return { events: [], lastRowId: afterId, full: false };
    // A row names all that one statement changed; each thing named becomes an event with the row's id.
    const named = rows.flatMap((r) => r.refIds.map((refId) => ({ id: r.id, kind: r.kind, refId })));
    const lastOfProduct = new Map<string, number>();
    for (const r of named) if (r.kind === 'product') lastOfProduct.set(r.refId, r.id);
    const kept = named.filter((r) => r.kind === 'decision' || lastOfProduct.get(r.refId) === r.id);

    const decisionIds = [...new Set(kept.filter((r) => r.kind === 'decision').map((r) => r.refId))];
    const decisions = decisionIds.length
      ? await db
          .select({ change: priceChanges, productName: products.name })
          .from(priceChanges)
          .innerJoin(products, eq(products.id, priceChanges.productId))
          .where(inArray(priceChanges.id, decisionIds))
      : [];
    const decisionById = new Map(
      decisions.map((d) => [d.change.id, { ...priceChangeView(d.change), productName: d.productName }]),
    );
    const productIds = [...lastOfProduct.keys()];
    const productById = new Map((await renderProducts(db, deps.urls, productIds)).map((p) => [p.id, p]));

    const events: StreamEvent[] = [];
    for (const r of kept) {
      if (r.kind === 'decision') {
        const data = decisionById.get(r.refId);
        if (data) events.push({ id: r.id, event: 'decision', data });
      } else {
        const data = productById.get(r.refId);
        if (data) events.push({ id: r.id, event: 'product', data });
      }
    }
    return { events, lastRowId: rows[rows.length - 1]!.id, full: rows.length >= BATCH };
  };

  const latestId = async (storeId: string): Promise<number> => {
    const [row] = await db
      .select({ id: sql<number>`coalesce(max(${storeEvents.id}), 0)`.mapWith(Number) })
      .from(storeEvents)
      .where(eq(storeEvents.storeId, storeId));
    return row?.id ?? 0;
  };

  const prune = async (): Promise<number> => {
    const before = new Date(Date.now() - deps.keepHours * 3_600_000);
    let total = 0;
    for (;;) {
      const result = await db.execute(
        sql`delete from ${storeEvents} where ${storeEvents.id} in (select ${storeEvents.id} from ${storeEvents} where ${lt(storeEvents.createdAt, before)} limit 5000)`,
      );
      total += result.rowCount ?? 0;
      if ((result.rowCount ?? 0) < 5000) return total;
    }
  };

  return {
    async subscribe(storeId, afterId, stream) {
      if (closed) throw new Error('the event hub is closed');
      if (!listener) await listen();
      if (!pruneTimer) {
        pruneTimer = setInterval(() => {
          prune().catch((err: unknown) => logger.warn({ err }, 'could not prune old store events'));
        }, PRUNE_EVERY_MS);
        pruneTimer.unref();
      }
      const sub: Subscriber = { ...stream, lastId: afterId ?? (await latestId(storeId)) };
      let subs = subscribers.get(storeId);
      if (!subs) subscribers.set(storeId, (subs = new Set()));
      subs.add(sub);
      markDirty(storeId);
      return () => {
        subs.delete(sub);
        if (subs.size === 0) subscribers.delete(storeId);
      };
    },
    prune,
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      clearInterval(pruneTimer);
      for (const subs of subscribers.values()) for (const sub of subs) sub.end();
      subscribers.clear();
      await connecting?.catch(() => undefined);
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
    },
  };
}

import { asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceChanges, products, storeEvents } from '../../src/db/schema';
import { startTestApi, type TestApi, useTestApi, useTestContext } from '../support/env';
import { openEventStream, type OpenStream } from '../support/event-stream';
import { registerMerchant, type Merchant } from '../support/http';
import { seedProduct, seedStore } from '../support/seed';
import { waitFor } from '../support/wait';

/**
 * The cabinet's live stream: what any process writes to a store's price history and products reaches
 * every API process's open streams through PostgreSQL, resumes from the last event id after a drop,
 * stays tenant-checked and bounded, and keeps quiet connections alive with heartbeats.
 */
describe('the store live stream', () => {
  const ctx = useTestContext({ EVENTS_HEARTBEAT_SECONDS: '1', EVENTS_MAX_STREAMS_PER_USER: '3' });
  const first = useTestApi(ctx);
  let second: TestApi;
  let owner: Merchant;
  let stranger: Merchant;
  let store: { id: string };
  let product: { id: string; name: string };
  let cycle = 1;
  const open: OpenStream[] = [];

  const stream = async (api: TestApi, who: Merchant, headers: Record<string, string> = {}) => {
    const s = await openEventStream(`${api.url}/api/v1/stores/${store.id}/events`, {
      authorization: `Bearer ${who.token}`,
      ...headers,
    });
    open.push(s);
    return s;
  };
  const decide = async (newPrice: number) => {
    const [row] = await ctx.db
      .insert(priceChanges)
      .values({
        storeId: store.id,
        productId: product.id,
        cycle: cycle++,
        oldPrice: 10_000,
        newPrice,
        reason: 'undercut',
        detail: { cityPrices: [{ cityId: '750000000', value: newPrice }], changes: [] },
      })
      .returning();
    return row!;
  };

  beforeAll(async () => {
    second = await startTestApi(ctx);
    owner = await registerMerchant(first.url, 'live');
    stranger = await registerMerchant(first.url, 'live-stranger');
    store = await seedStore(ctx.db, owner.id);
    product = await seedProduct(ctx.db, store.id, { name: 'Чайник для ленты', active: true, price: 10_000 });
  });

  afterAll(async () => {
    for (const s of open) s.close();
  });

  it('answers another merchant 404 and nobody 401', async () => {
    expect((await stream(first, stranger)).status).toBe(404);
    const res = await fetch(`${first.url}/api/v1/stores/${store.id}/events`);
    expect(res.status).toBe(401);
  });

  it('carries a decision, its status change and the product row to the streams of every API process', async () => {
    const a = await stream(first, owner);
    const b = await stream(second, owner);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const change = await decide(9_999);
    for (const s of [a, b]) {
      const e = await s.next('the decision', (x) => x.event === 'decision' && x.data.id === change.id);
      expect(e.data).toMatchObject({
        productId: product.id,
        productName: product.name,
        newPrice: 9_999,
        status: 'pending',
        reason: 'undercut',
      });
      expect(Number(e.id)).toBeGreaterThan(0);
    }
    await ctx.db.update(priceChanges).set({ status: 'sent', sentAt: new Date() }).where(eq(priceChanges.id, change.id));
    await a.next(
      'the sent status',
      (x) => x.event === 'decision' && x.data.id === change.id && x.data.status === 'sent',
    );

    await ctx.db
      .update(products)
      .set({
        price: 9_999,
        position: 1,
        offersCount: 4,
        lastCheckAt: new Date(),
        lastReason: 'undercut',
        cheapestRivalPrice: 10_000,
        cheapestRivalMerchant: '30200001',
      })
      .where(eq(products.id, product.id));
    const row = await b.next(
      'the product row',
      (x) => x.event === 'product' && x.data.id === product.id && x.data.position === 1,
    );
    expect(row.data).toMatchObject({ price: 9_999, state: 'first', offersCount: 4, gap: -1 });

    // A check that changes nothing the cabinet shows writes no event.
    const before = (await ctx.db.select().from(storeEvents).where(eq(storeEvents.storeId, store.id))).length;
    await ctx.db.update(products).set({ lastCheckAt: new Date() }).where(eq(products.id, product.id));
    expect((await ctx.db.select().from(storeEvents).where(eq(storeEvents.storeId, store.id))).length).toBe(before);
    a.close();
    b.close();
  });

  it('resumes after a drop from Last-Event-ID with what was missed, and nothing before', async () => {
    const s = await stream(first, owner);
    const seen = await decide(9_990);
    const last = await s.next('a decision', (x) => x.event === 'decision' && x.data.id === seen.id);
    s.close();
    const missed = await decide(9_980);
    const resumed = await stream(second, owner, { 'last-event-id': last.id! });
    await resumed.next('the missed decision', (x) => x.event === 'decision' && x.data.id === missed.id);
    expect(resumed.events.filter((x) => x.data.id === seen.id)).toEqual([]);
    resumed.close();
  });

  it('names every product one statement changed in one event row, streamed with their shared id on the last', async () => {
    const other = await seedProduct(ctx.db, store.id, { name: 'Кофемолка для ленты', active: true, price: 20_000 });
    const s = await stream(first, owner);
    const rowsBefore = await ctx.db.select().from(storeEvents).where(eq(storeEvents.storeId, store.id));
    await ctx.db
      .update(products)
      .set({ position: 3, offersCount: 7 })
      .where(inArray(products.id, [product.id, other.id]));
    const [a, b] = await Promise.all(
      [product.id, other.id].map((id) =>
        s.next('a product of the statement', (x) => x.event === 'product' && x.data.id === id && x.data.position === 3),
      ),
    );
    // In id order: the statement's row is the newest, and a heap scan need not return it last.
    const rows = await ctx.db
      .select()
      .from(storeEvents)
      .where(eq(storeEvents.storeId, store.id))
      .orderBy(asc(storeEvents.id));
    expect(rows.length).toBe(rowsBefore.length + 1);
    expect(rows.at(-1)!.refIds.toSorted()).toEqual([product.id, other.id].toSorted());
    const [earlier, later] = s.events.indexOf(a!) < s.events.indexOf(b!) ? [a!, b!] : [b!, a!];
    expect(earlier.id).toBeNull();
    expect(Number(later.id)).toBe(rows.at(-1)!.id);
    s.close();

    const resumed = await stream(second, owner, { 'last-event-id': later.id! });
    await waitFor('a heartbeat', () => resumed.comments.includes('ping'), 5_000);
    expect(resumed.events.filter((x) => x.event === 'product')).toEqual([]);
    resumed.close();
  });

  it('sends a heartbeat while nothing happens', async () => {
    const s = await stream(first, owner);
    await waitFor('a heartbeat', () => s.comments.includes('ping'), 5_000);
    s.close();
  });

  it('holds a merchant to a few streams at once', async () => {
    const busy = await registerMerchant(first.url, 'live-busy');
    const busyStore = await seedStore(ctx.db, busy.id);
    const url = `${first.url}/api/v1/stores/${busyStore.id}/events`;
    const streams = [];
    for (let i = 0; i < 3; i++) streams.push(await openEventStream(url, { authorization: `Bearer ${busy.token}` }));
    expect(streams.map((x) => x.status)).toEqual([200, 200, 200]);
    const refused = await fetch(url, { headers: { authorization: `Bearer ${busy.token}` } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    for (const x of streams) x.close();
    // A closed stream frees its place.
    await waitFor('a place to free up', async () => {
      const again = await openEventStream(url, { authorization: `Bearer ${busy.token}` });
      open.push(again);
      return again.status === 200;
    });
  });

  it('ends its streams when the API process stops', async () => {
    const s = await stream(second, owner);
    expect(s.status).toBe(200);
    await second.close();
    await waitFor('the stream to end', () => s.ended, 5_000);
  });
});

import { DEFAULT_CHANGE_BUDGET, FULL_WRITE_BUCKET } from '../../src/domain/write-budget';
import { and, count, eq, gt, inArray, max, notInArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { kaspiStores, priceChanges, products, storeEvents } from '../../src/db/schema';
import { checkDueProducts, type CheckDeps } from '../../src/demper/check';
import { recordDecision, sentChangesSince } from '../../src/demper/price-changes';
import { pushPendingChanges, sendPriceChange } from '../../src/demper/push';
import { createDirectReadChannel } from '../../src/proxies/read-channel';
import { loadDemperStore } from '../../src/demper/store';
import { completeDemperConfig } from '../../src/domain/demper-config';
import { NO_PRICE_WAR } from '../../src/domain/price-war';
import type { PriceDecision } from '../../src/domain/pricing';
import { ALMATY } from '../../src/kaspi/cities';
import type { CabinetContext } from '../../src/kaspi';
import { useTestContext } from '../support/env';
import { connectStore, demperProduct, demperTestConfig, FAST_LOOP } from '../support/demper';
import { useSandbox } from '../support/sandbox';

const OURS = '31500001';
const RIVAL = '31600001';
/** A rival on product 36 alone, under our floor there. */
const UNDER_FLOOR = '31700001';

/**
 * The fencing of price pushes, step by step against PostgreSQL and the sandbox: a decision with a
 * newer one after it is never sent, a push step sends the newest decision and spends no push on an older
 * one, a retry never sends twice, a push that already went through is
 * recognised (and recorded, even behind a newer decision), two senders of one product end on the
 * newer price, a late check of an old cycle (or of an earlier batch or read of one) records nothing after
 * a newer decision while a later batch or read decides the product again, the best change found within a
 * slot of the budget's pace takes it, changes found within a turn of the push pace are written together, a
 * slow batch ends before its decisions go stale, a decision older than it was expected to stand is not
 * sent, a check keeps the cut a push recorded while it ran, a batch keeps to intervals shortened
 * while it ran, a raise stops under a rival that left lately, named as the last check saw it, and a
 * raise on a card not seen to move waits while the budget's pace binds, and so does one at the floor
 * under a rival behind the cheapest, and one that buys only margin waits while cuts wait to be pushed.
 */
describe('fenced price pushes', () => {
  const sandbox = useSandbox({
    market: {
      merchants: [OURS, RIVAL, UNDER_FLOOR].map((uid) => ({
        uid,
        name: uid,
        points: [{ code: 'PP1', cityId: ALMATY }],
      })),
      // Product 25 costs five times what the others do.
      offers: [
        ...Array.from({ length: 37 }, (_, i) => i + 1).flatMap((n) => [
          { merchantUid: OURS, sku: `F-${n}`, productId: `93000000${n}`, price: n === 25 ? 50_000 : 10_000 },
          { merchantUid: RIVAL, sku: `RF-${n}`, productId: `93000000${n}`, price: n === 25 ? 45_000 : 9_000 },
        ]),
        { merchantUid: UNDER_FLOOR, sku: 'UF-36', productId: '9300000036', price: 4_000 },
      ],
    },
  });
  const ctx = useTestContext(() => demperTestConfig(sandbox));
  let cabinet: CabinetContext;
  let storeId: string;
  let userId: string;

  beforeAll(async () => {
    const connected = await connectStore(ctx, sandbox, OURS);
    storeId = connected.store.id;
    userId = connected.store.userId;
    cabinet = {
      urls: sandbox.urls,
      timeoutMs: 3_000,
      session: { cookies: { 'mc-session': connected.session.mcSession, 'mc-sid': connected.session.mcSid } },
    };
  });

  const deps = () => ({ db: ctx.db, logger: ctx.logger, now: () => new Date() });
  const pushesOf = (sku: string) => sandbox.market.pushLog({ merchantUid: OURS, sku }).filter((p) => p.status === 200);
  const livePrice = (n: number) => sandbox.market.offer(OURS, `F-${n}`)!.cityPrices.get(ALMATY);

  async function product(n: number) {
    const price = n === 25 ? 50_000 : 10_000;
    return demperProduct(ctx, storeId, {
      kaspiProductId: `93000000${n}`,
      sku: `F-${n}`,
      price,
      minPrice: price / 2,
    });
  }

  /** Switches off every product of the store but these: only they are due. */
  async function onlyActive(kept: { id: string }[]) {
    await ctx.db
      .update(products)
      .set({ active: false })
      .where(
        and(
          eq(products.storeId, storeId),
          notInArray(
            products.id,
            kept.map((p) => p.id),
          ),
        ),
      );
  }

  /** Gives up the changes earlier steps left waiting to be pushed: none waits before the next check. */
  async function nothingWaiting() {
    await ctx.db
      .update(priceChanges)
      .set({ status: 'failed' })
      .where(and(eq(priceChanges.storeId, storeId), eq(priceChanges.status, 'pending')));
  }

  /** The store's changes the budget counts over the last `windowSeconds`: sent, and waiting to be. */
  async function spentWithin(windowSeconds: number) {
    const [waiting] = await ctx.db
      .select({ n: count() })
      .from(priceChanges)
      .where(and(eq(priceChanges.storeId, storeId), eq(priceChanges.status, 'pending')));
    const sent = await sentChangesSince(ctx.db, storeId, new Date(Date.now() - windowSeconds * 1000));
    return sent.length + waiting!.n;
  }

  /**
   * A 60-s budget with room for one change more, more than half of it spent, so the pace binds: these
   * decisions are sent 30 s ago on top of what the window holds.
   */
  async function bindingBudget(sent: { productId: string; cycle: number }[]) {
    for (const { productId, cycle } of sent) await sentDecision(productId, cycle, 30);
    return { limit: (await spentWithin(60)) + 1, windowSeconds: 60 };
  }

  /** A decision to 9 500 sent `sentSecondsAgo`, expected to stand `holdSeconds` when given. */
  async function sentDecision(productId: string, cycle: number, sentSecondsAgo: number, holdSeconds?: number) {
    const made = await decision(productId, cycle, 9_500, 0, { holdSeconds });
    await ctx.db
      .update(priceChanges)
      .set({ status: 'sent', sentAt: new Date(Date.now() - sentSecondsAgo * 1000) })
      .where(eq(priceChanges.id, made.id));
  }

  /** Checks one product alone, as its last read left it: at `priceTenge`, with `pricingState`, under `budget`. */
  async function checkAt(
    productId: string,
    cycle: number,
    seen: { priceTenge: number; pricingState: (typeof products.$inferInsert)['pricingState'] },
    budget: { limit: number; windowSeconds: number },
  ) {
    await ctx.db
      .update(products)
      .set({
        price: seen.priceTenge,
        cityPrices: { [ALMATY]: seen.priceTenge },
        nextCheckAt: null,
        pricingState: seen.pricingState,
      })
      .where(eq(products.id, productId));
    return checkDueProducts(checkDeps({ budget }), {
      store: (await loadDemperStore(ctx.db, storeId))!,
      cycle,
      config: completeDemperConfig(FAST_LOOP),
      writesBlocked: false,
    });
  }

  async function decision(
    productId: string,
    cycle: number,
    priceTenge: number,
    batch = 0,
    made: { holdSeconds?: number; secondsAgo?: number; round?: number } = {},
  ) {
    const [row] = await ctx.db
      .insert(priceChanges)
      .values({
        storeId,
        productId,
        cycle,
        batch,
        round: made.round ?? 0,
        oldPrice: 10_000,
        newPrice: priceTenge,
        reason: 'undercut',
        detail: { cityPrices: [{ cityId: ALMATY, value: priceTenge }], changes: [], holdSeconds: made.holdSeconds },
        createdAt: new Date(Date.now() - (made.secondsAgo ?? 0) * 1000),
      })
      .returning();
    return row!;
  }

  const pushInput = {
    merchantUid: OURS,
    decisionMaxAgeSeconds: 30,
    maxPushesPerSecond: 2,
    bucket: FULL_WRITE_BUCKET,
    manualOnly: false,
    workingHours: null,
  };
  const pushDeps = () => ({
    ...deps(),
    keyring: ctx.keyring,
    urls: sandbox.urls,
    timeoutMs: 3_000,
    budget: DEFAULT_CHANGE_BUDGET,
    changesRecorded: () => undefined,
    readAheadSeconds: 0,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    progress: () => undefined,
  });

  async function statusOf(id: string) {
    const [row] = await ctx.db
      .select({ status: priceChanges.status })
      .from(priceChanges)
      .where(eq(priceChanges.id, id));
    return row!.status;
  }

  /** Our cut from 10 000 under the rival at 9 000, to first place. */
  const cutUnderRivalTo = (priceTenge: number): PriceDecision => {
    const rival = { merchantId: RIVAL, priceTenge: 9_000 };
    return {
      cityId: ALMATY,
      livePriceTenge: 10_000,
      targetPriceTenge: priceTenge,
      changed: true,
      reason: 'undercut',
      rival,
      leader: rival,
      positionBefore: 2,
      positionAfter: 1,
      wantedPriceTenge: priceTenge,
      floorTenge: 5_000,
      ceilingTenge: null,
      guardTenge: null,
      rivalsCount: 1,
    };
  };

  const applied = () => new Promise((resolve) => setTimeout(resolve, 100));

  const checkDeps = (overrides: Partial<CheckDeps> = {}): CheckDeps => ({
    db: ctx.db,
    channel: createDirectReadChannel({ readsPerSecond: 50, banPauseMs: 1_000 }),
    urls: sandbox.urls,
    timeoutMs: 3_000,
    logger: ctx.logger,
    batchSize: 50,
    concurrency: 4,
    budget: DEFAULT_CHANGE_BUDGET,
    changesRecorded: () => undefined,
    readAheadSeconds: 0,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    progress: () => undefined,
    ...overrides,
  });

  it('never sends a decision that a newer one follows, and never sends one twice', async () => {
    const p = await product(1);
    const older = await decision(p.id, 5, 9_500);
    const newer = await decision(p.id, 6, 9_400);
    expect(await sendPriceChange(deps(), cabinet, OURS, older.id)).toEqual({ kind: 'superseded' });
    expect((await sendPriceChange(deps(), cabinet, OURS, newer.id)).kind).toBe('sent');
    // The same activity retried: the row is sent, nothing goes out again.
    expect(await sendPriceChange(deps(), cabinet, OURS, newer.id)).toEqual({ kind: 'settled' });
    await applied();
    expect(pushesOf('F-1').map((push) => push.cityPrices)).toEqual([[{ cityId: ALMATY, value: 9_400 }]]);
    expect(await statusOf(older.id)).toBe('superseded');
    expect(livePrice(1)).toBe(9_400);
  });

  /** A sender that began pushing the change, reached Kaspi, and died before recording it. */
  async function diedMidPush(change: { id: string }, sku: string, priceTenge: number) {
    await ctx.db.update(priceChanges).set({ pushStartedAt: new Date() }).where(eq(priceChanges.id, change.id));
    const offer = sandbox.market.offer(OURS, sku)!;
    sandbox.market.mutate(offer, () => offer.cityPrices.set(ALMATY, priceTenge));
  }

  it('sends the decision recorded while a push step waited for the pace, spending no push on the one it replaced', async () => {
    const first = await decision((await product(17)).id, 1, 9_300);
    const second = await decision((await product(18)).id, 1, 9_200);
    let newer: { id: string; productId: string } | undefined;
    const waits: number[] = [];
    const result = await pushPendingChanges(
      {
        ...pushDeps(),
        // A check runs while the step waits for the pace, and decides the product still waiting afresh.
        sleep: async (ms) => {
          waits.push(ms);
          if (!newer) {
            const waiting = (await statusOf(first.id)) === 'pending' ? first : second;
            newer = await decision(waiting.productId, 2, 9_100);
          }
          await new Promise((resolve) => setTimeout(resolve, ms));
        },
      },
      { ...pushInput, storeId, userId },
    );
    expect(result.sent).toBe(2);
    expect(waits).toHaveLength(1);
    const replaced = newer!.productId === first.productId ? first : second;
    expect(await statusOf(replaced.id)).toBe('superseded');
    expect(await statusOf(newer!.id)).toBe('sent');
    await applied();
    const sku = replaced === first ? 'F-17' : 'F-18';
    expect(pushesOf(sku).map((push) => push.cityPrices)).toEqual([[{ cityId: ALMATY, value: 9_100 }]]);
  });

  it('drops a decision older than it was expected to stand, as its card has likely moved since the read', async () => {
    const outlived = await decision((await product(19)).id, 1, 9_300, 0, { holdSeconds: 8, secondsAgo: 10 });
    const lasting = await decision((await product(20)).id, 1, 9_200, 0, { holdSeconds: 600, secondsAgo: 10 });
    // However fast its card seems to move, a decision has the shortest check interval (5 s) to go out.
    const fresh = await decision((await product(21)).id, 1, 9_100, 0, { holdSeconds: 1, secondsAgo: 3 });
    const result = await pushPendingChanges(pushDeps(), { ...pushInput, storeId, userId });
    expect(result.sent).toBe(2);
    expect(await statusOf(outlived.id)).toBe('failed');
    expect(await statusOf(lasting.id)).toBe('sent');
    expect(await statusOf(fresh.id)).toBe('sent');
    await applied();
    expect(pushesOf('F-19')).toEqual([]);
    expect(pushesOf('F-20')).toHaveLength(1);
  });

  it('keeps the cut a push recorded while a check of the product was reading its card', async () => {
    const p = await product(22);
    const cut = cutUnderRivalTo(8_999);
    const [change] = await ctx.db
      .insert(priceChanges)
      .values({
        storeId,
        productId: p.id,
        cycle: 50,
        batch: 0,
        oldPrice: 10_000,
        newPrice: 8_999,
        reason: 'undercut',
        detail: { cityPrices: [{ cityId: ALMATY, value: 8_999 }], changes: [cut] },
      })
      .returning();
    const store = (await loadDemperStore(ctx.db, storeId))!;
    let push: Promise<unknown> | undefined;
    await checkDueProducts(
      // The batch has read its product rows; the push goes out before the first card is read.
      checkDeps({ progress: () => void (push ??= sendPriceChange(deps(), cabinet, OURS, change!.id)) }),
      { store, cycle: 51, config: completeDemperConfig(FAST_LOOP), writesBlocked: false },
    );
    expect(await push).toMatchObject({ kind: 'sent' });
    const [row] = await ctx.db.select().from(products).where(eq(products.id, p.id));
    expect(row!.pricingState[ALMATY]?.war.pendingCut).toMatchObject({
      rivalMerchantId: RIVAL,
      fromPriceTenge: 10_000,
      toPriceTenge: 8_999,
    });
  });

  it('recognises a push that went through before its sender died', async () => {
    const p = await product(2);
    const change = await decision(p.id, 7, 9_300);
    await diedMidPush(change, 'F-2', 9_300);
    expect(await sendPriceChange(deps(), cabinet, OURS, change.id)).toEqual({ kind: 'already_live' });
    expect(pushesOf('F-2')).toEqual([]);
    expect(await statusOf(change.id)).toBe('sent');
  });

  it('records such a push as sent, not superseded, when a newer decision follows it', async () => {
    const p = await product(5);
    const older = await decision(p.id, 12, 9_200);
    await diedMidPush(older, 'F-5', 9_200);
    const newer = await decision(p.id, 13, 9_100);
    expect(await sendPriceChange(deps(), cabinet, OURS, older.id)).toEqual({ kind: 'already_live' });
    expect((await sendPriceChange(deps(), cabinet, OURS, newer.id)).kind).toBe('sent');
    expect(await statusOf(older.id)).toBe('sent');
    await applied();
    expect(pushesOf('F-5').map((push) => push.cityPrices![0]!.value)).toEqual([9_100]);
    expect(livePrice(5)).toBe(9_100);
  });

  it('calls a started push superseded when it never reached Kaspi', async () => {
    const p = await product(6);
    const older = await decision(p.id, 14, 9_250);
    await ctx.db.update(priceChanges).set({ pushStartedAt: new Date() }).where(eq(priceChanges.id, older.id));
    await decision(p.id, 15, 9_150);
    expect(await sendPriceChange(deps(), cabinet, OURS, older.id)).toEqual({ kind: 'superseded' });
    expect(pushesOf('F-6')).toEqual([]);
  });

  it('lets two senders of one product take turns, ending on the newer decision', async () => {
    const p = await product(3);
    // A late retry of an older cycle is mid-push (Kaspi is slow to answer it)...
    sandbox.faults.add({ endpoint: 'pricefeed', kind: 'slow', delayMs: 400, times: 1 });
    const older = await decision(p.id, 8, 9_700);
    const late = sendPriceChange(deps(), cabinet, OURS, older.id);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // ...when the current cycle decides and sends the product: it waits for the older push to finish.
    const newer = await decision(p.id, 9, 9_600);
    const current = await sendPriceChange(deps(), cabinet, OURS, newer.id);
    expect(current.kind).toBe('sent');
    expect((await late).kind).toBe('sent');
    await applied();
    expect(pushesOf('F-3').map((push) => push.cityPrices![0]!.value)).toEqual([9_700, 9_600]);
    expect(livePrice(3)).toBe(9_600);
  });

  it('records nothing for an old cycle once a newer cycle decided the product', async () => {
    const p = await product(4);
    const newer = await decision(p.id, 11, 9_800);
    const store = (await loadDemperStore(ctx.db, storeId))!;
    const result = await checkDueProducts(checkDeps(), {
      store,
      cycle: 10,
      config: completeDemperConfig(FAST_LOOP),
      writesBlocked: false,
    });
    // Every product due was read and priced (first place is 8 999)...
    expect(result.checked).toBeGreaterThanOrEqual(1);
    const rows = await ctx.db.select().from(priceChanges).where(eq(priceChanges.productId, p.id));
    // ...but product 4 keeps only the newer cycle's decision.
    expect(rows.map((r) => r.id)).toEqual([newer.id]);
    const [checked] = await ctx.db.select().from(products).where(eq(products.id, p.id));
    expect(checked).toMatchObject({
      position: 2,
      cheapestRivalPrice: 9_000,
      cheapestRivalMerchant: RIVAL,
      checkErrors: 0,
    });
    expect(checked!.lastCheckAt).not.toBeNull();
  });
  it('decides a product again in a later batch of the same cycle, and not in an earlier one', async () => {
    const p = await product(16);
    await decision(p.id, 40, 9_800, 3);
    const store = (await loadDemperStore(ctx.db, storeId))!;
    const check = async (batch: number) => {
      await ctx.db.update(products).set({ nextCheckAt: null }).where(eq(products.id, p.id));
      await checkDueProducts(checkDeps(), {
        store,
        cycle: 40,
        batch,
        config: completeDemperConfig(FAST_LOOP),
        writesBlocked: false,
      });
      const rows = await ctx.db.select().from(priceChanges).where(eq(priceChanges.productId, p.id));
      return rows.map((r) => [r.batch, r.newPrice]).sort((a, b) => a[0]! - b[0]!);
    };
    // A late retry of batch 2: batch 3 decided the product already.
    expect(await check(2)).toEqual([[3, 9_800]]);
    // Batch 4 of the same cycle decides it again: toward first place (8 999), as far as one change may drop.
    expect(await check(4)).toEqual([
      [3, 9_800],
      [4, 9_000],
    ]);
    // Its retry does not record it twice.
    expect(await check(4)).toHaveLength(2);
  });

  it('decides a product again in a later read of the same batch, and not in an earlier one', async () => {
    const p = await product(23);
    await decision(p.id, 41, 9_800, 2, { round: 1 });
    const decide = (round: number, priceTenge: number) =>
      recordDecision(ctx.db, {
        storeId,
        productId: p.id,
        cycle: 41,
        batch: 2,
        round,
        changes: [cutUnderRivalTo(priceTenge)],
        cityPrices: [{ cityId: ALMATY, value: priceTenge }],
        merchantNames: {},
        dryRun: false,
        holdSeconds: 60,
        holdKnown: true,
      });
    // A retry of the batch reads the product for the first time again: its second read decided already.
    expect(await decide(0, 9_700)).toBe(false);
    expect(await decide(1, 9_700)).toBe(false);
    expect(await decide(2, 9_600)).toBe(true);
    const rows = await ctx.db.select().from(priceChanges).where(eq(priceChanges.productId, p.id));
    expect(rows.map((r) => [r.round, r.newPrice]).sort((a, b) => a[0]! - b[0]!)).toEqual([
      [1, 9_800],
      [2, 9_600],
    ]);
  });

  it('while the pace binds, weighs the changes found within one slot of it and records the best', async () => {
    const [cheap, dear] = await Promise.all([24, 25].map(product));
    await onlyActive([cheap!, dear!]);
    // The cheaper product is due first, and read first: one reader.
    const now = Date.now();
    await ctx.db
      .update(products)
      .set({ nextCheckAt: new Date(now - 2_000) })
      .where(eq(products.id, cheap!.id));
    await ctx.db
      .update(products)
      .set({ nextCheckAt: new Date(now - 1_000) })
      .where(eq(products.id, dear!.id));
    const budget = await bindingBudget([
      { productId: cheap!.id, cycle: 50 },
      { productId: dear!.id, cycle: 50 },
    ]);

    const store = (await loadDemperStore(ctx.db, storeId))!;
    const result = await checkDueProducts(checkDeps({ budget, concurrency: 1 }), {
      store,
      cycle: 60,
      config: completeDemperConfig(FAST_LOOP),
      writesBlocked: false,
    });
    expect(result).toMatchObject({ checked: 2, changed: 1 });
    const recorded = await ctx.db
      .select()
      .from(priceChanges)
      .where(and(inArray(priceChanges.productId, [cheap!.id, dear!.id]), eq(priceChanges.cycle, 60)));
    expect(recorded.map((r) => r.productId)).toEqual([dear!.id]);
  });

  it('writes the changes found within one turn of the push pace together', async () => {
    const fresh = await Promise.all([26, 27, 28].map(product));
    await onlyActive(fresh);
    const store = (await loadDemperStore(ctx.db, storeId))!;
    let told = 0;
    // One push in two seconds: the first change is written and told at once; the two read just after it
    // wait for the next turn, and go together when the batch ends before it. A decision may wait ten
    // minutes for its push, so the pace has room for all three beside those earlier tests left pending.
    const result = await checkDueProducts(checkDeps({ concurrency: 3, changesRecorded: () => told++ }), {
      store,
      cycle: 70,
      config: completeDemperConfig({ intervalSeconds: 600, hotIntervalSeconds: 600, maxPushesPerSecond: 0.5 }),
      writesBlocked: false,
    });
    expect(result).toMatchObject({ checked: 3, changed: 3 });
    expect(told).toBe(2);
  });

  it('writes the changes the budget has no room for with the rest of the batch, not one by one', async () => {
    const fresh = await Promise.all([29, 30, 31].map(product));
    await onlyActive(fresh);
    // The store's events from here on: by id, as a timestamp taken here may fall in the same millisecond as
    // the update above.
    const [before] = await ctx.db.select({ id: max(storeEvents.id) }).from(storeEvents);
    // Spent to the last change of a ten-minute window (one waiting at least): the pace frees no slot
    // within the batch.
    await decision(fresh[0]!.id, 79, 9_500);
    const budget = { limit: await spentWithin(600), windowSeconds: 600 };

    const store = (await loadDemperStore(ctx.db, storeId))!;
    // One read a second: the three products are read over two seconds, each wanting a change.
    const result = await checkDueProducts(
      checkDeps({ budget, concurrency: 1, channel: createDirectReadChannel({ readsPerSecond: 1, banPauseMs: 1_000 }) }),
      { store, cycle: 80, config: completeDemperConfig(FAST_LOOP), writesBlocked: false },
    );
    expect(result).toMatchObject({ checked: 3, changed: 0 });
    const events = await ctx.db
      .select()
      .from(storeEvents)
      .where(
        and(eq(storeEvents.storeId, storeId), eq(storeEvents.kind, 'product'), gt(storeEvents.id, before!.id ?? 0)),
      );
    expect(events).toHaveLength(1);
    expect(new Set(events[0]!.refIds)).toEqual(new Set(fresh.map((p) => p.id)));
  });

  it('ends a slow batch in time for its decisions to go out fresh, leaving the rest due', async () => {
    const fresh = await Promise.all([7, 8, 9, 10, 11, 12, 13, 14].map(product));
    // Only these are due.
    await onlyActive(fresh);
    const store = (await loadDemperStore(ctx.db, storeId))!;
    // A read every 4 s, and a decision goes stale after 30 s, so the batch stops taking products after
    // 15 s: it reads 6 of the 8. Its clock (and the channel's, and its sleeps) run ten times as fast.
    const start = Date.now();
    const now = () => start + (Date.now() - start) * 10;
    const result = await checkDueProducts(
      checkDeps({
        channel: createDirectReadChannel({ readsPerSecond: 0.25, banPauseMs: 1_000, now }),
        concurrency: 2,
        now: () => new Date(now()),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / 10)),
      }),
      { store, cycle: 20, config: completeDemperConfig(FAST_LOOP), writesBlocked: false },
    );
    expect(result.moreDue).toBe(true);
    const rows = await ctx.db
      .select()
      .from(products)
      .where(
        inArray(
          products.id,
          fresh.map((p) => p.id),
        ),
      );
    const unread = rows.filter((r) => r.lastCheckAt === null);
    expect(unread.length).toBeGreaterThan(0);
    expect(unread.length).toBeLessThan(fresh.length);
  });

  it('schedules the next check within the quiet interval the merchant saved while the batch ran', async () => {
    const p = await product(15);
    await onlyActive([p]);
    const store = (await loadDemperStore(ctx.db, storeId))!;
    // The batch decides with the slow intervals it started with; 5 s was saved since.
    const startedWith = completeDemperConfig({ intervalSeconds: 600, hotIntervalSeconds: 300 });
    await ctx.db
      .update(kaspiStores)
      .set({ demperConfig: { ...startedWith, intervalSeconds: 5, hotIntervalSeconds: 5 } })
      .where(eq(kaspiStores.id, storeId));
    const before = Date.now();
    const result = await checkDueProducts(checkDeps(), { store, cycle: 30, config: startedWith, writesBlocked: false });
    const after = Date.now();
    expect(result).toMatchObject({ checked: 1, changed: 1 });
    const [checked] = await ctx.db.select().from(products).where(eq(products.id, p.id));
    expect(checked!.nextCheckAt!.getTime()).toBeGreaterThanOrEqual(before + 5_000);
    expect(checked!.nextCheckAt!.getTime()).toBeLessThanOrEqual(after + 5_000);
  });

  it('raises no further than under a rival that left the card lately, naming it as the last check saw it', async () => {
    const p = await product(32);
    await onlyActive([p]);
    const rival = sandbox.market.offer(RIVAL, 'RF-32')!;
    sandbox.market.mutate(rival, () => {
      rival.listed = false;
    });
    const ours = sandbox.market.offer(OURS, 'F-32')!;
    sandbox.market.mutate(ours, () => {
      ours.cityPrices.set(ALMATY, 8_500);
    });
    // The last check saw the rival at 9 000, cheapest on a card whose cheapest rival moves every minute.
    const now = Date.now();
    await ctx.db
      .update(products)
      .set({
        price: 8_500,
        cityPrices: { [ALMATY]: 8_500 },
        noRivalsAction: 'ceiling',
        maxPrice: 12_000,
        cheapestRivalMerchant: RIVAL,
        cheapestRivalName: 'Магазин у дома',
        lastCheckAt: new Date(now - 20_000),
        nextCheckAt: null,
        pricingState: {
          [ALMATY]: {
            war: NO_PRICE_WAR,
            day: null,
            leader: { merchantId: RIVAL, priceTenge: 9_000 },
            pace: { lastMoveAtMs: now - 30_000, gapSeconds: 60 },
          },
        },
      })
      .where(eq(products.id, p.id));
    await nothingWaiting();
    const store = (await loadDemperStore(ctx.db, storeId))!;
    const result = await checkDueProducts(checkDeps(), {
      store,
      cycle: 70,
      config: completeDemperConfig(FAST_LOOP),
      writesBlocked: false,
    });
    expect(result).toMatchObject({ checked: 1, changed: 1 });
    const [change] = await ctx.db.select().from(priceChanges).where(eq(priceChanges.productId, p.id));
    // Not the ceiling: the rival may come back at 9 000.
    expect(change).toMatchObject({ newPrice: 8_999, reason: 'raise' });
    expect(change!.detail.rivalNames).toEqual({ [RIVAL]: 'Магазин у дома' });
    const [row] = await ctx.db.select().from(products).where(eq(products.id, p.id));
    expect(row!.pricingState[ALMATY]?.departed).toMatchObject({ rival: { merchantId: RIVAL, priceTenge: 9_000 } });
  });

  it('records no change that would wait for the push pace more than half the time it is expected to stand', async () => {
    const p = await product(33);
    await onlyActive([p]);
    await nothingWaiting();
    // The card's rival answers our cuts within 8 s: a cut under it is expected to stand 8 s.
    const war = { ...NO_PRICE_WAR, rivalMerchantId: RIVAL, rounds: 1, lastRoundAtMs: Date.now(), answerSeconds: 8 };
    const leader = { merchantId: RIVAL, priceTenge: 9_000 };
    const state = { war, day: null, leader, movers: { [RIVAL]: Date.now() - 1_000 } };
    const others = await ctx.db
      .select({ id: products.id })
      .from(products)
      .where(and(eq(products.storeId, storeId), inArray(products.sku, ['F-7', 'F-8', 'F-9', 'F-10', 'F-11'])));
    const store = (await loadDemperStore(ctx.db, storeId))!;
    /** A check of the product while five changes wait for their push. */
    const checkBehindFive = async (cycle: number, maxPushesPerSecond: number) => {
      const queued = await Promise.all(others.map((o) => decision(o.id, cycle, 9_500)));
      await ctx.db
        .update(products)
        .set({ nextCheckAt: null, pricingState: { [ALMATY]: state } })
        .where(eq(products.id, p.id));
      const result = await checkDueProducts(checkDeps(), {
        store,
        cycle,
        config: completeDemperConfig({ ...FAST_LOOP, maxPushesPerSecond }),
        writesBlocked: false,
      });
      const ids = queued.map((q) => q.id);
      await ctx.db.update(priceChanges).set({ status: 'failed' }).where(inArray(priceChanges.id, ids));
      await ctx.db.update(priceChanges).set({ status: 'failed' }).where(eq(priceChanges.productId, p.id));
      return result;
    };
    expect(others).toHaveLength(5);
    // Two pushes a second send the five in 2.5 s, less than half of 8 s: the cut is recorded.
    expect(await checkBehindFive(80, 2)).toMatchObject({ checked: 1, changed: 1 });
    // One a second would hold it back 5 s: it is not.
    expect(await checkBehindFive(81, 1)).toMatchObject({ checked: 1, changed: 0 });
  });

  it('while the pace binds, makes no raise on a card it has not seen move, and makes it on one it knows to be still', async () => {
    const p = await product(34);
    await onlyActive([p]);
    const ours = sandbox.market.offer(OURS, 'F-34')!;
    sandbox.market.mutate(ours, () => {
      ours.cityPrices.set(ALMATY, 8_500);
    });
    const now = Date.now();
    const budget = await bindingBudget([
      { productId: p.id, cycle: 90 },
      { productId: p.id, cycle: 91 },
    ]);
    const leader = { merchantId: RIVAL, priceTenge: 9_000 };
    const checkWith = (cycle: number, pace: { lastMoveAtMs: number; gapSeconds: number } | null) =>
      checkAt(
        p.id,
        cycle,
        { priceTenge: 8_500, pricingState: pace ? { [ALMATY]: { war: NO_PRICE_WAR, day: null, leader, pace } } : {} },
        budget,
      );
    // The rival 500 ₸ above was never seen to move: it may be one whose offer blinks, back under a raise at once.
    expect(await checkWith(92, null)).toMatchObject({ checked: 1, changed: 0 });
    // Still for ten minutes on a card whose rival moves every five: the raise to 8 999 stands, and is made.
    expect(await checkWith(93, { lastMoveAtMs: now - 600_000, gapSeconds: 300 })).toMatchObject({
      checked: 1,
      changed: 1,
    });
    const [change] = await ctx.db
      .select()
      .from(priceChanges)
      .where(and(eq(priceChanges.productId, p.id), eq(priceChanges.cycle, 93)));
    expect(change).toMatchObject({ newPrice: 8_999, reason: 'raise' });
  });

  it('while the pace binds, does not follow a rival up at the floor behind a cheaper one that sits still', async () => {
    const p = await product(36);
    await onlyActive([p]);
    const ours = sandbox.market.offer(OURS, 'F-36')!;
    const rival = sandbox.market.offer(RIVAL, 'RF-36')!;
    sandbox.market.mutate(ours, () => {
      ours.cityPrices.set(ALMATY, 5_800);
    });
    sandbox.market.mutate(rival, () => {
      rival.cityPrices.set(ALMATY, 6_000);
    });
    // The cheapest rival, under our floor of 5 000, has been still for ten minutes on a card whose cheapest moves every five.
    const leader = { merchantId: UNDER_FLOOR, priceTenge: 4_000 };
    const pace = { lastMoveAtMs: Date.now() - 600_000, gapSeconds: 300 };
    const seen = { priceTenge: 5_800, pricingState: { [ALMATY]: { war: NO_PRICE_WAR, day: null, leader, pace } } };
    const checkWith = (cycle: number, budget: { limit: number; windowSeconds: number }) =>
      checkAt(p.id, cycle, seen, budget);
    const binding = await bindingBudget([
      { productId: p.id, cycle: 110 },
      { productId: p.id, cycle: 111 },
    ]);
    // The raise to 5 999 under the rival at 6 000 keeps second place: how long it stands is that rival's pace, not known.
    expect(await checkWith(112, binding)).toMatchObject({ checked: 1, changed: 0 });
    await nothingWaiting();
    expect(await checkWith(113, { limit: 10_000, windowSeconds: 60 })).toMatchObject({ checked: 1, changed: 1 });
    const [change] = await ctx.db
      .select()
      .from(priceChanges)
      .where(and(eq(priceChanges.productId, p.id), eq(priceChanges.cycle, 113)));
    expect(change).toMatchObject({ newPrice: 5_999, reason: 'floor_reached' });
  });

  it('while the pace binds, leaves its slot to a cut that stands rather than one its rival answers within a second', async () => {
    const p = await product(37);
    await onlyActive([p]);
    await nothingWaiting();
    // The budget counts only what this test sends: what earlier ones sent is set aside.
    await ctx.db
      .update(priceChanges)
      .set({ status: 'failed' })
      .where(and(eq(priceChanges.storeId, storeId), eq(priceChanges.status, 'sent')));
    const rival = sandbox.market.offer(RIVAL, 'RF-37')!;
    sandbox.market.mutate(rival, () => {
      rival.cityPrices.set(ALMATY, 9_500);
    });
    // Ten short-lived cuts just sent, each expected to stand 10 s: a slot of the pace buys about that
    // much, and a cut expected to stand under half of it waits. Thirty more sent 30 s ago, out of the
    // pace's lookback (the last 18 s of a 60-s window). The budget has room for two more: more than
    // half of it is spent, so the pace binds, and the lookback still has room.
    for (let i = 0; i < 10; i++) await sentDecision(p.id, 200 + i, 1, 10);
    for (let i = 0; i < 30; i++) await sentDecision(p.id, 220 + i, 30, 10);
    const budget = { limit: 42, windowSeconds: 60 };
    // The rival answers our cuts on a 10-s clock, last acting `actedSecondsAgo`.
    const seenWith = (actedSecondsAgo: number) => ({
      priceTenge: 10_000,
      pricingState: {
        [ALMATY]: {
          day: null,
          leader: { merchantId: RIVAL, priceTenge: 9_500 },
          war: {
            ...NO_PRICE_WAR,
            rivalMerchantId: RIVAL,
            rounds: 1,
            lastRoundAtMs: Date.now() - actedSecondsAgo * 1000,
            answerSeconds: 10,
            clock: { actedAtMs: Date.now() - actedSecondsAgo * 1000, periodSeconds: 10 },
          },
        },
      },
    });
    // It acts again within a second: the cut to 9 499 would stand about that long.
    expect(await checkAt(p.id, 300, seenWith(9.2), budget)).toMatchObject({ checked: 1, changed: 0 });
    // Just after its act, the cut stands about a whole period, and is made.
    expect(await checkAt(p.id, 301, seenWith(0.2), budget)).toMatchObject({ checked: 1, changed: 1 });
    const [change] = await ctx.db
      .select()
      .from(priceChanges)
      .where(and(eq(priceChanges.productId, p.id), eq(priceChanges.cycle, 301)));
    expect(change).toMatchObject({ newPrice: 9_499, reason: 'undercut' });
  });

  it('makes no raise that buys only margin while cuts wait to be pushed, and makes it behind other raises', async () => {
    const p = await product(35);
    const others = await ctx.db
      .select({ id: products.id })
      .from(products)
      .where(and(eq(products.storeId, storeId), inArray(products.sku, ['F-12', 'F-13'])));
    await onlyActive([p]);
    const ours = sandbox.market.offer(OURS, 'F-35')!;
    sandbox.market.mutate(ours, () => {
      ours.cityPrices.set(ALMATY, 8_500);
    });
    // A budget far from binding: only the changes waiting can hold the raise back.
    const roomy = { limit: 10_000, windowSeconds: 60 };
    /** A check of the product while the others wait to be pushed at `queuedPrice` (from 10 000). */
    const checkBehind = async (cycle: number, queuedPrice: number) => {
      await nothingWaiting();
      await Promise.all(others.map((o) => decision(o.id, cycle, queuedPrice)));
      return checkAt(p.id, cycle, { priceTenge: 8_500, pricingState: {} }, roomy);
    };
    expect(await checkBehind(101, 9_500)).toMatchObject({ checked: 1, changed: 0 });
    expect(await checkBehind(102, 10_500)).toMatchObject({ checked: 1, changed: 1 });
    const [change] = await ctx.db
      .select()
      .from(priceChanges)
      .where(and(eq(priceChanges.productId, p.id), eq(priceChanges.cycle, 102)));
    expect(change).toMatchObject({ newPrice: 8_999, reason: 'raise' });
  });
});

/**
 * One check batch of a store's cycle: the products due now, hottest first — and, for a store with
 * proxies, those free to read ahead of their interval, for as long as the batch's time lasts — each
 * read on its card in every city it competes in, priced by the domain rules, and recorded: live price,
 * position, cheapest rival, next check, the batch's rows in few statements (`product-writes.ts`). A
 * price change is recorded (`price-changes.ts`) when a push is due and the change budget may be spent
 * on it (`domain/change-value.ts`), and the loop is told at once (`changesRecorded`): the push loop
 * sends it (`push.ts`) while the batch reads on.
 */
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { priceChanges, productDays, products } from '../db/schema';
import {
  paceBinds,
  paceIntervalMs,
  pacedHoldFloorSeconds,
  pushHold,
  spend,
  spendAllowance,
  spendKind,
  type SpendAllowance,
} from '../domain/change-value';
import { competingCities } from '../domain/city-prices';
import { DEFAULT_CHECK_SCHEDULE, scheduleAfterCheck, watchSeconds } from '../domain/check-schedule';
import { accrueDayStats } from '../domain/day-stats';
import { lastReasonOf } from '../domain/last-reason';
import { decisionMaxAgeSeconds, type DemperConfig } from '../domain/demper-config';
import type { PriceDecision } from '../domain/pricing';
import { decideProductPrices, type ProductPricing } from '../domain/product-pricing';
import type { Rival } from '../domain/rivals';
import { watchDelaySeconds } from '../domain/rival-watch';
import { lowersPrice, prioritiseChanges, type ChangeBudget } from '../domain/write-budget';
import type { KaspiError, KaspiUrls, OffersResult } from '../kaspi';
import type { Logger } from '../lib/logger';
import { settingsOf } from '../products/settings';
import type { ReadChannel } from '../proxies/read-channel';
import { sharedGrants } from '../proxies/shared-grants';
import { readCards } from './card-reader';
import { recordDecision, sentChangesSince, type Decision } from './price-changes';
import { pendingCutTimes, writeCheckedRows, type CheckedRow } from './product-writes';
import { demperProxyCount, dueProductIds, readAheadWith, storeNextWakeAt } from './schedule';
import type { DemperStore } from './store';

export interface CheckDeps {
  db: Db;
  channel: ReadChannel;
  urls: KaspiUrls;
  timeoutMs: number;
  logger: Logger;
  batchSize: number;
  /** Products of the batch read at once; the read channel still holds every address to its rate. */
  concurrency: number;
  /** The merchant's change budget: a change is recorded only when it may be spent on it (`change-value.ts`). */
  budget: ChangeBudget;
  /** Changes were recorded for pushing: the loop may push them now, while the batch reads on. */
  changesRecorded(): void;
  /** With proxies of its own, a store reads products ahead of their interval, each at most this often; 0: never. */
  readAheadSeconds: number;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** Called before each product: an activity heartbeats (and learns of its cancellation) here. */
  progress(done: number): void;
}

export interface CheckInput {
  store: DemperStore;
  cycle: number;
  /** The batch within the cycle (0 when not told): a product is decided at most once per batch. */
  batch?: number;
  config: DemperConfig;
  /** The merchant's writes are blocked (a 429 cooldown): read and decide, record no change. */
  writesBlocked: boolean;
}

export interface CheckResult {
  checked: number;
  /** Changes recorded for pushing (or proposals, in a dry run). */
  changed: number;
  heldAtFloor: number;
  errors: number;
  /** More products were due than one batch takes. */
  moreDue: boolean;
  /** The read channel has no capacity until then. */
  readsBlockedUntil: string | null;
  nextDueAt: string | null;
}

type ProductRow = typeof products.$inferSelect;

/** How often a batch reading ahead, with nothing free to read, looks again. */
const REFILL_POLL_MS = 500;
/**
 * A refill takes at most this many products per reader: a product watched for its rival's next act
 * comes due while the products queued before it are read, and a short queue keeps that wait to a
 * moment, not the seconds a whole batch takes.
 */
const REFILL_PER_READER = 2;

/** A cut whose rival's period is not known yet is watched this many hot intervals (`watchSeconds`). */
const WATCH_HOT_INTERVALS = 4;

export async function checkDueProducts(deps: CheckDeps, input: CheckInput): Promise<CheckResult> {
  const { db } = deps;
  const { store, config } = input;
  const result: CheckResult = {
    checked: 0,
    changed: 0,
    heldAtFloor: 0,
    errors: 0,
    moreDue: false,
    readsBlockedUntil: null,
    nextDueAt: null,
  };
  const proxyCount = await demperProxyCount(db, store.userId);
  const proxiedReads = readAheadWith(proxyCount, deps.readAheadSeconds);
  const readAhead = proxiedReads && {
    ...proxiedReads,
    watchSpanSeconds: WATCH_HOT_INTERVALS * config.hotIntervalSeconds,
  };
  const watch = readAhead ? { seconds: watchSeconds(readAhead), spanSeconds: readAhead.watchSpanSeconds } : null;
  const due = await dueProductIds(db, store.id, deps.now(), config.workingHours, deps.batchSize, readAhead);
  result.moreDue = due.more;
  const rows = due.ids.length ? await db.select().from(products).where(inArray(products.id, due.ids)) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const recorder = changeRecorder(deps, input, config.dryRun ? null : (await allowanceNow(deps, store.id)).allowance);

  // A few products at a time: a card read waits mostly on the network, so one store's reads would
  // otherwise be held to one round trip each, far below what its addresses may send.
  const queue = [...due.ids];
  let done = 0;
  let reading = 0;
  // The readers share proxy grants. A grant is asked for the reads of every product not read yet, and
  // reading ahead for at least one pass over the batch: the pool grants what a proxy's budget allows,
  // paced, so one lease serves many products.
  const citiesAtMost = Math.max(1, store.points.length);
  const channel = sharedGrants(deps.channel, () => Math.max(1, queue.length + reading, due.ids.length) * citiesAtMost, {
    proxied: readAhead !== null,
    ...(proxyCount > 0 ? { proxies: proxyCount } : {}),
  });
  // The changes a batch records go out while it reads on (`changesRecorded`). It still ends after half
  // a decision's age, so the loop takes up a new configuration, a pause or a shut surface between
  // batches; the products it did not reach stay due for the next one.
  const readUntil = deps.now().getTime() + (decisionMaxAgeSeconds(config) * 1000) / 2;
  const stopped = () => deps.now().getTime() >= readUntil || result.readsBlockedUntil !== null;
  /** When each product was taken in this batch (one is not read again before the gap is over), and how often. */
  const taken = new Map<string, { atMs: number; round: number }>();
  const takeNext = () => {
    if (stopped()) return undefined;
    const id = queue.shift();
    if (id !== undefined) taken.set(id, { atMs: deps.now().getTime(), round: (taken.get(id)?.round ?? -1) + 1 });
    return id;
  };
  // Reading ahead, a batch whose queue ran dry reads on while its time lasts: the products that come
  // free meanwhile, as soon as they do. One reader looks for them; the others wait for what it finds.
  let refilling: Promise<void> | null = null;
  const refillSize = Math.min(deps.batchSize, REFILL_PER_READER * Math.max(1, deps.concurrency));
  const refill = () =>
    (refilling ??= (async () => {
      try {
        await recorder.flush();
        while (readAhead && !stopped()) {
          const gapStart = deps.now().getTime() - readAhead.minGapSeconds * 1000;
          // Products taken within the gap may come back due: asked for that many more, they cannot crowd
          // out the rest.
          const inGap = [...taken.values()].filter((t) => t.atMs > gapStart).length;
          const next = await dueProductIds(
            db,
            store.id,
            deps.now(),
            config.workingHours,
            refillSize + inGap,
            readAhead,
          );
          const ids = next.ids.filter((id) => (taken.get(id)?.atMs ?? 0) <= gapStart).slice(0, refillSize);
          if (ids.length > 0) {
            for (const row of await db.select().from(products).where(inArray(products.id, ids))) byId.set(row.id, row);
            queue.push(...ids);
            return;
          }
          await deps.sleep(REFILL_POLL_MS);
        }
      } finally {
        refilling = null;
      }
    })());
  const checkNext = async (): Promise<void> => {
    for (;;) {
      let id = takeNext();
      if (id === undefined && readAhead && due.ids.length > 0 && !stopped()) {
        await refill();
        id = takeNext();
      }
      if (id === undefined) return;
      deps.progress(done);
      const product = byId.get(id);
      if (!product) continue;
      const cityIds = competingCities(
        product.cities,
        store.points.filter((p) => p.cityId),
      );
      reading++;
      const read = await readCards(
        // The channel paces by this process's clock; what goes back to the loop is on `deps.now`'s.
        { channel, urls: deps.urls, timeoutMs: deps.timeoutMs, sleep: deps.sleep, now: Date.now },
        {
          userId: store.userId,
          storeId: store.id,
          merchantId: store.merchantUid,
          productId: product.kaspiProductId,
          cityIds,
        },
      ).finally(() => reading--);
      if (read.blockedUntil) {
        // This product and the rest stay due; the loop waits for the channel.
        result.readsBlockedUntil = new Date(
          read.blockedUntil.getTime() - Date.now() + deps.now().getTime(),
        ).toISOString();
        result.moreDue = true;
        return;
      }
      const checked = checkProduct(
        deps,
        input,
        { product, round: taken.get(id)!.round, watch },
        read.cards,
        read.failures,
      );
      done++;
      result.checked += checked.checked ? 1 : 0;
      result.heldAtFloor += checked.heldAtFloor ? 1 : 0;
      result.errors += checked.failed ? 1 : 0;
      await recorder.add(checked);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, deps.concurrency) }, checkNext));
  } finally {
    await channel.close();
    await recorder.flush();
  }
  result.changed = recorder.recorded();
  // Products left unread that were due start the next batch at once; those read ahead wait their turn.
  const dueIds = new Set(due.ids.slice(0, due.due));
  if (queue.some((id) => dueIds.has(id))) result.moreDue = true;
  result.nextDueAt =
    (await storeNextWakeAt(db, store.id, deps.now(), config.workingHours, readAhead))?.toISOString() ?? null;
  return result;
}

/**
 * The change budget's allowance now, the store's changes still waiting to be pushed counted as spent;
 * how many wait, and how many of those lower a price; and while the pace binds, the least a
 * short-lived change must be expected to stand (`pacedHoldFloorSeconds`; 0 otherwise).
 */
async function allowanceNow(
  deps: CheckDeps,
  storeId: string,
): Promise<{ allowance: SpendAllowance; waiting: number; cutsWaiting: number; holdFloorSeconds: number }> {
  const now = deps.now();
  const since = new Date(now.getTime() - deps.budget.windowSeconds * 1000);
  const [waiting] = await deps.db
    .select({ n: count(), cuts: count(sql`case when ${priceChanges.newPrice} < ${priceChanges.oldPrice} then 1 end`) })
    .from(priceChanges)
    .where(and(eq(priceChanges.storeId, storeId), eq(priceChanges.status, 'pending')));
  const sent = await sentChangesSince(deps.db, storeId, since);
  const waitingCount = waiting?.n ?? 0;
  const times = [...sent.map((c) => c.atMs), ...Array.from({ length: waitingCount }, () => now.getTime())];
  const allowance = spendAllowance(times, now.getTime(), deps.budget);
  return {
    allowance,
    waiting: waitingCount,
    cutsWaiting: waiting?.cuts ?? 0,
    holdFloorSeconds: paceBinds(allowance, deps.budget) ? pacedHoldFloorSeconds(sent, now.getTime(), deps.budget) : 0,
  };
}

/** A product as its check left it: the row to write, and the change it wants pushed, if any. */
interface CheckedProduct {
  row: CheckedRow;
  finishedDay: { day: string; watchedSeconds: number; firstSeconds: number; floorSeconds: number } | null;
  change: Decision | null;
  checked: boolean;
  heldAtFloor: boolean;
  failed: boolean;
}

/** Rows written together at most; the rest wait for the batch's end, or for a change to record. */
const ROWS_PER_WRITE = 50;
/** While the pace binds, a change found waits at most this long (or one slot of the pace) for others to be weighed with. */
const WEIGH_AT_MOST_MS = 1_000;

/**
 * Collects a batch's checked products and writes them in few statements. A change is written at once,
 * with the rows read before it, and handed to the push loop (`changesRecorded`) while the batch reads
 * on. Changes found within one turn of the merchant's push pace after a write go together in the next:
 * they could not be sent sooner. While the budget's pace binds, a change also waits for those found
 * within one slot of that pace, so the best of them takes it; one the budget has no room for waits
 * until the pace may have freed a slot. A write records the changes among its rows that the budget
 * allows as it stands then — the most worth first (`prioritiseChanges`), short-lived ones paced
 * (`spendAllowance`); a dry run records every proposal. A change not recorded is decided afresh at the
 * product's next check.
 */
function changeRecorder(deps: CheckDeps, input: CheckInput, allowanceAtStart: SpendAllowance | null) {
  const { config } = input;
  let waiting: CheckedProduct[] = [];
  let recorded = 0;
  // One write at a time: each counts the allowance the ones before it spent.
  let writing = Promise.resolve();
  /** The allowance the last write left (the batch's start, before the first); null in a dry run. */
  let lastLeft = allowanceAtStart;
  let weighing: ReturnType<typeof setTimeout> | null = null;
  /** When the pending `weighing` writes, on the timers' clock. */
  let weighUntil = Number.POSITIVE_INFINITY;
  /** When the last write of a change began, on the timers' clock. */
  let changeWrittenAt = Number.NEGATIVE_INFINITY;
  const pushTurnMs = 1000 / config.maxPushesPerSecond;
  /** How long a change found now waits for others before it is written, by the budget as the last write left it. */
  const weighMs = (change: Decision): number => {
    if (lastLeft === null) return 0;
    if (spend(lastLeft, spendKind(change, deps.budget)) === null) return paceIntervalMs(deps.budget);
    return paceBinds(lastLeft, deps.budget) ? Math.min(WEIGH_AT_MOST_MS, paceIntervalMs(deps.budget)) : 0;
  };

  const write = async (batch: CheckedProduct[]) => {
    const wanted = batch.flatMap((c) => (c.change ? [c.change] : []));
    const budget = config.dryRun || wanted.length === 0 ? null : await allowanceNow(deps, input.store.id);
    let left = budget?.allowance ?? null;
    // A change waits for the merchant's write pace behind those already waiting. One not sent within the
    // decision's age is dropped as stale, and one that would wait more than half the time it is expected
    // to stand would buy little and most likely go out on a card that has moved since: neither is
    // recorded. Nor is a short-lived one expected to stand less than the pace's floor while it binds.
    // A raise that wins no place buys only margin, and does not queue behind a cut: the pace and the
    // budget go to first place first. The product is decided afresh at its next check.
    let ahead = budget?.waiting ?? 0;
    let cutsAhead = budget?.cutsWaiting ?? 0;
    const pushable = Math.floor(config.maxPushesPerSecond * decisionMaxAgeSeconds(config));
    const { selected } = prioritiseChanges(wanted, { remaining: wanted.length });
    const toRecord = selected.filter((change) => {
      if (left === null) return true;
      const kind = spendKind(change, deps.budget);
      const next = spend(left, kind);
      const waitSeconds = ahead / config.maxPushesPerSecond;
      if (next === null || ahead >= pushable || waitSeconds > change.holdSeconds / 2) return false;
      if (kind === 'short_lived' && change.holdSeconds < (budget?.holdFloorSeconds ?? 0)) return false;
      const raises = change.changes.every((c) => c.targetPriceTenge > c.livePriceTenge);
      if (kind === 'margin_only' && raises && cutsAhead > 0) return false;
      if (change.changes.some(lowersPrice)) cutsAhead++;
      ahead++;
      left = next;
      return true;
    });
    if (budget) lastLeft = left;
    const now = deps.now();
    const n = await deps.db.transaction(async (tx) => {
      const days = batch.flatMap((c) =>
        c.finishedDay && c.finishedDay.watchedSeconds > 0
          ? [{ productId: c.row.id, storeId: input.store.id, ...c.finishedDay }]
          : [],
      );
      if (days.length > 0) await tx.insert(productDays).values(days).onConflictDoNothing();
      await writeCheckedRows(
        tx,
        input.store.id,
        now,
        batch.map((c) => c.row),
      );
      let n = 0;
      for (const change of toRecord) if (await recordDecision(tx, change)) n++;
      return n;
    });
    recorded += n;
    if (n > 0 && !config.dryRun) deps.changesRecorded();
  };
  const flush = () => {
    if (weighing) clearTimeout(weighing);
    weighing = null;
    weighUntil = Number.POSITIVE_INFINITY;
    const batch = waiting;
    waiting = [];
    if (batch.some((c) => c.change)) changeWrittenAt = Date.now();
    if (batch.length > 0) writing = writing.then(() => write(batch));
    return writing;
  };

  return {
    async add(checked: CheckedProduct) {
      waiting.push(checked);
      if (checked.change) {
        const now = Date.now();
        const waitMs = Math.max(weighMs(checked.change), changeWrittenAt + pushTurnMs - now);
        if (waitMs <= 0) await flush();
        else if (now + waitMs < weighUntil) {
          if (weighing) clearTimeout(weighing);
          weighUntil = now + waitMs;
          // The batch's last flush reports a write that failed.
          weighing = setTimeout(() => void flush().catch(() => undefined), waitMs);
        }
      } else if (waiting.length >= ROWS_PER_WRITE) await flush();
    },
    flush,
    recorded: () => recorded,
  };
}

function checkProduct(
  deps: CheckDeps,
  input: CheckInput,
  {
    product,
    round,
    watch,
  }: { product: ProductRow; round: number; watch: { seconds: number; spanSeconds: number } | null },
  cards: Map<string, OffersResult>,
  failures: KaspiError[],
): CheckedProduct {
  const now = deps.now();
  const { config, store } = input;
  const schedule = {
    ...DEFAULT_CHECK_SCHEDULE,
    intervalSeconds: config.intervalSeconds,
    hotIntervalSeconds: config.hotIntervalSeconds,
  };
  const unchanged: CheckedRow = {
    id: product.id,
    price: product.price,
    cityPrices: product.cityPrices,
    position: product.position,
    cheapestRivalPrice: product.cheapestRivalPrice,
    cheapestRivalMerchant: product.cheapestRivalMerchant,
    cheapestRivalName: product.cheapestRivalName,
    offersCount: product.offersCount,
    lastReason: product.lastReason,
    statsDay: product.statsDay,
    watchedSeconds: product.watchedSeconds,
    firstSeconds: product.firstSeconds,
    floorSeconds: product.floorSeconds,
    pricingState: product.pricingState,
    cutsReadAtMs: pendingCutTimes(product.pricingState),
    lastCheckAt: now,
    nextCheckAt: now,
    hotUntil: product.hotUntil,
    checkErrors: 0,
  };
  if (cards.size === 0) {
    const failed = failures.length > 0;
    if (failed) {
      deps.logger.warn(
        { productId: product.id, errors: failures.map((f) => f.message) },
        'could not read the product card',
      );
    }
    // Each failure in a row doubles the wait, from the hot interval up to the quiet one.
    const backoffSeconds = failed
      ? Math.min(config.intervalSeconds, config.hotIntervalSeconds * 2 ** product.checkErrors)
      : config.intervalSeconds;
    return {
      row: {
        ...unchanged,
        nextCheckAt: new Date(now.getTime() + backoffSeconds * 1000),
        checkErrors: failed ? product.checkErrors + 1 : 0,
      },
      finishedDay: null,
      change: null,
      checked: false,
      heldAtFloor: false,
      failed,
    };
  }

  const live = liveCityPrices(product, cards);
  const offersByCity: Record<string, { merchantId: string; price: number }[]> = {};
  for (const [cityId, card] of cards) {
    // Where our offer is not on the card and no price of ours is known, there is nothing to reprice.
    if (live[cityId] === undefined) continue;
    offersByCity[cityId] = card.offers.map((o) => ({ merchantId: o.merchantId, price: o.price }));
  }
  let pricing: ProductPricing | null = null;
  let unpriceable = false;
  try {
    pricing = Object.keys(offersByCity).length
      ? decideProductPrices({
          at: now,
          ourMerchantId: store.merchantUid,
          ownMerchantIds: store.ownMerchantIds,
          killSwitch: store.killSwitch,
          settings: settingsOf(product),
          liveCityPrices: live,
          offersByCity,
          pricingState: product.pricingState,
          ...(watch === null ? {} : { closeReadMs: 2 * watch.seconds * 1000 }),
        })
      : null;
  } catch (error) {
    deps.logger.error({ err: error, productId: product.id }, 'could not price the product');
    unpriceable = true;
  }

  const next = scheduleAfterCheck(now, pricing?.rivalsMoved ?? false, product.hotUntil, schedule);
  const plan = pricing?.plan;
  const willPush = plan?.push === true && !input.writesBlocked;
  // After a push, look again soon: to see it live and to catch a rival's answer. A store reading ahead
  // reads closely while a cut waits for one, and just after a rival's next act where its clock is known.
  const soonSeconds = willPush
    ? config.hotIntervalSeconds
    : watch === null
      ? null
      : watchDelaySeconds(Object.values(pricing?.pricingState ?? {}), now.getTime(), {
          watchSeconds: watch.seconds,
          spanSeconds: watch.spanSeconds,
          horizonSeconds: deps.budget.windowSeconds,
        });
  const nextCheckAt =
    soonSeconds === null
      ? next.nextCheckAt
      : new Date(Math.min(next.nextCheckAt.getTime(), now.getTime() + soonSeconds * 1000));
  const leader = cheapestLeader(pricing?.decisions ?? []);
  const positions = [...cards.values()].map((c) => c.ourPosition).filter((p): p is number => p !== undefined);
  const livePrices = Object.values(live);
  // A rival that has just left the card may still set the price (rule 11 of `decidePrice`): its name is
  // the one the last check stored.
  const names = {
    ...(product.cheapestRivalMerchant && product.cheapestRivalName
      ? { [product.cheapestRivalMerchant]: product.cheapestRivalName }
      : {}),
    ...merchantNames(cards),
  };
  const { current: stats, finished } = accrueDayStats(
    {
      day: product.statsDay,
      watchedSeconds: product.watchedSeconds,
      firstSeconds: product.firstSeconds,
      floorSeconds: product.floorSeconds,
      at: product.lastCheckAt,
      wasFirst: product.position === 1,
      wasAtFloor: product.lastReason === 'floor_reached',
    },
    now,
    // Beyond two quiet intervals nobody was watching: the loop was paused or down.
    config.intervalSeconds * 2,
  );
  const pricingState = pricing?.pricingState ?? product.pricingState;

  return {
    row: {
      ...unchanged,
      price: livePrices.length ? Math.min(...livePrices) : product.price,
      cityPrices: live,
      position: positions.length ? Math.max(...positions) : null,
      cheapestRivalPrice: leader?.priceTenge ?? null,
      cheapestRivalMerchant: leader?.merchantId ?? null,
      cheapestRivalName: leader ? (names[leader.merchantId] ?? null) : null,
      offersCount: cards.size ? Math.max(...[...cards.values()].map((c) => c.total)) : null,
      lastReason: pricing ? lastReasonOf(pricing.decisions) : product.lastReason,
      statsDay: stats.day,
      watchedSeconds: stats.watchedSeconds,
      firstSeconds: stats.firstSeconds,
      floorSeconds: stats.floorSeconds,
      pricingState,
      nextCheckAt,
      hotUntil: next.hotUntil,
    },
    finishedDay: finished && finished.day ? { ...finished, day: finished.day } : null,
    change:
      plan?.push && willPush
        ? {
            storeId: store.id,
            productId: product.id,
            cycle: input.cycle,
            batch: input.batch ?? 0,
            round,
            changes: plan.changes,
            cityPrices: plan.cityPrices,
            merchantNames: names,
            dryRun: config.dryRun,
            ...pushHold(
              plan.changes,
              pricingState,
              now.getTime(),
              deps.budget.windowSeconds,
              product.lastCheckAt?.getTime() ?? null,
              config.hotIntervalSeconds,
            ),
          }
        : null,
    checked: pricing !== null,
    heldAtFloor: pricing?.decisions.some((d) => d.reason === 'floor_reached') ?? false,
    failed: unpriceable || (pricing === null && failures.length > 0),
  };
}

/**
 * Our live price per city: what the cards show for our offer, over what the catalog last reported
 * for cities not read this time (a push must name every city the offer sells in).
 */
function liveCityPrices(product: ProductRow, cards: Map<string, OffersResult>): Record<string, number> {
  const live: Record<string, number> = { ...product.cityPrices };
  for (const [cityId, card] of cards) {
    if (card.ours) live[cityId] = card.ours.priceTenge;
  }
  return live;
}

function cheapestLeader(decisions: readonly PriceDecision[]): Rival | null {
  let leader: Rival | null = null;
  for (const d of decisions) {
    if (d.leader && (leader === null || d.leader.priceTenge < leader.priceTenge)) leader = d.leader;
  }
  return leader;
}

/** Merchant names as the cards show them, by merchant id. */
function merchantNames(cards: Map<string, OffersResult>): Record<string, string> {
  const names: Record<string, string> = {};
  for (const card of cards.values())
    for (const o of card.offers) if (o.merchantName) names[o.merchantId] = o.merchantName;
  return names;
}

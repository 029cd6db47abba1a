/**
 * The market the sandbox serves: merchants with pickup points, products, every merchant's offers with
 * per-city prices and per-point availabilities, rival bots that reprice on their own timers, the pushes
 * merchants sent, and a ground-truth timeline of every visible price change.
 */

import type { Random } from './random';

export interface PointSeed {
  /** `PP1`; the JSON `storeId` is `{merchantUid}_{code}`. */
  code: string;
  cityId: string;
  name?: string;
  enabled?: boolean;
}

export interface MerchantSeed {
  uid: string;
  name: string;
  points: PointSeed[];
  rating?: number;
  reviewsQuantity?: number;
  /** The store's official API token; orders are served to it. */
  shopApiToken?: string;
}

export interface ProductSeed {
  id: string;
  title: string;
  brand?: string;
  category?: string;
}

export interface OfferSeed {
  merchantUid: string;
  sku: string;
  productId: string;
  model?: string;
  brand?: string;
  /** Base price (Kaspi's rivals may have fractional ones). */
  price: number;
  cityPrices?: Record<string, number>;
  /** Point codes where the offer is available; default: every point of the merchant. */
  points?: string[];
  preorderDays?: number;
  /**
   * Kaspi serves this offer broken wherever it lists it: the storefront with an unusable price, the
   * cabinet list with unreadable availabilities (the item keeps its SKU).
   */
  malformed?: boolean;
}

export const BOT_KINDS = ['static', 'undercut', 'raise', 'enter_leave'] as const;
export type BotKind = (typeof BOT_KINDS)[number];

export interface BotSeed {
  merchantUid: string;
  sku: string;
  kind: BotKind;
  /** How often the bot acts. */
  intervalMs?: number;
  stepTenge?: number;
  /** `undercut` never goes below this. */
  floorPrice?: number;
  /** `raise` never goes above this. */
  ceilingPrice?: number;
}

export interface Point extends Required<PointSeed> {
  storeId: string;
  merchantUid: string;
}

export interface Merchant {
  uid: string;
  name: string;
  rating: number;
  reviewsQuantity: number;
  points: Point[];
}

export interface Product {
  id: string;
  title: string;
  brand: string;
  category: string;
}

export interface Availability {
  available: boolean;
  preOrder: number;
  stockCount?: number;
}

export interface Offer {
  key: string;
  merchantUid: string;
  sku: string;
  productId: string;
  model: string;
  brand: string;
  basePrice: number;
  cityPrices: Map<string, number>;
  /** By JSON storeId (`{uid}_PPn`). */
  availabilities: Map<string, Availability>;
  /** False when archived, delisted by Kaspi, or a bot has left. */
  listed: boolean;
  delistReason?: string;
  preorderDays: number;
  malformed: boolean;
  updatedAtMs: number;
}

export interface Bot extends Required<BotSeed> {
  nextAtMs: number;
}

/** One change of what a card shows: `price` null means the offer stopped being shown in that city. */
export interface PriceEvent {
  atMs: number;
  productId: string;
  cityId: string;
  merchantUid: string;
  sku: string;
  price: number | null;
}

export interface CardEntry {
  merchantUid: string;
  sku: string;
  price: number;
  position: number;
}

export interface PushRecord {
  jobId: string;
  atMs: number;
  kind: 'single' | 'batch' | 'upload';
  merchantUid: string;
  sku: string;
  price?: number;
  cityPrices?: { cityId: string; value: number }[];
  availabilities?: { storeId: string; available: string; preOrder?: number; stockCount?: number }[];
  /** Whether the pushed JSON carried `stockCount` (Kaspi then delists a single-pushed offer). */
  stockCountSent: boolean;
  preOrder?: number;
  sourceIp: string;
  /** The HTTP status the push was answered with: 200 accepted, 429 throttled, 400 refused. */
  status: number;
  reason?: string;
  appliedAtMs?: number;
}

export interface ReviewSeed {
  productId: string;
  merchantUid?: string;
  author: string;
  /** `dd.mm.yyyy` */
  date: string;
  rating: number;
  text?: string;
  plus?: string;
  minus?: string;
}

export interface MarketOptions {
  now: () => number;
  random: Random;
  botTickMs: number;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export class Market {
  readonly merchants = new Map<string, Merchant>();
  readonly points = new Map<string, Point>();
  readonly products = new Map<string, Product>();
  readonly offers = new Map<string, Offer>();
  private readonly offersByProduct = new Map<string, Offer[]>();
  private readonly offersByMerchant = new Map<string, Offer[]>();
  readonly reviews = new Map<string, (ReviewSeed & { id: string })[]>();
  bots: Bot[] = [];
  timeline: PriceEvent[] = [];
  private timelineByCard = new Map<string, PriceEvent[]>();
  private listeners = new Set<(event: PriceEvent) => void>();
  pushes: PushRecord[] = [];
  private botTimer: NodeJS.Timeout | undefined;
  private nextJob = 1;
  private nextReview = 1;

  constructor(private readonly options: MarketOptions) {}

  now(): number {
    return this.options.now();
  }

  reset(): void {
    this.merchants.clear();
    this.points.clear();
    this.products.clear();
    this.offers.clear();
    this.offersByProduct.clear();
    this.offersByMerchant.clear();
    this.reviews.clear();
    this.bots = [];
    this.timeline = [];
    this.timelineByCard.clear();
    this.pushes = [];
  }

  // --- seeding -------------------------------------------------------------------------------

  addMerchant(seed: MerchantSeed): Merchant {
    if (this.merchants.has(seed.uid)) throw new Error(`merchant ${seed.uid} already exists`);
    const merchant: Merchant = {
      uid: seed.uid,
      name: seed.name,
      rating: seed.rating ?? 4.8,
      reviewsQuantity: seed.reviewsQuantity ?? 100,
      points: seed.points.map((p) => ({
        code: p.code,
        cityId: p.cityId,
        name: p.name ?? p.code,
        enabled: p.enabled ?? true,
        storeId: `${seed.uid}_${p.code}`,
        merchantUid: seed.uid,
      })),
    };
    this.merchants.set(merchant.uid, merchant);
    for (const point of merchant.points) this.points.set(point.storeId, point);
    return merchant;
  }

  addProduct(seed: ProductSeed): Product {
    const product = {
      id: seed.id,
      title: seed.title,
      brand: seed.brand ?? 'NoName',
      category: seed.category ?? 'Master - Misc',
    };
    this.products.set(product.id, product);
    return product;
  }

  addOffer(seed: OfferSeed): Offer {
    const merchant = this.merchants.get(seed.merchantUid);
    if (!merchant) throw new Error(`offer ${seed.sku}: unknown merchant ${seed.merchantUid}`);
    const key = offerKey(seed.merchantUid, seed.sku);
    if (this.offers.has(key)) throw new Error(`offer ${seed.sku} of ${seed.merchantUid} already exists`);
    const product =
      this.products.get(seed.productId) ?? this.addProduct({ id: seed.productId, title: seed.model ?? seed.sku });
    const codes = seed.points ?? merchant.points.map((p) => p.code);
    const offer: Offer = {
      key,
      merchantUid: seed.merchantUid,
      sku: seed.sku,
      productId: seed.productId,
      model: seed.model ?? product.title,
      brand: seed.brand ?? product.brand,
      basePrice: seed.price,
      cityPrices: new Map(Object.entries(seed.cityPrices ?? {})),
      availabilities: new Map(
        merchant.points.map((p) => [p.storeId, { available: codes.includes(p.code), preOrder: 0 }]),
      ),
      listed: true,
      preorderDays: seed.preorderDays ?? 0,
      malformed: seed.malformed ?? false,
      updatedAtMs: this.now(),
    };
    this.offers.set(key, offer);
    push(this.offersByProduct, offer.productId, offer);
    push(this.offersByMerchant, offer.merchantUid, offer);
    this.recordChanges(offer, new Map());
    return offer;
  }

  addBot(seed: BotSeed): Bot {
    const offer = this.offer(seed.merchantUid, seed.sku);
    if (!offer) throw new Error(`bot: no offer ${seed.sku} of ${seed.merchantUid}`);
    const bot: Bot = {
      merchantUid: seed.merchantUid,
      sku: seed.sku,
      kind: seed.kind,
      intervalMs: seed.intervalMs ?? 30_000,
      stepTenge: seed.stepTenge ?? 1,
      floorPrice: seed.floorPrice ?? Math.floor(offer.basePrice * 0.8),
      ceilingPrice: seed.ceilingPrice ?? Math.ceil(offer.basePrice * 1.2),
      nextAtMs: this.now() + (seed.intervalMs ?? 30_000),
    };
    this.bots.push(bot);
    return bot;
  }

  addReview(seed: ReviewSeed): void {
    push(this.reviews, seed.productId, { ...seed, id: String(this.nextReview++) });
  }

  // --- reading -------------------------------------------------------------------------------

  offer(merchantUid: string, sku: string): Offer | undefined {
    return this.offers.get(offerKey(merchantUid, sku));
  }

  offersOf(merchantUid: string): Offer[] {
    return this.offersByMerchant.get(merchantUid) ?? [];
  }

  offersForProduct(productId: string): Offer[] {
    return this.offersByProduct.get(productId) ?? [];
  }

  /** The price a card shows for this offer in a city, or undefined when it is not offered there. */
  priceIn(offer: Offer, cityId: string): number | undefined {
    if (!offer.listed) return undefined;
    for (const [storeId, a] of offer.availabilities) {
      const point = this.points.get(storeId);
      if (a.available && point?.enabled && point.cityId === cityId)
        return offer.cityPrices.get(cityId) ?? offer.basePrice;
    }
    return undefined;
  }

  /** Every city where the offer is shown, with its price there. */
  visiblePrices(offer: Offer): Map<string, number> {
    const prices = new Map<string, number>();
    if (!offer.listed) return prices;
    for (const [storeId, a] of offer.availabilities) {
      const point = this.points.get(storeId);
      if (a.available && point?.enabled && !prices.has(point.cityId)) {
        prices.set(point.cityId, offer.cityPrices.get(point.cityId) ?? offer.basePrice);
      }
    }
    return prices;
  }

  /** Preorder days shown for the offer in a city. */
  preorderIn(offer: Offer, cityId: string): number {
    let days = offer.preorderDays;
    for (const [storeId, a] of offer.availabilities) {
      if (a.available && this.points.get(storeId)?.cityId === cityId) days = Math.max(days, a.preOrder);
    }
    return days;
  }

  /** A product card in a city now: cheapest first, ties to the better-rated merchant. */
  card(productId: string, cityId: string): { offer: Offer; price: number }[] {
    const entries: { offer: Offer; price: number }[] = [];
    for (const offer of this.offersForProduct(productId)) {
      const price = this.priceIn(offer, cityId);
      if (price !== undefined) entries.push({ offer, price });
    }
    return entries.sort((a, b) => this.compare(a.price, a.offer.merchantUid, b.price, b.offer.merchantUid));
  }

  private compare(priceA: number, uidA: string, priceB: number, uidB: string): number {
    if (priceA !== priceB) return priceA - priceB;
    const ratingA = this.merchants.get(uidA)?.rating ?? 0;
    const ratingB = this.merchants.get(uidB)?.rating ?? 0;
    if (ratingA !== ratingB) return ratingB - ratingA;
    return uidA < uidB ? -1 : uidA > uidB ? 1 : 0;
  }

  // --- ground truth --------------------------------------------------------------------------

  /** Applies a change to an offer and records every city price it made appear, move or vanish. */
  mutate(offer: Offer, change: () => void): void {
    const before = this.visiblePrices(offer);
    change();
    offer.updatedAtMs = this.now();
    this.recordChanges(offer, before);
  }

  private recordChanges(offer: Offer, before: Map<string, number>): void {
    const after = this.visiblePrices(offer);
    const atMs = this.now();
    for (const cityId of new Set([...before.keys(), ...after.keys()])) {
      const price = after.get(cityId) ?? null;
      if ((before.get(cityId) ?? null) === price) continue;
      const event = { atMs, productId: offer.productId, cityId, merchantUid: offer.merchantUid, sku: offer.sku, price };
      this.timeline.push(event);
      push(this.timelineByCard, `${offer.productId}:${cityId}`, event);
      for (const listener of this.listeners) listener(event);
    }
  }

  /** Calls `listener` with every price change as it happens (benchmarks' perfect-information contender). */
  onPriceChange(listener: (event: PriceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  events(filter: { productId?: string; cityId?: string; merchantUid?: string; sinceMs?: number } = {}): PriceEvent[] {
    const source =
      filter.productId && filter.cityId
        ? (this.timelineByCard.get(`${filter.productId}:${filter.cityId}`) ?? [])
        : this.timeline;
    return source.filter(
      (e) =>
        (filter.productId === undefined || e.productId === filter.productId) &&
        (filter.cityId === undefined || e.cityId === filter.cityId) &&
        (filter.merchantUid === undefined || e.merchantUid === filter.merchantUid) &&
        (filter.sinceMs === undefined || e.atMs >= filter.sinceMs),
    );
  }

  /** The card as it stood at `atMs`, replayed from the timeline. */
  cardAt(productId: string, cityId: string, atMs: number): CardEntry[] {
    const prices = new Map<string, { merchantUid: string; sku: string; price: number }>();
    for (const e of this.timelineByCard.get(`${productId}:${cityId}`) ?? []) {
      if (e.atMs > atMs) break;
      const key = offerKey(e.merchantUid, e.sku);
      if (e.price === null) prices.delete(key);
      else prices.set(key, { merchantUid: e.merchantUid, sku: e.sku, price: e.price });
    }
    return [...prices.values()]
      .sort((a, b) => this.compare(a.price, a.merchantUid, b.price, b.merchantUid))
      .map((entry, i) => ({ ...entry, position: i + 1 }));
  }

  /** 1-based place of the merchant's offer on the card at `atMs`, undefined when not shown. */
  positionAt(productId: string, cityId: string, merchantUid: string, atMs: number): number | undefined {
    return this.cardAt(productId, cityId, atMs).find((e) => e.merchantUid === merchantUid)?.position;
  }

  // --- pushes --------------------------------------------------------------------------------

  jobId(): string {
    return String(700_000_000 + this.nextJob++);
  }

  recordPush(record: Omit<PushRecord, 'jobId'> & { jobId?: string }): PushRecord {
    const full = { ...record, jobId: record.jobId ?? this.jobId() };
    this.pushes.push(full);
    return full;
  }

  pushLog(filter: { merchantUid?: string; sku?: string; sinceMs?: number } = {}): PushRecord[] {
    return this.pushes.filter(
      (p) =>
        (filter.merchantUid === undefined || p.merchantUid === filter.merchantUid) &&
        (filter.sku === undefined || p.sku === filter.sku) &&
        (filter.sinceMs === undefined || p.atMs >= filter.sinceMs),
    );
  }

  /**
   * What Kaspi does with an accepted single or batch push when its job runs. A push carrying
   * `stockCount` delists the offer (`delistOnStockCount`); availabilities replace the offer's, so a
   * point left out is removed (`removeMissingPoints`; else it keeps its state).
   */
  applyPush(record: PushRecord, options: { delistOnStockCount: boolean; removeMissingPoints: boolean }): void {
    const offer = this.offer(record.merchantUid, record.sku);
    if (!offer) return;
    record.appliedAtMs = this.now();
    this.mutate(offer, () => {
      if (options.delistOnStockCount && record.stockCountSent) {
        offer.listed = false;
        offer.delistReason = 'Не указано наличие в прайс листе';
        return;
      }
      const archiving = record.kind === 'batch' && !record.availabilities && !record.cityPrices;
      if (archiving) {
        offer.listed = false;
        offer.delistReason = 'archived';
        return;
      }
      if (record.availabilities) {
        const given = new Map(record.availabilities.map((a) => [a.storeId, a]));
        for (const [storeId, current] of offer.availabilities) {
          const pushed = given.get(storeId);
          if (!pushed && !options.removeMissingPoints) continue;
          current.available = pushed?.available === 'yes';
          if (pushed?.preOrder !== undefined) current.preOrder = pushed.preOrder;
        }
        if (record.availabilities.some((a) => a.available === 'yes')) {
          offer.listed = true;
          offer.delistReason = undefined;
        }
      }
      if (record.price !== undefined) offer.basePrice = record.price;
      for (const { cityId, value } of record.cityPrices ?? []) offer.cityPrices.set(cityId, value);
      if (record.preOrder !== undefined) offer.preorderDays = record.preOrder;
    });
  }

  /** What an uploaded price list does to an offer it leaves out, when Kaspi takes the list as the whole assortment. */
  removeFromPriceList(merchantUid: string, listed: ReadonlySet<string>): string[] {
    const removed: string[] = [];
    for (const offer of this.offersOf(merchantUid)) {
      if (listed.has(offer.sku) || !offer.listed) continue;
      this.mutate(offer, () => {
        offer.listed = false;
        offer.delistReason = 'Нет в прайс-листе';
      });
      removed.push(offer.sku);
    }
    return removed;
  }

  /** An uploaded price list's line: replaces prices, points and preorder days of the offer. */
  applyPriceListLine(
    merchantUid: string,
    line: {
      sku: string;
      price?: number;
      cityPrices?: { cityId: string; value: number }[];
      availabilities: { code: string; available: boolean; preOrder?: number; stockCount?: number }[];
      preorderDays?: number;
    },
  ): boolean {
    const offer = this.offer(merchantUid, line.sku);
    if (!offer) return false;
    this.mutate(offer, () => {
      // A price list describes the offer completely: city prices it does not list fall back to `price`.
      if (line.price !== undefined) offer.basePrice = line.price;
      offer.cityPrices.clear();
      for (const { cityId, value } of line.cityPrices ?? []) offer.cityPrices.set(cityId, value);
      const given = new Map(line.availabilities.map((a) => [`${merchantUid}_${a.code}`, a]));
      for (const [storeId, current] of offer.availabilities) {
        const a = given.get(storeId);
        current.available = a?.available ?? false;
        current.preOrder = a?.preOrder ?? line.preorderDays ?? 0;
        current.stockCount = a?.stockCount;
      }
      offer.preorderDays = line.preorderDays ?? Math.max(0, ...line.availabilities.map((a) => a.preOrder ?? 0));
      offer.listed = [...offer.availabilities.values()].some((a) => a.available);
      if (offer.listed) offer.delistReason = undefined;
    });
    return true;
  }

  // --- rival bots ----------------------------------------------------------------------------

  startBots(): void {
    this.stopBots();
    this.botTimer = setInterval(() => this.tickBots(this.now()), this.options.botTickMs);
    this.botTimer.unref();
  }

  stopBots(): void {
    if (this.botTimer) clearInterval(this.botTimer);
    this.botTimer = undefined;
  }

  /** Runs every bot that is due; public so tests and benchmarks can step the market by hand. */
  tickBots(nowMs: number): void {
    for (const bot of this.bots) {
      if (bot.nextAtMs > nowMs) continue;
      bot.nextAtMs = nowMs + bot.intervalMs;
      this.runBot(bot);
    }
  }

  private runBot(bot: Bot): void {
    const offer = this.offer(bot.merchantUid, bot.sku);
    if (!offer) return;
    switch (bot.kind) {
      case 'static':
        return;
      case 'enter_leave':
        this.mutate(offer, () => {
          offer.listed = !offer.listed;
        });
        return;
      case 'raise':
        this.mutate(offer, () => {
          for (const [cityId, price] of this.visiblePrices(offer)) {
            const next = round2(price + bot.stepTenge);
            if (next <= bot.ceilingPrice) offer.cityPrices.set(cityId, next);
          }
        });
        return;
      case 'undercut':
        this.mutate(offer, () => {
          for (const [cityId, own] of this.visiblePrices(offer)) {
            const leader = this.card(offer.productId, cityId).find((e) => e.offer !== offer);
            if (!leader) continue;
            const target = round2(leader.price - bot.stepTenge);
            if (own > target && target >= bot.floorPrice) offer.cityPrices.set(cityId, target);
          }
        });
        return;
    }
  }
}

export function offerKey(merchantUid: string, sku: string): string {
  return `${merchantUid}:${sku}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

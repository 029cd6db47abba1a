import { ALMATY, ASTANA } from '../src/kaspi/cities';
import type { Auth } from './auth';
import { BOT_KINDS, type BotKind, type Market } from './market';
import type { OrderBook } from './orders';
import { createRandom } from './random';
import { applySeed, type MarketSeed } from './seed';

/** Options of the demo/benchmark market generator. */
export interface SeedMarketOptions {
  products: number;
  /** Rivals per product: a fixed number or an inclusive range. */
  rivalsPerProduct: number | [number, number];
  /** Relative weights of bot behaviours among rivals. */
  botMix?: Partial<Record<BotKind, number>>;
  seed?: number;
  /** Cities where our merchant has a pickup point (one point per city). */
  cityIds?: string[];
  /** Bots act every this many ms, give or take half. */
  botIntervalMs?: number;
  /** Orders to create for our merchant over the last 10 days. */
  orders?: number;
}

export interface GeneratedMarket {
  merchant: {
    uid: string;
    name: string;
    email: string;
    password: string;
    phone: string;
    shopApiToken: string;
    points: { code: string; storeId: string; cityId: string }[];
  };
  products: { productId: string; sku: string; priceTenge: number; rivals: number }[];
  rivalMerchants: number;
}

const DEFAULT_MIX: Record<BotKind, number> = { static: 0.4, undercut: 0.3, raise: 0.1, enter_leave: 0.2 };
const BRANDS = ['Samsung', 'Xiaomi', 'Apple', 'Philips', 'Bosch', 'Tefal', 'Redmond', 'Lenovo'];
const KINDS = ['Смартфон', 'Пылесос', 'Чайник', 'Наушники', 'Ноутбук', 'Утюг', 'Блендер', 'Монитор'];

/**
 * A plausible market: one merchant of ours with a point per city and a login, `products` products each
 * with our offer and a few rivals whose bots follow `botMix`. Deterministic for a given `seed`; the
 * per-request cost stays constant because every lookup is a map.
 */
export function seedMarket(
  parts: { market: Market; auth: Auth; orders: OrderBook },
  options: SeedMarketOptions,
): GeneratedMarket {
  const random = createRandom(options.seed ?? 1);
  const cityIds = options.cityIds ?? [ALMATY, ASTANA];
  const mix = { ...DEFAULT_MIX, ...options.botMix };
  const mixTotal = BOT_KINDS.reduce((s, k) => s + (mix[k] ?? 0), 0);
  const pickKind = (): BotKind => {
    let r = random.next() * mixTotal;
    for (const kind of BOT_KINDS) {
      r -= mix[kind] ?? 0;
      if (r < 0) return kind;
    }
    return 'static';
  };
  const [minRivals, maxRivals] =
    typeof options.rivalsPerProduct === 'number'
      ? [options.rivalsPerProduct, options.rivalsPerProduct]
      : options.rivalsPerProduct;
  const interval = options.botIntervalMs ?? 30_000;

  const uid = `30${random.digits(6)}`;
  const points = cityIds.map((cityId, i) => ({ code: `PP${i + 1}`, cityId }));
  const merchant = {
    uid,
    name: 'Демо Магазин',
    email: `owner-${uid}@shop.example.kz`,
    password: `pass-${random.digits(6)}`,
    phone: `+7 701 ${random.digits(3)} ${random.digits(2)} ${random.digits(2)}`,
    shopApiToken: `token-${random.digits(24)}`,
    points: points.map((p) => ({ ...p, storeId: `${uid}_${p.code}` })),
  };
  const rivalCount = Math.max(maxRivals * 3, 8);
  const rivals = Array.from({ length: rivalCount }, (_, i) => ({
    uid: `31${String(i).padStart(2, '0')}${random.digits(4)}`,
    name: `Конкурент ${i + 1}`,
    points: cityIds.map((cityId, j) => ({ code: `PP${j + 1}`, cityId })),
    rating: Math.round((3.8 + random.next() * 1.2) * 10) / 10,
    reviewsQuantity: random.int(5, 5000),
  }));

  const seed: Required<
    Pick<MarketSeed, 'merchants' | 'logins' | 'products' | 'offers' | 'bots' | 'reviews' | 'orders'>
  > = {
    merchants: [
      { uid, name: merchant.name, points, rating: 4.9, reviewsQuantity: 1200, shopApiToken: merchant.shopApiToken },
      ...rivals,
    ],
    logins: [{ email: merchant.email, password: merchant.password, phone: merchant.phone, merchantUids: [uid] }],
    products: [],
    offers: [],
    bots: [],
    reviews: [],
    orders: [],
  };
  const products: GeneratedMarket['products'] = [];
  for (let n = 0; n < options.products; n++) {
    const productId = String(100_000_000 + random.int(0, 899_999_999));
    const title = `${random.pick(KINDS)} ${random.pick(BRANDS)} ${random.int(100, 999)}`;
    const priceTenge = random.int(50, 20_000) * 10;
    const sku = `${productId}_${random.digits(6)}`;
    seed.products.push({
      id: productId,
      title,
      brand: title.split(' ')[1],
      category: `Master - ${title.split(' ')[0]}`,
    });
    seed.offers.push({ merchantUid: uid, sku, productId, model: title, price: priceTenge });
    const count = random.int(minRivals, maxRivals);
    const chosen = new Set<number>();
    while (chosen.size < Math.min(count, rivals.length)) chosen.add(random.int(0, rivals.length - 1));
    for (const index of chosen) {
      const rival = rivals[index]!;
      // Some rivals show fractional prices, as Kaspi's offers do.
      const fraction = random.next() < 0.2 ? 0.5 : 0;
      const price = Math.round(priceTenge * (0.92 + random.next() * 0.16)) + fraction;
      const rivalSku = `${rival.uid}-${productId}`;
      seed.offers.push({ merchantUid: rival.uid, sku: rivalSku, productId, model: title, price });
      seed.bots.push({
        merchantUid: rival.uid,
        sku: rivalSku,
        kind: pickKind(),
        intervalMs: Math.round(interval * (0.5 + random.next())),
        stepTenge: random.pick([1, 1, 5, 10, 50]),
        floorPrice: Math.floor(price * 0.85),
        ceilingPrice: Math.ceil(price * 1.15),
      });
    }
    for (let r = random.int(0, 3); r > 0; r--) {
      seed.reviews.push({
        productId,
        merchantUid: random.next() < 0.5 ? uid : undefined,
        author: random.pick(['Айгерим', 'Ерлан', 'Дана', 'Тимур', 'Алия']),
        date: `${String(random.int(1, 28)).padStart(2, '0')}.${String(random.int(1, 12)).padStart(2, '0')}.2026`,
        rating: random.int(3, 5),
        text: random.pick(['Отличный товар', 'Всё хорошо, доставка быстрая', 'Соответствует описанию']),
      });
    }
    products.push({ productId, sku, priceTenge, rivals: chosen.size });
  }
  const now = parts.market.now();
  for (let n = 0; n < (options.orders ?? 0) && products.length > 0; n++) {
    const product = random.pick(products);
    seed.orders.push({
      merchantUid: uid,
      creationDateMs: now - random.int(0, 10 * 24 * 3600_000),
      state: random.pick(['NEW', 'PICKUP', 'DELIVERY', 'ARCHIVE']),
      status: random.pick(['APPROVED_BY_BANK', 'ACCEPTED_BY_MERCHANT', 'COMPLETED']),
      pickupPointCode: 'PP1',
      entries: [{ sku: product.sku, quantity: random.int(1, 3), basePrice: product.priceTenge }],
    });
  }
  applySeed(parts, seed);
  return { merchant, products, rivalMerchants: rivals.length };
}

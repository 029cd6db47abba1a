import {
  startSandbox,
  type GeneratedMarket,
  type LimitProfile,
  type SandboxHandle,
  type SandboxProxy,
} from '../../sandbox';
import type { BotKind } from '../../sandbox/market';
import type { BenchProduct, ContenderSetup } from './contender';
import { targetPrice } from './metrics';

export interface MarketSettings {
  products: number;
  rivals: [number, number];
  botMix: Partial<Record<BotKind, number>>;
  botIntervalMs: number;
  seed: number;
  proxies: number;
  latencyMs: [number, number];
  /** Floor and ceiling of each product, as fractions of its starting price. */
  floorFraction: number;
  ceilingFraction: number;
  /** Kaspi's limits; `measured` when absent. */
  limits?: LimitProfile;
}

export interface Twin {
  sandbox: SandboxHandle;
  setup: ContenderSetup;
  /** The sandbox's proxies this twin's contender may read through. */
  proxies: SandboxProxy[];
}

/** A sandbox with no market yet, under the settings' limits and latency, with `proxies` proxies. */
export function startMarketSandbox(
  settings: Pick<MarketSettings, 'seed' | 'latencyMs' | 'limits'>,
  proxies: number,
): Promise<SandboxHandle> {
  const [minLatency, maxLatency] = settings.latencyMs;
  return startSandbox({
    seed: settings.seed,
    profile: settings.limits ?? 'measured',
    latency: { baseMs: minLatency, jitterMs: maxLatency - minLatency },
    proxies: { count: proxies },
  });
}

/**
 * A market for one contender. Every twin is generated from the same seed, so all contenders start
 * from the same cards with the same rival bots on the same schedules; from then on each market
 * moves with its own demper.
 */
export async function startTwin(settings: MarketSettings): Promise<Twin> {
  const sandbox = await startMarketSandbox(settings, settings.proxies);
  return twinIn(sandbox, settings, sandbox.proxies);
}

/**
 * The same generated market in a sandbox that is already running (and may hold other merchants'
 * markets): the rivals' bots start with it. `proxies` are the ones its contender reads through.
 */
export function twinIn(sandbox: SandboxHandle, settings: MarketSettings, proxies: SandboxProxy[]): Twin {
  const generated = sandbox.seedMarket({
    products: settings.products,
    rivalsPerProduct: settings.rivals,
    botMix: settings.botMix,
    botIntervalMs: settings.botIntervalMs,
    seed: settings.seed,
  });
  return { sandbox, setup: contenderSetup(sandbox, generated, settings), proxies };
}

/** What a contender needs to know of a generated merchant: its session, points, products and their bounds. */
export function contenderSetup(
  sandbox: SandboxHandle,
  generated: GeneratedMarket,
  bounds: Pick<MarketSettings, 'floorFraction' | 'ceilingFraction'>,
): ContenderSetup {
  const session = sandbox.auth.createSession([generated.merchant.uid]);
  const products: BenchProduct[] = generated.products.map((p) => ({
    productId: p.productId,
    sku: p.sku,
    model: sandbox.market.offer(generated.merchant.uid, p.sku)!.model,
    floorTenge: Math.floor(p.priceTenge * bounds.floorFraction),
    ceilingTenge: Math.ceil(p.priceTenge * bounds.ceilingFraction),
  }));
  return {
    urls: sandbox.urls,
    merchantUid: generated.merchant.uid,
    cookies: { 'mc-session': session.mcSession, 'mc-sid': session.mcSid },
    points: generated.merchant.points.map((p) => ({ storeId: p.storeId, cityId: p.cityId })),
    products,
  };
}

/**
 * Puts our merchant's offer on every card of the twin at the price a good demper would hold there
 * (`targetPrice`: the whole tenge under the cheapest rival, within floor and ceiling), straight in the
 * market, as if the store had been priced into it long ago. Nothing goes through Kaspi's limits; the
 * timeline records the moves. Returns how many city prices moved.
 */
export function priceIn(twin: Twin): number {
  const { market } = twin.sandbox;
  let moved = 0;
  for (const product of twin.setup.products) {
    const offer = market.offer(twin.setup.merchantUid, product.sku);
    if (!offer) continue;
    const prices = twin.setup.points.map(({ cityId }) => {
      const rivals = market.card(product.productId, cityId).filter((e) => e.offer !== offer);
      const cheapest = rivals.length ? Math.min(...rivals.map((e) => e.price)) : undefined;
      return { cityId, price: targetPrice(cheapest, product) };
    });
    const changes = prices.filter(({ cityId, price }) => market.priceIn(offer, cityId) !== price);
    if (changes.length === 0) continue;
    moved += changes.length;
    market.mutate(offer, () => {
      for (const { cityId, price } of changes) offer.cityPrices.set(cityId, price);
    });
  }
  return moved;
}

/** Stops the twin's rivals for good (its sandbox may go on serving other markets). */
export function retireTwin(twin: Twin): void {
  const { market } = twin.sandbox;
  const ours = new Set(twin.setup.products.map((p) => p.productId));
  market.bots = market.bots.filter((bot) => !ours.has(market.offer(bot.merchantUid, bot.sku)?.productId ?? ''));
}

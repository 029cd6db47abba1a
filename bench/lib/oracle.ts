import { isKaspiError, pushPrice } from '../../src/kaspi';
import {
  changeBudgetStatus,
  DEFAULT_WRITE_PACE,
  FULL_WRITE_BUCKET,
  takeWriteToken,
  type ChangeBudget,
} from '../../src/domain/write-budget';
import type { Market } from '../../sandbox/market';
import type { BenchProduct, ContenderSetup } from './contender';
import { targetPrice } from './metrics';

interface Wanted {
  product: BenchProduct;
  cityPrices: { cityId: string; priceTenge: number }[];
  /** True when the push takes first place back somewhere (these go before raises). */
  regains: boolean;
  atStake: number;
}

/**
 * An upper bound for any demper: it sees every rival move the instant it happens (the market's own
 * ground truth, no reads at all) and answers within the same write limits a real demper has — the
 * pushes-per-second pace and the rolling change budget (`budget`, the one our worker is given) —
 * regaining first place before raising, most money first. Its target is the simplest good one: the
 * whole tenge under the cheapest rival, clamped to floor and ceiling; the ceiling when no rival is left.
 * A 429 without a Retry-After keeps it from pushing for one budget window.
 */
export function startOracle(setup: ContenderSetup, market: Market, options: { budget: ChangeBudget; tickMs?: number }) {
  const { budget } = options;
  const cabinet = { urls: setup.urls, timeoutMs: 10_000, session: { cookies: setup.cookies } };
  const byProductId = new Map(setup.products.map((p) => [p.productId, p]));
  const dirty = new Set<string>(setup.products.map((p) => p.productId));
  const changeTimes: number[] = [];
  let bucket = FULL_WRITE_BUCKET;
  let running = true;
  let bannedUntil = 0;

  const unsubscribe = market.onPriceChange((event) => {
    if (event.merchantUid !== setup.merchantUid && byProductId.has(event.productId)) dirty.add(event.productId);
  });

  function wanted(product: BenchProduct): Wanted | undefined {
    const offer = market.offer(setup.merchantUid, product.sku);
    if (!offer) return undefined;
    let regains = false;
    let atStake = 0;
    const cityPrices = setup.points.map(({ cityId }) => {
      const ours = market.priceIn(offer, cityId) ?? offer.basePrice;
      const rivals = market.card(product.productId, cityId).filter((e) => e.offer !== offer);
      const cheapest = rivals.length ? Math.min(...rivals.map((e) => e.price)) : undefined;
      const target = targetPrice(cheapest, product);
      if (cheapest !== undefined && ours >= cheapest && target < cheapest) {
        regains = true;
        atStake += target;
      } else atStake += Math.abs(target - ours);
      return { cityId, priceTenge: target, current: Math.floor(ours) };
    });
    if (cityPrices.every((c) => c.priceTenge === c.current)) return undefined;
    return {
      product,
      cityPrices: cityPrices.map(({ cityId, priceTenge }) => ({ cityId, priceTenge })),
      regains,
      atStake,
    };
  }

  async function push(w: Wanted) {
    try {
      await pushPrice(cabinet, {
        merchantUid: setup.merchantUid,
        sku: w.product.sku,
        model: w.product.model,
        cityPrices: w.cityPrices,
        availabilities: setup.points.map((p) => ({ storeId: p.storeId, available: true })),
      });
    } catch (err) {
      if (isKaspiError(err) && err.kind === 'merchant_throttled')
        bannedUntil = Date.now() + (err.cooldownMs ?? budget.windowSeconds * 1000);
      dirty.add(w.product.productId);
    }
  }

  const loop = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, options.tickMs ?? 20));
      const now = Date.now();
      if (now < bannedUntil || dirty.size === 0) continue;
      if (changeBudgetStatus(changeTimes, new Date(now), budget).remaining <= 0) continue;
      const candidates = [...dirty]
        .map((id) => wanted(byProductId.get(id)!))
        .filter((w): w is Wanted => w !== undefined);
      dirty.clear();
      candidates.sort((a, b) => Number(b.regains) - Number(a.regains) || b.atStake - a.atStake);
      for (const w of candidates) {
        const token = takeWriteToken(bucket, new Date(), DEFAULT_WRITE_PACE);
        if (!token.granted || changeBudgetStatus(changeTimes, new Date(), budget).remaining <= 0) {
          dirty.add(w.product.productId);
          continue;
        }
        bucket = token.bucket;
        changeTimes.push(Date.now());
        await push(w);
      }
    }
  })();

  return {
    async stop() {
      running = false;
      unsubscribe();
      await loop;
    },
  };
}

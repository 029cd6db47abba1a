import { isKaspiError, pushPrice } from '../../src/kaspi';
import {
  changeBudgetStatus,
  DEFAULT_WRITE_PACE,
  FULL_WRITE_BUCKET,
  takeWriteToken,
  type ChangeBudget,
} from '../../src/domain/write-budget';
import type { Bot, Market } from '../../sandbox/market';
import type { BenchProduct, ContenderSetup } from './contender';
import { targetPrice } from './metrics';

interface Wanted {
  product: BenchProduct;
  cityPrices: { cityId: string; priceTenge: number }[];
  /** True when the push takes first place back somewhere (these go before raises). */
  regains: boolean;
  atStake: number;
  /** What the push is ranked by among those of its kind: the money at stake, or that times how long it stands. */
  worth: number;
}

/**
 * What an oracle weighs a change by, beyond seeing every move at once:
 * - `money` — the money at stake alone, first-come, most money first: the bound every contender is
 *   measured against;
 * - `periods` — also how long the first place it takes is expected to stand, from the periods of the
 *   bots that would undercut it: the fastest one's period ÷ (their count + 1), the wait for the first
 *   of them from a random moment of their clocks;
 * - `clocks` — also how long until the first of those bots acts next.
 * The last two read the rivals' bots in the market, which no demper sees: they show what knowing the
 * rivals would be worth to a demper spending the same budget.
 */
export const ORACLE_INSIGHTS = ['money', 'periods', 'clocks'] as const;
export type OracleInsight = (typeof ORACLE_INSIGHTS)[number];

type CardBot = Pick<Bot, 'kind' | 'intervalMs' | 'nextAtMs' | 'stepTenge' | 'floorPrice'>;

/**
 * How long first place taken at `priceTenge` on a card is expected to stand, by what the oracle knows of
 * the card's bots (`periods` or `clocks`); null when none of them would undercut that price.
 */
export function regainHoldMs(
  bots: readonly CardBot[],
  priceTenge: number,
  nowMs: number,
  insight: Exclude<OracleInsight, 'money'>,
): number | null {
  const undercutting = bots.filter((b) => b.kind === 'undercut' && priceTenge - b.stepTenge >= b.floorPrice);
  if (undercutting.length === 0) return null;
  if (insight === 'clocks') return Math.min(...undercutting.map((b) => Math.max(0, b.nextAtMs - nowMs)));
  return Math.min(...undercutting.map((b) => b.intervalMs)) / (undercutting.length + 1);
}

/**
 * A demper with perfect information: it sees every rival move the instant it happens (the market's own
 * ground truth, no reads at all) and answers within the same write limits a real demper has — the
 * pushes-per-second pace and the rolling change budget (`budget`, the one our worker is given) —
 * regaining first place before raising, ranked by `insight` (money first by default). Its target is the
 * simplest good one: the whole tenge under the cheapest rival, clamped to floor and ceiling; the ceiling
 * when no rival is left. A 429 without a Retry-After keeps it from pushing for one budget window.
 */
export function startOracle(
  setup: ContenderSetup,
  market: Market,
  options: { budget: ChangeBudget; tickMs?: number; insight?: OracleInsight },
) {
  const { budget } = options;
  const insight = options.insight ?? 'money';
  const botsByProduct = new Map<string, Bot[]>();
  for (const bot of market.bots) {
    const productId = market.offer(bot.merchantUid, bot.sku)?.productId;
    if (productId !== undefined) botsByProduct.set(productId, [...(botsByProduct.get(productId) ?? []), bot]);
  }
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
    let worth = 0;
    const nowMs = Date.now();
    const cityPrices = setup.points.map(({ cityId }) => {
      const ours = market.priceIn(offer, cityId) ?? offer.basePrice;
      const rivals = market.card(product.productId, cityId).filter((e) => e.offer !== offer);
      const cheapest = rivals.length ? Math.min(...rivals.map((e) => e.price)) : undefined;
      const target = targetPrice(cheapest, product);
      if (cheapest !== undefined && ours >= cheapest && target < cheapest) {
        regains = true;
        atStake += target;
        if (insight !== 'money') {
          const bots = botsByProduct.get(product.productId) ?? [];
          worth += target * (regainHoldMs(bots, target, nowMs, insight) ?? budget.windowSeconds * 1000);
        }
      } else atStake += Math.abs(target - ours);
      return { cityId, priceTenge: target, current: Math.floor(ours) };
    });
    if (cityPrices.every((c) => c.priceTenge === c.current)) return undefined;
    return {
      product,
      cityPrices: cityPrices.map(({ cityId, priceTenge }) => ({ cityId, priceTenge })),
      regains,
      atStake,
      worth: insight === 'money' ? atStake : worth,
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
      candidates.sort((a, b) => Number(b.regains) - Number(a.regains) || b.worth - a.worth || b.atStake - a.atStake);
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

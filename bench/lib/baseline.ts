import { fetchOffers, pushPrice } from '../../src/kaspi';
import type { ContenderSetup } from './contender';

/**
 * The seeds' demper, as their code runs it: every product every 30 s, 15 at a time with a random
 * 0.3–0.8 s pause each, reading the first city's card directly (no proxies), and pushing the cheapest
 * rival − 1 whenever our price is above that and the floor allows. No budgets, no pause on 403 or 429,
 * never raises. Its pushes carry every city and pickup point (the seeds dropped all but PP1, which
 * would only make it look worse for a reason that is not the algorithm).
 */
export function startBaseline(setup: ContenderSetup, options: { intervalMs?: number; concurrency?: number } = {}) {
  const intervalMs = options.intervalMs ?? 30_000;
  const concurrency = options.concurrency ?? 15;
  const ctx = { urls: setup.urls, timeoutMs: 10_000 };
  const cabinet = { ...ctx, session: { cookies: setup.cookies } };
  const firstCity = setup.points[0]!.cityId;
  let running = true;

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function check(product: ContenderSetup['products'][number]) {
    await sleep(300 + Math.random() * 500);
    if (!running) return;
    let card;
    try {
      card = await fetchOffers(ctx, { productId: product.productId, cityId: firstCity, merchantId: setup.merchantUid });
    } catch {
      // Bans and failures are counted from the market's request log.
      return;
    }
    const cheapest = Math.min(...card.rivals.map((o) => o.priceTenge));
    const current = card.ours?.priceTenge;
    if (!Number.isFinite(cheapest) || current === undefined) return;
    const target = cheapest - 1;
    if (current <= target || target < product.floorTenge) return;
    try {
      await pushPrice(cabinet, {
        merchantUid: setup.merchantUid,
        sku: product.sku,
        model: product.model,
        cityPrices: setup.points.map((p) => ({ cityId: p.cityId, priceTenge: target })),
        availabilities: setup.points.map((p) => ({ storeId: p.storeId, available: true })),
      });
    } catch {
      // As above: the market's request log has it.
    }
  }

  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const queue = [...setup.products];
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let next = queue.shift(); next && running; next = queue.shift()) await check(next);
        }),
      );
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

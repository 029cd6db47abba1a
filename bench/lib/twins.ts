import { startSandbox, type GeneratedMarket, type SandboxHandle } from '../../sandbox';
import type { BotKind } from '../../sandbox/market';
import type { BenchProduct, ContenderSetup } from './contender';

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
}

export interface Twin {
  sandbox: SandboxHandle;
  setup: ContenderSetup;
}

/**
 * A market for one contender. Every twin is generated from the same seed, so all contenders start
 * from the same cards with the same rival bots on the same schedules; from then on each market
 * moves with its own demper.
 */
export async function startTwin(settings: MarketSettings): Promise<Twin> {
  const [minLatency, maxLatency] = settings.latencyMs;
  const sandbox = await startSandbox({
    seed: settings.seed,
    profile: 'measured',
    latency: { baseMs: minLatency, jitterMs: maxLatency - minLatency },
    proxies: { count: settings.proxies },
    generate: {
      products: settings.products,
      rivalsPerProduct: settings.rivals,
      botMix: settings.botMix,
      botIntervalMs: settings.botIntervalMs,
      seed: settings.seed,
    },
  });
  return { sandbox, setup: contenderSetup(sandbox, sandbox.generated!, settings) };
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

import http from 'node:http';
import type net from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Auth } from './auth';
import { Faults } from './faults';
import { seedMarket, type GeneratedMarket, type SeedMarketOptions } from './generator';
import { Limits, resolveProfile, type LimitProfile, type ProfileName } from './limits';
import { Market } from './market';
import { OrderBook } from './orders';
import { ProxyProvider, type ProviderOptions } from './provider';
import { startProxy, type RunningProxy, type SandboxProxy } from './proxies';
import { createRandom } from './random';
import { applySeed, type MarketSeed } from './seed';
import {
  compressReplies,
  recordRequests,
  type RequestRecord,
  type SandboxState,
  type SandboxUrls,
} from './servers/common';
import { controlRouter } from './servers/control';
import { idmcRouter } from './servers/idmc';
import { mcRouter } from './servers/mc';
import { publicRouter } from './servers/public';
import { shopApiRouter } from './servers/shop-api';
import { TelegramServer } from './servers/telegram';
import { WahaServer } from './servers/waha';
import { resolveStrictness, type ExitRefusal, type Leniency, type Strictness } from './strictness';

export interface SandboxOptions {
  /** Interface to listen on. 127.0.0.1 is reachable from every 127.0.0.x source address on Linux. */
  host?: string;
  /** Fixed ports per surface; 0 or absent = any free port. */
  ports?: { public?: number; mc?: number; idmc?: number; provider?: number; waha?: number; telegram?: number };
  /** Seeds the PRNG behind codes, tokens, jitter and probabilistic faults. */
  seed?: number;
  /** Kaspi's limits: `measured` (default), `seed`, `unlimited`, or a custom profile. */
  profile?: ProfileName | LimitProfile;
  /**
   * Real Kaspi's harsher behaviours (`strictness.ts`) are all on unless a test needs leniency: `true`
   * for every rule off, or the rules to switch off.
   */
  lenient?: Leniency;
  /** Multiplies every ban and every window of a minute or more (budgets), e.g. 0.001 in tests. */
  banScale?: number;
  /** Added to every Kaspi endpoint's answer. */
  latency?: { baseMs: number; jitterMs: number };
  /** How long Kaspi takes to apply an accepted push job. */
  pushApplyDelayMs?: number;
  /** How long Kaspi takes to apply an uploaded price list. */
  uploadApplyDelayMs?: number;
  /** How often the rival bots' scheduler looks for due bots. */
  botTickMs?: number;
  /** Shortest gap between two SMS codes to one phone. */
  smsResendIntervalMs?: number;
  /** Local CONNECT proxies, each sending from its own 127.0.0.x address. */
  proxies?: { count?: number; username?: string; password?: string; firstLocalHost?: number };
  provider?: Partial<ProviderOptions>;
  /** The WhatsApp HTTP API (WAHA) the service sends customers' messages through. */
  waha?: { apiKey?: string };
  /** The Telegram Bot API of the service's bot. */
  telegram?: { botToken?: string; botUsername?: string };
  /** Initial market, applied after the generated one. */
  market?: MarketSeed;
  /** A generated market (`seedMarket`). */
  generate?: SeedMarketOptions;
}

export interface SandboxHandle {
  urls: SandboxUrls;
  /** Base of the control API (`…/__sandbox`). */
  controlUrl: string;
  proxies: SandboxProxy[];
  provider: { url: string; apiKey: string; state: ProxyProvider };
  /** WAHA (`WAHA_URL`, `WAHA_API_KEY`); control at `controlUrl/waha`. */
  waha: { url: string; apiKey: string; state: WahaServer };
  /** Telegram Bot API (`TELEGRAM_API_URL`, `TELEGRAM_BOT_TOKEN`); control at `controlUrl/telegram`. */
  telegram: { url: string; botToken: string; botUsername: string; state: TelegramServer };
  /** The in-process market: seed it, read pushes and ground truth. */
  market: Market;
  auth: Auth;
  orders: OrderBook;
  faults: Faults;
  limits: Limits;
  /** Every request the surfaces served, with its source address (bounded). */
  requests: RequestRecord[];
  /** Every request ever served, counted by `endpoint:status`. */
  tally: Map<string, number>;
  /** What `options.generate` produced. */
  generated: GeneratedMarket | undefined;
  seed(seed: MarketSeed): void;
  seedMarket(options: SeedMarketOptions): GeneratedMarket;
  setProfile(profile: ProfileName | LimitProfile, banScale?: number): LimitProfile;
  /** Switches real Kaspi's harsher behaviours: `undefined` all on, `true` all off, or the rules to switch off. */
  setLeniency(lenient: Leniency): Strictness;
  /**
   * Makes every storefront read from a source address (a proxy's `localAddress`) answer a 429, an HTML
   * check page or a redirect to one; `null` serves it again.
   */
  refuseExit(sourceIp: string, refusal: ExitRefusal | null): void;
  /** Empties the market, logins, orders, faults, refused exits and logs, and restores the starting profile and strictness. */
  reset(): void;
  stop(): Promise<void>;
}

interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function listen(app: express.Express, host: string, port: number): Promise<Listening> {
  const server = http.createServer(app);
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as net.AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function baseApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  return app;
}

function errorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  const status = (error as { status?: number }).status;
  res.status(status && status >= 400 && status < 500 ? status : 500).json({ error: 'Bad Request' });
}

/** The service's `KASPI_*_URL` settings that point it at a sandbox. */
export function kaspiUrlsEnv(urls: SandboxUrls): Record<string, string> {
  return {
    KASPI_PUBLIC_URL: urls.publicUrl,
    KASPI_MC_URL: urls.mcUrl,
    KASPI_IDMC_URL: urls.idmcUrl,
    KASPI_SHOP_API_URL: urls.shopApiUrl,
  };
}

/** Starts every surface of the sandbox on loopback ports, plus its proxies and the proxy provider. */
export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  const host = options.host ?? '127.0.0.1';
  const random = createRandom(options.seed ?? 42);
  const now = () => Date.now();
  const startingProfile = options.profile ?? 'measured';
  const banScale = options.banScale ?? 1;
  const timers = new Set<NodeJS.Timeout>();

  const market = new Market({ now, random, botTickMs: options.botTickMs ?? 100 });
  const auth = new Auth(random, { now, smsResendIntervalMs: options.smsResendIntervalMs ?? 30_000 });
  const orders = new OrderBook(random, now);
  const limits = new Limits(resolveProfile(startingProfile, banScale));
  const faults = new Faults(random);
  const requests: RequestRecord[] = [];
  const tally = new Map<string, number>();
  const urls: SandboxUrls = { publicUrl: '', mcUrl: '', idmcUrl: '', shopApiUrl: '' };
  const state: SandboxState = {
    market,
    auth,
    orders,
    limits,
    faults,
    random,
    urls,
    requests,
    tally,
    settings: {
      latency: options.latency ?? { baseMs: 0, jitterMs: 0 },
      pushApplyDelayMs: options.pushApplyDelayMs ?? 200,
      uploadApplyDelayMs: options.uploadApplyDelayMs ?? 1_000,
      strict: resolveStrictness(options.lenient),
    },
    refusedExits: new Map(),
    later(delayMs, task) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        task();
      }, delayMs);
      timers.add(timer);
    },
  };
  const parts = { market, auth, orders };

  const running: RunningProxy[] = [];
  const ports: number[] = [];
  const proxyOptions = options.proxies ?? {};
  const firstHost = proxyOptions.firstLocalHost ?? 11;
  for (let i = 0; i < (proxyOptions.count ?? 2); i++) {
    running.push(
      await startProxy({
        id: String(1001 + i),
        host,
        localAddress: `127.0.0.${firstHost + i}`,
        username: proxyOptions.username ?? `user${i + 1}`,
        password: proxyOptions.password ?? `pw-${random.digits(8)}`,
        allowedPorts: () => ports,
      }),
    );
  }
  const proxies = running.map((r) => r.proxy);
  const provider = new ProxyProvider(
    {
      apiKey: options.provider?.apiKey ?? `key${random.digits(10)}`,
      balance: options.provider?.balance ?? 1000,
      pricePerProxyDay: options.provider?.pricePerProxyDay ?? 2,
      currency: options.provider?.currency ?? 'RUB',
    },
    () => proxies,
    now,
  );

  const waha = new WahaServer(options.waha?.apiKey ?? `waha-${random.digits(12)}`);
  const telegram = new TelegramServer(
    options.telegram?.botToken ?? `${random.digits(10)}:AA${random.digits(20)}`,
    options.telegram?.botUsername ?? 'kaspi_demper_sandbox_bot',
  );

  let generated: GeneratedMarket | undefined;
  const reset = () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    market.reset();
    auth.reset();
    orders.reset();
    faults.clear();
    requests.length = 0;
    tally.clear();
    limits.set(resolveProfile(startingProfile, banScale));
    state.settings.strict = resolveStrictness(options.lenient);
    state.refusedExits.clear();
    provider.reset();
    waha.reset();
    telegram.reset();
    for (const proxy of proxies) {
      proxy.mode = 'ok';
      proxy.closeTunnels();
    }
  };
  const setProfile = (profile: ProfileName | LimitProfile, scale = banScale) => {
    const resolved = resolveProfile(profile, scale);
    limits.set(resolved);
    return resolved;
  };
  const setLeniency = (lenient: Leniency) => {
    state.settings.strict = resolveStrictness(lenient);
    return state.settings.strict;
  };
  const refuseExit = (sourceIp: string, refusal: ExitRefusal | null) => {
    if (refusal) state.refusedExits.set(sourceIp, refusal);
    else state.refusedExits.delete(sourceIp);
  };

  const publicApp = baseApp();
  publicApp.use(recordRequests(state, 'public'));
  publicApp.use('/__sandbox/waha', waha.controlRouter());
  publicApp.use('/__sandbox/telegram', telegram.controlRouter());
  publicApp.use(
    '/__sandbox',
    controlRouter(state, {
      reset,
      seed: (body) => {
        applySeed(parts, body as MarketSeed);
        return { ok: true };
      },
      seedMarket: (body) => seedMarket(parts, body as SeedMarketOptions),
      setProfile: (profile, scale) => setProfile(profile as ProfileName | LimitProfile, scale),
      setLeniency,
      refuseExit,
      proxies: () => proxies,
      provider,
    }),
  );
  publicApp.use(compressReplies);
  publicApp.use('/shop/api', shopApiRouter(state));
  publicApp.use(publicRouter(state));
  publicApp.use(errorHandler);

  const mcApp = baseApp();
  mcApp.use(recordRequests(state, 'mc'));
  mcApp.use(compressReplies);
  mcApp.use(mcRouter(state));
  mcApp.use(errorHandler);

  const idmcApp = baseApp();
  idmcApp.use(recordRequests(state, 'idmc'));
  idmcApp.use(compressReplies);
  idmcApp.use(idmcRouter(state));
  idmcApp.use(errorHandler);

  const providerApp = baseApp();
  providerApp.use(recordRequests(state, 'provider'));
  providerApp.use(provider.router());

  const wahaApp = baseApp();
  wahaApp.use(waha.router());
  wahaApp.use(errorHandler);

  const telegramApp = baseApp();
  telegramApp.use(telegram.router());
  telegramApp.use(errorHandler);

  const servers = [
    await listen(publicApp, host, options.ports?.public ?? 0),
    await listen(mcApp, host, options.ports?.mc ?? 0),
    await listen(idmcApp, host, options.ports?.idmc ?? 0),
    await listen(providerApp, host, options.ports?.provider ?? 0),
    await listen(wahaApp, host, options.ports?.waha ?? 0),
    await listen(telegramApp, host, options.ports?.telegram ?? 0),
  ];
  const [publicServer, mcServer, idmcServer, providerServer, wahaServer, telegramServer] = servers as [
    Listening,
    Listening,
    Listening,
    Listening,
    Listening,
    Listening,
  ];
  ports.push(publicServer.port, mcServer.port, idmcServer.port);
  urls.publicUrl = publicServer.url;
  urls.shopApiUrl = `${publicServer.url}/shop/api`;
  urls.mcUrl = mcServer.url;
  urls.idmcUrl = idmcServer.url;

  if (options.generate) generated = seedMarket(parts, options.generate);
  if (options.market) applySeed(parts, options.market);
  market.startBots();

  return {
    urls,
    controlUrl: `${publicServer.url}/__sandbox`,
    proxies,
    provider: { url: providerServer.url, apiKey: provider.apiKey, state: provider },
    waha: { url: wahaServer.url, apiKey: waha.apiKey, state: waha },
    telegram: {
      url: telegramServer.url,
      botToken: telegram.botToken,
      botUsername: telegram.botUsername,
      state: telegram,
    },
    market,
    auth,
    orders,
    faults,
    limits,
    requests,
    tally,
    generated,
    seed: (seed) => applySeed(parts, seed),
    seedMarket: (generatorOptions) => seedMarket(parts, generatorOptions),
    setProfile,
    setLeniency,
    refuseExit,
    reset,
    async stop() {
      market.stopBots();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([...servers.map((s) => s.close()), ...running.map((r) => r.close())]);
    },
  };
}

export type { SandboxUrls, RequestRecord } from './servers/common';
export type { MarketSeed } from './seed';
export type { SeedMarketOptions, GeneratedMarket } from './generator';
export type { LimitProfile, ProfileName, WindowRule } from './limits';
export type { FaultSpec, FaultKind, EndpointName } from './faults';
export type { SandboxProxy, ProxyMode } from './proxies';
export {
  STRICT_RULES,
  EXIT_REFUSALS,
  type StrictRule,
  type Strictness,
  type Leniency,
  type ExitRefusal,
} from './strictness';
export type { SentWhatsApp, WahaStatus } from './servers/waha';
export type { SentTelegram } from './servers/telegram';
export { LIMIT_PROFILES } from './limits';
export { Market } from './market';

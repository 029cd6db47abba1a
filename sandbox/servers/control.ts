import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { FAULT_KINDS, ENDPOINTS } from '../faults';
import type { Offer } from '../market';
import type { ProxyProvider } from '../provider';
import type { SandboxProxy } from '../proxies';
import { EXIT_REFUSALS, STRICT_RULES, type ExitRefusal, type Leniency } from '../strictness';
import type { SandboxState } from './common';

/** What the control API needs beyond the shared state: things owned by the sandbox process itself. */
export interface ControlHooks {
  reset(): void;
  seed(body: unknown): unknown;
  seedMarket(body: unknown): unknown;
  setProfile(profile: unknown, banScale?: number): unknown;
  setLeniency(lenient: Leniency): unknown;
  refuseExit(sourceIp: string, refusal: ExitRefusal | null): void;
  proxies(): SandboxProxy[];
  provider: ProxyProvider;
}

const faultSchema = z.object({
  endpoint: z.enum(ENDPOINTS),
  kind: z.enum(FAULT_KINDS),
  times: z.number().int().positive().optional(),
  probability: z.number().min(0).max(1).optional(),
  status: z.number().int().min(500).max(599).optional(),
  delayMs: z.number().int().nonnegative().optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});

const sessionSchema = z.object({ merchantUids: z.array(z.string().min(1)).min(1) });
const advanceSchema = z.object({ status: z.string().min(1), state: z.string().min(1).optional() });
const anomaliesSchema = z.object({
  merchantUid: z.string().min(1),
  duplicateAcrossPages: z.boolean().optional(),
  pagesOutOfOrder: z.boolean().optional(),
  legacyEntries: z.boolean().optional(),
});
const proxyModeSchema = z.object({ mode: z.enum(['ok', '502', 'hang', 'drop']) });
const leniencySchema = z.object({ lenient: z.union([z.literal(true), z.array(z.enum(STRICT_RULES))]).optional() });
const refusalSchema = z.object({ refusal: z.enum(EXIT_REFUSALS).nullable() });

function query(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberQuery(req: Request, name: string): number | undefined {
  const value = query(req, name);
  return value === undefined ? undefined : Number(value);
}

export function offerJson(offer: Offer) {
  return {
    merchantUid: offer.merchantUid,
    sku: offer.sku,
    productId: offer.productId,
    model: offer.model,
    listed: offer.listed,
    delistReason: offer.delistReason ?? null,
    basePrice: offer.basePrice,
    cityPrices: Object.fromEntries(offer.cityPrices),
    availabilities: Object.fromEntries(offer.availabilities),
    preorderDays: offer.preorderDays,
  };
}

/** `/__sandbox/...`: seed the market, shape limits and faults, and read what happened. JSON in, JSON out. */
export function controlRouter(state: SandboxState, hooks: ControlHooks): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '50mb' }));

  router.get('/', (_req, res) => {
    res.json({
      urls: state.urls,
      profile: state.limits.profile,
      strict: state.settings.strict,
      refusedExits: Object.fromEntries(state.refusedExits),
      counts: {
        merchants: state.market.merchants.size,
        products: state.market.products.size,
        offers: state.market.offers.size,
        bots: state.market.bots.length,
        pushes: state.market.pushes.length,
        events: state.market.timeline.length,
      },
    });
  });

  router.post('/reset', (_req, res) => {
    hooks.reset();
    res.json({ ok: true });
  });
  router.post('/seed', (req, res) => res.json(hooks.seed(req.body)));
  router.post('/seed/market', (req, res) => res.json(hooks.seedMarket(req.body)));
  router.post('/profile', (req, res) => {
    const body = (req.body ?? {}) as { profile?: unknown; banScale?: number };
    res.json(hooks.setProfile(body.profile, body.banScale));
  });

  router.post('/strictness', (req, res) => {
    res.json(hooks.setLeniency(leniencySchema.parse(req.body ?? {}).lenient));
  });

  router.get('/faults', (_req, res) => res.json(state.faults.all()));
  router.post('/faults', (req, res) => res.status(201).json(state.faults.add(faultSchema.parse(req.body))));
  router.delete('/faults', (_req, res) => {
    state.faults.clear();
    res.json({ ok: true });
  });
  router.delete('/faults/:id', (req, res) => {
    res.status(state.faults.remove(Number(req.params.id)) ? 200 : 404).json({});
  });

  router.get('/sms', (req, res) => {
    const phone = query(req, 'phone');
    res.json({ messages: phone ? state.auth.smsFor(phone) : [...state.auth.sms].reverse() });
  });

  router.post('/sessions', (req, res) => {
    const { merchantUids } = sessionSchema.parse(req.body);
    const session = state.auth.createSession(merchantUids);
    res.status(201).json({ cookies: { 'mc-session': session.mcSession, 'mc-sid': session.mcSid } });
  });
  router.post('/sessions/expire', (req, res) => {
    const body = (req.body ?? {}) as { merchantUid?: string; mcSession?: string };
    res.json({ expired: state.auth.expireSessions(body) });
  });

  router.get('/pushes', (req, res) => {
    res.json(
      state.market.pushLog({
        merchantUid: query(req, 'merchantUid'),
        sku: query(req, 'sku'),
        sinceMs: numberQuery(req, 'sinceMs'),
      }),
    );
  });

  router.get('/ground-truth', (req, res) => {
    res.json(
      state.market.events({
        productId: query(req, 'productId'),
        cityId: query(req, 'cityId'),
        merchantUid: query(req, 'merchantUid'),
        sinceMs: numberQuery(req, 'sinceMs'),
      }),
    );
  });

  const cardArgs = (req: Request, res: Response) => {
    const productId = query(req, 'productId');
    const cityId = query(req, 'cityId');
    if (!productId || !cityId) {
      res.status(400).json({ error: 'productId and cityId are required' });
      return undefined;
    }
    return { productId, cityId, atMs: numberQuery(req, 'atMs') ?? Date.now() };
  };
  router.get('/card', (req, res) => {
    const args = cardArgs(req, res);
    if (args) res.json(state.market.cardAt(args.productId, args.cityId, args.atMs));
  });
  router.get('/position', (req, res) => {
    const args = cardArgs(req, res);
    const merchantUid = query(req, 'merchantUid');
    if (!args) return;
    if (!merchantUid) {
      res.status(400).json({ error: 'merchantUid is required' });
      return;
    }
    res.json({ position: state.market.positionAt(args.productId, args.cityId, merchantUid, args.atMs) ?? null });
  });

  router.get('/offers/:merchantUid/:sku', (req, res) => {
    const offer = state.market.offer(req.params.merchantUid!, req.params.sku!);
    if (!offer) {
      res.status(404).json({ error: 'no such offer' });
      return;
    }
    res.json(offerJson(offer));
  });

  router.post('/bots/tick', (_req, res) => {
    state.market.tickBots(Date.now());
    res.json({ bots: state.market.bots.length });
  });

  router.post('/orders/anomalies', (req, res) => {
    const { merchantUid, ...anomalies } = anomaliesSchema.parse(req.body);
    state.orders.setAnomalies(merchantUid, anomalies);
    res.json({ ok: true });
  });
  router.post('/orders/:code/advance', (req, res) => {
    const order = state.orders.advance(req.params.code!, advanceSchema.parse(req.body));
    if (!order) {
      res.status(404).json({ error: 'no such order' });
      return;
    }
    res.json({ code: order.code, state: order.state, status: order.status, history: order.history });
  });

  router.get('/requests', (req, res) => {
    const sourceIp = query(req, 'sourceIp');
    const endpoint = query(req, 'endpoint');
    const sinceMs = numberQuery(req, 'sinceMs');
    res.json(
      state.requests.filter(
        (r) =>
          (!sourceIp || r.sourceIp === sourceIp) &&
          (!endpoint || r.endpoint === endpoint) &&
          (sinceMs === undefined || r.atMs >= sinceMs),
      ),
    );
  });

  router.get('/proxies', (_req, res) => res.json(hooks.proxies()));
  router.post('/proxies/:id/mode', (req, res) => {
    const proxy = hooks.proxies().find((p) => p.id === req.params.id);
    if (!proxy) {
      res.status(404).json({ error: 'no such proxy' });
      return;
    }
    proxy.mode = proxyModeSchema.parse(req.body).mode;
    proxy.closeTunnels();
    res.json(proxy);
  });

  /** Every storefront read through this proxy's exit address is refused (429, a check page, a redirect), or served again. */
  router.post('/proxies/:id/refusal', (req, res) => {
    const proxy = hooks.proxies().find((p) => p.id === req.params.id);
    if (!proxy) {
      res.status(404).json({ error: 'no such proxy' });
      return;
    }
    const { refusal } = refusalSchema.parse(req.body);
    hooks.refuseExit(proxy.localAddress, refusal);
    res.json({ id: proxy.id, localAddress: proxy.localAddress, refusal });
  });

  router.post('/provider/balance', (req, res) => {
    const balance = z.object({ balance: z.number().nonnegative() }).parse(req.body).balance;
    hooks.provider.balance = balance;
    res.json({ balance });
  });
  router.post('/provider/shift', (req, res) => {
    hooks.provider.shiftLeases(z.object({ deltaMs: z.number() }).parse(req.body).deltaMs);
    res.json({ ok: true });
  });

  router.use((error: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
    if (res.headersSent) return next(error);
    if (error instanceof z.ZodError) {
      res.status(400).json({
        error: 'invalid request',
        errors: error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      });
      return;
    }
    res.status(400).json({ error: error instanceof Error ? error.message : String(error) });
  });

  return router;
}

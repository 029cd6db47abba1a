import { randomUUID } from 'node:crypto';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type pg from 'pg';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { createTokenService, ephemeralSecret, type TokenService } from '../accounts/tokens';
import type { Db } from '../db';
import { createReadChannel, type ReadChannel } from '../proxies/read-channel';
import type { Config } from '../lib/config';
import type { Keyring } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import { createApiMetrics } from '../lib/metrics';
import { authenticate, requireAdmin } from './auth';
import { createEventHub, type EventHub } from './live/event-hub';
import { openApiDocument } from './openapi';
import { requireOperator } from './operator';
import { errorHandler, notFound } from './problem';
import { createAuthLimits, createConnectLimits, type AuthLimits, type ConnectLimits } from './rate-limits';
import { ApiRouter } from './routing';
import { webCabinet } from './web-cabinet';
import { adminRoutes } from './routes/admin';
import { adminProxyRoutes } from './routes/admin-proxies';
import { adminSubscriptionRoutes } from './routes/admin-subscriptions';
import { adminSystemRoutes } from './routes/admin-system';
import { billingRoutes } from './routes/billing';
import { proxyHealthRoutes } from './routes/proxy-health';
import { apiKeyRoutes } from './routes/api-keys';
import { authRoutes } from './routes/auth';
import { codecCors, codecRoutes, redactCodecPath } from './routes/codec';
import { connectRoutes } from './routes/connect';
import { loginRoutes } from './routes/logins';
import { healthRoutes } from './routes/health';
import { meRoutes } from './routes/me';
import { catalogRoutes } from './routes/catalog';
import { demperRoutes } from './routes/demper';
import { productRoutes } from './routes/products';
import { storeRoutes } from './routes/stores';
import { notificationRoutes } from './routes/notifications';
import { eventRoutes } from './routes/events';
import { earningsRoutes } from './routes/earnings';
import { orderRoutes } from './routes/orders';
import { overviewRoutes } from './routes/overview';
import { preorderRoutes } from './routes/preorders';
import { productExcelRoutes } from './routes/product-excel';
import { decisionRoutes } from './routes/decisions';
import { telegramRoutes } from './routes/telegram';

export interface ApiDeps {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  db: Db;
  temporal: Client;
  keyring: Keyring;
  tokens: TokenService;
  authLimits: AuthLimits;
  connectLimits: ConnectLimits;
  /** Live storefront reads the API makes itself (a product's competitor offers). */
  readChannel: ReadChannel;
  /** The stores' live events, for the cabinet's streams. */
  events: EventHub;
}

export const API_PREFIX = '/api/v1';

/** A request whose JSON body is also kept as received. */
export type RawBodyRequest = express.Request & { rawBody?: Buffer };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** The parts of `ApiDeps` derived from configuration. */
export function apiServices(
  base: Pick<ApiDeps, 'config' | 'logger' | 'pool' | 'db' | 'keyring'>,
): Pick<ApiDeps, 'tokens' | 'authLimits' | 'connectLimits' | 'readChannel' | 'events'> {
  const { config, logger, pool } = base;
  let secret = config.auth.jwtSecret;
  if (!secret) {
    logger.warn('JWT_SECRET is not set: tokens are signed with a per-process secret and die with this process');
    secret = ephemeralSecret();
  }
  return {
    tokens: createTokenService(secret, config.auth.jwtTtlSeconds, config.auth.jwtClockLeewaySeconds),
    authLimits: createAuthLimits(pool, config.auth.limits),
    connectLimits: createConnectLimits(pool, config.kaspiLogin),
    readChannel: createReadChannel(base),
    events: createEventHub({
      db: base.db,
      database: { ...config.database, url: config.database.url! },
      urls: config.kaspi,
      logger,
      keepHours: config.events.keepHours,
    }),
  };
}

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.api.trustProxy);
  app.set('query parser', 'simple');

  const metrics = createApiMetrics(deps.pool);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId(req, res) {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        // The Temporal UI's codec path carries the operator token: never logged.
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: redactCodecPath(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (req) => req.url === '/metrics' || req.url?.startsWith('/health') === true },
    }),
  );
  app.use(helmet());
  app.use('/codec', codecCors(deps.config.temporal.uiUrl));
  app.use(metrics.middleware);
  app.use(
    express.json({
      limit: deps.config.api.bodyLimit,
      type: ['application/json', 'application/*+json'],
      // Signed webhooks are verified over the exact bytes received.
      verify: (req, _res, buf) => {
        (req as RawBodyRequest).rawBody = buf;
      },
    }),
  );

  const registry = new OpenAPIRegistry();
  const signedIn = authenticate(deps);
  const access = { user: [signedIn], admin: requireAdmin(signedIn), operator: [requireOperator(deps)] };

  const root = new ApiRouter('', registry, access);
  healthRoutes(root, deps);
  proxyHealthRoutes(root, deps);
  root.route(
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics of this API process',
      tags: ['operations'],
      access: 'operator',
      responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
    },
    async (_input, _req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
  root.route(
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      tags: ['operations'],
      access: 'public',
      responses: { 200: { description: 'OpenAPI 3.1' } },
    },
    (_input, _req, res) => {
      res.json(document);
    },
  );

  codecRoutes(root, deps);

  const v1 = new ApiRouter(API_PREFIX, registry, access);
  authRoutes(v1, deps);
  meRoutes(v1, deps);
  apiKeyRoutes(v1, deps);
  storeRoutes(v1, deps);
  connectRoutes(v1, deps);
  loginRoutes(v1, deps);
  demperRoutes(v1, deps);
  catalogRoutes(v1, deps);
  productRoutes(v1, deps);
  decisionRoutes(v1, deps);
  overviewRoutes(v1, deps);
  eventRoutes(v1, deps);
  adminRoutes(v1, deps);
  billingRoutes(v1, deps);
  adminProxyRoutes(v1, deps);
  adminSubscriptionRoutes(v1, deps);
  adminSystemRoutes(v1, deps);
  orderRoutes(v1, deps);
  earningsRoutes(v1, deps);
  preorderRoutes(v1, deps);
  productExcelRoutes(v1, deps);
  notificationRoutes(v1, deps);
  telegramRoutes(v1, deps);

  const document = openApiDocument(registry, deps.config);
  app.locals.openApiDocument = document;
  app.use(root.router);
  app.use(API_PREFIX, v1.router);
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Kaspi Demper API' }));
  app.use(webCabinet(deps.config.api.webDistDir, deps.logger));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { Db } from '../db';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { createApiMetrics } from '../lib/metrics';
import { errorHandler, notFound } from './problem';
import { healthRouter } from './routes/health';

export interface ApiDeps {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  db: Db;
  temporal: Client;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'extended');

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
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/metrics' || req.url?.startsWith('/health') === true },
    }),
  );
  app.use(helmet());
  app.use(metrics.middleware);
  app.use(express.json({ limit: deps.config.api.bodyLimit, type: ['application/json', 'application/*+json'] }));

  app.use(healthRouter(deps));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

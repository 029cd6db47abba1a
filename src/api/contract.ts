import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { createDb } from '../db';
import { loadConfig } from '../lib/config';
import { createKeyring } from '../lib/crypto';
import { createLogger } from '../lib/logger';
import { apiServices, createApp } from './app';

/**
 * The OpenAPI document the API serves at `/openapi.json`, built without a database or Temporal: the
 * routes are registered, nothing is connected. The web cabinet's typed client is generated from it.
 */
export function contractDocument(): unknown {
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'postgres://contract@127.0.0.1:1/contract',
    ENCRYPTION_KEYS: `contract:${randomBytes(32).toString('base64')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    PUBLIC_API_URL: 'http://localhost:3000',
  });
  const logger = createLogger(config, 'contract');
  const pool = new pg.Pool({ connectionString: config.database.url });
  const base = { config, logger, pool, db: createDb(pool), keyring: createKeyring(config.secrets.encryptionKeys!) };
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = createApp({ ...base, temporal, ...apiServices(base) });
  return app.locals.openApiDocument;
}

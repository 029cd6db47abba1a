import type { Server } from 'node:http';
import { createDb } from '../db';
import { createPool } from '../db/pool';
import { configOrExit, requireSetting, type Config } from '../lib/config';
import { createKeyring } from '../lib/crypto';
import { createLogger, type Logger } from '../lib/logger';
import { createTemporalClient } from '../lib/temporal';
import { ensureAdmin } from '../accounts/users';
import { apiServices, createApp } from './app';

export async function startApi(config: Config, logger: Logger) {
  const databaseUrl = requireSetting(config.database.url, 'DATABASE_URL');
  const pool = createPool({ ...config.database, url: databaseUrl }, logger, 'kaspi-demper-api');
  const keyring = createKeyring(requireSetting(config.secrets.encryptionKeys, 'ENCRYPTION_KEYS'));
  const temporal = createTemporalClient(config.temporal, keyring);
  const db = createDb(pool);
  if (config.auth.admin) {
    const admin = await ensureAdmin(db, config.auth.admin);
    logger.info({ email: admin.email }, 'administrator account ready');
  }
  const services = apiServices({ config, logger, pool, db, keyring });
  const app = createApp({ config, logger, pool, db, temporal, keyring, ...services });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.api.port, config.api.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  logger.info({ url: `http://${config.api.host}:${config.api.port}` }, 'API listening');

  return {
    server,
    /** Ends the live streams, stops accepting connections, lets open requests finish, then releases the pool and Temporal. */
    async close() {
      await services.events.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await temporal.connection.close();
      await pool.end();
    },
  };
}

if (require.main === module) {
  const config = configOrExit();
  const logger = createLogger(config, 'api');
  startApi(config, logger).then(
    (api) => {
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'API shutting down');
        api.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'API shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (err: unknown) => {
      logger.fatal({ err }, 'API failed to start');
      process.exit(1);
    },
  );
}

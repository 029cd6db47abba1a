import { getConfig, requireSetting } from '../lib/config';
import { createKeyring } from '../lib/crypto';
import { createLogger } from '../lib/logger';
import { createDb } from '.';
import { createPool } from './pool';
import { reencryptAll } from './sealed-columns';

/** `npm run secrets:reencrypt`: after putting a new key first in ENCRYPTION_KEYS, move every secret onto it. */
async function main() {
  const config = getConfig();
  const logger = createLogger(config, 'reencrypt');
  const keyring = createKeyring(requireSetting(config.secrets.encryptionKeys, 'ENCRYPTION_KEYS'));
  const pool = createPool({ ...config.database, url: requireSetting(config.database.url, 'DATABASE_URL') }, logger);
  try {
    const counts = await reencryptAll(createDb(pool), keyring);
    console.log(`re-encrypted under key "${keyring.currentKeyId}":`, counts);
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

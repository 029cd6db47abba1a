import type { Client } from '@temporalio/client';
import type { Db } from '../db';
import type { ReadChannel } from '../demper/read-channel';
import type { Config } from '../lib/config';
import type { Keyring } from '../lib/crypto';
import type { Logger } from '../lib/logger';

/** What activities are built from; tests pass their own (sandboxed) parts. */
export interface ActivityDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /** Seals and opens secrets stored in PostgreSQL (see `db/sealed-columns.ts`). */
  keyring: Keyring;
  /** For activities that signal other workflows (e.g. pausing a store's loop when its session expires). */
  temporal: Client;
  /** Where storefront reads go out from (own address, or the user's proxies). */
  readChannel: ReadChannel;
}

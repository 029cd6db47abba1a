import type { Client } from '@temporalio/client';
import type { Db } from '../db';
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
  /** For activities that look at other workflows (the pool's leak reconciliation). */
  temporal: Client;
}

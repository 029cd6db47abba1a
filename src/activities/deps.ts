import type { Client } from '@temporalio/client';
import type { Db } from '../db';
import type { ReadChannel } from '../proxies/read-channel';
import type { Config } from '../lib/config';
import type { Keyring } from '../lib/crypto';
import type { Logger } from '../lib/logger';
import type { LoginBrowser } from '../logins/browser';
import type { OpenLoginPages } from '../logins/open-pages';

/** What activities are built from; tests pass their own (sandboxed) parts. */
export interface ActivityDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /** Seals and opens secrets stored in PostgreSQL (see `db/sealed-columns.ts`). */
  keyring: Keyring;
  /** For activities that look at or signal other workflows (leak reconciliation, pausing a store's loop). */
  temporal: Client;
  /** Where storefront reads go out from (own address, or the user's proxies). */
  readChannel: ReadChannel;
}

/**
 * What belongs to one worker process and cannot be shared with others: its own task queue, the Chromium
 * it logs in with, and the login pages held open between two steps of an SMS login.
 */
export interface WorkerLocal {
  taskQueue: string;
  browser: LoginBrowser;
  pages: OpenLoginPages;
}

import type { Config } from '../lib/config';
import { and, eq, isNull } from 'drizzle-orm';
import { kaspiStores } from '../db/schema';
import { checkSession, isKaspiError, type CabinetContext } from '../kaspi';
import { canLogInAlone, openStoreCredentials } from '../logins/credentials';
import { LOGIN_LOCK_BUSY, withLoginLock } from '../logins/lock';
import { logInWithPassword, LoginPageError, type BrowserLoginDeps } from '../logins/password-login';
import { cabinetContext, connectSession, type ConnectDeps } from './connect';
import { storeNeedsReauth } from './lifecycle';
import { readStoreSession } from './session';

export type ReloginResult = { status: 'ok' } | { status: 'no_credentials' } | { status: 'failed'; reason: string };

export type ReloginDeps = ConnectDeps & BrowserLoginDeps & { config: Pick<Config, 'kaspiLogin'> };

/** How long a re-login waits for another worker's login of the same merchant before giving up. */
const LOCK_WAIT_MS = 90_000;

/** True when the store's stored session still opens the cabinet for its merchant. */
async function sessionWorks(deps: ReloginDeps, storeId: string, merchantUid: string): Promise<boolean> {
  const session = await readStoreSession(deps.db, deps.keyring, storeId);
  if (!session) return false;
  try {
    return (await checkSession(cabinetContext(deps.config, session))).merchantUids.includes(merchantUid);
  } catch (error) {
    if (isKaspiError(error, 'session_expired')) return false;
    throw error;
  }
}

/**
 * Logs the store in again with its remembered email and password, after Kaspi refused its session.
 * One login per merchant runs at a time across all workers (`withLoginLock`); a caller that waited for
 * another worker's login finds the session renewed and does not log in a second time. A fresh session
 * reconnects every store of the user that this Kaspi login manages. Stores without a remembered password
 * (none, or only the phone of an SMS login) answer `no_credentials`.
 */
export async function reloginStore(deps: ReloginDeps, storeId: string): Promise<ReloginResult> {
  const [store] = await deps.db
    .select()
    .from(kaspiStores)
    .where(and(eq(kaspiStores.id, storeId), isNull(kaspiStores.deletedAt)));
  if (!store?.credentialsEnc) return { status: 'no_credentials' };
  const credentials = openStoreCredentials(deps.keyring, store.id, store.credentialsEnc);
  if (!canLogInAlone(credentials)) return { status: 'no_credentials' };

  const result = await withLoginLock(
    deps.db,
    store.merchantUid,
    async (): Promise<ReloginResult> => {
      if (await sessionWorks(deps, store.id, store.merchantUid)) return { status: 'ok' };
      let outcome;
      try {
        outcome = await logInWithPassword(deps, credentials, `relogin-${store.id}`);
      } catch (error) {
        if (error instanceof LoginPageError) return { status: 'failed', reason: error.message };
        throw error;
      }
      if (outcome.status === 'sms_required')
        return { status: 'failed', reason: 'Kaspi asks for an SMS code to log in' };
      if (outcome.status === 'failed') return { status: 'failed', reason: outcome.message };
      const stores = await connectSession(deps, {
        userId: store.userId,
        session: outcome.session,
        via: 'password',
        remember: { kind: 'keep' },
      });
      if (!stores.some((s) => s.id === store.id)) {
        return { status: 'failed', reason: 'this Kaspi login no longer manages the store' };
      }
      return { status: 'ok' };
    },
    { waitMs: LOCK_WAIT_MS, maxConcurrent: deps.config.kaspiLogin.reloginMaxConcurrent },
  );
  const relogin =
    result === LOGIN_LOCK_BUSY
      ? { status: 'failed' as const, reason: 'another login of this merchant is still running' }
      : result;
  deps.logger.info({ storeId, merchantUid: store.merchantUid, ...relogin }, 'store re-login');
  return relogin;
}

/**
 * Runs a cabinet call with the store's session. When Kaspi refuses the session, the store logs in again
 * (if it can) and the call is retried once; otherwise the store goes `needs_reauth` and the original
 * `session_expired` error is rethrown for the caller to stop on.
 */
export async function withStoreSession<T>(
  deps: ReloginDeps,
  storeId: string,
  call: (ctx: CabinetContext) => Promise<T>,
): Promise<T> {
  const attempt = async () => {
    const session = await readStoreSession(deps.db, deps.keyring, storeId);
    if (!session) throw new StoreSessionMissingError(storeId);
    return call(cabinetContext(deps.config, session));
  };
  try {
    return await attempt();
  } catch (error) {
    if (!isKaspiError(error, 'session_expired') && !(error instanceof StoreSessionMissingError)) throw error;
    const relogin = await reloginStore(deps, storeId);
    if (relogin.status === 'ok') {
      try {
        return await attempt();
      } catch (retryError) {
        if (isKaspiError(retryError, 'session_expired'))
          await storeNeedsReauth(deps, storeId, 'the renewed session was refused too');
        throw retryError;
      }
    }
    await storeNeedsReauth(deps, storeId, relogin.status === 'failed' ? relogin.reason : 'no remembered password');
    throw error;
  }
}

export class StoreSessionMissingError extends Error {
  constructor(readonly storeId: string) {
    super(`store ${storeId} has no Kaspi session`);
    this.name = 'StoreSessionMissingError';
  }
}

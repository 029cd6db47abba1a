import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { kaspiLogins } from '../db/schema';
import { isKaspiError, SELECTORS, startPhoneLogin, submitSecurityCode, toApplicationFailure } from '../kaspi';
import { openLoginCredentials } from '../logins/credentials';
import { describePageError, logInWithPassword, LoginPageError } from '../logins/password-login';
import { connectSession } from '../stores/connect';
import type { LoginState, PasswordLoginInput, PasswordLoginResult } from '../workflows/messages';
import type { ActivityDeps, WorkerLocal } from './deps';

/** How often a held login page reports that its worker is alive. */
const HOLD_HEARTBEAT_MS = 2_000;

/** A broken login page cannot be fixed by running the same step again: the workflow decides. */
function pageFailure(error: unknown, secrets: string[]): ApplicationFailure {
  return ApplicationFailure.nonRetryable(describePageError(error, secrets), 'LoginPageError');
}

export function createLoginActivities(deps: ActivityDeps, local: WorkerLocal) {
  const loginDeps = { ...deps, browser: local.browser };
  const pageOptions = () => ({ urls: deps.config.kaspi, timeoutMs: deps.config.kaspiClient.timeoutMs });

  async function loginOwner(loginId: string): Promise<string> {
    const [login] = await deps.db
      .select({ userId: kaspiLogins.userId })
      .from(kaspiLogins)
      .where(eq(kaspiLogins.id, loginId));
    if (!login) throw ApplicationFailure.nonRetryable(`no login ${loginId}`, 'LoginNotFound');
    return login.userId;
  }

  /** Kaspi refused or could not serve the cabinet calls that follow a login: as a Temporal failure. */
  function connectFailure(error: unknown): never {
    if (isKaspiError(error)) throw toApplicationFailure(error);
    throw error;
  }

  return {
    /** The task queue only this worker process polls: steps that need its browser page are sent there. */
    async loginWorkerQueue(): Promise<string> {
      return local.taskQueue;
    },

    /** Mirrors an SMS login's state into `kaspi_logins`, where the API reads it. */
    async recordLoginState(input: {
      loginId: string;
      state: LoginState;
      attempts: number;
      failureReason: string | null;
      storeIds: string[];
    }): Promise<void> {
      await deps.db
        .update(kaspiLogins)
        .set({
          state: input.state,
          attempts: input.attempts,
          failureReason: input.failureReason,
          storeIds: input.storeIds,
        })
        .where(eq(kaspiLogins.id, input.loginId));
    },

    /** Opens Kaspi's login page, asks for the SMS code and keeps the page open in this process. */
    async sendLoginCode(input: {
      loginId: string;
      phone: string;
      pageLifetimeSeconds: number;
    }): Promise<{ status: 'code_sent' } | { status: 'failed'; message: string }> {
      // Each open page holds a browser context for minutes: this worker keeps a bounded number of them.
      if (local.pages.size >= deps.config.kaspiLogin.maxOpenBrowserLogins) {
        return {
          status: 'failed',
          message: 'Too many logins are waiting for their code right now; try again in a few minutes.',
        };
      }
      const login = await local.browser.openPage();
      try {
        const result = await startPhoneLogin(login.page, input.phone, pageOptions());
        if (result.status === 'code_sent') {
          local.pages.add(input.loginId, login, input.pageLifetimeSeconds * 1000);
          return result;
        }
        await login.screenshot(`sms-${input.loginId}`);
        await login.close();
        return result;
      } catch (error) {
        await login.screenshot(`sms-${input.loginId}`);
        await login.close();
        throw pageFailure(error, [input.phone]);
      }
    },

    /**
     * Heartbeats for as long as the login's page is open here, so a worker that dies is noticed within
     * the heartbeat timeout instead of when the merchant sends the code.
     */
    async holdLoginPage(input: { loginId: string }): Promise<void> {
      const ctx = Context.current();
      while (local.pages.has(input.loginId)) {
        ctx.heartbeat();
        // The sleep rejects when the activity is cancelled; closing the page ends the wait at once.
        const sleeping = ctx.sleep(HOLD_HEARTBEAT_MS);
        sleeping.catch(() => undefined);
        await Promise.race([sleeping, local.pages.whenClosed(input.loginId)]);
      }
    },

    /** Types the code into the held page; a right one connects the stores the login manages. */
    async submitLoginCode(input: {
      loginId: string;
      phone: string;
      code: string;
    }): Promise<{ status: 'connected'; storeIds: string[] } | { status: 'wrong_code' | 'failed'; message: string }> {
      const login = local.pages.get(input.loginId);
      if (!login) throw ApplicationFailure.nonRetryable('the login page is no longer open', 'LoginPageGone');
      let result;
      try {
        result = await submitSecurityCode(login.page, input.code, pageOptions());
      } catch (error) {
        await login.screenshot(`sms-${input.loginId}`);
        await local.pages.close(input.loginId);
        throw pageFailure(error, [input.phone, input.code]);
      }
      if (result.status === 'failed') {
        if (await login.page.isVisible(SELECTORS.securityCode))
          return { status: 'wrong_code', message: result.message };
        await login.screenshot(`sms-${input.loginId}`);
        await local.pages.close(input.loginId);
        return { status: 'failed', message: result.message };
      }
      await local.pages.close(input.loginId);
      if (result.status === 'sms_required') return { status: 'failed', message: 'Kaspi asked for another code' };
      const stores = await connectSession(deps, {
        userId: await loginOwner(input.loginId),
        session: { cookies: result.cookies },
        via: 'sms',
        remember: { kind: 'phone', phone: input.phone },
      }).catch(connectFailure);
      return { status: 'connected', storeIds: stores.map((s) => s.id) };
    },

    async closeLoginPage(input: { loginId: string }): Promise<void> {
      await local.pages.close(input.loginId);
    },

    /**
     * A password login from start to end: opens the sealed credentials of the login row, logs in, and
     * connects the stores. The credentials leave the row whatever happens; with `remember` they are
     * sealed again on each store.
     */
    async connectWithPassword(input: PasswordLoginInput): Promise<PasswordLoginResult> {
      const [login] = await deps.db.select().from(kaspiLogins).where(eq(kaspiLogins.id, input.loginId));
      if (!login?.credentialsEnc) return { status: 'failed', message: 'The login has already ended; start again.' };
      const credentials = openLoginCredentials(deps.keyring, login.id, login.credentialsEnc);
      let result: PasswordLoginResult | undefined;
      try {
        const outcome = await logInWithPassword(loginDeps, credentials, `password-${login.id}`);
        if (outcome.status === 'ok') {
          const stores = await connectSession(deps, {
            userId: login.userId,
            session: outcome.session,
            via: 'password',
            remember: input.remember ? { kind: 'password', ...credentials } : { kind: 'forget' },
          }).catch(connectFailure);
          result = { status: 'connected', storeIds: stores.map((s) => s.id) };
        } else {
          result = outcome;
        }
      } catch (error) {
        if (!(error instanceof LoginPageError)) throw error;
        result = { status: 'failed', message: "Kaspi's login page did not answer as expected; try again." };
      } finally {
        await deps.db
          .update(kaspiLogins)
          .set({
            credentialsEnc: null,
            state: result?.status === 'connected' ? 'connected' : 'failed',
            failureReason: !result
              ? 'The login could not finish; try again.'
              : result.status === 'connected'
                ? null
                : result.status === 'sms_required'
                  ? 'sms_required'
                  : result.message,
            storeIds: result?.status === 'connected' ? result.storeIds : [],
          })
          .where(eq(kaspiLogins.id, login.id));
      }
      return result;
    },
  };
}

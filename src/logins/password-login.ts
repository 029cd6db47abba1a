import { loginWithPassword, type KaspiSession } from '../kaspi';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { LoginBrowser } from './browser';
import { withoutSecrets } from './credentials';

export type PasswordLoginOutcome =
  { status: 'ok'; session: KaspiSession } | { status: 'sms_required' } | { status: 'failed'; message: string };

export interface BrowserLoginDeps {
  browser: LoginBrowser;
  config: Pick<Config, 'kaspi' | 'kaspiClient'>;
  logger: Logger;
}

/** The login page broke off (timeout, crash, an unexpected page): worth another try later. */
export class LoginPageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoginPageError';
  }
}

/** The first line of a browser error with the login's secrets blanked out; Playwright's call logs can quote inputs. */
export function describePageError(error: unknown, secrets: (string | undefined)[]): string {
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
  return withoutSecrets(first, secrets);
}

/**
 * Email and password through Kaspi's login pages in a fresh browser context, closed afterwards. A
 * refused login keeps a screenshot (labelled with `label`, never with a secret).
 */
export async function logInWithPassword(
  deps: BrowserLoginDeps,
  credentials: { email: string; password: string },
  label: string,
): Promise<PasswordLoginOutcome> {
  const login = await deps.browser.openPage();
  try {
    const result = await loginWithPassword(login.page, credentials, {
      urls: deps.config.kaspi,
      timeoutMs: deps.config.kaspiClient.timeoutMs,
    });
    if (result.status === 'ok') return { status: 'ok', session: { cookies: result.cookies } };
    if (result.status === 'failed') await login.screenshot(label);
    return result;
  } catch (error) {
    await login.screenshot(label);
    throw new LoginPageError(describePageError(error, [credentials.email, credentials.password]));
  } finally {
    await login.close();
  }
}

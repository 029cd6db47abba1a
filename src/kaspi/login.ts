import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { LOGIN_VIEWPORT, loginUserAgent } from './browser-identity';
import type { KaspiSession, KaspiUrls } from './http';

/**
 * Logging in to the merchant cabinet with a real browser, the way Kaspi's own page does it: the IDMC
 * login page, then the OAuth2 hop that sets `mc-session` and `mc-sid`. The drivers take a page so the
 * caller can keep it open between "send the SMS" and "submit the code".
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  // Leaves `navigator.webdriver` false, as in a browser a person started.
  '--disable-blink-features=AutomationControlled',
];

export const SELECTORS = {
  email: '#user_email_field',
  password: '#password_field',
  submit: '.button.is-primary',
  phoneTab: '#phone_tab',
  phone: '#user_phone_field',
  securityCode: 'input[name="security-code"]',
  smsCode: '#sms_code_field',
  error: '.notification.is-danger',
  codeError: '.help.is-danger',
  loggedIn: 'nav.navbar',
} as const;

export const SESSION_COOKIES = ['mc-session', 'mc-sid'] as const;

export type LoginResult =
  | { status: 'ok'; cookies: Record<string, string> }
  | { status: 'sms_required' }
  | { status: 'failed'; message: string };

export type PhoneLoginStart = { status: 'code_sent' } | { status: 'failed'; message: string };

export interface LoginOptions {
  urls: KaspiUrls;
  /** How long to wait for each page step. */
  timeoutMs?: number;
}

const DEFAULT_STEP_TIMEOUT_MS = 30_000;

/** Debian's Chromium, headless, started by path (Playwright cannot download browsers here). */
export function launchBrowser(options: { chromiumPath: string }): Promise<Browser> {
  return chromium.launch({
    executablePath: options.chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--enable-automation'],
  });
}

/** A fresh, isolated browser context for one login, with a desktop window and User-Agent; close it when the login is over. */
export async function newLoginPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const context = await browser.newContext({
    locale: 'ru-RU',
    timezoneId: 'Asia/Almaty',
    viewport: LOGIN_VIEWPORT,
    screen: LOGIN_VIEWPORT,
    userAgent: loginUserAgent(browser.version()),
  });
  const page = await context.newPage();
  return { context, page, close: () => context.close() };
}

/** The context's cabinet cookies as a session, or undefined when Kaspi did not set both session cookies. */
export async function sessionFromContext(context: BrowserContext, mcUrl: string): Promise<KaspiSession | undefined> {
  const cookies = Object.fromEntries((await context.cookies(mcUrl)).map((c) => [c.name, c.value]));
  return SESSION_COOKIES.every((name) => cookies[name]) ? { cookies } : undefined;
}

/** Waits until one of the selectors is visible and says which. */
async function firstVisible<K extends string>(page: Page, selectors: Record<K, string>, timeoutMs: number): Promise<K> {
  const handle = await page.waitForSelector(Object.values<string>(selectors).join(', '), {
    state: 'visible',
    timeout: timeoutMs,
  });
  for (const [key, selector] of Object.entries<string>(selectors)) {
    if (await handle.evaluate((el, s) => el.matches(s), selector)) return key as K;
  }
  throw new Error('matched element fits none of the selectors');
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

async function finish(page: Page, options: LoginOptions): Promise<LoginResult> {
  const session = await sessionFromContext(page.context(), options.urls.mcUrl);
  return session
    ? { status: 'ok', cookies: session.cookies }
    : { status: 'failed', message: 'Kaspi did not set the cabinet session cookies' };
}

/** Email and password; an account with SMS confirmation answers `sms_required` (continue with `submitSecurityCode`). */
export async function loginWithPassword(
  page: Page,
  credentials: { email: string; password: string },
  options: LoginOptions,
): Promise<LoginResult> {
  const timeout = options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  await page.goto(`${options.urls.idmcUrl}/login`, { timeout });
  await page.waitForSelector(SELECTORS.email, { timeout });
  await page.fill(SELECTORS.email, credentials.email);
  await page.click(SELECTORS.submit, { timeout });
  await page.waitForSelector(SELECTORS.password, { timeout });
  await page.fill(SELECTORS.email, credentials.email);
  await page.fill(SELECTORS.password, credentials.password);
  await page.click(SELECTORS.submit, { timeout });
  const outcome = await firstVisible(
    page,
    { ok: SELECTORS.loggedIn, failed: SELECTORS.error, sms: SELECTORS.smsCode },
    timeout,
  );
  if (outcome === 'sms') return { status: 'sms_required' };
  if (outcome === 'failed') return { status: 'failed', message: await text(page, SELECTORS.error) };
  return finish(page, options);
}

/** Kaspi's phone field takes the ten digits after +7; the page applies its own mask. */
export function phoneDigits(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length === 11 && (digits.startsWith('7') || digits.startsWith('8')) ? digits.slice(1) : digits;
}

/** Opens the phone tab and asks Kaspi to send the SMS code. */
export async function startPhoneLogin(page: Page, phone: string, options: LoginOptions): Promise<PhoneLoginStart> {
  const timeout = options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  await page.goto(`${options.urls.idmcUrl}/login`, { timeout });
  await page.click(SELECTORS.phoneTab, { timeout });
  await page.waitForSelector(SELECTORS.phone, { timeout });
  await page.fill(SELECTORS.phone, phoneDigits(phone));
  await page.click(SELECTORS.submit, { timeout });
  const outcome = await firstVisible(
    page,
    { sent: SELECTORS.securityCode, failed: SELECTORS.error, codeError: SELECTORS.codeError },
    timeout,
  );
  if (outcome === 'sent') return { status: 'code_sent' };
  return { status: 'failed', message: await text(page, outcome === 'failed' ? SELECTORS.error : SELECTORS.codeError) };
}

/** Submits the SMS code (phone login or email confirmation); a wrong code leaves the page ready for another try. */
export async function submitSecurityCode(page: Page, code: string, options: LoginOptions): Promise<LoginResult> {
  const timeout = options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  await page.fill(SELECTORS.securityCode, code, { timeout });
  await page.click(SELECTORS.submit, { timeout });
  const outcome = await firstVisible(
    page,
    { ok: SELECTORS.loggedIn, codeError: SELECTORS.codeError, failed: SELECTORS.error },
    timeout,
  );
  if (outcome === 'ok') return finish(page, options);
  return { status: 'failed', message: await text(page, outcome === 'failed' ? SELECTORS.error : SELECTORS.codeError) };
}

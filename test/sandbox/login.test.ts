import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkSession,
  fetchMerchant,
  launchBrowser,
  loginWithPassword,
  newLoginPage,
  startPhoneLogin,
  submitSecurityCode,
  type LoginResult,
} from '../../src/kaspi';
import { loadConfig } from '../../src/lib/config';
import { MFA_OWNER, OUR_UID, OWNER, useContractSandbox } from '../support/sandbox';

const sandbox = useContractSandbox();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser({
    chromiumPath: loadConfig({ CHROMIUM_PATH: process.env.CHROMIUM_PATH }).browser.chromiumPath,
  });
});
afterAll(async () => {
  await browser?.close();
});

const options = () => ({ urls: sandbox.urls, timeoutMs: 15_000 });

/** The latest code the sandbox "sent" to a phone, read through the control API like a test operator would. */
async function smsCode(phone: string): Promise<string> {
  const res = await fetch(`${sandbox.controlUrl}/sms?phone=${encodeURIComponent(phone)}`);
  const { messages } = (await res.json()) as { messages: { code: string }[] };
  expect(messages.length).toBeGreaterThan(0);
  return messages[0]!.code;
}

/** The cookies of a finished login authenticate cabinet calls. */
async function expectWorkingSession(result: LoginResult) {
  expect(result.status).toBe('ok');
  const { cookies } = result as Extract<LoginResult, { status: 'ok' }>;
  expect(Object.keys(cookies)).toEqual(expect.arrayContaining(['mc-session', 'mc-sid']));
  const session = { cookies };
  expect(await checkSession({ urls: sandbox.urls, session })).toEqual({ merchantUids: [OUR_UID] });
  expect((await fetchMerchant({ urls: sandbox.urls, session }, OUR_UID)).name).toBe('Наш Магазин');
}

describe('cabinet login in Chromium', () => {
  it('email and password: lands on the cabinet with session cookies that work', async () => {
    const login = await newLoginPage(browser);
    try {
      const result = await loginWithPassword(login.page, OWNER, options());
      await expectWorkingSession(result);
      expect(await login.page.textContent('nav.navbar')).toContain(`ID - ${OUR_UID}`);
    } finally {
      await login.close();
    }
  });

  it('a wrong password fails with Kaspi’s own message', async () => {
    const login = await newLoginPage(browser);
    try {
      const result = await loginWithPassword(login.page, { email: OWNER.email, password: 'wrong' }, options());
      expect(result).toEqual({ status: 'failed', message: 'Неверный логин или пароль' });
    } finally {
      await login.close();
    }
  });

  it('an account with SMS confirmation asks for the code, then logs in with it', async () => {
    const login = await newLoginPage(browser);
    try {
      expect(await loginWithPassword(login.page, MFA_OWNER, options())).toEqual({ status: 'sms_required' });
      await expectWorkingSession(await submitSecurityCode(login.page, await smsCode(MFA_OWNER.phone), options()));
    } finally {
      await login.close();
    }
  });

  it('phone and SMS: a wrong code shows Kaspi’s error and the right one logs in', async () => {
    const login = await newLoginPage(browser);
    try {
      expect(await startPhoneLogin(login.page, '8 701 111 22 33', options())).toEqual({ status: 'code_sent' });
      const code = await smsCode(OWNER.phone);
      const wrong = code === '000000' ? '111111' : '000000';
      expect(await submitSecurityCode(login.page, wrong, options())).toEqual({
        status: 'failed',
        message: 'Неверный код',
      });
      await expectWorkingSession(await submitSecurityCode(login.page, code, options()));
    } finally {
      await login.close();
    }
  });

  it('an unknown phone number fails with Kaspi’s message', async () => {
    const login = await newLoginPage(browser);
    try {
      expect(await startPhoneLogin(login.page, '+7 705 000 00 00', options())).toEqual({
        status: 'failed',
        message: 'Пользователь с таким номером не найден',
      });
    } finally {
      await login.close();
    }
  });
});

describe('the login browser', () => {
  it('looks like a desktop Chrome: a desktop window, no HeadlessChrome, no automation flag', async () => {
    const login = await newLoginPage(browser);
    try {
      let userAgentSent = '';
      login.page.on('request', (request) => {
        userAgentSent ||= request.headers()['user-agent'] ?? '';
      });
      await login.page.goto(`${sandbox.urls.idmcUrl}/login`);
      const seen = (await login.page.evaluate(
        '({ webdriver: navigator.webdriver, userAgent: navigator.userAgent, width: window.innerWidth, height: window.innerHeight })',
      )) as { webdriver: boolean; userAgent: string; width: number; height: number };
      const major = browser.version().split('.')[0];
      expect(seen).toEqual({
        webdriver: false,
        userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
        width: 1920,
        height: 1080,
      });
      expect(userAgentSent).toBe(seen.userAgent);
    } finally {
      await login.close();
    }
  });
});

import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { expect } from 'vitest';
import { CHROMIUM_ARGS } from '../../src/kaspi/login';
import type { TestContext } from './env';
import { suiteResource } from './suite-resource';

/** The web cabinet in Debian's Chromium: the screen sizes, the checks every screen passes, and photographs. */
export const DESKTOP = { width: 1366, height: 900 };
export const PHONE_SCREEN = { width: 375, height: 812 };
export const SHOTS = path.resolve(__dirname, '../output/screenshots');

export async function launchCabinetBrowser(chromiumPath: string): Promise<Browser> {
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A merchant's browser in Almaty, on a laptop or on a phone. It asks for reduced motion, so a notification
 * that arrives while axe measures is painted at full colour rather than half faded in.
 */
export function cabinetContext(browser: Browser, device: 'desktop' | 'phone'): Promise<BrowserContext> {
  const common = {
    locale: 'ru-RU',
    timezoneId: 'Asia/Almaty',
    acceptDownloads: true,
    reducedMotion: 'reduce',
  } as const;
  return device === 'desktop'
    ? browser.newContext({ ...common, viewport: DESKTOP })
    : browser.newContext({ ...common, viewport: PHONE_SCREEN, isMobile: true, hasTouch: true });
}

/** Serious and critical axe findings (WCAG 2.1 A and AA) fail the test, named by screen. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  await settleAnimations(page);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map(
      (v) =>
        `${screen}: ${v.id} — ${v.help} (${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')})`,
    ),
  ).toEqual([]);
}

/**
 * Waits for finite CSS animations and transitions (a notification fading in) to end: axe measures colours
 * as painted, and a half-faded toast reads as low contrast. Endless ones (loaders) are left running.
 */
async function settleAnimations(page: Page): Promise<void> {
  await page.evaluate(`Promise.all(
    document.getAnimations()
      .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity))
      .map((a) => a.finished.catch(() => undefined)),
  )`);
}

/** A whole-page photograph, taken from the top so the fixed header stands where a visitor sees it. */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Collects script errors and content-security refusals, for a final "nothing broke" check. */
export function watchForProblems(page: Page, label: string, problems: string[]): void {
  page.on('pageerror', (e) => problems.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text()))
      problems.push(`${label}: ${m.text()}`);
  });
}

/** Nothing wider than the screen: no sideways scrolling on a phone. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
    page.viewportSize()!.width,
  );
}

/** Signs in on the sign-in page and waits for the page it was sent on to (`next`). */
export async function signInThroughPage(
  page: Page,
  baseUrl: string,
  credentials: { email: string; password: string },
  next = '/',
) {
  await page.goto(`${baseUrl}/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Пароль', { exact: false }).first().fill(credentials.password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.waitForURL((u) => u.pathname === next);
}

export interface CabinetBrowser {
  browser: Browser;
  /** A laptop's page, for the suite's main walk through the cabinet. */
  page: Page;
  /** What broke on any page watched (see `watchForProblems`); a suite ends by expecting none. */
  problems: string[];
}

/** Chromium for the suite with a laptop page open in it, closed after the suite. */
export function useCabinetBrowser(ctx: TestContext): CabinetBrowser {
  return suiteResource(
    'the cabinet browser',
    async () => {
      const browser = await launchCabinetBrowser(ctx.config.browser.chromiumPath);
      const page = await (await cabinetContext(browser, 'desktop')).newPage();
      const problems: string[] = [];
      watchForProblems(page, 'laptop', problems);
      return { browser, page, problems };
    },
    ({ browser }) => browser.close(),
  );
}

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import { launchBrowser, newLoginPage } from '../kaspi';
import type { Logger } from '../lib/logger';

/** One login's page in its own browser context. */
export interface LoginPage {
  page: Page;
  /** Closes the context (cookies, storage and all); safe to call twice. */
  close(): Promise<void>;
  /** Saves what the page shows now for an operator and logs where; undefined when that failed. */
  screenshot(label: string): Promise<string | undefined>;
}

/**
 * The worker's Chromium: launched on the first login, shared by every login of this process (each in
 * its own context), launched again if it crashed, closed when the worker stops.
 */
export interface LoginBrowser {
  openPage(): Promise<LoginPage>;
  close(): Promise<void>;
}

export interface LoginBrowserOptions {
  chromiumPath: string;
  screenshotDir: string;
  logger: Logger;
}

export function createLoginBrowser(options: LoginBrowserOptions): LoginBrowser {
  let running: Promise<Browser> | undefined;

  function browser(): Promise<Browser> {
    if (!running) {
      const launching = launchBrowser({ chromiumPath: options.chromiumPath }).then(
        (launched) => {
          launched.on('disconnected', () => {
            if (running === launching) running = undefined;
          });
          return launched;
        },
        (error: unknown) => {
          running = undefined;
          throw error;
        },
      );
      running = launching;
    }
    return running;
  }

  async function screenshot(page: Page, label: string): Promise<string | undefined> {
    const file = path.join(options.screenshotDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${label}.png`);
    try {
      await fs.mkdir(options.screenshotDir, { recursive: true });
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
      options.logger.warn({ screenshot: path.resolve(file), label }, 'cabinet login failed; screenshot kept');
      return file;
    } catch (error) {
      options.logger.warn({ label, reason: (error as Error).message.split('\n')[0] }, 'cabinet login failed; no screenshot');
      return undefined;
    }
  }

  return {
    async openPage() {
      const login = await newLoginPage(await browser());
      let closed = false;
      return {
        page: login.page,
        async close() {
          if (closed) return;
          closed = true;
          await login.close().catch(() => undefined);
        },
        screenshot: (label) => screenshot(login.page, label),
      };
    },
    async close() {
      const current = running;
      running = undefined;
      if (current) await (await current.catch(() => undefined))?.close();
    },
  };
}

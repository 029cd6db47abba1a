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
  /** Screenshots older than this are deleted (they show an email or a phone). */
  screenshotRetentionHours?: number;
  logger: Logger;
}

const DEFAULT_SCREENSHOT_RETENTION_HOURS = 72;

/** Deletes the login screenshots in `dir` older than `maxAgeMs`; answers how many. */
export async function pruneScreenshots(dir: string, maxAgeMs: number, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names.filter((n) => n.endsWith('.png'))) {
    const file = path.join(dir, name);
    try {
      if (now - (await fs.stat(file)).mtimeMs > maxAgeMs) {
        await fs.rm(file, { force: true });
        removed++;
      }
    } catch {
      // Gone meanwhile (another worker pruning the same folder).
    }
  }
  return removed;
}

export function createLoginBrowser(options: LoginBrowserOptions): LoginBrowser {
  let running: Promise<Browser> | undefined;
  const retentionMs = (options.screenshotRetentionHours ?? DEFAULT_SCREENSHOT_RETENTION_HOURS) * 3_600_000;
  const prune = () =>
    pruneScreenshots(options.screenshotDir, retentionMs).then(
      (removed) => removed > 0 && options.logger.info({ removed }, 'old login screenshots deleted'),
      () => undefined,
    );
  void prune();

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
      await fs.mkdir(options.screenshotDir, { recursive: true, mode: 0o700 });
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
      // It may show the merchant's email or phone: for this user only, and only for the retention period.
      await fs.chmod(file, 0o600);
      options.logger.warn({ screenshot: path.resolve(file), label }, 'cabinet login failed; screenshot kept');
      void prune();
      return file;
    } catch (error) {
      options.logger.warn(
        { label, reason: (error as Error).message.split('\n')[0] },
        'cabinet login failed; no screenshot',
      );
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

import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { and, eq } from 'drizzle-orm';
import { chromium, type Page } from 'playwright';
import { priceChanges, products, users } from '../src/db/schema';
import { CHROMIUM_ARGS } from '../src/kaspi/login';
import { startSandbox } from '../src/sandbox';
import { WEB_DIST } from '../src/stack/web-build';
import { percentile } from './lib/metrics';
import { options, table, writeResults } from './lib/report';
import { startOurSystem } from './lib/system';
import { contenderSetup } from './lib/twins';

/**
 * `npm run bench:web`: the web cabinet as a merchant meets it, in Debian's Chromium against the
 * system as `npm start` runs it. A store of `--products` products (synced from the Kaspi sandbox,
 * switched on, its demper running) is opened again and again: how soon the products screen shows
 * its first rows after navigation, how soon a filter answers, how much JavaScript the first page
 * loads, and how soon a decision recorded in PostgreSQL shows on the open page.
 */
const opts = options({ products: '2000', runs: '7', decisions: '20', seed: '5' });
const TARGETS = { firstRowsMs: 1_000, filterMs: 300, initialJsKb: 350, decisionMs: 1_000 };
const PASSWORD = 'bench password 123';
/** Quick filters, one per visit, each asked of the server for the first time in that document. */
const FILTER_CHIPS = ['Включённые', 'Не первые', 'Ценовая война', 'На минимуме', 'Без минимума', 'С ошибками'];

/** The JavaScript the first page loads: its entry script and the modules it preloads (screens come later, on demand). */
function initialJavaScript(): { files: string[]; gzipBytes: number } {
  const html = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const gzipBytes = files.reduce((sum, f) => sum + gzipSync(fs.readFileSync(path.join(WEB_DIST, f))).length, 0);
  return { files, gzipBytes };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50)!, p95: percentile(sorted, 95)!, max: sorted[sorted.length - 1]! };
};
const ms = (x: number) => `${Math.round(x)} ms`;

async function main() {
  const productCount = Number(opts.products);
  console.log(`bench:web — the cabinet with ${productCount} products, ${opts.runs} visits, ${opts.decisions} decisions`);
  const sandbox = await startSandbox({
    seed: Number(opts.seed),
    profile: 'unlimited',
    generate: { products: productCount, rivalsPerProduct: [1, 3], botIntervalMs: 60_000, seed: Number(opts.seed) },
  });
  console.log('starting our system (Temporal, PostgreSQL, worker, API; the cabinet is built if its sources changed)...');
  const system = await startOurSystem(sandbox.urls);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const setup = contenderSetup(sandbox, sandbox.generated!, { floorFraction: 0.9, ceilingFraction: 1.15 });
    console.log(`  importing ${productCount} products through the cabinet's offer list...`);
    const store = await system.addStore(setup, { proxies: [] });
    await system.startLoops([store]);
    const [user] = await system.db.select({ email: users.email }).from(users).where(eq(users.id, store.userId));

    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ru-RU', timezoneId: 'Asia/Almaty' });
    const page = await context.newPage();
    await page.goto(`${system.stack.apiUrl}/signin`);
    await page.getByLabel('Email').fill(user!.email);
    await page.getByLabel('Пароль').fill(PASSWORD);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL((u) => u.pathname === '/');

    const productsUrl = `${system.stack.apiUrl}/stores/${store.storeId}/products`;
    const firstRows: number[] = [];
    const filters: number[] = [];
    for (let run = 0; run < Number(opts.runs); run++) {
      // A fresh document each time: the whole app starts, as after a link or a reload.
      await page.goto('about:blank');
      firstRows.push(await timed(() => page.goto(productsUrl).then(() => page.locator('tr[data-product-id]').first().waitFor())));
      filters.push(await filterTime(page, FILTER_CHIPS[run % FILTER_CHIPS.length]!));
    }

    const activity = `${system.stack.apiUrl}/stores/${store.storeId}/activity`;
    await page.goto(activity);
    await page.getByText('В эфире').waitFor();
    const [product] = await system.db.select().from(products).where(and(eq(products.storeId, store.storeId), eq(products.active, true))).limit(1);
    const decisions: number[] = [];
    for (let n = 0; n < Number(opts.decisions); n++) {
      decisions.push(
        await timed(async () => {
          const [row] = await system.db
            .insert(priceChanges)
            .values({
              storeId: store.storeId,
              productId: product!.id,
              cycle: 1_000_000 + n,
              oldPrice: product!.price,
              newPrice: (product!.price ?? 10_000) - n - 1,
              reason: 'undercut',
              status: 'proposed',
              detail: { cityPrices: [], changes: [] },
            })
            .returning();
          await page.locator(`[data-decision-id="${row!.id}"]`).waitFor();
        }),
      );
    }

    const js = initialJavaScript();
    const results = {
      products: productCount,
      firstRowsMs: summary(firstRows),
      filterMs: summary(filters),
      initialJs: { files: js.files, gzipKb: js.gzipBytes / 1024 },
      decisionToPageMs: summary(decisions),
      targets: TARGETS,
    };
    console.log();
    console.log(
      table([
        ['measure', 'p50', 'p95', 'max', 'target'],
        ['products screen: first rows after navigation', ms(results.firstRowsMs.p50), ms(results.firstRowsMs.p95), ms(results.firstRowsMs.max), `≤ ${TARGETS.firstRowsMs} ms`],
        ['products screen: a filter answered', ms(results.filterMs.p50), ms(results.filterMs.p95), ms(results.filterMs.max), `≤ ${TARGETS.filterMs} ms`],
        ['a decision recorded → on the open page', ms(results.decisionToPageMs.p50), ms(results.decisionToPageMs.p95), ms(results.decisionToPageMs.max), `≤ ${TARGETS.decisionMs} ms`],
        ['initial JavaScript (gzip)', `${results.initialJs.gzipKb.toFixed(0)} KB`, '', '', `≤ ${TARGETS.initialJsKb} KB`],
      ]),
    );
    console.log(`\nwrote ${writeResults('web', results)}`);
    await context.close();
  } finally {
    await browser.close();
    await system.stop();
    await sandbox.stop();
  }
}

/** From the click on a quick filter until the table shows the filtered rows (the count in the URL's answer). */
async function filterTime(page: Page, chip: string): Promise<number> {
  return timed(async () => {
    const answered = page.waitForResponse((r) => r.url().includes('/products?') && r.status() === 200);
    await page.getByText(chip, { exact: false }).first().click();
    const body = (await (await answered).json()) as { items: { id: string }[] };
    const first = body.items[0]?.id;
    if (first) await page.locator(`tr[data-product-id="${first}"]`).first().waitFor();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

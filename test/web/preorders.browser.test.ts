import ExcelJS from 'exceljs';
import type { Page } from 'playwright';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALMATY, ASTANA } from '../../src/kaspi/cities';
import {
  cabinetContext,
  expectAccessible,
  expectNoSidewaysScroll,
  shoot,
  signInThroughPage,
  useCabinetBrowser,
  watchForProblems,
} from '../support/cabinet-browser';
import { giveLiveSession, startLoop } from '../support/demper';
import { testConfig, useTestApi, useTestContext, useTestWorker } from '../support/env';
import { registerMerchant, type Merchant } from '../support/http';
import { messagingEnv } from '../support/orders';
import { useSandbox } from '../support/sandbox';
import { seedProduct, seedStore } from '../support/seed';
import { waitFor } from '../support/wait';

const OURS = '34100001';
const PHONE = { sku: 'PRE-PHONE-1', productId: '931000001', name: 'Смартфон X2' };
const WATCH = { sku: 'PRE-WATCH-1', productId: '931000002', name: 'Часы W1' };

/**
 * The preorders screen in Chromium against the real stack and the strict Kaspi sandbox: a preorder
 * made (a bad field answered at the field first), changed, uploaded to Kaspi and followed until the
 * sandbox shows it, exported in Kaspi's Excel layout, and deleted, which takes it off at Kaspi too.
 * Checked with axe and photographed on a laptop and a 375 px phone.
 */
describe('the preorders screen in a browser', () => {
  const sandbox = useSandbox({
    market: {
      merchants: [
        {
          uid: OURS,
          name: 'Магазин Предзаказов',
          points: [
            { code: 'PP1', cityId: ALMATY },
            { code: 'PP2', cityId: ASTANA },
          ],
        },
      ],
      offers: [
        { merchantUid: OURS, sku: PHONE.sku, productId: PHONE.productId, price: 250_000 },
        { merchantUid: OURS, sku: WATCH.sku, productId: WATCH.productId, price: 90_000 },
      ],
    },
  });
  const ctx = useTestContext(() => testConfig({ ...messagingEnv(sandbox), PREORDER_CHECK_INTERVAL_SECONDS: '0.3' }));
  useTestWorker(ctx);
  const api = useTestApi(ctx);
  const cabinet = useCabinetBrowser(ctx);
  let merchant: Merchant;
  let storeId = '';
  const offer = (sku: string) => sandbox.market.offer(OURS, sku)!;
  const row = (sku: string) => cabinet.page.getByRole('row').filter({ hasText: sku });

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'preorders-screen');
    const store = await seedStore(ctx.db, merchant.id, {
      merchantUid: OURS,
      name: 'Магазин Предзаказов',
      points: [
        { code: 'PP1', cityId: ALMATY, name: 'Алматы, Абая 10', enabled: true },
        { code: 'PP2', cityId: ASTANA, name: 'Астана, Кенесары 4', enabled: true },
      ],
    });
    storeId = store.id;
    await giveLiveSession(ctx, sandbox, storeId, OURS);
    await seedProduct(ctx.db, storeId, {
      kaspiProductId: PHONE.productId,
      sku: PHONE.sku,
      name: PHONE.name,
      brand: 'Test',
      price: 250_000,
    });
    await seedProduct(ctx.db, storeId, {
      kaspiProductId: WATCH.productId,
      sku: WATCH.sku,
      name: WATCH.name,
      brand: null,
      price: 90_000,
    });
    // The store's loop is what pushes preorders to Kaspi.
    await startLoop(ctx, { id: storeId, userId: merchant.id });
    await signInThroughPage(cabinet.page, api.url, merchant, `/stores/${storeId}/preorders`);
  });

  /** Opens "new preorder" and picks the product by its SKU. */
  async function startNew(page: Page, sku: string) {
    await page.getByRole('button', { name: 'Новый предзаказ' }).click();
    const dialog = page.getByRole('dialog', { name: 'Новый предзаказ' });
    await dialog.waitFor();
    await dialog.getByRole('combobox', { name: 'Товар' }).fill(sku);
    await page.getByRole('option', { name: new RegExp(`^${sku} · `) }).click();
    return dialog;
  }

  it('makes a preorder, showing a bad field’s error at that field first', async () => {
    const page = cabinet.page;
    await page.getByRole('heading', { name: 'Предзаказы', exact: true }).waitFor();
    await page.getByText('Предзаказов пока нет').waitFor();
    await page.getByText('Предзаказы ещё не выгружались в Kaspi.').waitFor();

    const dialog = await startNew(page, PHONE.sku);
    const days = dialog.getByRole('textbox', { name: 'Дней до поставки' });
    await days.fill('45');
    await dialog.getByRole('textbox', { name: 'PP1 · Алматы, Абая 10' }).fill('10');
    await dialog.getByRole('textbox', { name: 'PP2 · Астана, Кенесары 4' }).fill('5');
    await dialog.getByRole('button', { name: 'Создать' }).click();
    await dialog.getByText('Не больше 30').waitFor();
    expect(await days.getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'preorders: form with an error');
    await shoot(page, 'preorders-form-desktop');
    await days.fill('14');
    await dialog.getByRole('button', { name: 'Создать' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(PHONE.sku).getByText('не выгружен').waitFor();
    expect(await row(PHONE.sku).textContent()).toContain('PP1: 10 · PP2: 5');

    // A product goes on preorder once: asked again, the product field says so.
    const again = await startNew(page, PHONE.sku);
    await again.getByRole('textbox', { name: 'PP1 · Алматы, Абая 10' }).fill('1');
    await again.getByRole('button', { name: 'Создать' }).click();
    await again.getByText('Этот товар уже на предзаказе').waitFor();
    await again.getByRole('button', { name: 'Отмена' }).click();
    await again.waitFor({ state: 'detached' });

    // The watch has no brand, and Kaspi's price list needs one: the API says so at the brand.
    const second = await startNew(page, WATCH.sku);
    await second.getByRole('textbox', { name: 'PP2 · Астана, Кенесары 4' }).fill('3');
    await second.getByRole('button', { name: 'Создать' }).click();
    await second.getByText('У товара нет бренда, а Kaspi без него не примет предзаказ').waitFor();
    expect(await second.getByRole('textbox', { name: 'Бренд' }).getAttribute('aria-invalid')).toBe('true');
    await second.getByRole('textbox', { name: 'Бренд' }).fill('Watchy');
    await second.getByRole('textbox', { name: 'Цена' }).fill('89990');
    await second.getByRole('button', { name: 'Создать' }).click();
    await second.waitFor({ state: 'detached' });
    await row(WATCH.sku).waitFor();
    expect((await row(WATCH.sku).textContent())!.replace(/\s/g, ' ')).toContain('89 990 ₸');
  });

  it('changes a preorder’s days', async () => {
    const page = cabinet.page;
    await page.getByRole('button', { name: `Изменить предзаказ ${PHONE.sku}` }).click();
    const dialog = page.getByRole('dialog', { name: `Предзаказ ${PHONE.sku}` });
    const days = dialog.getByRole('textbox', { name: 'Дней до поставки' });
    expect(await days.inputValue()).toBe('14');
    await days.fill('10');
    await dialog.getByRole('button', { name: 'Сохранить' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await row(PHONE.sku).getByRole('cell').nth(3).textContent())?.trim()).toBe('10');
  });

  it('uploads the preorders to Kaspi and follows them until Kaspi shows them', async () => {
    const page = cabinet.page;
    await page.getByRole('button', { name: 'Выгрузить в Kaspi' }).click();
    await page.getByText('Выгрузка началась: 2 предзаказа').waitFor();
    await page.getByText(/^Идёт выгрузка, начата/).waitFor();
    for (const sku of [PHONE.sku, WATCH.sku])
      await row(sku).getByText('активен', { exact: true }).waitFor({ timeout: 90_000 });
    await expect
      .poll(() => page.getByTestId('upload-progress').textContent(), { timeout: 30_000 })
      .toContain('Активны: 2 из 2');
    await page.getByText(/Последняя выгрузка .* · отправлено 2 предзаказа/).waitFor({ timeout: 30_000 });
    // Kaspi shows each with its days: the phone's changed ones, the watch's as made.
    expect([offer(PHONE.sku).preorderDays, offer(WATCH.sku).preorderDays]).toEqual([10, 14]);
    // The photograph is of the screen, not of the notifications over it (hovering one keeps it open).
    await page.mouse.move(0, 0);
    await expect.poll(() => page.locator('.mantine-Notification-root').count(), { timeout: 15_000 }).toBe(0);
    await expectAccessible(page, 'preorders');
    await shoot(page, 'preorders-desktop');
  });

  it('exports the preorders in Kaspi’s Excel layout', async () => {
    const [download] = await Promise.all([
      cabinet.page.waitForEvent('download'),
      cabinet.page.getByRole('link', { name: 'Скачать Excel' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`preorders-${OURS}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    // Empty cells are holes in exceljs's rows: read as ''.
    const rows = (workbook.worksheets[0]!.getSheetValues().filter(Boolean) as unknown[][]).map((r) =>
      Array.from(r.slice(1), (v) => (v === undefined || v === null ? '' : String(v))),
    );
    expect(rows).toEqual([
      ['SKU', 'model', 'brand', 'price', 'PP1', 'PP2', 'PP3', 'PP4', 'PP5', 'preorder'],
      [PHONE.sku, PHONE.name, 'Test', '250000', '10', '5', '', '', '', '10'],
      [WATCH.sku, WATCH.name, 'Watchy', '89990', '', '3', '', '', '', '14'],
    ]);
  });

  it('works on a 375 px phone', async () => {
    const phone = await cabinetContext(cabinet.browser, 'phone');
    const p = await phone.newPage();
    watchForProblems(p, 'phone', cabinet.problems);
    await signInThroughPage(p, api.url, merchant, `/stores/${storeId}/preorders`);
    await p.locator('li').filter({ hasText: PHONE.sku }).getByText('активен', { exact: true }).waitFor();
    expect(await p.locator('table').count()).toBe(0);
    await expectNoSidewaysScroll(p);
    await expectAccessible(p, 'preorders (phone)');
    await shoot(p, 'preorders-phone');
    await p.getByRole('button', { name: `Изменить предзаказ ${WATCH.sku}` }).click();
    await p.getByRole('dialog', { name: `Предзаказ ${WATCH.sku}` }).waitFor();
    await expectNoSidewaysScroll(p);
    await expectAccessible(p, 'preorder form (phone)');
    await shoot(p, 'preorders-form-phone');
    await phone.close();
  });

  it('deletes a preorder, which takes it off at Kaspi too', async () => {
    const page = cabinet.page;
    await page.getByRole('button', { name: `Удалить предзаказ ${WATCH.sku}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Удалить предзаказ?' });
    await dialog.getByText('в Kaspi предзаказ будет снят').waitFor();
    await dialog.getByRole('button', { name: 'Удалить' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(WATCH.sku).waitFor({ state: 'detached' });
    expect(await row(PHONE.sku).count()).toBe(1);
    await waitFor('Kaspi to take it off preorder', () => offer(WATCH.sku).preorderDays === 0);
    expect(offer(PHONE.sku).preorderDays).toBe(10);
  });

  it('broke no page and no content security rule on the way', () => {
    expect(cabinet.problems).toEqual([]);
  });
});

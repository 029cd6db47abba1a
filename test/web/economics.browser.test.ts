import type { Page } from 'playwright';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cabinetContext,
  expectAccessible,
  expectNoSidewaysScroll,
  shoot,
  signInThroughPage,
  useCabinetBrowser,
  watchForProblems,
} from '../support/cabinet-browser';
import { ALMATY } from '../../src/kaspi/cities';
import { kaspiEnv } from '../support/connect';
import { testConfig, useTestApi, useTestContext } from '../support/env';
import { registerMerchant, type Merchant } from '../support/http';
import { useSandbox } from '../support/sandbox';
import { seedProduct, seedStore } from '../support/seed';

const OURS = '35000001';
const RIVAL = '35100001';
const KETTLE = { sku: 'E-1', productId: '960100001', model: 'Чайник Tefal KI 150', price: 10_000 };

/** The text of an element with the non-breaking spaces of money and percentages as plain ones. */
const textOf = async (locator: { textContent(): Promise<string | null> }) =>
  ((await locator.textContent()) ?? '').replace(/\s/g, ' ');

/** Settled when no loader spins (the live screens keep a stream open, so the network is never idle). */
const settled = (page: Page) => expect.poll(() => page.locator('.mantine-Loader-root').count()).toBe(0);

const digits = async (page: Page, label: string) => (await page.getByLabel(label).inputValue()).replace(/\D/g, '');

/**
 * Unit economics in Chromium against the real API: a product's cost, Kaspi's commission, delivery and
 * tax saved with its settings, the profit of one unit at its price, the floor set from a margin, and
 * the products list's "floor from margin" refused at its field for a product without a cost. Checked
 * with axe and photographed on a laptop and a 375 px phone.
 */
describe('unit economics in a browser', () => {
  const sandbox = useSandbox({
    market: {
      merchants: [
        { uid: OURS, name: 'Магазин Экономики', points: [{ code: 'PP1', cityId: ALMATY }], rating: 4.9 },
        { uid: RIVAL, name: 'Быстрый Продавец', points: [{ code: 'PP1', cityId: ALMATY }], rating: 4.5 },
      ],
      offers: [
        { merchantUid: OURS, ...KETTLE },
        { merchantUid: RIVAL, sku: 'R-E-1', productId: KETTLE.productId, model: KETTLE.model, price: 10_300 },
      ],
    },
  });
  const ctx = useTestContext(() => testConfig(kaspiEnv(sandbox)));
  const api = useTestApi(ctx);
  const cabinet = useCabinetBrowser(ctx);
  let merchant: Merchant;
  let storeId = '';
  let kettleId = '';

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'economics');
    storeId = (await seedStore(ctx.db, merchant.id, { merchantUid: OURS, name: 'Магазин Экономики' })).id;
    const kettle = await seedProduct(ctx.db, storeId, {
      sku: KETTLE.sku,
      kaspiProductId: KETTLE.productId,
      name: KETTLE.model,
      price: KETTLE.price,
      maxPrice: 12_000,
    });
    kettleId = kettle.id;
    await seedProduct(ctx.db, storeId, { name: 'Пылесос Xiaomi G10', price: 15_000 });
    await signInThroughPage(cabinet.page, api.url, merchant, `/products/${kettleId}`);
  });

  it('shows the profit of a unit from the cost, commission, delivery and tax saved with the settings', async () => {
    const page = cabinet.page;
    await page.getByRole('heading', { name: 'Чайник Tefal KI 150' }).waitFor();
    await page.getByText('Прибыль считается от себестоимости').waitFor();

    await page.getByRole('button', { name: 'Юнит-экономика' }).click();
    await page.getByLabel('Себестоимость', { exact: true }).fill('6000');
    await page.getByRole('button', { name: '13,5 % украшения' }).click();
    expect(await page.getByLabel('Комиссия Kaspi').inputValue()).toBe('13,5 %');
    await page.getByRole('button', { name: '10,9 % обычная' }).click();
    expect(await page.getByLabel('Комиссия Kaspi').inputValue()).toBe('10,9 %');
    await page.getByLabel('Доставка за единицу').fill('500');
    await page.getByLabel('Налог', { exact: true }).fill('4');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.getByText('Сохранено').first().waitFor();

    const table = page.getByRole('table', { name: 'Прибыль с единицы' });
    await expect.poll(() => textOf(page.getByTestId('profit-atPrice'))).toBe('2 010');
    expect(await textOf(page.getByTestId('margin-atPrice'))).toBe('20,1 %');
    expect(await textOf(table.getByRole('row', { name: /Комиссия \(10,9 %\)/ }))).toContain('−1 090');
    // Without a minimum price or a margin the floor is the cost itself, where a sale loses.
    expect(await textOf(page.getByTestId('profit-atFloor'))).toBe('−1 394');
    expect(await textOf(page.getByTestId('margin-atFloor'))).toBe('−23,23 %');
    expect(await textOf(page.getByTestId('profit-atCeiling'))).toBe('3 712');
    await settled(page);
    await expectAccessible(page, 'product economics');
  });

  it('sets the floor from a margin, and the new floor shows', async () => {
    const page = cabinet.page;
    await page.getByLabel('Пол от маржи').fill('10');
    await page.getByRole('button', { name: 'Задать минимум' }).click();
    await page.getByText('Минимальная цена: 8 656 ₸').waitFor();
    await expect.poll(() => digits(page, 'Минимальная цена')).toBe('8656');
    await page.getByText('Быстрый Продавец').first().waitFor();
    const floorColumn = page.getByRole('table', { name: 'Прибыль с единицы' }).getByRole('row', { name: /^Цена/ });
    expect(await textOf(floorColumn)).toContain('8 656');
    expect(await textOf(page.getByTestId('margin-atFloor'))).toBe('10,01 %');
    await page.getByRole('button', { name: 'Юнит-экономика' }).scrollIntoViewIfNeeded();
    await settled(page);
    await expectAccessible(page, 'product floor from margin');
    await shoot(page, 'economics-product-desktop');
  });

  it('refuses the floor from a margin for a product without a cost, at the field in the bulk bar', async () => {
    const page = cabinet.page;
    await page.goto(`${api.url}/stores/${storeId}/products`);
    await page.getByLabel('Выбрать «Чайник Tefal KI 150»').first().check();
    await page.getByLabel('Выбрать «Пылесос Xiaomi G10»').first().check();
    await page.getByRole('button', { name: 'Изменить настройки' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Пол от маржи').fill('10');
    await dialog.getByRole('button', { name: 'Применить' }).click();
    await dialog.getByText('Нет себестоимости у «Пылесос Xiaomi G10»: без неё пол от маржи не посчитать').waitFor();
    expect(await dialog.getByLabel('Пол от маржи').getAttribute('aria-invalid')).toBe('true');
    await settled(page);
    await expectAccessible(page, 'bulk floor from margin');
    await shoot(page, 'economics-bulk-desktop');
    await dialog.getByRole('button', { name: 'Отмена' }).click();
  });

  it('works on a 375 px phone', async () => {
    const phone = await cabinetContext(cabinet.browser, 'phone');
    const p = await phone.newPage();
    watchForProblems(p, 'phone', cabinet.problems);
    await signInThroughPage(p, api.url, merchant, `/products/${kettleId}`);
    await p.getByRole('table', { name: 'Прибыль с единицы' }).waitFor();
    await p.getByRole('button', { name: 'Юнит-экономика' }).click();
    await p.getByLabel('Комиссия Kaspi').waitFor();
    await expectNoSidewaysScroll(p);
    await settled(p);
    await expectAccessible(p, 'product economics (phone)');
    await shoot(p, 'economics-product-phone');
    await phone.close();
  });

  it('broke no page and no content security rule on the way', () => {
    expect(cabinet.problems).toEqual([]);
  });
});

import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxies, users } from '../../src/db/schema';
import { subscriptionWorkflowId } from '../../src/workflows/messages';
import {
  cabinetContext,
  expectAccessible,
  expectNoSidewaysScroll,
  shoot,
  signInThroughPage,
  useCabinetBrowser,
  watchForProblems,
} from '../support/cabinet-browser';
import { useTestApi, useTestContext, useTestWorker } from '../support/env';
import { registerMerchant, type Merchant } from '../support/http';
import { holdFreePoolForSuite } from '../support/proxies';
import { seedProduct, seedStore } from '../support/seed';

/** The text of an element with no-break spaces as plain ones. */
const textOf = async (locator: { textContent(): Promise<string | null> }) =>
  ((await locator.textContent()) ?? '').replace(/\s/g, ' ');

const poolCount = async (page: Page, key: string) =>
  Number((await textOf(page.getByTestId(`pool-${key}`))).replace(/\D/g, ''));

/**
 * The administrators' screens in Chromium against the real API and worker: users with their stores and
 * products under the demper, proxies imported (a refused line named with its reason) and the pool's
 * counts moving, a plan granted and cancelled, the system's state with a Temporal UI link by StoreId;
 * and a merchant who finds neither the screens nor the way to them.
 */
describe('the admin screens in a browser', () => {
  // Granting a plan takes proxies from the shared free pool, and the import adds to it.
  holdFreePoolForSuite();
  const ctx = useTestContext({ PROXY_ALLOW_PRIVATE_ADDRESSES: 'true' });
  useTestWorker(ctx);
  const api = useTestApi(ctx);
  const cabinet = useCabinetBrowser(ctx);
  let admin: Merchant;
  let merchant: Merchant;
  let storeId: string;
  const hosts = [1, 2].map(() => `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`);

  beforeAll(async () => {
    [admin, merchant] = await Promise.all([registerMerchant(api.url, 'admin'), registerMerchant(api.url, 'shop')]);
    await ctx.db.update(users).set({ role: 'admin' }).where(eq(users.id, admin.id));
    const store = await seedStore(ctx.db, merchant.id, { name: `Магазин ${randomUUID().slice(0, 4)}` });
    storeId = store.id;
    for (const active of [true, true, false]) await seedProduct(ctx.db, store.id, { active });
    await signInThroughPage(cabinet.page, api.url, admin, '/admin/users');
  });

  afterAll(async () => {
    await ctx.temporal.workflow
      .getHandle(subscriptionWorkflowId(merchant.id))
      .terminate('test over')
      .catch(() => undefined);
    await ctx.db.delete(proxies).where(inArray(proxies.host, hosts));
  });

  it('lists users with their plan, stores and products under the demper', async () => {
    const page = cabinet.page;
    await page.getByRole('heading', { name: 'Пользователи' }).waitFor();
    await page.getByLabel('Поиск по email').fill(merchant.email);
    const row = page.getByRole('row').filter({ hasText: merchant.email });
    await row.waitFor();
    expect(await textOf(row)).toContain('под демпером: 2');
    const link = row.getByRole('link', { name: /Процессы магазина .* в Temporal UI/ });
    expect(await link.getAttribute('href')).toContain(`query=${encodeURIComponent(`StoreId="${storeId}"`)}`);
    await expectAccessible(page, 'admin users');
    await shoot(page, 'admin-users-desktop');
  });

  it('imports proxies, names the refused line with its reason, and the pool counts move', async () => {
    const page = cabinet.page;
    await page.getByRole('link', { name: 'Прокси' }).click();
    await page.getByRole('heading', { name: 'Прокси', level: 1 }).waitFor();
    const before = await poolCount(page, 'total');
    await page.getByText('Поставщик не настроен').waitFor();
    await page
      .getByLabel('Прокси, по одной в строке')
      .fill(
        [
          `http://u1:secret1@${hosts[0]}:3128`,
          'http://u9:secret9@198.18.0.9',
          `http://u2:secret2@${hosts[1]}:3128`,
        ].join('\n'),
      );
    await page.getByRole('button', { name: 'Импортировать' }).click();
    await page.getByText('Добавлено: 2, обновлено: 0.').waitFor();
    const refused = page.getByText('Строка 2 (http://u9:***@198.18.0.9): нужен порт (1–65535)');
    await refused.waitFor();
    await expect.poll(() => poolCount(page, 'total')).toBe(before + 2);
    await expectAccessible(page, 'admin proxies');
    await shoot(page, 'admin-proxies-desktop');
  });

  it('grants a plan and cancels it', async () => {
    const page = cabinet.page;
    await page.getByRole('link', { name: 'Подписки' }).click();
    await page.getByRole('heading', { name: 'Подписки', level: 1 }).waitFor();
    // A mistyped email and a missing plan are each told at their field.
    await page.getByLabel('Email пользователя').fill(`nobody-${merchant.email}`);
    await page.getByRole('button', { name: 'Выдать', exact: true }).click();
    await page.getByText('Выберите тариф, который выдать').waitFor();
    await page.getByLabel('Тариф', { exact: true }).selectOption('start');
    await page.getByRole('button', { name: 'Выдать', exact: true }).click();
    await page.getByText('Аккаунта с таким email нет').waitFor();
    await expectAccessible(page, 'admin subscriptions: field errors');
    await page.getByLabel('Email пользователя').fill(merchant.email);
    await page.getByRole('button', { name: 'Выдать', exact: true }).click();
    await page.getByText(new RegExp(`Тариф «Старт» выдан ${merchant.email}`)).waitFor();
    const row = page.getByRole('row').filter({ hasText: merchant.email });
    await row.getByText('действует').waitFor();
    await expectAccessible(page, 'admin subscriptions');
    await shoot(page, 'admin-subscriptions-desktop');

    await row.getByRole('button', { name: `Отменить подписку ${merchant.email}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Отменить подписку?' });
    await expectAccessible(page, 'admin subscriptions: cancel');
    await dialog.getByRole('button', { name: 'Отменить подписку' }).click();
    await row.getByText('отменена').waitFor({ timeout: 30_000 });
  });

  it("shows the system's state with a Temporal UI link by StoreId", async () => {
    const page = cabinet.page;
    await page.getByRole('link', { name: 'Система' }).click();
    await page.getByRole('heading', { name: 'Система' }).waitFor();
    await page.getByText('Воркеры процессов').waitFor();
    expect(await page.getByText('в порядке').count()).toBe(2);
    await page.getByLabel('ID магазина').fill(storeId);
    const link = page.getByRole('link', { name: 'Процессы магазина в Temporal UI' });
    const href = (await link.getAttribute('href'))!;
    expect(href).toContain(`${ctx.config.temporal.uiUrl}/namespaces/default/workflows?query=`);
    expect(new URL(href).searchParams.get('query')).toBe(`StoreId="${storeId}"`);
    await expectAccessible(page, 'admin system');
    await shoot(page, 'admin-system-desktop');
  });

  it('works on a 375 px phone', async () => {
    const phone = await cabinetContext(cabinet.browser, 'phone');
    const p = await phone.newPage();
    watchForProblems(p, 'phone', cabinet.problems);
    await signInThroughPage(p, api.url, admin, '/admin/proxies');
    await p.getByRole('heading', { name: 'Прокси', level: 1 }).waitFor();
    await expectNoSidewaysScroll(p);
    await expectAccessible(p, 'admin proxies (phone)');
    await shoot(p, 'admin-proxies-phone');
    await p.getByRole('link', { name: 'Пользователи' }).click();
    await p.getByRole('heading', { name: 'Пользователи' }).waitFor();
    await p.getByRole('row').nth(1).waitFor();
    await expectNoSidewaysScroll(p);
    await shoot(p, 'admin-users-phone');
    await phone.close();
  });

  it('gives a merchant the not-found page and no way in', async () => {
    const context = await cabinetContext(cabinet.browser, 'desktop');
    const p = await context.newPage();
    watchForProblems(p, 'merchant', cabinet.problems);
    await signInThroughPage(p, api.url, merchant, '/admin/users');
    await p.getByRole('heading', { name: 'Страница не найдена' }).waitFor();
    expect(await p.getByText('Пользователи').count()).toBe(0);
    await p.getByRole('button', { name: 'Аккаунт' }).click();
    await p.getByRole('menuitem', { name: 'Тариф и оплата' }).waitFor();
    expect(await p.getByRole('menuitem', { name: 'Администрирование' }).count()).toBe(0);
    await p.keyboard.press('Escape');
    await expectAccessible(p, 'admin as a merchant');
    await shoot(p, 'admin-merchant-not-found');
    await context.close();
  });

  it('broke no page and no content security rule on the way', () => {
    expect(cabinet.problems).toEqual([]);
  });
});

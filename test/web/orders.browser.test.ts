import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALMATY } from '../../src/kaspi/cities';
import { TELEGRAM_BOT_WORKFLOW_ID } from '../../src/workflows/messages';
import {
  cabinetContext,
  expectAccessible,
  expectNoSidewaysScroll,
  shoot,
  signInThroughPage,
  useCabinetBrowser,
  watchForProblems,
} from '../support/cabinet-browser';
import { testConfig, useTestApi, useTestContext, useTestWorker } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';
import { connectMessengers, messagingEnv, notifyEverything } from '../support/orders';
import { useSandbox } from '../support/sandbox';
import { seedStore } from '../support/seed';

const OURS = '34000001';
const TOKEN = 'orders-screen-shop-api-token';
const HOUR = 3600_000;

/**
 * The orders and sales screens in Chromium against the real stack and the sandbox's Shop API: the
 * orders the poll read, filtered by tab and number; a new order fetched with "check now"; its page with
 * its goods, the customer's phone masked and the messages sent about it; the sales those orders make,
 * and their Excel export. Checked with axe and photographed on a laptop and a 375 px phone.
 */
describe('the orders screens in a browser', () => {
  const sandbox = useSandbox();
  const ctx = useTestContext(() => testConfig({ ...messagingEnv(sandbox), ORDERS_POLL_INTERVAL: '3600' }));
  useTestWorker(ctx);
  const api = useTestApi(ctx);
  const cabinet = useCabinetBrowser(ctx);
  let merchant: Merchant;
  let storeId = '';

  beforeAll(async () => {
    sandbox.seed({
      merchants: [
        { uid: OURS, name: 'Магазин Заказов', points: [{ code: 'PP1', cityId: ALMATY }], shopApiToken: TOKEN },
      ],
    });
    const now = Date.now();
    sandbox.orders.add({
      merchantUid: OURS,
      code: '510000001',
      creationDateMs: now - 30 * HOUR,
      status: 'COMPLETED',
      state: 'ARCHIVE',
      customer: { firstName: 'Айгерим', cellPhone: '7011234567' },
      entries: [{ sku: 'TEA-1', name: 'Чайник Tefal KI 150', quantity: 1, basePrice: 19_990 }],
    });
    sandbox.orders.add({
      merchantUid: OURS,
      code: '510000002',
      creationDateMs: now - 5 * HOUR,
      status: 'ACCEPTED_BY_MERCHANT',
      state: 'PICKUP',
      deliveryMode: 'DELIVERY_PICKUP',
      customer: { firstName: 'Данияр', cellPhone: '7027654321' },
      entries: [
        { sku: 'VAC-1', name: 'Пылесос Xiaomi G10', quantity: 1, basePrice: 89_990 },
        { sku: 'BAG-1', name: 'Мешки для пылесоса', quantity: 3, basePrice: 1_990 },
      ],
    });
    merchant = await registerMerchant(api.url, 'orders-screen');
    storeId = (await seedStore(ctx.db, merchant.id, { merchantUid: OURS, name: 'Магазин Заказов' })).id;
    await notifyEverything(ctx.db, storeId);
    await connectMessengers(ctx.db, sandbox, { storeId, userId: merchant.id, chatId: '99000001' });
    const token = await call(api.url, 'PUT', `/api/v1/stores/${storeId}/shop-api-token`, {
      token: merchant.token,
      body: { token: TOKEN },
    });
    expect(token.status).toBe(200);

    await signInThroughPage(cabinet.page, api.url, merchant, `/stores/${storeId}/orders`);
  });

  it('lists the orders the poll read, by tab and by number', async () => {
    await cabinet.page.getByRole('heading', { name: 'Заказы', exact: true }).waitFor();
    await cabinet.page.getByRole('link', { name: '510000001' }).waitFor({ timeout: 30_000 });
    await cabinet.page.getByRole('link', { name: '510000002' }).waitFor();
    expect(await cabinet.page.getByRole('row').filter({ hasText: '510000002' }).textContent()).toContain(
      'Пылесос Xiaomi G10 и ещё 1 товар',
    );
    await cabinet.page.getByText('Заказы прочитаны из Kaspi').waitFor();
    await expectAccessible(cabinet.page, 'orders');
    await shoot(cabinet.page, 'orders-desktop');

    await cabinet.page.getByRole('group', { name: 'Вкладки заказов' }).getByText('Архив').click();
    await expect
      .poll(() => cabinet.page.getByRole('link', { name: /^5100000/ }).allTextContents())
      .toEqual(['510000001']);
    await cabinet.page.getByRole('button', { name: 'Сбросить фильтры' }).click();
    await cabinet.page.getByLabel('Номер заказа').fill('510000002');
    await expect
      .poll(() => cabinet.page.getByRole('link', { name: /^5100000/ }).allTextContents())
      .toEqual(['510000002']);
    expect(new URL(cabinet.page.url()).searchParams.get('code')).toBe('510000002');
    await cabinet.page.getByRole('button', { name: 'Сбросить фильтры' }).click();
    await expect.poll(() => cabinet.page.getByRole('link', { name: /^5100000/ }).count()).toBe(2);
  });

  it('fetches a new order with "check now" and shows its page with the messages sent about it', async () => {
    sandbox.orders.add({
      merchantUid: OURS,
      code: '510000003',
      creationDateMs: Date.now() - 60_000,
      customer: { firstName: 'Салтанат', cellPhone: '7071112233' },
      entries: [{ sku: 'EAR-1', name: 'Наушники Sony WH-720', quantity: 2, basePrice: 12_000 }],
    });
    await cabinet.page.getByRole('button', { name: 'Проверить сейчас' }).click();
    await cabinet.page.getByRole('link', { name: '510000003' }).waitFor({ timeout: 30_000 });
    await cabinet.page.getByRole('link', { name: '510000003' }).click();
    await cabinet.page.getByRole('heading', { name: 'Заказ № 510000003' }).waitFor();
    const goods = cabinet.page.getByRole('table', { name: 'Товары' });
    expect((await goods.textContent())!.replace(/\s/g, ' ')).toContain('24 000 ₸');
    await cabinet.page
      .getByText(/\+7 \(707\) \*\*\*-\*\*-33/)
      .first()
      .waitFor();
    expect(await cabinet.page.locator('main').textContent()).not.toContain('7071112233');
    // The poll queues "new order" messages; the sender delivers them in a moment.
    await expect
      .poll(
        async () => {
          await cabinet.page.reload();
          await cabinet.page.getByRole('heading', { name: 'Сообщения о заказе' }).waitFor();
          return cabinet.page.getByText('Новый заказ · WhatsApp').count();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(1);
    await cabinet.page.getByText('отправлено').first().waitFor();
    await expectAccessible(cabinet.page, 'order');
    await shoot(cabinet.page, 'order-desktop');
  });

  it('shows the sales of those orders against the period before, and exports them to Excel', async () => {
    await cabinet.page.goto(`${api.url}/stores/${storeId}/sales`);
    await cabinet.page.getByRole('heading', { name: 'Продажи', exact: true }).waitFor();
    // Three orders in the last 30 days, none cancelled: 19 990 + 95 960 + 24 000.
    const figures = async () => ((await cabinet.page.locator('main').textContent()) ?? '').replace(/\s/g, ' ');
    await expect.poll(figures).toContain('139 950 ₸');
    expect(await figures()).toContain('46 650 ₸');
    expect(await figures()).toContain('в прошлом периоде не было');
    await cabinet.page.getByRole('img', { name: /График выручки и заказов/ }).waitFor();
    const top = cabinet.page.getByRole('region', { name: 'Лучшие товары' });
    expect(await top.getByRole('row').nth(1).textContent()).toContain('Пылесос Xiaomi G10');
    await expectAccessible(cabinet.page, 'sales');
    await shoot(cabinet.page, 'sales-desktop');

    const [download] = await Promise.all([
      cabinet.page.waitForEvent('download'),
      cabinet.page.getByRole('link', { name: 'Скачать Excel' }).click(),
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    const rows = workbook.worksheets[0]!.getSheetValues().filter(Boolean) as unknown[][];
    const total = rows.find((row) => row[1] === 'Итого')!;
    expect(total.slice(2, 4)).toEqual([139_950, 3]);
    expect(rows.some((row) => row[1] === 'VAC-1' && row[4] === 89_990)).toBe(true);

    await cabinet.page.getByText('По месяцам', { exact: true }).click();
    await expect.poll(() => new URL(cabinet.page.url()).searchParams.get('by')).toBe('month');
  });

  it('sets up the messages: WhatsApp connected, a template previewed and tried, Telegram linked by code', async () => {
    const page = cabinet.page;
    await page.goto(`${api.url}/stores/${storeId}/messages`);
    await page.getByRole('heading', { name: 'Сообщения', exact: true }).waitFor();
    // The shop's phone has not scanned the code yet: the page shows it until it has.
    const session = sandbox.waha.state.sessions.get(`kaspi-store-${storeId}`)!;
    session.status = 'SCAN_QR_CODE';
    await page.getByRole('button', { name: 'Подключить WhatsApp' }).click();
    await page.getByText('ждёт сканирования QR-кода').waitFor();
    const qr = page.getByRole('img', { name: 'QR-код для подключения WhatsApp магазина' });
    await qr.waitFor();
    expect(await page.evaluate<number>("document.querySelector('img.whatsapp-qr').naturalWidth")).toBeGreaterThan(100);
    await expectAccessible(page, 'messages: QR code');
    await shoot(page, 'messages-qr-desktop');
    sandbox.waha.state.authorize(session.name);
    await page.getByText('работает', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await qr.count()).toBe(0);

    // A variable that does not exist is refused at its field; the preview follows the text as it is typed.
    const text = page.getByRole('textbox', { name: 'Текст' }).first();
    await text.fill('Привет, {customer_name}! Заказ {order_code} на {total}. {promo}');
    await page.getByRole('button', { name: 'Сохранить шаблоны' }).click();
    await page.getByText('Нет таких подстановок: {promo}').waitFor();
    await text.fill('Привет, {customer_name}! Заказ {order_code} на {total}.');
    const preview = page.getByTestId('preview-whatsapp-new_order');
    expect((await preview.textContent())!.replace(/\s/g, ' ')).toBe('Привет, Айгерим! Заказ 790000001 на 129 990 ₸.');
    await page.getByRole('button', { name: 'Сохранить шаблоны' }).click();
    await page.getByText('Сохранено').first().waitFor();

    await page.getByLabel('Номер для тестов WhatsApp').fill('+7 701 555 44 33');
    await page.getByRole('button', { name: 'Отправить тест: Новый заказ' }).first().click();
    await page.getByText(/Тест отправлен/).waitFor();
    const tried = sandbox.waha.state.sent.filter((m) => m.chatId === '77015554433@c.us');
    expect(tried.map((m) => m.text.replace(/\s/g, ' '))).toEqual(['Привет, Айгерим! Заказ 790000001 на 129 990 ₸.']);

    await ctx.temporal.workflow.start('telegramBotWorkflow', {
      taskQueue: ctx.config.temporal.taskQueue,
      workflowId: `${TELEGRAM_BOT_WORKFLOW_ID}-${randomUUID()}`,
      args: [{ offset: null }],
    });
    await page.getByRole('button', { name: 'Отвязать' }).click();
    await page.getByText('чат не привязан').waitFor();
    await page.getByRole('button', { name: 'Привязать Telegram' }).click();
    const code = (await page.getByTestId('telegram-code').textContent())!.trim();
    sandbox.telegram.state.userWrites('99000002', `/start ${code}`, 'shop_owner');
    await page.getByText('привязан @shop_owner').waitFor({ timeout: 30_000 });
    await expectAccessible(page, 'messages');
    await shoot(page, 'messages-desktop');
  });

  it('works on a 375 px phone', async () => {
    const phone = await cabinetContext(cabinet.browser, 'phone');
    const p = await phone.newPage();
    watchForProblems(p, 'phone', cabinet.problems);
    await signInThroughPage(p, api.url, merchant, `/stores/${storeId}/orders`);
    await p.locator('li').filter({ hasText: '510000003' }).waitFor();
    expect(await p.locator('table').count()).toBe(0);
    await expectNoSidewaysScroll(p);
    await expectAccessible(p, 'orders (phone)');
    await shoot(p, 'orders-phone');
    await p.getByRole('link', { name: '№ 510000002' }).click();
    await p.getByRole('heading', { name: 'Заказ № 510000002' }).waitFor();
    await expectNoSidewaysScroll(p);
    await expectAccessible(p, 'order (phone)');
    await shoot(p, 'order-phone');
    await p.goto(`${api.url}/stores/${storeId}/sales`);
    await p.getByRole('img', { name: /График выручки и заказов/ }).waitFor();
    await expectNoSidewaysScroll(p);
    await expectAccessible(p, 'sales (phone)');
    await shoot(p, 'sales-phone');
    await p.goto(`${api.url}/stores/${storeId}/messages`);
    await p.getByRole('heading', { name: 'Шаблоны' }).waitFor();
    await expectNoSidewaysScroll(p);
    await expectAccessible(p, 'messages (phone)');
    await shoot(p, 'messages-phone');
    await phone.close();
  });

  it('broke no page and no content security rule on the way', () => {
    expect(cabinet.problems).toEqual([]);
  });
});

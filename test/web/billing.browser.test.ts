import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/billing/signature';
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

const SECRET = 'webhook-secret-for-billing-screen-0123';

/** The text of an element with the non-breaking spaces of money and dates as plain ones. */
const textOf = async (locator: { textContent(): Promise<string | null> }) =>
  ((await locator.textContent()) ?? '').replace(/\s/g, ' ');

/**
 * The plan and billing screen in Chromium against the real API and worker: the plans side by side,
 * a subscription started (a pending payment in the history), the provider's signed webhook paying it,
 * and the screen showing the plan in force with its end, renewal offered and other plans locked.
 */
describe('the billing screen in a browser', () => {
  // Activation takes proxies from the shared free pool: hold it, as the proxy tests do.
  holdFreePoolForSuite();
  const ctx = useTestContext({ BILLING_WEBHOOK_SECRET: SECRET });
  useTestWorker(ctx);
  const api = useTestApi(ctx);
  const cabinet = useCabinetBrowser(ctx);
  let merchant: Merchant;

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'billing');
    await signInThroughPage(cabinet.page, api.url, merchant, '/billing');
  });

  afterAll(async () => {
    await ctx.temporal.workflow
      .getHandle(subscriptionWorkflowId(merchant.id))
      .terminate('test over')
      .catch(() => undefined);
  });

  it('shows the plans side by side and starts a subscription as a pending payment', async () => {
    await cabinet.page.getByRole('heading', { name: 'Тариф и оплата' }).waitFor();
    await cabinet.page.getByText('Платежей пока не было.').waitFor();
    for (const plan of ['Бесплатный', 'Старт', 'Про'])
      await cabinet.page.getByRole('heading', { name: plan, exact: true }).waitFor();
    expect(await cabinet.page.getByText('без подписки').count()).toBe(1);
    await expectAccessible(cabinet.page, 'billing');
    await shoot(cabinet.page, 'billing-desktop');

    await cabinet.page.getByRole('button', { name: 'Оформить тариф «Старт»' }).click();
    const dialog = cabinet.page.getByRole('dialog', { name: 'Счёт создан' });
    await dialog.waitFor();
    const paymentId = (await dialog.getByTestId('payment-id').textContent())!.trim();
    expect(paymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await textOf(dialog)).toContain('19 990 ₸');
    await expectAccessible(cabinet.page, 'billing: invoice');
    await dialog.getByRole('button', { name: 'Готово' }).click();

    const row = cabinet.page.getByRole('row').filter({ hasText: 'ждёт оплаты' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Старт');
    expect(await textOf(row)).toContain('19 990 ₸');

    const periodEnd = new Date(Date.now() + 30 * 24 * 3600_000);
    const event = JSON.stringify({
      id: `evt_${paymentId}`,
      type: 'payment.succeeded',
      data: { paymentId, amountTenge: 19_990, periodEnd: periodEnd.toISOString() },
    });
    const webhook = await fetch(`${api.url}/api/v1/billing/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody(SECRET, event) },
      body: event,
    });
    expect(webhook.status).toBe(200);
  });

  it('shows the plan in force with its end once paid, renewal offered and the other plan locked', async () => {
    await expect
      .poll(
        async () => {
          await cabinet.page.reload();
          await cabinet.page.getByRole('heading', { name: 'Тариф и оплата' }).waitFor();
          return cabinet.page.getByText('действует', { exact: true }).count();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(1);
    await cabinet.page.getByText(/^Оплачен до \d+ \S+ \d{4}/).waitFor();
    await cabinet.page.getByRole('button', { name: 'Продлить тариф «Старт» на месяц' }).waitFor();
    await cabinet.page.getByText('Сменить тариф можно, когда закончится текущий').waitFor();
    await cabinet.page.getByRole('row').filter({ hasText: 'оплачен' }).waitFor();
    await expectAccessible(cabinet.page, 'billing: active');
    await shoot(cabinet.page, 'billing-active-desktop');
  });

  it('works on a 375 px phone', async () => {
    const phone = await cabinetContext(cabinet.browser, 'phone');
    const p = await phone.newPage();
    watchForProblems(p, 'phone', cabinet.problems);
    await signInThroughPage(p, api.url, merchant, '/billing');
    await p.getByRole('heading', { name: 'Тариф и оплата' }).waitFor();
    await p.getByRole('row').filter({ hasText: 'оплачен' }).waitFor();
    await expectNoSidewaysScroll(p);
    await expectAccessible(p, 'billing (phone)');
    await shoot(p, 'billing-phone');
    await phone.close();
  });

  it('broke no page and no content security rule on the way', () => {
    expect(cabinet.problems).toEqual([]);
  });
});

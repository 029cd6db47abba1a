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
import { useTestApi, useTestContext } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';

/**
 * The account screen in Chromium against the real API: an API key created (shown once, working),
 * then revoked (refused); the password changed — a wrong current password and a mistyped repeat
 * first — which keeps this browser signed in and signs another one out; finally "sign out
 * everywhere". Checked with axe and photographed on a laptop and a 375 px phone.
 */
describe('the account screen in a browser', () => {
  const ctx = useTestContext();
  const api = useTestApi(ctx);
  const cabinet = useCabinetBrowser(ctx);
  let merchant: Merchant;
  const meWith = async (key: string) => (await call(api.url, 'GET', '/api/v1/me', { token: key })).status;

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'account');
    await signInThroughPage(cabinet.page, api.url, merchant, '/account');
  });

  it('creates an API key, shows it once, and revokes it', async () => {
    await cabinet.page.getByRole('heading', { name: 'Аккаунт и безопасность' }).waitFor();
    await cabinet.page.getByText('Ключей пока нет.').waitFor();
    await expectAccessible(cabinet.page, 'account');
    await shoot(cabinet.page, 'account-desktop');

    await cabinet.page.getByLabel('Название ключа').fill('1С склад');
    await cabinet.page.getByRole('button', { name: 'Создать ключ' }).click();
    const dialog = cabinet.page.getByRole('dialog', { name: 'Ключ «1С склад» создан' });
    await dialog.waitFor();
    const key = (await dialog.getByTestId('new-api-key').textContent())!.trim();
    expect(key).toMatch(/^kd_[A-Za-z0-9_-]{40,}$/);
    await expectAccessible(cabinet.page, 'account: key shown once');
    await shoot(cabinet.page, 'account-key-desktop');
    await dialog.getByRole('button', { name: 'Готово' }).click();
    expect(await meWith(key)).toBe(200);

    const row = cabinet.page.getByRole('listitem').filter({ hasText: '1С склад' });
    await expect.poll(() => row.textContent()).toContain(key.slice(0, 9));
    expect(await row.textContent()).not.toContain(key);
    await row.getByRole('button', { name: 'Отозвать ключ «1С склад»' }).click();
    await cabinet.page
      .getByRole('dialog', { name: 'Отозвать ключ?' })
      .getByRole('button', { name: 'Отозвать' })
      .click();
    await cabinet.page.getByText('Ключей пока нет.').waitFor();
    expect(await meWith(key)).toBe(401);
  });

  it('changes the password: errors at their fields, this browser stays, another is signed out', async () => {
    const other = await cabinetContext(cabinet.browser, 'desktop');
    const elsewhere = await other.newPage();
    await signInThroughPage(elsewhere, api.url, merchant, '/account');

    const current = cabinet.page.getByLabel('Текущий пароль');
    const fresh = cabinet.page.getByLabel(/^Новый пароль\s*\*?$/);
    const repeat = cabinet.page.getByLabel('Новый пароль ещё раз');
    const submit = cabinet.page.getByRole('button', { name: 'Сменить пароль' });
    await current.fill('not the password at all');
    await fresh.fill('a brand new passphrase');
    await repeat.fill('a brand new passphrase');
    await submit.click();
    await cabinet.page.getByText('Это не текущий пароль').waitFor();
    expect(await current.getAttribute('aria-invalid')).toBe('true');

    await current.fill(merchant.password);
    await repeat.fill('a brand new passfrase');
    await submit.click();
    await cabinet.page.getByText('Пароли не совпадают').waitFor();
    await expectAccessible(cabinet.page, 'account: field errors');
    await shoot(cabinet.page, 'account-errors-desktop');

    await repeat.fill('a brand new passphrase');
    await submit.click();
    await cabinet.page.getByText('Пароль изменён').waitFor();
    expect(await current.inputValue()).toBe('');

    await cabinet.page.reload();
    await cabinet.page.getByRole('heading', { name: 'Аккаунт и безопасность' }).waitFor();
    expect(new URL(cabinet.page.url()).pathname).toBe('/account');
    await elsewhere.reload();
    await elsewhere.waitForURL((u) => u.pathname === '/signin');
    await other.close();

    const oldPassword = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: merchant.email, password: merchant.password },
    });
    expect(oldPassword.status).toBe(401);
    merchant = { ...merchant, password: 'a brand new passphrase' };
    const newPassword = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: merchant.email, password: merchant.password },
    });
    expect(newPassword.status).toBe(200);
  });

  it('works on a 375 px phone', async () => {
    const phone = await cabinetContext(cabinet.browser, 'phone');
    const p = await phone.newPage();
    watchForProblems(p, 'phone', cabinet.problems);
    await signInThroughPage(p, api.url, merchant, '/account');
    await p.getByRole('heading', { name: 'Аккаунт и безопасность' }).waitFor();
    await p.getByLabel('Название ключа').fill('Интеграция с длинным названием для телефона');
    await p.getByRole('button', { name: 'Создать ключ' }).click();
    await p.getByTestId('new-api-key').waitFor();
    await expectNoSidewaysScroll(p);
    await shoot(p, 'account-key-phone');
    await p.getByRole('button', { name: 'Готово' }).click();
    await expectNoSidewaysScroll(p);
    await expectAccessible(p, 'account (phone)');
    await shoot(p, 'account-phone');
    await phone.close();
  });

  it('signs out everywhere, this browser included', async () => {
    await cabinet.page.getByRole('button', { name: 'Выйти на всех устройствах' }).click();
    await cabinet.page.getByRole('dialog').getByRole('button', { name: 'Выйти на всех устройствах' }).click();
    await cabinet.page.waitForURL((u) => u.pathname === '/signin');
    await cabinet.page.goto(`${api.url}/account`);
    await cabinet.page.waitForURL((u) => u.pathname === '/signin');
  });

  it('broke no page and no content security rule on the way', () => {
    expect(cabinet.problems).toEqual([]);
  });
});

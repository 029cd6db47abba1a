import { describe, expect, it } from 'vitest';
import { MessengerError } from '../../src/notify/messenger-http';
import { getTelegramUpdates, sendTelegramMessage } from '../../src/notify/telegram';
import { codeInMessage } from '../../src/notify/telegram-links';
import { getWahaSession, sendWhatsAppText, startWahaSession, whatsappChatId } from '../../src/notify/waha';
import { freePort } from '../../src/stack/ports';
import { useSandbox } from '../support/sandbox';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(MessengerError);
      return error as MessengerError;
    },
  );

/** The WAHA and Telegram clients against the sandbox's stand-ins: every answer classified. */
describe('messenger clients', () => {
  const sandbox = useSandbox();

  const waha = () => ({ url: sandbox.waha.url, apiKey: sandbox.waha.apiKey, timeoutMs: 3000 });
  const telegram = () => ({ apiUrl: sandbox.telegram.url, botToken: sandbox.telegram.botToken, timeoutMs: 3000 });

  it('WAHA: a session waits for its QR code, then sends to 7XXXXXXXXXX@c.us', async () => {
    expect(await getWahaSession(waha(), 'kaspi-store-x')).toBeNull();
    expect(await startWahaSession(waha(), 'kaspi-store-x')).toEqual({ name: 'kaspi-store-x', status: 'STARTING' });
    expect(await startWahaSession(waha(), 'kaspi-store-x')).toEqual({ name: 'kaspi-store-x', status: 'SCAN_QR_CODE' });
    const chatId = whatsappChatId('7071234567')!;
    expect(chatId).toBe('77071234567@c.us');
    expect((await failure(sendWhatsAppText(waha(), { session: 'kaspi-store-x', chatId, text: 'hi' }))).kind).toBe(
      'not_ready',
    );
    sandbox.waha.state.authorize('kaspi-store-x');
    const sent = await sendWhatsAppText(waha(), { session: 'kaspi-store-x', chatId, text: 'Здравствуйте!' });
    expect(sent.messageId).toMatch(/^true_77071234567@c\.us_/);
    expect(sandbox.waha.state.sent).toMatchObject([{ chatId, text: 'Здравствуйте!' }]);
    expect(
      (await failure(sendWhatsAppText(waha(), { session: 'kaspi-store-x', chatId: '123@c.us', text: 'hi' }))).kind,
    ).toBe('refused');
    expect((await failure(getWahaSession({ ...waha(), apiKey: 'wrong' }, 'kaspi-store-x'))).kind).toBe('misconfigured');
    expect(
      (await failure(getWahaSession({ ...waha(), url: `http://127.0.0.1:${await freePort()}` }, 'kaspi-store-x'))).kind,
    ).toBe('unavailable');
    // Kaspi's masked and empty phones have no chat.
    expect([whatsappChatId('+0(000)-000-00-00'), whatsappChatId(null), whatsappChatId('8 701 123 45 67')]).toEqual([
      undefined,
      undefined,
      '77011234567@c.us',
    ]);
  });

  it('Telegram: reads what users send (offsets confirm, long polls wait), writes only to chats that started the bot', async () => {
    expect((await failure(sendTelegramMessage(telegram(), { chatId: '42', text: 'hi' }))).kind).toBe('refused');
    expect(
      (await failure(getTelegramUpdates({ ...telegram(), botToken: '1:wrong' }, { offset: null, timeoutSeconds: 0 })))
        .kind,
    ).toBe('misconfigured');
    sandbox.telegram.state.userWrites('42', '/start abcd2345', 'merchant');
    const [first] = await getTelegramUpdates(telegram(), { offset: null, timeoutSeconds: 0 });
    expect(first).toMatchObject({
      message: { chat: { id: '42' }, from: { username: 'merchant' }, text: '/start abcd2345' },
    });
    expect(codeInMessage(first!.message!.text!)).toBe('ABCD2345');
    expect(await getTelegramUpdates(telegram(), { offset: first!.update_id + 1, timeoutSeconds: 0 })).toEqual([]);
    const waiting = getTelegramUpdates(telegram(), { offset: first!.update_id + 1, timeoutSeconds: 10 });
    setTimeout(() => sandbox.telegram.state.userWrites('42', 'hello'), 100);
    expect((await waiting).map((u) => u.message?.text)).toEqual(['hello']);
    expect(await sendTelegramMessage(telegram(), { chatId: '42', text: 'Готово' })).toEqual({
      messageId: expect.any(Number),
    });
    await fetch(`${sandbox.controlUrl}/telegram/failures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ times: 1, status: 429, retryAfterSeconds: 3 }),
    });
    const limited = await failure(sendTelegramMessage(telegram(), { chatId: '42', text: 'again' }));
    expect([limited.kind, limited.retryAfterMs]).toEqual(['rate_limited', 3000]);
    expect(codeInMessage('hello there')).toBeUndefined();
  });
});

/**
 * The Telegram Bot API (`<api>/bot<token>/<method>`): `sendMessage` to a linked chat, and `getUpdates`
 * to read the link codes users send the bot. The token is part of every URL, so no URL is ever logged.
 */

import { z } from 'zod';
import { jsonCall, MessengerError, retryAfterMs } from './messenger-http';

export interface TelegramSettings {
  apiUrl: string;
  botToken: string;
  timeoutMs: number;
}

/** Telegram refuses longer texts. */
export const MAX_TELEGRAM_TEXT = 4096;

const envelope = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional() }).optional(),
});

const updateSchema = z.object({
  update_id: z.number().int(),
  message: z
    .object({
      chat: z.object({ id: z.union([z.number(), z.string()]).transform(String) }),
      from: z.object({ username: z.string().optional() }).optional(),
      text: z.string().optional(),
    })
    .optional(),
});

export type TelegramUpdate = z.infer<typeof updateSchema>;

async function call(
  settings: TelegramSettings,
  method: string,
  params: Record<string, unknown>,
  timeoutMs = settings.timeoutMs,
): Promise<unknown> {
  const reply = await jsonCall('Telegram', `${settings.apiUrl}/bot${settings.botToken}/${method}`, {
    method: 'POST',
    body: params,
    timeoutMs,
  });
  const parsed = envelope.safeParse(reply.body);
  if (parsed.success && parsed.data.ok) return parsed.data.result;
  const description = parsed.success ? (parsed.data.description ?? '') : '';
  const detail = `Telegram ${method} failed (HTTP ${reply.status})${description ? `: ${description.slice(0, 200)}` : ''}`;
  if (reply.status === 401 || reply.status === 404) throw new MessengerError('misconfigured', detail, reply.status);
  if (reply.status === 429) {
    const seconds = parsed.success ? parsed.data.parameters?.retry_after : undefined;
    throw new MessengerError('rate_limited', detail, reply.status, retryAfterMs(seconds ?? reply.retryAfter));
  }
  if (reply.status >= 500 || !parsed.success) throw new MessengerError('unavailable', detail, reply.status);
  throw new MessengerError('refused', detail, reply.status);
}

export async function sendTelegramMessage(
  settings: TelegramSettings,
  message: { chatId: string; text: string },
): Promise<{ messageId: number | null }> {
  const result = await call(settings, 'sendMessage', {
    chat_id: message.chatId,
    text: message.text.slice(0, MAX_TELEGRAM_TEXT),
    link_preview_options: { is_disabled: true },
  });
  const id = (result as { message_id?: unknown } | null)?.message_id;
  return { messageId: typeof id === 'number' ? id : null };
}

/** Updates after `offset` (confirming the earlier ones), waiting up to `timeoutSeconds` for one. */
export async function getTelegramUpdates(
  settings: TelegramSettings,
  params: { offset: number | null; timeoutSeconds: number },
): Promise<TelegramUpdate[]> {
  const result = await call(
    settings,
    'getUpdates',
    {
      ...(params.offset === null ? {} : { offset: params.offset }),
      timeout: params.timeoutSeconds,
      allowed_updates: ['message'],
    },
    settings.timeoutMs + params.timeoutSeconds * 1000,
  );
  const updates = z.array(z.unknown()).safeParse(result);
  if (!updates.success)
    throw new MessengerError('unavailable', 'Telegram getUpdates answered something that is not a list');
  // An update we cannot read is skipped, not allowed to block every later one.
  return updates.data.flatMap((raw) => {
    const update = updateSchema.safeParse(raw);
    return update.success ? [update.data] : [];
  });
}

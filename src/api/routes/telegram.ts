import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { telegramChats } from '../../db/schema';
import { createLinkCode } from '../../notify/telegram-links';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { Timestamp } from '../schemas';
import { ABUSE_LIMITS, createAbuseLimits } from '../rate-limits';

const LinkCode = z
  .object({
    code: z.string().meta({ example: 'K7M2Q9XP' }),
    expiresAt: Timestamp,
    link: z
      .string()
      .nullable()
      .meta({ description: 'Opens the bot with the code filled in (when TELEGRAM_BOT_USERNAME is set)' }),
    instructions: z.string(),
  })
  .meta({ id: 'TelegramLinkCode' });

const ChatView = z
  .object({
    configured: z.boolean().meta({ description: 'This server has a Telegram bot' }),
    linked: z.boolean(),
    username: z.string().nullable(),
    linkedAt: Timestamp.nullable(),
  })
  .meta({ id: 'TelegramChat' });

export function telegramRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'config' | 'pool'>) {
  const { db, config } = deps;
  const limits = createAbuseLimits(deps.pool);

  api.route(
    {
      method: 'post',
      path: '/telegram/link-codes',
      summary: 'Get a code to link a Telegram chat',
      description:
        'Send the code to the bot (or open `link`) within 15 minutes: that chat then gets your stores’ new orders, ' +
        'demper trouble and subscription notices — and system alerts if you are an administrator. Works once.',
      tags: ['notifications'],
      access: 'user',
      responses: {
        201: { description: 'The code', schema: LinkCode },
        422: { description: 'Telegram is not set up on this server' },
        429: { description: `More than ${ABUSE_LIMITS.linkCodesPerUser} codes in an hour; see Retry-After` },
      },
    },
    async (_input, req, res) => {
      if (!config.telegram.botToken) throw new HttpError(422, 'Telegram is not set up on this server.');
      await limits.beforeLinkCode(currentUser(req).userId);
      const { code, expiresAt } = await createLinkCode(db, currentUser(req).userId);
      const bot = config.telegram.botUsername;
      res.status(201).json({
        code,
        expiresAt: expiresAt.toISOString(),
        link: bot ? `https://t.me/${bot}?start=${code}` : null,
        instructions: `Send ${code} to ${bot ? `@${bot}` : 'the bot'} in Telegram.`,
      });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/telegram/chat',
      summary: 'Your linked Telegram chat',
      tags: ['notifications'],
      access: 'user',
      responses: { 200: { description: 'The chat, if linked', schema: ChatView } },
    },
    async (_input, req, res) => {
      const [chat] = await db
        .select()
        .from(telegramChats)
        .where(eq(telegramChats.userId, currentUser(req).userId));
      res.json({
        configured: config.telegram.botToken !== undefined,
        linked: chat !== undefined,
        username: chat?.username ?? null,
        linkedAt: chat?.linkedAt.toISOString() ?? null,
      });
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/telegram/chat',
      summary: 'Unlink your Telegram chat',
      tags: ['notifications'],
      access: 'user',
      responses: { 204: { description: 'Unlinked (or nothing was linked)' } },
    },
    async (_input, req, res) => {
      await db.delete(telegramChats).where(eq(telegramChats.userId, currentUser(req).userId));
      res.status(204).end();
    },
  );
}

/**
 * The Telegram Bot API for one bot (`/bot<token>/<method>`): `getMe`, `getUpdates` (with `offset`
 * confirming earlier updates and `timeout` long polling) and `sendMessage`. A bot can only write to a
 * chat whose user wrote to it first; a user who blocked the bot answers 403. Users' messages come in
 * through the control API, and every message the bot sends is recorded.
 */

import express, { type Request, type Response } from 'express';
import { z } from 'zod';

export interface SentTelegram {
  atMs: number;
  chatId: string;
  text: string;
  messageId: number;
}

interface Update {
  update_id: number;
  message: {
    message_id: number;
    date: number;
    chat: { id: number; type: 'private'; username?: string; first_name: string };
    from: { id: number; is_bot: false; username?: string; first_name: string };
    text: string;
  };
}

const MAX_TEXT = 4096;
const MAX_LONG_POLL_SECONDS = 50;

const paramsSchema = z.object({
  offset: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  timeout: z.coerce.number().int().min(0).optional(),
});

const sendSchema = z.object({
  chat_id: z.union([z.string(), z.number()]).transform(String),
  text: z.string().optional(),
  parse_mode: z.string().optional(),
  link_preview_options: z.unknown().optional(),
  disable_web_page_preview: z.boolean().optional(),
});

export class TelegramServer {
  readonly sent: SentTelegram[] = [];
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  /** Chats whose user started the bot, and whether they blocked it since. */
  private readonly chats = new Map<string, { username?: string; blocked: boolean }>();
  private waiters: (() => void)[] = [];
  private failures: { times: number; status: number; retryAfterSeconds?: number } | undefined;

  constructor(
    readonly botToken: string,
    readonly botUsername: string,
  ) {}

  reset(): void {
    this.sent.length = 0;
    this.updates = [];
    this.chats.clear();
    this.failures = undefined;
    this.wake();
  }

  /** A user writes `text` to the bot from `chatId`. */
  userWrites(chatId: string, text: string, username?: string): number {
    const known = this.chats.get(chatId);
    this.chats.set(chatId, { username, blocked: known?.blocked ?? false });
    const id = Number(chatId);
    const who = { id, first_name: username ?? 'User', ...(username ? { username } : {}) };
    const update: Update = {
      update_id: this.nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { ...who, type: 'private' },
        from: { ...who, is_bot: false },
        text,
      },
    };
    this.updates.push(update);
    this.wake();
    return update.update_id;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private pending(offset: number | undefined, limit: number): Update[] {
    // An offset confirms every update before it: Telegram forgets them.
    if (offset !== undefined) this.updates = this.updates.filter((u) => u.update_id >= offset);
    return this.updates.slice(0, limit);
  }

  router(): express.Router {
    const router = express.Router();
    router.use(express.json({ limit: '1mb' }));
    router.use(express.urlencoded({ extended: false }));
    router.all('/:bot/:method', async (req: Request, res: Response) => {
      if (req.params.bot !== `bot${this.botToken}`) return fail(res, 401, 'Unauthorized');
      const params = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown>) ?? {}) };
      switch (req.params.method) {
        case 'getMe':
          return ok(res, {
            id: Number(this.botToken.split(':')[0]),
            is_bot: true,
            first_name: 'Kaspi Demper',
            username: this.botUsername,
          });
        case 'getUpdates': {
          const parsed = paramsSchema.safeParse(params);
          if (!parsed.success) return fail(res, 400, 'Bad Request: wrong parameters');
          const { offset, limit = 100, timeout = 0 } = parsed.data;
          let updates = this.pending(offset, limit);
          if (updates.length === 0 && timeout > 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, Math.min(timeout, MAX_LONG_POLL_SECONDS) * 1000);
              this.waiters.push(() => {
                clearTimeout(timer);
                resolve();
              });
            });
            updates = this.pending(offset, limit);
          }
          return ok(res, updates);
        }
        case 'sendMessage': {
          const parsed = sendSchema.safeParse(params);
          if (!parsed.success) return fail(res, 400, 'Bad Request: chat_id is empty');
          const { chat_id: chatId, text = '' } = parsed.data;
          if (!text.trim()) return fail(res, 400, 'Bad Request: message text is empty');
          if (text.length > MAX_TEXT) return fail(res, 400, 'Bad Request: message is too long');
          const chat = this.chats.get(chatId);
          if (!chat) return fail(res, 400, 'Bad Request: chat not found');
          if (chat.blocked) return fail(res, 403, 'Forbidden: bot was blocked by the user');
          if (this.failures && this.failures.times > 0) {
            this.failures.times--;
            const retryAfter = this.failures.retryAfterSeconds;
            const description =
              this.failures.status === 429
                ? `Too Many Requests: retry after ${retryAfter ?? 1}`
                : 'Internal Server Error';
            return fail(
              res,
              this.failures.status,
              description,
              this.failures.status === 429 ? { retry_after: retryAfter ?? 1 } : undefined,
            );
          }
          const messageId = this.nextMessageId++;
          this.sent.push({ atMs: Date.now(), chatId, text, messageId });
          return ok(res, {
            message_id: messageId,
            from: {
              id: Number(this.botToken.split(':')[0]),
              is_bot: true,
              first_name: 'Kaspi Demper',
              username: this.botUsername,
            },
            chat: { id: Number(chatId), type: 'private', ...(chat.username ? { username: chat.username } : {}) },
            date: Math.floor(Date.now() / 1000),
            text,
          });
        }
        default:
          return fail(res, 404, 'Not Found');
      }
    });
    return router;
  }

  /** `/__sandbox/telegram/...`: users writing to the bot, blocking it, sent messages, failures. */
  controlRouter(): express.Router {
    const router = express.Router();
    router.use(express.json());
    router.post('/updates', (req, res) => {
      const body = z
        .object({
          chatId: z.union([z.string(), z.number()]).transform(String),
          text: z.string(),
          username: z.string().optional(),
        })
        .parse(req.body);
      res.status(201).json({ updateId: this.userWrites(body.chatId, body.text, body.username) });
    });
    router.post('/chats/:chatId/block', (req, res) => {
      const chat = this.chats.get(req.params.chatId!);
      if (!chat) return void res.status(404).json({ error: 'the user never wrote to the bot' });
      chat.blocked = true;
      res.json({ blocked: true });
    });
    router.get('/messages', (req, res) => {
      const chatId = typeof req.query.chatId === 'string' ? req.query.chatId : undefined;
      res.json(this.sent.filter((m) => !chatId || m.chatId === chatId));
    });
    router.post('/failures', (req, res) => {
      this.failures = z
        .object({
          times: z.number().int().positive(),
          status: z.number().int().min(400).max(599),
          retryAfterSeconds: z.number().int().positive().optional(),
        })
        .parse(req.body);
      res.status(201).json(this.failures);
    });
    return router;
  }
}

function ok(res: Response, result: unknown): void {
  res.json({ ok: true, result });
}

function fail(res: Response, status: number, description: string, parameters?: Record<string, unknown>): void {
  res.status(status).json({ ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) });
}

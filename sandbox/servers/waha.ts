import { randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { qrPicture } from './waha-qr';

/**
 * WAHA (WhatsApp HTTP API) as the service uses it: `POST /api/sessions/start`, `GET /api/sessions/{name}`,
 * `GET /api/{name}/auth/qr` and `POST /api/sendText`, behind the `X-Api-Key` header. A started session waits in `SCAN_QR_CODE` until
 * the control API says the merchant scanned the code; only a `WORKING` session sends. Every message sent
 * is recorded.
 */
export const WAHA_STATUSES = ['STOPPED', 'STARTING', 'SCAN_QR_CODE', 'WORKING', 'FAILED'] as const;
export type WahaStatus = (typeof WAHA_STATUSES)[number];

export interface WahaSession {
  name: string;
  status: WahaStatus;
  me: { id: string; pushName: string } | null;
  config: unknown;
}

export interface SentWhatsApp {
  atMs: number;
  session: string;
  chatId: string;
  text: string;
  id: string;
}

const CHAT_ID = /^\d{10,15}@c\.us$/;

const startSchema = z.object({ name: z.string().min(1).max(100), config: z.unknown().optional() });
const sendTextSchema = z.object({
  session: z.string().min(1),
  chatId: z.string(),
  text: z.string(),
  linkPreview: z.boolean().optional(),
  reply_to: z.string().nullish(),
});

export class WahaServer {
  readonly sessions = new Map<string, WahaSession>();
  readonly sent: SentWhatsApp[] = [];
  /** The next `times` sends answer `status` instead (429 also says when to come back). */
  private failures: { times: number; status: number } | undefined;

  constructor(readonly apiKey: string) {}

  reset(): void {
    this.sessions.clear();
    this.sent.length = 0;
    this.failures = undefined;
  }

  /** The merchant scanned the QR code with the shop's phone. */
  authorize(name: string, phoneDigits = '77000000000'): WahaSession | undefined {
    const session = this.sessions.get(name);
    if (!session) return undefined;
    session.status = 'WORKING';
    session.me = { id: `${phoneDigits}@c.us`, pushName: name };
    return session;
  }

  router(): express.Router {
    const router = express.Router();
    router.use(express.json({ limit: '1mb' }));
    router.use((req, res, next) => {
      if (req.get('x-api-key') !== this.apiKey) {
        res.status(401).json({ statusCode: 401, message: 'Unauthorized' });
        return;
      }
      next();
    });

    router.post('/api/sessions/start', (req, res) => {
      const body = startSchema.safeParse(req.body);
      if (!body.success) return badRequest(res, 'name is required');
      const existing = this.sessions.get(body.data.name);
      if (existing && existing.status !== 'STOPPED') {
        res.status(422).json({ statusCode: 422, message: `Session '${body.data.name}' is already started.` });
        return;
      }
      const session: WahaSession = {
        name: body.data.name,
        status: 'SCAN_QR_CODE',
        me: null,
        config: body.data.config ?? null,
      };
      this.sessions.set(session.name, session);
      res.status(201).json({ ...sessionJson(session), status: 'STARTING' });
    });

    router.get('/api/sessions/:name', (req, res) => {
      const session = this.sessions.get(req.params.name!);
      if (!session) {
        res.status(404).json({ statusCode: 404, message: 'Session not found' });
        return;
      }
      res.json(sessionJson(session));
    });

    // WAHA answers the code to scan as JSON when asked for JSON, while the session waits for it.
    router.get('/api/:name/auth/qr', (req, res) => {
      const session = this.sessions.get(req.params.name!);
      if (!session) {
        res.status(404).json({ statusCode: 404, message: 'Session not found' });
        return;
      }
      if (session.status !== 'SCAN_QR_CODE') {
        res.status(422).json({
          statusCode: 422,
          message: 'Session status is not as expected. Try again later or restart the session',
          session: session.name,
          status: session.status,
          expected: ['SCAN_QR_CODE'],
        });
        return;
      }
      res.json({ mimetype: 'image/png', data: qrPicture(session.name).toString('base64') });
    });

    router.post('/api/sendText', (req: Request, res: Response) => {
      const body = sendTextSchema.safeParse(req.body);
      if (!body.success) return badRequest(res, 'session, chatId and text are required');
      if (!CHAT_ID.test(body.data.chatId)) return badRequest(res, 'chatId must be the phone number followed by @c.us');
      if (!body.data.text.trim()) return badRequest(res, 'text must not be empty');
      const session = this.sessions.get(body.data.session);
      if (!session) {
        res.status(404).json({ statusCode: 404, message: 'Session not found' });
        return;
      }
      if (session.status !== 'WORKING') {
        res.status(422).json({
          statusCode: 422,
          message: 'Session status is not as expected. Try again later or restart the session',
          session: session.name,
          status: session.status,
          expected: ['WORKING'],
        });
        return;
      }
      if (this.failures && this.failures.times > 0) {
        this.failures.times--;
        if (this.failures.status === 429) res.set('Retry-After', '1');
        res.status(this.failures.status).json({ statusCode: this.failures.status, message: 'Injected failure' });
        return;
      }
      const hex = randomBytes(10).toString('hex').toUpperCase();
      const id = `true_${body.data.chatId}_${hex}`;
      this.sent.push({ atMs: Date.now(), session: session.name, chatId: body.data.chatId, text: body.data.text, id });
      res.status(201).json({
        id: { fromMe: true, remote: body.data.chatId, id: hex, _serialized: id },
        body: body.data.text,
        from: session.me?.id ?? null,
        to: body.data.chatId,
        fromMe: true,
        timestamp: Math.floor(Date.now() / 1000),
      });
    });
    return router;
  }

  /** `/__sandbox/waha/...`: sessions, sent messages, failures. */
  controlRouter(): express.Router {
    const router = express.Router();
    router.use(express.json());
    router.get('/sessions', (_req, res) => res.json([...this.sessions.values()].map(sessionJson)));
    router.post('/sessions/:name/authorize', (req, res) => {
      const session = this.authorize(
        req.params.name!,
        typeof req.body?.phone === 'string' ? req.body.phone : undefined,
      );
      if (!session) return void res.status(404).json({ error: 'no such session' });
      res.json(sessionJson(session));
    });
    router.post('/sessions/:name/status', (req, res) => {
      const status = z.object({ status: z.enum(WAHA_STATUSES) }).parse(req.body).status;
      const session = this.sessions.get(req.params.name!);
      if (!session) return void res.status(404).json({ error: 'no such session' });
      session.status = status;
      res.json(sessionJson(session));
    });
    router.get('/messages', (req, res) => {
      const chatId = typeof req.query.chatId === 'string' ? req.query.chatId : undefined;
      res.json(this.sent.filter((m) => !chatId || m.chatId === chatId));
    });
    router.post('/failures', (req, res) => {
      this.failures = z
        .object({ times: z.number().int().positive(), status: z.number().int().min(400).max(599) })
        .parse(req.body);
      res.status(201).json(this.failures);
    });
    return router;
  }
}

function sessionJson(session: WahaSession) {
  return {
    name: session.name,
    status: session.status,
    config: session.config,
    me: session.me,
    engine: { engine: 'WEBJS' },
  };
}

function badRequest(res: Response, message: string): void {
  res.status(400).json({ statusCode: 400, message });
}

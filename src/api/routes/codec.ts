import { timingSafeEqual } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import type { Request, RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { KeyringError } from '../../lib/crypto';
import { PayloadCodecError, createPayloadCodec } from '../../lib/payload-codec';
import type { ApiDeps } from '../app';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';

const JsonPayload = z.strictObject({
  metadata: z.record(z.string(), z.base64()).default({}),
  data: z.base64().optional(),
});
const Payloads = z.strictObject({ payloads: z.array(JsonPayload).max(1000) }).meta({ id: 'CodecPayloads' });
const TokenParams = z.strictObject({ token: z.string().min(1).max(200) });

function fromJson(p: z.infer<typeof JsonPayload>): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
  };
}

function toJson(p: Payload) {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
  };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Browsers' preflight for the Temporal UI, which calls the codec from its own origin. No credentials
 * (cookies) are involved: the token is in the Authorization header or the path.
 */
export function codecCors(uiUrl: string): RequestHandler {
  const origin = new URL(uiUrl).origin;
  return (req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
}

/** The codec token in a request path, so log lines never carry it. */
export function redactCodecPath(url: string): string {
  return url.replace(/^\/codec\/(?!(?:encode|decode)(?:[/?#]|$))[^/?#]+/, '/codec/[redacted]');
}

/** Requests per client address per minute, and wrong tokens per address per 15 minutes, per API process. */
const CODEC_REQUESTS_PER_MINUTE = 600;
const CODEC_WRONG_TOKENS = 10;

function limited(res: RateLimiterRes): HttpError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new HttpError(429, `Too many codec requests; try again in ${seconds} s.`, {
    headers: { 'Retry-After': String(seconds) },
  });
}

/**
 * The codec endpoint operators decode workflow payloads with: the Temporal CLI sends the operator token
 * as a header (`--codec-endpoint <api>/codec --codec-auth "Bearer <CODEC_TOKEN>"`). The Temporal UI sends no
 * credential of its own, so for it the token may instead be the path's first segment
 * (`<api>/codec/<CODEC_TOKEN>`), which the request log redacts. Without CODEC_TOKEN the endpoint answers
 * 404. Requests are rate-limited per address, wrong tokens more tightly.
 */
export function codecRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'keyring' | 'config'>) {
  const codec = createPayloadCodec(deps.keyring);
  const expected = deps.config.secrets.codecToken;
  const perAddress = new RateLimiterMemory({ points: CODEC_REQUESTS_PER_MINUTE, duration: 60 });
  const wrongTokens = new RateLimiterMemory({ points: CODEC_WRONG_TOKENS, duration: 900 });

  const check = async (req: Request, given: string | undefined) => {
    const ip = req.ip ?? 'unknown';
    const wrong = await wrongTokens.get(ip);
    if (wrong && wrong.consumedPoints >= CODEC_WRONG_TOKENS) throw limited(wrong);
    await perAddress.consume(ip).catch((err: unknown) => {
      throw err instanceof RateLimiterRes ? limited(err) : err;
    });
    if (!expected) throw new HttpError(404, 'The codec endpoint is not enabled (set CODEC_TOKEN).');
    if (given === undefined || !sameToken(given, expected)) {
      await wrongTokens.penalty(ip, 1);
      throw new HttpError(403, 'Wrong or missing codec token.', { headers: { 'WWW-Authenticate': 'Bearer' } });
    }
  };

  const transform = async (direction: 'encode' | 'decode', body: z.infer<typeof Payloads>) => {
    const payloads = body.payloads.map(fromJson);
    try {
      const out = direction === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      return { payloads: out.map(toJson) };
    } catch (err) {
      if (err instanceof PayloadCodecError || err instanceof KeyringError) throw new HttpError(422, err.message);
      throw err;
    }
  };

  for (const direction of ['encode', 'decode'] as const) {
    const summary = `${direction === 'encode' ? 'Encrypt' : 'Decrypt'} Temporal payloads (operators)`;
    const responses = {
      200: { description: 'The payloads, transformed', schema: Payloads },
      403: { description: 'Wrong or missing token' },
      422: { description: 'A payload is not one of ours (decode takes only encrypted payloads)' },
      429: { description: 'Too many requests; see Retry-After' },
    };
    api.route(
      {
        method: 'post',
        path: `/codec/${direction}`,
        summary,
        description:
          'For the Temporal CLI: `--codec-endpoint <api>/codec --codec-auth "Bearer <CODEC_TOKEN>"`. Decode refuses ' +
          'payloads that are not encrypted by us (422).',
        tags: ['operations'],
        access: 'public',
        body: Payloads,
        bodyExample: { payloads: [] },
        responses,
      },
      async ({ body }, req, res) => {
        const bearer = req.header('authorization')?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
        await check(req, bearer);
        res.json(await transform(direction, body));
      },
    );
    api.route(
      {
        method: 'post',
        path: `/codec/:token/${direction}`,
        summary: `${summary}, token in the path (the Temporal UI)`,
        description:
          'For the Temporal UI, which sends no credential: its codec endpoint is `<api>/codec/<CODEC_TOKEN>`. The ' +
          'request log shows the path with the token redacted. Prefer the header form wherever the client can send one.',
        tags: ['operations'],
        access: 'public',
        params: TokenParams,
        body: Payloads,
        bodyExample: { payloads: [] },
        responses,
      },
      async ({ params, body }, req, res) => {
        await check(req, params.token);
        res.json(await transform(direction, body));
      },
    );
  }
}

import { timingSafeEqual } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { createPayloadCodec } from '../../lib/payload-codec';
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
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
  };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Browsers' preflight for the Temporal UI, which calls the codec from its own origin. */
export function codecCors(uiUrl: string): RequestHandler {
  const origin = new URL(uiUrl).origin;
  return (req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
}

/**
 * The codec endpoint the Temporal UI (Settings → Codec Server, or the dev server's
 * `--ui-codec-endpoint`) uses to show decrypted payloads. The operator token is part of the
 * endpoint URL (`/codec/<token>`) because the UI appends `/decode` and sends no credentials of
 * its own; without CODEC_TOKEN configured the endpoint answers 404.
 */
export function codecRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'keyring' | 'config'>) {
  const codec = createPayloadCodec(deps.keyring);
  const expected = deps.config.secrets.codecToken;

  for (const direction of ['encode', 'decode'] as const) {
    api.route(
      {
        method: 'post',
        path: `/codec/:token/${direction}`,
        summary: `${direction === 'encode' ? 'Encrypt' : 'Decrypt'} Temporal payloads (operators)`,
        description: 'For the Temporal UI and CLI codec settings: the endpoint URL is `/codec/<CODEC_TOKEN>`.',
        tags: ['operations'],
        access: 'public',
        params: TokenParams,
        body: Payloads,
        bodyExample: { payloads: [] },
        responses: { 200: { description: 'The payloads, transformed', schema: Payloads }, 403: { description: 'Wrong token' } },
      },
      async ({ params, body }, _req, res) => {
        if (!expected) throw new HttpError(404, 'The codec endpoint is not enabled (set CODEC_TOKEN).');
        if (!sameToken(params.token, expected)) throw new HttpError(403, 'Wrong codec token.');
        const payloads = body.payloads.map(fromJson);
        const out = direction === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
        res.json({ payloads: out.map(toJson) });
      },
    );
  }
}

import { randomUUID } from 'node:crypto';

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A small JSON client for the API under test. */
export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (metrics, HTML)
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

export interface Merchant {
  id: string;
  email: string;
  password: string;
  token: string;
}

export function uniqueEmail(tag = 'merchant'): string {
  return `${tag}-${randomUUID()}@example.kz`;
}

/**
 * Registers a fresh merchant through the API and returns its credentials. `headers` can name the
 * client address (`x-forwarded-for`), so a test with tight sign-up limits is not charged for the
 * sign-ups other test files make from loopback into the shared database.
 */
export async function registerMerchant(
  baseUrl: string,
  tag?: string,
  headers?: Record<string, string>,
): Promise<Merchant> {
  const email = uniqueEmail(tag);
  const password = `pw-${randomUUID()}`;
  const reply = await call<{ user: { id: string }; token: string }>(baseUrl, 'POST', '/api/v1/auth/register', {
    body: { email, password },
    headers,
  });
  if (reply.status !== 201) throw new Error(`register failed: ${reply.status} ${reply.text}`);
  return { id: reply.body.user.id, email, password, token: reply.body.token };
}

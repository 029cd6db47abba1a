import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** The CSRF cookie the API sets beside the session cookie; unsafe requests echo it in a header. */
const CSRF_COOKIE = 'kd_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem the API answered, with its field errors by form field name. */
export class ApiError extends Error {
  readonly fields: Record<string, string>;

  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
    readonly retryAfterSeconds: number | null = null,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.fields = fieldMap(errors);
  }
}

/**
 * `body.settings.minPrice` → `minPrice`: forms name their fields after the body's keys, so an error
 * lands under the field that caused it.
 */
function fieldMap(errors: FieldError[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { field, message } of errors) {
    const name = field.replace(/^(body|query|params)\./, '').replace(/^settings\./, '');
    map[name] ??= message;
  }
  return map;
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called when the API answers 401: the session expired or was revoked. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const session: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method)) {
      const token = readCookie(CSRF_COOKIE);
      if (token) request.headers.set(CSRF_HEADER, token);
    }
    return request;
  },
  async onResponse({ response, request }) {
    if (response.ok) return response;
    const isSignIn = new URL(request.url).pathname.startsWith('/api/v1/auth/');
    if (response.status === 401 && !isSignIn) for (const listener of signedOutListeners) listener();
    throw await problemOf(response);
  },
};

async function problemOf(response: Response): Promise<ApiError> {
  let body: { detail?: string; title?: string; errors?: FieldError[] } & Record<string, unknown> = {};
  try {
    body = (await response.clone().json()) as typeof body;
  } catch {
    // Not JSON: a proxy's error page or a dropped connection; the status says enough.
  }
  const retryAfter = Number(response.headers.get('Retry-After'));
  const {
    detail,
    title,
    errors,
    type: _type,
    status: _status,
    instance: _instance,
    requestId: _requestId,
    ...extra
  } = body;
  return new ApiError(
    response.status,
    detail ?? title ?? response.statusText ?? `HTTP ${response.status}`,
    Array.isArray(errors) ? errors : [],
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    extra,
  );
}

/** The typed client of our own API, generated from `/openapi.json`; it sends the session cookie. */
export const api = createClient<paths>({ baseUrl: '/', credentials: 'same-origin' });
api.use(session);

/** The data of an answer that succeeded (errors were thrown by the middleware). */
export function data<T>(result: { data?: T; error?: unknown }): T {
  if (result.data === undefined) throw new ApiError(500, 'The API answered without a body.');
  return result.data;
}

/** What a failed request shows the merchant: the API's own words, or a network failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'network';
  return error instanceof Error ? error.message : String(error);
}

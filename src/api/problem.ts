import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/unavailable';

/** One offending input field: `body.email`, `query.limit`, `params.id`. */
export interface FieldError {
  field: string;
  message: string;
}

/** An error that becomes an RFC 9457 `application/problem+json` answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly options: {
      type?: string;
      title?: string;
      errors?: FieldError[];
      headers?: Record<string, string>;
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function sendProblem(res: Response, status: number, detail: string, options: HttpError['options'] = {}): void {
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  res
    .status(status)
    .type('application/problem+json')
    .json({
      type: options.type ?? 'about:blank',
      title: options.title ?? TITLES[status] ?? 'Error',
      status,
      detail,
      instance: res.req.originalUrl,
      requestId: res.req.id,
      ...(options.errors ? { errors: options.errors } : {}),
      ...options.extra,
    });
}

export function zodFieldErrors(error: ZodError, location?: string): FieldError[] {
  return error.issues
    .map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      return keys.map((key) => ({
        field:
          [location, ...issue.path, ...(key === undefined ? [] : [key])].filter((p) => p !== undefined).join('.') ||
          '(root)',
        message: issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message,
      }));
    })
    .flat();
}

export const notFound: RequestHandler = (req) => {
  throw new HttpError(404, `No route for ${req.method} ${req.path}`);
};

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  message?: string;
}

/** The last middleware: every failure leaves as problem+json, and only 5xx are logged as errors. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) return next(err);
  if (err instanceof HttpError) return sendProblem(res, err.status, err.message, err.options);
  if (err instanceof ZodError) {
    return sendProblem(res, 400, 'The request is not valid.', {
      type: 'urn:kaspi-demper:validation',
      errors: zodFieldErrors(err),
    });
  }
  const parserError = err as BodyParserError;
  if (parserError && typeof parserError.status === 'number' && parserError.status < 500 && parserError.expose) {
    const detail =
      parserError.type === 'entity.parse.failed'
        ? 'The body is not valid JSON.'
        : parserError.type === 'entity.too.large'
          ? 'The body is larger than this API accepts.'
          : (parserError.message ?? 'Bad request');
    return sendProblem(res, parserError.status, detail, { errors: [{ field: 'body', message: detail }] });
  }
  if (isDatabaseUnavailable(err)) {
    req.log.warn({ err }, 'request failed: the database is unavailable');
    return sendProblem(res, 503, 'The service is briefly unavailable; try again in a few seconds.', {
      headers: { 'Retry-After': '5' },
    });
  }
  req.log.error({ err }, 'request failed');
  sendProblem(res, 500, 'Something went wrong on our side; the request id identifies it in our logs.');
};

import { type OpenAPIRegistry, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { HttpError, zodFieldErrors, type FieldError } from './problem';
import { Problem } from './schemas';

/** `operator`: the operator token (`OPERATOR_TOKEN`) or an administrator. */
export type Access = 'public' | 'user' | 'admin' | 'operator';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDefinition<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  /** Express-style path relative to the router's prefix, e.g. `/stores/:id`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** A valid body, shown in the docs and used by the contract tests. */
  bodyExample?: z.input<B>;
  /**
   * The route takes a file as the raw request body instead of JSON (`req.body` is a Buffer when one of
   * this type came); the handler checks that it did, after checking access to the resource.
   */
  upload?: { contentType: string; maxBytes: string; description: string };
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  /** Runs after validation and authentication (rate limits, ...). */
  before?: RequestHandler[];
  /** Runs after authentication and before validation: a webhook's signature is checked before its body is parsed. */
  verify?: RequestHandler[];
}

export interface Input<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

export type Handler<P, Q, B> = (input: Input<P, Q, B>, req: Request, res: Response) => Promise<unknown> | unknown;

const problemContent = { 'application/problem+json': { schema: Problem } };

function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parseInto(schema: z.ZodType | undefined, value: unknown, location: string, errors: FieldError[]) {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  errors.push(...zodFieldErrors(result.error, location));
  return undefined;
}

/**
 * An Express router whose routes exist only together with their OpenAPI description: `route()`
 * registers the path in the document, validates params, query and body with the same zod schemas
 * (unknown keys rejected), checks access, and only then calls the handler with the parsed input.
 */
export class ApiRouter {
  readonly router = Router();

  constructor(
    readonly prefix: string,
    private readonly registry: OpenAPIRegistry,
    private readonly access: Record<Exclude<Access, 'public'>, RequestHandler[]>,
  ) {}

  route<
    P extends z.ZodType = z.ZodUndefined,
    Q extends z.ZodType = z.ZodUndefined,
    B extends z.ZodType = z.ZodUndefined,
  >(def: RouteDefinition<P, Q, B>, handler: Handler<z.output<P>, z.output<Q>, z.output<B>>): void {
    this.registry.registerPath(this.describe(def));

    const validate: RequestHandler = (req, res, next) => {
      const errors: FieldError[] = [];
      const input = {
        params: parseInto(def.params, req.params, 'params', errors),
        query: parseInto(def.query ?? z.strictObject({}), req.query, 'query', errors),
        body: def.body ? parseInto(def.body, req.body, 'body', errors) : undefined,
      };
      if (def.upload) {
        if (req.body !== undefined && !Buffer.isBuffer(req.body)) {
          errors.push({ field: 'body', message: `must be a file sent as ${def.upload.contentType}` });
        }
      } else if (!def.body && req.body !== undefined && Object.keys(req.body as object).length > 0) {
        errors.push({ field: 'body', message: 'this route takes no body' });
      }
      if (errors.length > 0) {
        throw new HttpError(400, 'The request is not valid.', { type: 'urn:kaspi-demper:validation', errors });
      }
      res.locals.input = input;
      next();
    };
    const run: RequestHandler = async (req, res) => {
      await handler(res.locals.input as Input<z.output<P>, z.output<Q>, z.output<B>>, req, res);
    };
    const guards = def.access === 'public' ? [] : this.access[def.access];
    const raw = def.upload ? [express.raw({ type: def.upload.contentType, limit: def.upload.maxBytes })] : [];
    this.router[def.method](def.path, ...guards, ...raw, ...(def.verify ?? []), validate, ...(def.before ?? []), run);
  }

  private describe(def: RouteDefinition<z.ZodType, z.ZodType, z.ZodType>): RouteConfig {
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, response] of Object.entries(def.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema
          ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
          : {}),
      };
    }
    const problems: Record<number, string> = { 400: 'Invalid input; `errors` names each offending field' };
    if (def.access !== 'public') problems[401] = 'Missing, expired or revoked credentials';
    if (def.access === 'admin') problems[403] = 'Admins only';
    if (def.access === 'operator') problems[403] = 'Operators only (OPERATOR_TOKEN or an administrator)';
    if (def.params) problems[404] = 'Not found (or not yours)';
    for (const [status, description] of Object.entries(problems)) {
      responses[status] ??= { description, content: problemContent };
    }
    return {
      method: def.method,
      path: openApiPath(this.prefix + def.path),
      summary: def.summary,
      ...(def.description ? { description: def.description } : {}),
      tags: def.tags,
      ...(def.access === 'public'
        ? {}
        : def.access === 'operator'
          ? { security: [{ operatorToken: [] }, { bearerAuth: [] }] }
          : { security: [{ bearerAuth: [] }, { apiKey: [] }] }),
      request: {
        ...(def.params ? { params: def.params as z.ZodObject } : {}),
        ...(def.query ? { query: def.query as z.ZodObject } : {}),
        ...(def.body
          ? {
              body: {
                required: true,
                content: {
                  'application/json': {
                    schema: def.body,
                    ...(def.bodyExample !== undefined ? { example: def.bodyExample } : {}),
                  },
                },
              },
            }
          : {}),
        ...(def.upload
          ? {
              body: {
                required: true,
                description: def.upload.description,
                content: { [def.upload.contentType]: { schema: z.string().meta({ format: 'binary' }) } },
              },
            }
          : {}),
      },
      responses,
    };
  }
}

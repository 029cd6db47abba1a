import { z } from 'zod';
import { XLSX_CONTENT_TYPE } from '../lib/spreadsheet';

/** Shapes shared by many routes; every route's own schemas live beside its router. */

export const Uuid = z.uuid().meta({ description: 'A UUID', example: '0b9f7c4e-2f1d-4d8a-9a44-6f1f2b7c3d10' });

export const IdParams = z.strictObject({ id: Uuid });

export const Timestamp = z.iso.datetime().meta({ description: 'ISO 8601, UTC', example: '2026-11-21T08:30:00.000Z' });

/** Money is whole tenge everywhere in the API. */
export const Tenge = z.int().min(0).meta({ description: 'Whole tenge', example: 12990 });

export const PaginationQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Items per page (1–200)' }),
  page: z.coerce.number().int().min(1).default(1).meta({ description: 'Page number, from 1' }),
});

export function paginated<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      page: z.int().meta({ example: 1 }),
      limit: z.int().meta({ example: 50 }),
      total: z.int().meta({ description: 'Items across all pages', example: 1 }),
    })
    .meta({ id: name });
}

/** The answer of a route that sends an Excel workbook. */
export const XLSX_RESPONSE = {
  description: 'An .xlsx workbook',
  contentType: XLSX_CONTENT_TYPE,
  schema: z.string().meta({ format: 'binary' }),
};

export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}

export const Problem = z
  .object({
    type: z.string().meta({ example: 'urn:kaspi-demper:validation' }),
    title: z.string().meta({ example: 'Bad Request' }),
    status: z.int().meta({ example: 400 }),
    detail: z.string().meta({ example: 'The request is not valid.' }),
    instance: z.string().meta({ example: '/api/v1/auth/register' }),
    requestId: z.string(),
    errors: z.array(z.object({ field: z.string().meta({ example: 'body.email' }), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' });

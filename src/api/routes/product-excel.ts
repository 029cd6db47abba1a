import { z } from 'zod';
import { ImportFileError, importProducts, PRODUCT_COLUMNS, productsWorkbook } from '../../products/excel';
import { SETTINGS_FIELDS } from '../../products/settings';
import { wakeDemper } from '../../stores/demper-control';
import { XLSX_CONTENT_TYPE } from '../../lib/spreadsheet';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, XLSX_RESPONSE } from '../schemas';
import { tenantScope } from '../tenancy';

const RowReport = z.object({
  row: z.int().meta({ description: 'Row number in the sheet (the header is row 1)' }),
  sku: z.string(),
  status: z.enum(['updated', 'unchanged', 'invalid', 'error']).meta({
    description: '`error`: this row is wrong; `invalid`: this row is fine but the file was not applied',
  }),
  errors: z.array(z.object({ column: z.string(), message: z.string() })).optional(),
});

const ImportReport = z
  .object({
    updated: z.int(),
    unchanged: z.int(),
    ignoredColumns: z.array(z.string()).meta({ description: 'Columns the import does not know, left alone' }),
    rows: z.array(RowReport),
  })
  .meta({ id: 'ProductImportReport' });

export function productExcelRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config'>) {
  api.route(
    {
      method: 'get',
      path: '/stores/:id/products/export.xlsx',
      summary: "The store's products and their demper settings as Excel",
      description:
        `One row per product: \`SKU\`, the settings (${SETTINGS_FIELDS.join(', ')}; \`active\` is yes/no, lists are ` +
        'comma-separated), then what the demper last saw (name, brand, live price, position, cheapest rival, preorder ' +
        'days, last check). Edit it and send it back to `POST /stores/{id}/products/import`.',
      tags: ['products'],
      access: 'user',
      params: IdParams,
      responses: {
        200: XLSX_RESPONSE,
      },
    },
    async ({ params }, req, res) => {
      const store = await tenantScope(deps.db, currentUser(req).userId).store(params.id);
      res
        .type(XLSX_CONTENT_TYPE)
        .attachment(`products-${store.merchantUid}.xlsx`)
        .send(Buffer.from(await productsWorkbook(deps.db, store.id)));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/stores/:id/products/import',
      summary: 'Apply demper settings from an Excel file',
      description:
        `The export's columns (${PRODUCT_COLUMNS.join(', ')}): \`SKU\` finds the product; a settings column left out ` +
        'keeps its values, an empty cell takes the default; the read-only columns are ignored. Every row is checked ' +
        'first and the file is applied only if no row is bad, all at once: otherwise 422 reports each row and nothing ' +
        'changes. Send the file as the body with `Content-Type: ' +
        XLSX_CONTENT_TYPE +
        '`.',
      tags: ['products'],
      access: 'user',
      params: IdParams,
      upload: {
        contentType: XLSX_CONTENT_TYPE,
        maxBytes: deps.config.api.uploadLimit,
        description: 'The .xlsx workbook',
      },
      responses: {
        200: { description: 'Applied; what happened to each row', schema: ImportReport },
        400: { description: 'Not an .xlsx workbook, or no SKU column' },
        413: { description: 'The file is larger than API_UPLOAD_LIMIT' },
        422: {
          description:
            'Some rows are bad (each reported in `rows`) or the plan’s limit would be passed; nothing changed',
        },
      },
    },
    async ({ params }, req, res) => {
      const userId = currentUser(req).userId;
      const store = await tenantScope(deps.db, userId).store(params.id);
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
        throw new HttpError(400, 'Send the .xlsx file as the request body.', {
          type: 'urn:kaspi-demper:validation',
          errors: [{ field: 'body', message: `must be an .xlsx file sent as ${XLSX_CONTENT_TYPE}` }],
        });
      }
      let outcome;
      try {
        outcome = await importProducts(deps.db, { userId, storeId: store.id, file: new Uint8Array(req.body) });
      } catch (error) {
        if (!(error instanceof ImportFileError)) throw error;
        throw new HttpError(400, `The file cannot be read: ${error.message}.`, {
          type: 'urn:kaspi-demper:validation',
          errors: [{ field: 'body', message: error.message }],
        });
      }
      if (outcome.kind === 'rejected') {
        throw new HttpError(422, `The file was not applied: ${outcome.reason}.`, {
          errors: outcome.rows.flatMap((r) =>
            (r.errors ?? []).map((e) => ({ field: `body.rows[${r.row}].${e.column}`, message: e.message })),
          ),
          extra: { rows: outcome.rows },
        });
      }
      // Switched on: checked at once, not at the loop's next wake.
      if (outcome.switchedOn > 0) await wakeDemper(deps, store.id, 'product_activated');
      res.json({
        updated: outcome.updated,
        unchanged: outcome.unchanged,
        ignoredColumns: outcome.ignoredColumns,
        rows: outcome.rows,
      });
    },
  );
}

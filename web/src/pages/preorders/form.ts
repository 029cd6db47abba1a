import type { components, paths } from '../../api/schema';

export type Preorder = components['schemas']['Preorder'];
type CreateBody = NonNullable<
  paths['/api/v1/stores/{id}/preorders']['post']['requestBody']
>['content']['application/json'];
type Num = number | string;

/** Kaspi's price list has five pickup-point columns, PP1–PP5: only those can carry a preorder. */
const PREORDER_POINTS = [1, 2, 3, 4, 5] as const;

export interface PreorderValues {
  productId: string | null;
  days: Num;
  /** Units per pickup point number; empty: the point does not ship it. */
  quantities: Record<string, Num>;
  price: Num;
  brand: string;
}

/** The pickup-point numbers of the store's points that a preorder can name (`PP3` → 3). */
export function preorderPoints(points: readonly { code: string }[]): number[] {
  return points
    .map((p) => /^PP(\d+)$/.exec(p.code))
    .map((m) => (m ? Number(m[1]) : 0))
    .filter((n) => (PREORDER_POINTS as readonly number[]).includes(n))
    .sort((a, b) => a - b);
}

export function emptyValues(points: readonly number[]): PreorderValues {
  return {
    productId: null,
    days: 14,
    quantities: Object.fromEntries(points.map((p) => [String(p), ''])),
    price: '',
    brand: '',
  };
}

export function valuesOf(preorder: Preorder, points: readonly number[]): PreorderValues {
  const named = new Map(preorder.warehouses.map((w) => [w.point, w.quantity]));
  const all = [...new Set([...points, ...named.keys()])].sort((a, b) => a - b);
  return {
    productId: preorder.productId,
    days: preorder.days,
    quantities: Object.fromEntries(all.map((p) => [String(p), named.get(p) || ''])),
    price: preorder.price,
    brand: preorder.brand ?? '',
  };
}

/**
 * The points with a quantity, as the API takes them. When none has one, every point goes with 0, so
 * the API's own rule ("at least one point needs a quantity above 0") is what the merchant reads.
 */
export function warehousesOf(values: PreorderValues): CreateBody['warehouses'] {
  const all = Object.entries(values.quantities).map(([point, q]) => ({
    point: Number(point),
    quantity: q === '' ? 0 : Number(q),
  }));
  const stocked = all.filter((w) => w.quantity !== 0);
  return stocked.length > 0 ? stocked : all;
}

/** What a new preorder sends: the price and brand only when given, else the product's own are taken. */
export function createBody(values: PreorderValues): CreateBody {
  return {
    productId: values.productId ?? '',
    days: Number(values.days),
    warehouses: warehousesOf(values),
    ...(values.price !== '' ? { price: Number(values.price) } : {}),
    ...(values.brand.trim() !== '' ? { brand: values.brand.trim() } : {}),
  };
}

/** An edit sends every field the form has; the brand only when there is one (the API cannot clear it). */
export function patchBody(values: PreorderValues): Omit<CreateBody, 'productId'> {
  const { productId: _productId, ...rest } = createBody(values);
  return rest;
}

/**
 * The API names a point's error by its place in the list sent (`warehouses.1.quantity`); the form shows
 * it under that point's field (`quantities.2`). Other fields keep their names.
 */
export function formErrors(fields: Record<string, string>, sent: readonly { point: number }[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [field, message] of Object.entries(fields)) {
    const at = /^warehouses\.(\d+)(\.|$)/.exec(field);
    const point = at ? sent[Number(at[1])]?.point : undefined;
    const name = point !== undefined ? `quantities.${point}` : field;
    errors[name] ??= message;
  }
  return errors;
}

import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { components } from '../api/schema';

export type Product = components['schemas']['Product'];
export type ProductPage = components['schemas']['ProductPage'];
export type PriceChange = components['schemas']['PriceChange'];

export const productKey = (id: string) => ['product', id] as const;
export const productsKey = (storeId: string) => ['products', storeId] as const;

/** A product row that changed on the server replaces its copy in every cached list and its own query. */
export function applyProductUpdate(client: QueryClient, product: Product): void {
  client.setQueriesData<ProductPage>({ queryKey: productsKey(product.storeId) }, (page) =>
    page && page.items.some((p) => p.id === product.id)
      ? { ...page, items: page.items.map((p) => (p.id === product.id ? product : p)) }
      : page,
  );
  client.setQueryData(productKey(product.id), product);
}

/**
 * What the merchant's own change answers with. Two changes of one product in flight (a floor saved, then
 * the switch flipped) may answer out of order, the older last: the lists and the product are asked again
 * after each, so they end on the server's state rather than on whichever answer came last.
 */
export function useProductUpdater() {
  const client = useQueryClient();
  return (product: Product) => {
    applyProductUpdate(client, product);
    void client.invalidateQueries({ queryKey: productsKey(product.storeId) });
    void client.invalidateQueries({ queryKey: productKey(product.id) });
  };
}

/** The gap to the cheapest rival: positive means we are dearer. */
export function gapOf(product: Product): number | null {
  return product.price !== null && product.cheapestRival ? product.price - product.cheapestRival.price : null;
}

/** What was put on preorder and is being taken off: the offer Kaspi knows it by. */
export interface WithdrawInput {
  storeId: string;
  sku: string;
  model: string;
  brand: string;
  /** The preorder's price, sent when Kaspi's prices for the offer are not known. */
  priceTenge: number;
  /** The preorder being deleted: the withdrawal waits for its row to go (absent in runs started before it was given). */
  preorderId?: string;
}

export type WithdrawResult =
  { withdrawn: true } | { withdrawn: false; why: 'store_gone' | 'on_preorder_again' | 'not_at_kaspi' };

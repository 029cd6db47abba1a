import { startTransition, useEffect, useState } from 'react';

/** Rows drawn in the first frame: about a screenful. */
const FIRST_ROWS = 12;

/**
 * A new list (the first page, a filter, a search) shows its first rows in the first frame and the
 * rest in the next, in the background: the merchant sees the answer without waiting for rows below
 * the fold.
 */
export function useFirstRowsFirst<T>(items: T[]): T[] {
  const [complete, setComplete] = useState<T[] | null>(null);
  useEffect(() => {
    startTransition(() => setComplete(items));
  }, [items]);
  return complete === items ? items : items.slice(0, FIRST_ROWS);
}

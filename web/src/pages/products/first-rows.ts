import { startTransition, useEffect, useState } from 'react';

/** Rows drawn in the first frame: about a screenful. */
const FIRST_ROWS = 12;

/**
 * Which products a list holds, whatever their order or contents: a live update to a price or a
 * re-sort keeps it, a new page, filter or search changes it.
 */
export function rowSetKey(items: readonly { id: string }[]): string {
  return items
    .map((item) => item.id)
    .sort()
    .join(',');
}

/**
 * A new list (the first page, a filter, a search) shows its first rows in the first frame and the
 * rest in the next, in the background: the merchant sees the answer without waiting for rows below
 * the fold. The same products updated live stay drawn in full, so a floor being typed further down
 * is not lost.
 */
export function useFirstRowsFirst<T extends { id: string }>(items: T[]): T[] {
  const key = rowSetKey(items);
  const [complete, setComplete] = useState<string | null>(null);
  useEffect(() => {
    startTransition(() => setComplete(key));
  }, [key]);
  return complete === key ? items : items.slice(0, FIRST_ROWS);
}

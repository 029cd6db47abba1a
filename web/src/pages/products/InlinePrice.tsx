import { useMutation } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, data } from '../../api/client';
import { formatTenge } from '../../lib/format';
import { describeError } from '../../lib/forms';
import { translateFieldError } from '../../lib/field-errors';
import { useProductUpdater, type Product } from '../../lib/products';

/**
 * A floor or ceiling edited in the list: `19 000 ₸` at rest, plain digits while typed, saved on
 * Enter or when the field loses focus, with the API's error under the field and the typed value kept
 * until the merchant fixes it. The browser's own field styled like the kit's: a page holds a hundred
 * of them, and each must cost little to draw. Keyed by the saved value, so a change from elsewhere
 * (the live stream, a bulk edit) starts it afresh.
 */
export function InlinePrice({
  product,
  field,
  label,
}: {
  product: Product;
  field: 'minPrice' | 'maxPrice';
  label: string;
}) {
  const { t } = useTranslation();
  const saved = product[field];
  /** What the merchant is typing; null while the field shows the saved value. */
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const update = useProductUpdater();
  const errorId = useId();
  /** Set by Escape: the blur that follows discards the draft instead of saving it. */
  const discarding = useRef(false);

  const save = useMutation({
    mutationFn: async (next: number | null) =>
      data(await api.PATCH('/api/v1/products/{id}', { params: { path: { id: product.id } }, body: { [field]: next } })),
    onSuccess: (p) => {
      setError(null);
      setDraft(null);
      update(p);
    },
    onError: (e) => {
      const fieldMessage = e instanceof ApiError ? (e.fields[field] ?? Object.values(e.fields)[0]) : undefined;
      setError(fieldMessage ? translateFieldError(fieldMessage, t) : describeError(e, t));
    },
  });

  const commit = () => {
    if (draft === null) return;
    const next = draft === '' ? null : Number(draft);
    if (next === saved) {
      setDraft(null);
      setError(null);
      return;
    }
    save.mutate(next);
  };

  return (
    <div className="inline-price">
      <input
        className="inline-price-input num"
        aria-label={`${label}: ${product.name}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        inputMode="numeric"
        autoComplete="off"
        value={draft ?? (saved === null ? '' : formatTenge(saved))}
        onFocus={() => setDraft((d) => d ?? (saved === null ? '' : String(saved)))}
        onChange={(e) => setDraft(e.currentTarget.value.replace(/\D/g, ''))}
        onBlur={() => {
          if (discarding.current) discarding.current = false;
          else commit();
        }}
        onKeyDown={(e) => {
          // Leaving the field saves it: committing here as well would save twice, once now and once more
          // when the field, disabled while saving, loses focus.
          if (e.key === 'Enter') e.currentTarget.blur();
          if (e.key === 'Escape') {
            discarding.current = true;
            setDraft(null);
            setError(null);
            e.currentTarget.blur();
          }
        }}
        placeholder="—"
        disabled={save.isPending}
      />
      {error && (
        <div id={errorId} className="inline-price-error">
          {error}
        </div>
      )}
    </div>
  );
}

import { NumberInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, data } from '../../api/client';
import { describeError } from '../../lib/forms';
import { translateFieldError } from '../../lib/field-errors';
import { useProductUpdater, type Product } from '../../lib/products';

/**
 * A floor or ceiling edited in the list: saved on Enter or when the field loses focus, with the
 * API's error under the field and the typed value kept until the merchant fixes it. Keyed by the
 * saved value, so a change from elsewhere (the live stream, a bulk edit) starts it afresh.
 */
export function InlinePrice({ product, field, label }: { product: Product; field: 'minPrice' | 'maxPrice'; label: string }) {
  const { t } = useTranslation();
  const saved = product[field];
  const [value, setValue] = useState<string | number>(saved ?? '');
  const [error, setError] = useState<string | null>(null);
  const update = useProductUpdater();

  const save = useMutation({
    mutationFn: async (next: number | null) =>
      data(await api.PATCH('/api/v1/products/{id}', { params: { path: { id: product.id } }, body: { [field]: next } })),
    onSuccess: (p) => {
      setError(null);
      update(p);
    },
    onError: (e) => {
      const fieldMessage = e instanceof ApiError ? (e.fields[field] ?? Object.values(e.fields)[0]) : undefined;
      setError(fieldMessage ? translateFieldError(fieldMessage, t) : describeError(e, t));
    },
  });

  const commit = () => {
    const next = value === '' ? null : Number(value);
    if (next === saved) return;
    save.mutate(next);
  };

  return (
    <NumberInput
      aria-label={`${label}: ${product.name}`}
      value={value}
      onChange={setValue}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') {
          setValue(saved ?? '');
          setError(null);
        }
      }}
      error={error}
      min={1}
      allowDecimal={false}
      allowNegative={false}
      thousandSeparator=" "
      hideControls
      size="xs"
      w={104}
      placeholder="—"
      suffix=" ₸"
      disabled={save.isPending}
    />
  );
}

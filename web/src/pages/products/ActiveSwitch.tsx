import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { describeError } from '../../lib/forms';
import { useProductUpdater, type Product } from '../../lib/products';

/** The demper on or off for one product: the browser's own checkbox drawn as a switch, cheap in a long list. */
export function ActiveSwitch({ product }: { product: Product }) {
  const { t } = useTranslation();
  const update = useProductUpdater();
  const client = useQueryClient();
  const toggle = useMutation({
    mutationFn: async (active: boolean) =>
      data(await api.PATCH('/api/v1/products/{id}', { params: { path: { id: product.id } }, body: { active } })),
    onSuccess: (p) => {
      update(p);
      void client.invalidateQueries({ queryKey: ['overview', p.storeId] });
    },
    onError: (error) => notifications.show({ color: 'red', title: product.name, message: describeError(error, t) }),
  });
  return (
    <input
      type="checkbox"
      role="switch"
      className="switch"
      aria-label={t('products.toggle', { name: product.name })}
      checked={product.active}
      disabled={toggle.isPending}
      onChange={(e) => toggle.mutate(e.currentTarget.checked)}
    />
  );
}

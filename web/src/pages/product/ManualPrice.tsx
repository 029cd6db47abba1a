import { Button, Group, NumberInput, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { showApiErrors } from '../../lib/forms';
import type { Product } from '../../lib/products';

/** A price set by hand, pushed by the store's loop through the same paced path as its own. */
export function ManualPrice({ product }: { product: Product }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const form = useForm<{ price: number | string }>({ initialValues: { price: '' } });
  const send = useMutation({
    mutationFn: async (price: number) =>
      data(await api.POST('/api/v1/products/{id}/price', { params: { path: { id: product.id } }, body: { price } })),
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('manual.recorded') });
      form.reset();
      void client.invalidateQueries({ queryKey: ['price-changes', product.id] });
    },
    onError: (error) => showApiErrors(error, form, t),
  });
  return (
    <form
      onSubmit={form.onSubmit((v) => {
        if (v.price !== '') send.mutate(Number(v.price));
      })}
      noValidate
    >
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {product.active ? t('manual.activeNote') : t('manual.note')}
        </Text>
        <Group align="flex-end" wrap="nowrap">
          <NumberInput
            label={t('manual.price')}
            min={1}
            allowDecimal={false}
            allowNegative={false}
            thousandSeparator=" "
            suffix=" ₸"
            style={{ flex: 1 }}
            {...form.getInputProps('price')}
          />
          <Button type="submit" loading={send.isPending} disabled={form.values.price === ''}>
            {t('manual.send')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

import { Button, Fieldset, Group, NumberInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, data } from '../../api/client';
import { formatTenge } from '../../lib/format';
import { describeError } from '../../lib/forms';
import type { Product } from '../../lib/products';
import type { Store } from '../../lib/stores';
import {
  createBody,
  emptyValues,
  formErrors,
  patchBody,
  preorderPoints,
  valuesOf,
  warehousesOf,
  type Preorder,
  type PreorderValues,
} from './form';
import { translatePreorderErrors } from './messages';
import { ProductPicker } from './ProductPicker';
import { preordersKey } from './queries';

/**
 * A new preorder (a product of the store) or a change to one: the days until it ships, the units per
 * pickup point, and the price and brand when the product's own should not be used. The API's field
 * errors land under the fields they name.
 */
export function PreorderForm({
  store,
  preorder,
  onDone,
}: {
  store: Store;
  /** The preorder to change; none for a new one. */
  preorder: Preorder | null;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const points = preorderPoints(store.points);
  const [picked, setPicked] = useState<Product | null>(null);
  const form = useForm<PreorderValues>({
    initialValues: preorder ? valuesOf(preorder, points) : emptyValues(points),
    // An edit keeps its product, even one since gone from the catalog (its preorder can still be changed).
    validate: { productId: (id) => (id || preorder ? null : t('preorders.errors.chooseProduct')) },
  });

  const save = useMutation({
    mutationFn: async (values: PreorderValues) => {
      const params = { path: { id: store.id } };
      if (!preorder) return data(await api.POST('/api/v1/stores/{id}/preorders', { params, body: createBody(values) }));
      return data(
        await api.PATCH('/api/v1/stores/{id}/preorders/{preorderId}', {
          params: { path: { id: store.id, preorderId: preorder.id } },
          body: patchBody(values),
        }),
      );
    },
    onSuccess: (saved) => {
      notifications.show({
        color: 'green',
        message: t(preorder ? 'preorders.saved' : 'preorders.created', { sku: saved.sku }),
      });
      void client.invalidateQueries({ queryKey: preordersKey(store.id) });
      onDone();
    },
    onError: (error, values) => {
      if (error instanceof ApiError && error.status === 409) {
        form.setErrors({ productId: t('preorders.errors.alreadyOn') });
        return;
      }
      if (error instanceof ApiError && Object.keys(error.fields).length > 0) {
        form.setErrors(translatePreorderErrors(formErrors(error.fields, warehousesOf(values)), t));
        return;
      }
      notifications.show({ color: 'red', title: t('errors.title'), message: describeError(error, t) });
    },
  });

  const pointName = (n: number) => {
    const point = store.points.find((p) => p.code === `PP${n}`);
    return point?.name ? `PP${n} · ${point.name}` : `PP${n}`;
  };
  const productPrice = preorder ? null : picked?.price;
  const productBrand = preorder ? null : picked?.brand;

  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(values))} noValidate>
      <Stack gap="sm">
        {preorder ? (
          <div>
            <Text size="sm" fw={600}>
              {t('preorders.product')}
            </Text>
            <Text size="sm">
              <span className="num">{preorder.sku}</span> · {preorder.model}
            </Text>
          </div>
        ) : (
          <ProductPicker
            storeId={store.id}
            value={form.values.productId}
            onChange={(id) => form.setFieldValue('productId', id)}
            onPicked={setPicked}
            error={form.errors.productId}
          />
        )}
        <NumberInput
          label={t('preorders.days')}
          description={t('preorders.daysNote')}
          required
          allowDecimal={false}
          allowNegative={false}
          {...form.getInputProps('days')}
        />
        <Fieldset
          legend={
            <Text span size="sm" fw={600}>
              {t('preorders.quantities')}
            </Text>
          }
          variant="unstyled"
          p={0}
          m={0}
        >
          <Text size="xs" c="dimmed" mb={4}>
            {t('preorders.quantitiesNote')}
          </Text>
          <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
            {Object.keys(form.values.quantities).map((point) => (
              <NumberInput
                key={point}
                label={pointName(Number(point))}
                allowDecimal={false}
                allowNegative={false}
                thousandSeparator=" "
                {...form.getInputProps(`quantities.${point}`)}
              />
            ))}
          </SimpleGrid>
          {typeof form.errors.warehouses === 'string' && (
            <Text size="xs" c="red" mt={4} role="alert">
              {form.errors.warehouses}
            </Text>
          )}
        </Fieldset>
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
          <NumberInput
            label={t('preorders.price')}
            description={productPrice ? t('preorders.priceDefault', { price: formatTenge(productPrice) }) : undefined}
            allowDecimal={false}
            allowNegative={false}
            thousandSeparator=" "
            suffix=" ₸"
            {...form.getInputProps('price')}
          />
          <TextInput
            label={t('preorders.brand')}
            description={productBrand ? t('preorders.brandDefault', { brand: productBrand }) : undefined}
            maxLength={100}
            {...form.getInputProps('brand')}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {preorder ? t('common.save') : t('preorders.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

import { Button, Group, NumberInput, Paper, Select, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, data } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import type { components } from '../../api/schema';
import { showApiErrors } from '../../lib/forms';
import { productsKey } from '../../lib/products';
import { decimalMark } from '../../lib/format';

type Batch = components['schemas']['ProductBatch'];

interface BulkValues {
  strategy: string;
  step: number | string;
  floorPercent: number | string;
  floorFromMargin: number | string;
  ceilingPercent: number | string;
}

const STRATEGIES = ['undercut', 'match', 'stay_top_n'] as const;

/** The id in the batch route's "product … has no cost" refusal. */
function costlessProduct(message: string | undefined): string | null {
  return message?.match(/^product (\S+) has no cost/)?.[1] ?? null;
}

/** Many selected products changed at once: all or nothing, as the API applies it. */
export function BulkBar({
  storeId,
  ids,
  nameOf,
  onDone,
}: {
  storeId: string;
  ids: string[];
  /** The name of a selected product, to say which one a refusal is about. */
  nameOf(id: string): string | undefined;
  onDone(): void;
}) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const form = useForm<BulkValues>({
    initialValues: { strategy: '', step: '', floorPercent: '', floorFromMargin: '', ceilingPercent: '' },
  });

  const apply = useMutation({
    mutationFn: async (body: Batch) => data(await api.POST('/api/v1/products/batch', { body })),
    onSuccess: (result) => {
      notifications.show({ color: 'green', message: t('bulk.done', { count: result.items.length }) });
      void client.invalidateQueries({ queryKey: productsKey(storeId) });
      void client.invalidateQueries({ queryKey: ['overview', storeId] });
      setEditing(false);
      form.reset();
      onDone();
    },
    onError: (error) => {
      showApiErrors(error, form, t);
      // The API names the product without a cost by its id; the merchant knows it by its name.
      const costless = error instanceof ApiError ? costlessProduct(error.fields.floorFromMarginPercent) : null;
      const name = costless ? nameOf(costless) : undefined;
      if (name) form.setFieldError('floorFromMarginPercent', t('economics.errors.noCostOf', { name }));
    },
  });

  const switchAll = (active: boolean) => apply.mutate({ productIds: ids, settings: { active } });

  const submit = (values: BulkValues) => {
    const settings: Batch['settings'] = {};
    if (values.strategy) settings.strategy = values.strategy as Batch['settings']['strategy'];
    if (values.step !== '') settings.step = Number(values.step);
    const body: Batch = { productIds: ids, settings };
    if (values.floorPercent !== '') body.floorPercentBelowPrice = Number(values.floorPercent);
    if (values.floorFromMargin !== '') body.floorFromMarginPercent = Number(values.floorFromMargin);
    if (values.ceilingPercent !== '') body.ceilingPercentAbovePrice = Number(values.ceilingPercent);
    apply.mutate(body);
  };

  return (
    <Paper withBorder p="sm" radius="md" className="bulk-bar" role="region" aria-label={t('bulk.title')}>
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {t('bulk.selected', { count: ids.length })}
        </Text>
        <Group gap="xs">
          <Button size="xs" variant="light" onClick={() => switchAll(true)} loading={apply.isPending}>
            {t('bulk.switchOn')}
          </Button>
          <Button size="xs" variant="light" color="gray" onClick={() => switchAll(false)} loading={apply.isPending}>
            {t('bulk.switchOff')}
          </Button>
          <Button size="xs" onClick={() => setEditing(true)}>
            {t('bulk.edit')}
          </Button>
        </Group>
      </Group>
      <Dialog opened={editing} onClose={() => setEditing(false)} title={t('bulk.editTitle', { count: ids.length })}>
        <form onSubmit={form.onSubmit(submit)} noValidate>
          <Stack>
            <Select
              label={t('settings.strategy')}
              placeholder={t('bulk.keep')}
              data={STRATEGIES.map((s) => ({ value: s, label: t(`strategy.${s}`, { n: 'N' }) }))}
              clearable
              {...form.getInputProps('strategy')}
            />
            <NumberInput
              label={t('settings.step')}
              placeholder={t('bulk.keep')}
              min={1}
              allowDecimal={false}
              suffix=" ₸"
              {...form.getInputProps('step')}
            />
            <NumberInput
              label={t('bulk.floorPercent')}
              description={t('bulk.floorPercentHint')}
              placeholder={t('bulk.keep')}
              min={0}
              max={90}
              suffix=" %"
              {...form.getInputProps('floorPercent')}
              error={form.errors.floorPercentBelowPrice ?? form.errors.floorPercent}
            />
            <NumberInput
              label={t('economics.floorFromMargin')}
              description={t('economics.floorFromMarginBulkHint')}
              placeholder={t('bulk.keep')}
              min={0}
              max={99}
              decimalScale={2}
              decimalSeparator={decimalMark(i18n.language)}
              suffix=" %"
              {...form.getInputProps('floorFromMargin')}
              error={form.errors.floorFromMarginPercent ?? form.errors.floorFromMargin}
            />
            <NumberInput
              label={t('bulk.ceilingPercent')}
              description={t('bulk.ceilingPercentHint')}
              placeholder={t('bulk.keep')}
              min={0}
              max={500}
              suffix=" %"
              {...form.getInputProps('ceilingPercent')}
              error={form.errors.ceilingPercentAbovePrice ?? form.errors.ceilingPercent}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setEditing(false)}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={apply.isPending}>
                {t('bulk.apply')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Dialog>
    </Paper>
  );
}

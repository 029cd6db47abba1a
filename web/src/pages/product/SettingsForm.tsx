import {
  Accordion,
  Button,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import type { components } from '../../api/schema';
import { decimalMark } from '../../lib/format';
import { showApiErrors } from '../../lib/forms';
import { CommissionInput } from './CommissionInput';
import { useProductUpdater, type Product } from '../../lib/products';

type Patch = components['schemas']['ProductSettingsPatch'];
type Num = number | string;

interface Values {
  active: boolean;
  strategy: string;
  topN: Num;
  minPrice: Num;
  maxPrice: Num;
  step: Num;
  excludedMerchants: string[];
  cities: string[];
  cost: Num;
  minMarginPercent: Num;
  commissionPercent: Num;
  deliveryCost: Num;
  taxPercent: Num;
  noRivalsAction: string;
  maxDropPercentPerChange: Num;
  maxDropPercentPerDay: Num;
  priceWarRounds: Num;
  priceWarGuardPrice: Num;
  priceWarGuardPercent: Num;
}

const orEmpty = (n: number | null): Num => (n === null ? '' : n);
const orNull = (n: Num): number | null => (n === '' ? null : Number(n));

function valuesOf(p: Product): Values {
  return {
    active: p.active,
    strategy: p.strategy,
    topN: orEmpty(p.topN),
    minPrice: orEmpty(p.minPrice),
    maxPrice: orEmpty(p.maxPrice),
    step: p.step,
    excludedMerchants: p.excludedMerchants,
    cities: p.cities,
    cost: orEmpty(p.cost),
    minMarginPercent: orEmpty(p.minMarginPercent),
    commissionPercent: orEmpty(p.commissionPercent),
    deliveryCost: orEmpty(p.deliveryCost),
    taxPercent: orEmpty(p.taxPercent),
    noRivalsAction: p.noRivalsAction,
    maxDropPercentPerChange: p.maxDropPercentPerChange,
    maxDropPercentPerDay: p.maxDropPercentPerDay,
    priceWarRounds: p.priceWarRounds,
    priceWarGuardPrice: orEmpty(p.priceWarGuardPrice),
    priceWarGuardPercent: p.priceWarGuardPercent,
  };
}

function toPatch(values: Values): Patch {
  return {
    active: values.active,
    strategy: values.strategy as Patch['strategy'],
    topN: orNull(values.topN),
    minPrice: orNull(values.minPrice),
    maxPrice: orNull(values.maxPrice),
    step: Number(values.step),
    excludedMerchants: values.excludedMerchants,
    cities: values.cities,
    cost: orNull(values.cost),
    minMarginPercent: orNull(values.minMarginPercent),
    commissionPercent: orNull(values.commissionPercent),
    deliveryCost: orNull(values.deliveryCost),
    taxPercent: orNull(values.taxPercent),
    noRivalsAction: values.noRivalsAction as Patch['noRivalsAction'],
    maxDropPercentPerChange: Number(values.maxDropPercentPerChange),
    maxDropPercentPerDay: Number(values.maxDropPercentPerDay),
    priceWarRounds: Number(values.priceWarRounds),
    priceWarGuardPrice: orNull(values.priceWarGuardPrice),
    priceWarGuardPercent: Number(values.priceWarGuardPercent),
  };
}

/** Only what the merchant changed is sent, so a change made elsewhere meanwhile is not overwritten. */
function patchOf(values: Values, before: Values): Patch {
  const after = toPatch(values);
  const reference = toPatch(before);
  return Object.fromEntries(
    Object.entries(after).filter(
      ([key, value]) => JSON.stringify(value) !== JSON.stringify(reference[key as keyof Patch]),
    ),
  ) as Patch;
}

export function SettingsForm({ product }: { product: Product }) {
  const { t, i18n } = useTranslation();
  const update = useProductUpdater();
  const client = useQueryClient();
  const form = useForm<Values>({ initialValues: valuesOf(product) });

  useEffect(() => {
    // A live update of the product (a new price, a position) must not wipe what is being typed.
    if (!form.isDirty()) form.setValues(valuesOf(product));
    form.resetDirty(valuesOf(product));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [product]);

  const save = useMutation({
    mutationFn: async (body: Patch) =>
      data(await api.PATCH('/api/v1/products/{id}', { params: { path: { id: product.id } }, body })),
    onSuccess: (p) => {
      update(p);
      form.setValues(valuesOf(p));
      form.resetDirty(valuesOf(p));
      void client.invalidateQueries({ queryKey: ['overview', p.storeId] });
      notifications.show({ color: 'green', message: t('settings.saved') });
    },
    onError: (error) => showApiErrors(error, form, t),
  });

  const money = { min: 1, allowDecimal: false, allowNegative: false, thousandSeparator: ' ', suffix: ' ₸' } as const;
  const percent = { min: 0, max: 100, suffix: ' %', decimalScale: 2 } as const;
  const cityOptions = product.competingCities.map((c) => ({ value: c.id, label: c.name }));

  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(patchOf(values, valuesOf(product))))} noValidate>
      <Stack gap="sm">
        <Switch label={t('settings.active')} {...form.getInputProps('active', { type: 'checkbox' })} />
        <Select
          label={t('settings.strategy')}
          data={(['undercut', 'match', 'stay_top_n'] as const).map((s) => ({
            value: s,
            label: t(`strategy.${s}`, { n: 'N' }),
          }))}
          allowDeselect={false}
          {...form.getInputProps('strategy')}
        />
        {form.values.strategy === 'stay_top_n' && (
          <NumberInput
            label={t('settings.topN')}
            min={1}
            max={64}
            allowDecimal={false}
            {...form.getInputProps('topN')}
          />
        )}
        <Group grow align="flex-start">
          <NumberInput
            label={t('settings.minPrice')}
            description={t('settings.minPriceHint')}
            {...money}
            {...form.getInputProps('minPrice')}
          />
          <NumberInput
            label={t('settings.maxPrice')}
            description={t('settings.maxPriceHint')}
            {...money}
            {...form.getInputProps('maxPrice')}
          />
        </Group>
        <NumberInput
          label={t('settings.step')}
          description={t('settings.stepHint')}
          {...money}
          {...form.getInputProps('step')}
        />
        <Accordion variant="contained" multiple>
          <Accordion.Item value="economics">
            <Accordion.Control>{t('economics.title')}</Accordion.Control>
            <Accordion.Panel>
              <Stack gap="sm">
                <NumberInput label={t('settings.cost')} {...money} {...form.getInputProps('cost')} />
                <CommissionInput {...form.getInputProps('commissionPercent')} value={form.values.commissionPercent} />
                <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
                  <NumberInput
                    label={t('economics.deliveryCost')}
                    description={t('economics.deliveryCostHint')}
                    {...money}
                    min={0}
                    {...form.getInputProps('deliveryCost')}
                  />
                  <NumberInput
                    label={t('economics.taxPercent')}
                    description={t('economics.taxPercentHint')}
                    {...percent}
                    decimalSeparator={decimalMark(i18n.language)}
                    {...form.getInputProps('taxPercent')}
                  />
                </SimpleGrid>
                <NumberInput
                  label={t('settings.minMarginPercent')}
                  description={t('settings.minMarginPercentHint')}
                  min={0}
                  max={1000}
                  suffix=" %"
                  {...form.getInputProps('minMarginPercent')}
                />
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="rivals">
            <Accordion.Control>{t('settings.rivalsSection')}</Accordion.Control>
            <Accordion.Panel>
              <Stack gap="sm">
                <TagsInput
                  label={t('settings.excludedMerchants')}
                  description={t('settings.excludedMerchantsHint')}
                  {...form.getInputProps('excludedMerchants')}
                />
                <MultiSelect
                  label={t('settings.cities')}
                  description={t('settings.citiesHint')}
                  data={cityOptions}
                  {...form.getInputProps('cities')}
                />
                <Select
                  label={t('settings.noRivalsAction')}
                  data={(['hold', 'ceiling'] as const).map((a) => ({ value: a, label: t(`settings.noRivals.${a}`) }))}
                  allowDeselect={false}
                  {...form.getInputProps('noRivalsAction')}
                />
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="safety">
            <Accordion.Control>{t('settings.safetySection')}</Accordion.Control>
            <Accordion.Panel>
              <Stack gap="sm">
                <NumberInput
                  label={t('settings.maxDropPercentPerChange')}
                  {...percent}
                  {...form.getInputProps('maxDropPercentPerChange')}
                />
                <NumberInput
                  label={t('settings.maxDropPercentPerDay')}
                  {...percent}
                  {...form.getInputProps('maxDropPercentPerDay')}
                />
                <NumberInput
                  label={t('settings.priceWarRounds')}
                  min={2}
                  max={100}
                  allowDecimal={false}
                  {...form.getInputProps('priceWarRounds')}
                />
                <NumberInput
                  label={t('settings.priceWarGuardPrice')}
                  {...money}
                  {...form.getInputProps('priceWarGuardPrice')}
                />
                <NumberInput
                  label={t('settings.priceWarGuardPercent')}
                  {...percent}
                  {...form.getInputProps('priceWarGuardPercent')}
                />
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        </Accordion>
        <Group justify="flex-end">
          <Button variant="default" disabled={!form.isDirty()} onClick={() => form.setValues(valuesOf(product))}>
            {t('common.reset')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

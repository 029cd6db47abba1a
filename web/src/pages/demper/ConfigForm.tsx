import { Button, Group, NumberInput, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import type { components } from '../../api/schema';
import { showApiErrors } from '../../lib/forms';

type Config = components['schemas']['DemperConfig'];

interface Values {
  intervalSeconds: number | string;
  hotIntervalSeconds: number | string;
  maxPushesPerSecond: number | string;
  allDay: boolean;
  from: string;
  to: string;
  dryRun: boolean;
}

function valuesOf(config: Config): Values {
  return {
    intervalSeconds: config.intervalSeconds,
    hotIntervalSeconds: config.hotIntervalSeconds,
    maxPushesPerSecond: config.maxPushesPerSecond,
    allDay: config.workingHours === null,
    from: config.workingHours?.from ?? '09:00',
    to: config.workingHours?.to ?? '23:00',
    dryRun: config.dryRun,
  };
}

export function ConfigForm({ storeId, config, onSaved }: { storeId: string; config: Config; onSaved(): void }) {
  const { t } = useTranslation();
  const form = useForm<Values>({ initialValues: valuesOf(config) });
  useEffect(() => {
    if (!form.isDirty()) {
      form.setValues(valuesOf(config));
      form.resetDirty(valuesOf(config));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [config]);

  const save = useMutation({
    mutationFn: async (v: Values) =>
      data(
        await api.PATCH('/api/v1/stores/{id}/demper', {
          params: { path: { id: storeId } },
          body: {
            intervalSeconds: Number(v.intervalSeconds),
            hotIntervalSeconds: Number(v.hotIntervalSeconds),
            maxPushesPerSecond: Number(v.maxPushesPerSecond),
            workingHours: v.allDay ? null : { from: v.from, to: v.to },
            dryRun: v.dryRun,
          },
        }),
      ),
    onSuccess: (saved) => {
      form.setValues(valuesOf(saved));
      form.resetDirty(valuesOf(saved));
      notifications.show({ color: 'green', message: t('settings.saved') });
      onSaved();
    },
    onError: (error) => {
      showApiErrors(error, form, t);
      // Working hours are one field in the API and two here.
      const hours = form.errors['workingHours.from'] ?? form.errors['workingHours.to'] ?? form.errors.workingHours;
      if (hours) form.setFieldError('from', hours);
    },
  });

  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <NumberInput
            label={t('config.interval')}
            description={t('config.intervalHint')}
            min={5}
            allowDecimal={false}
            suffix={` ${t('units.s')}`}
            {...form.getInputProps('intervalSeconds')}
          />
          <NumberInput
            label={t('config.hotInterval')}
            description={t('config.hotIntervalHint')}
            min={5}
            allowDecimal={false}
            suffix={` ${t('units.s')}`}
            {...form.getInputProps('hotIntervalSeconds')}
          />
          <NumberInput
            label={t('config.pushes')}
            description={t('config.pushesHint')}
            min={0.1}
            max={2}
            step={0.1}
            decimalScale={2}
            {...form.getInputProps('maxPushesPerSecond')}
          />
        </SimpleGrid>
        <Switch label={t('config.allDay')} {...form.getInputProps('allDay', { type: 'checkbox' })} />
        {!form.values.allDay && (
          <Group align="flex-start">
            <TextInput label={t('config.from')} placeholder="09:00" w={120} {...form.getInputProps('from')} />
            <TextInput label={t('config.to')} placeholder="23:00" w={120} {...form.getInputProps('to')} />
            <Text size="xs" c="dimmed" mt={30}>
              {t('config.almatyTime')}
            </Text>
          </Group>
        )}
        <Switch
          label={t('config.dryRun')}
          description={t('config.dryRunHint')}
          {...form.getInputProps('dryRun', { type: 'checkbox' })}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

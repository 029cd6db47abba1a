import { Button, Checkbox, Group, NumberInput, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { showApiErrors } from '../../lib/forms';
import { bodyOf, settingsQuery, type NotificationSettings } from './queries';

interface Values {
  dailyCap: number | string;
  minIntervalSeconds: number | string;
  aroundTheClock: boolean;
  workingHours: { from: string; to: string };
  reviewDelayHours: number | string;
}

/** How many messages a day, how far apart, in which hours, and how long after delivery a review is asked. */
export function SendRules({ storeId, settings }: { storeId: string; settings: NotificationSettings }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const form = useForm<Values>({
    initialValues: {
      dailyCap: settings.dailyCap,
      minIntervalSeconds: settings.minIntervalSeconds,
      aroundTheClock: settings.workingHours === null,
      workingHours: settings.workingHours ?? { from: '09:00', to: '21:00' },
      reviewDelayHours: settings.reviewDelayHours,
    },
  });
  const save = useMutation({
    mutationFn: async (values: Values) =>
      data(
        await api.PUT('/api/v1/stores/{id}/notifications', {
          params: { path: { id: storeId } },
          body: {
            ...bodyOf(settings),
            dailyCap: Number(values.dailyCap),
            minIntervalSeconds: Number(values.minIntervalSeconds),
            workingHours: values.aroundTheClock ? null : values.workingHours,
            reviewDelayHours: Number(values.reviewDelayHours),
          },
        }),
      ),
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('messages.saved') });
      void client.invalidateQueries({ queryKey: settingsQuery(storeId).queryKey });
    },
    onError: (error) => showApiErrors(error, form, t),
  });
  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(values))} noValidate>
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <NumberInput
            label={t('messages.dailyCap')}
            min={1}
            allowDecimal={false}
            {...form.getInputProps('dailyCap')}
          />
          <NumberInput
            label={t('messages.minInterval')}
            min={0}
            allowDecimal={false}
            suffix={` ${t('units.s')}`}
            {...form.getInputProps('minIntervalSeconds')}
          />
          <NumberInput
            label={t('messages.reviewDelay')}
            min={1}
            allowDecimal={false}
            {...form.getInputProps('reviewDelayHours')}
          />
        </SimpleGrid>
        <Checkbox
          label={t('messages.aroundTheClock')}
          {...form.getInputProps('aroundTheClock', { type: 'checkbox' })}
        />
        {!form.values.aroundTheClock && (
          <Group gap="sm">
            <TextInput type="time" label={t('messages.from')} {...form.getInputProps('workingHours.from')} />
            <TextInput type="time" label={t('messages.to')} {...form.getInputProps('workingHours.to')} />
          </Group>
        )}
        <Group>
          <Button type="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

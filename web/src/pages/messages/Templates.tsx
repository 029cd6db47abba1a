import { Button, Card, Code, Group, Stack, Switch, Tabs, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { renderTemplate, sampleValues } from '../../../../src/domain/message-templates';
import { api, data } from '../../api/client';
import { showApiErrors } from '../../lib/forms';
import { bodyOf, settingsQuery, type NotificationSettings, type Template } from './queries';

type Channel = Template['channel'];

/**
 * Every message template of the store, by channel: on or off, its text, and a preview filled with a
 * made-up order exactly as the server fills it; a test sends one now.
 */
export function Templates({
  storeId,
  storeName,
  settings,
}: {
  storeId: string;
  storeName: string;
  settings: NotificationSettings;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const form = useForm<{ templates: Template[] }>({ initialValues: { templates: settings.templates } });
  const [phone, setPhone] = useState('');
  const save = useMutation({
    mutationFn: async (templates: Template[]) =>
      data(
        await api.PUT('/api/v1/stores/{id}/notifications', {
          params: { path: { id: storeId } },
          body: { ...bodyOf(settings), templates },
        }),
      ),
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('messages.saved') });
      void client.invalidateQueries({ queryKey: settingsQuery(storeId).queryKey });
    },
    onError: (error) => showApiErrors(error, form, t),
  });
  const test = useMutation({
    mutationFn: async (template: Template) =>
      data(
        await api.POST('/api/v1/stores/{id}/notifications/test', {
          params: { path: { id: storeId } },
          body: {
            channel: template.channel,
            event: template.event,
            text: template.text,
            ...(template.channel === 'whatsapp' ? { phone } : {}),
          },
        }),
      ),
    onSuccess: (sent) => {
      notifications.show({ color: 'green', message: t('messages.testSent', { recipient: sent.recipient }) });
      void client.invalidateQueries({ queryKey: ['messages', storeId] });
    },
    onError: (error) => showApiErrors(error, null, t),
  });
  const sample = sampleValues(storeName, new Date());
  const tab = (channel: Channel) => (
    <Stack gap="md" pt="md">
      {channel === 'whatsapp' && (
        <TextInput
          label={t('messages.testPhone')}
          description={t('messages.testPhoneNote')}
          placeholder="+7 701 123 45 67"
          type="tel"
          value={phone}
          onChange={(e) => setPhone(e.currentTarget.value)}
          maw={320}
        />
      )}
      {form.values.templates.map((template, index) =>
        template.channel !== channel ? null : (
          <Card key={`${template.channel}:${template.event}`} withBorder padding="md">
            <Stack gap="xs">
              <Group justify="space-between" wrap="wrap">
                <Text fw={600}>{t(`orders.event.${template.event}`)}</Text>
                <Switch
                  label={t('messages.active')}
                  {...form.getInputProps(`templates.${index}.active`, { type: 'checkbox' })}
                />
              </Group>
              <Textarea
                label={t('messages.text')}
                autosize
                minRows={2}
                {...form.getInputProps(`templates.${index}.text`)}
              />
              <Text size="xs" c="dimmed">
                {t('messages.preview')}
              </Text>
              <Text
                size="sm"
                className="message-text message-preview"
                data-testid={`preview-${template.channel}-${template.event}`}
              >
                {renderTemplate(template.text, sample)}
              </Text>
              <Group>
                <Button
                  size="xs"
                  variant="default"
                  loading={test.isPending && test.variables === template}
                  disabled={channel === 'whatsapp' && phone.trim() === ''}
                  onClick={() => test.mutate(template)}
                  aria-label={t('messages.sendTestNamed', { event: t(`orders.event.${template.event}`) })}
                >
                  {t('messages.sendTest')}
                </Button>
              </Group>
            </Stack>
          </Card>
        ),
      )}
    </Stack>
  );
  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(values.templates))} noValidate>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('messages.variables')}{' '}
          {settings.variables.map((v) => (
            <Code key={v} mr={4}>{`{${v}}`}</Code>
          ))}
        </Text>
        <Tabs defaultValue="whatsapp">
          <Tabs.List>
            <Tabs.Tab value="whatsapp">{t('orders.channel.whatsapp')}</Tabs.Tab>
            <Tabs.Tab value="telegram">{t('orders.channel.telegram')}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="whatsapp">{tab('whatsapp')}</Tabs.Panel>
          <Tabs.Panel value="telegram">{tab('telegram')}</Tabs.Panel>
        </Tabs>
        <Group>
          <Button type="submit" loading={save.isPending}>
            {t('messages.saveTemplates')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

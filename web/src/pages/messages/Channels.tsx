import { Anchor, Badge, Button, Code, Group, Stack, Switch, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import type { components } from '../../api/schema';
import { formatExactTime } from '../../lib/format';
import { showApiErrors } from '../../lib/forms';
import { bodyOf, settingsQuery, type NotificationSettings } from './queries';

type LinkCode = components['schemas']['TelegramLinkCode'];

const SESSION_COLORS: Record<string, string> = {
  WORKING: 'green',
  SCAN_QR_CODE: 'yellow',
  STARTING: 'blue',
  FAILED: 'red',
};

/** WhatsApp to customers through the store's WAHA session; Telegram to the merchant's own chat. */
export function Channels({ storeId, settings }: { storeId: string; settings: NotificationSettings }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const refresh = useCallback(
    () => void client.invalidateQueries({ queryKey: settingsQuery(storeId).queryKey }),
    [client, storeId],
  );
  const save = useMutation({
    mutationFn: async (change: { whatsappEnabled?: boolean; telegramEnabled?: boolean }) =>
      data(
        await api.PUT('/api/v1/stores/{id}/notifications', {
          params: { path: { id: storeId } },
          body: { ...bodyOf(settings), ...change },
        }),
      ),
    onSuccess: refresh,
    onError: (error) => showApiErrors(error, null, t),
  });
  const connect = useMutation({
    mutationFn: async () =>
      data(await api.POST('/api/v1/stores/{id}/notifications/whatsapp/connect', { params: { path: { id: storeId } } })),
    onSuccess: refresh,
    onError: (error) => showApiErrors(error, null, t),
  });
  const session = settings.whatsapp.session;
  return (
    <Stack gap="lg">
      <Stack gap="xs">
        <Switch
          label={t('messages.whatsapp')}
          description={t('messages.whatsappNote')}
          checked={settings.whatsapp.enabled}
          disabled={!settings.whatsapp.configured}
          onChange={(e) => save.mutate({ whatsappEnabled: e.currentTarget.checked })}
        />
        {!settings.whatsapp.configured ? (
          <Text size="sm" c="dimmed">
            {t('messages.whatsappMissing')}
          </Text>
        ) : (
          <Group gap="sm" wrap="wrap">
            <Badge
              color={SESSION_COLORS[session?.status ?? ''] ?? 'gray'}
              variant="dot"
              radius="sm"
              className="state-badge"
            >
              {t(`messages.session.${session?.status ?? 'none'}`, { defaultValue: session?.status ?? '' })}
            </Badge>
            {session?.status !== 'WORKING' && (
              <Button size="xs" variant="default" loading={connect.isPending} onClick={() => connect.mutate()}>
                {t(session ? 'messages.checkWhatsapp' : 'messages.connectWhatsapp')}
              </Button>
            )}
          </Group>
        )}
        {session && session.status !== 'WORKING' && <WhatsAppQr storeId={storeId} onWorking={refresh} />}
      </Stack>
      <Stack gap="xs">
        <Switch
          label={t('messages.telegram')}
          description={t('messages.telegramNote')}
          checked={settings.telegram.enabled}
          disabled={!settings.telegram.configured}
          onChange={(e) => save.mutate({ telegramEnabled: e.currentTarget.checked })}
        />
        {settings.telegram.configured ? (
          <TelegramLink onChange={refresh} />
        ) : (
          <Text size="sm" c="dimmed">
            {t('messages.telegramMissing')}
          </Text>
        )}
      </Stack>
    </Stack>
  );
}

/** The merchant's own Telegram chat: linked by a one-time code sent to the bot, or unlinked. */
function TelegramLink({ onChange }: { onChange: () => void }) {
  const { t, i18n } = useTranslation();
  const [code, setCode] = useState<LinkCode | null>(null);
  const chat = useQuery({
    queryKey: ['telegram-chat'],
    // While a code waits to be sent to the bot, look for the link every few seconds.
    refetchInterval: code ? 3_000 : false,
    queryFn: async () => data(await api.GET('/api/v1/telegram/chat')),
  });
  const linked = chat.data?.linked ?? false;
  const newCode = useMutation({
    mutationFn: async () => data(await api.POST('/api/v1/telegram/link-codes')),
    onSuccess: setCode,
    onError: (error) => showApiErrors(error, null, t),
  });
  const unlink = useMutation({
    mutationFn: async () => {
      await api.DELETE('/api/v1/telegram/chat');
    },
    onSuccess: () => {
      setCode(null);
      void chat.refetch();
      onChange();
    },
    onError: (error) => showApiErrors(error, null, t),
  });
  if (!chat.data) return null;
  if (linked) {
    return (
      <Group gap="sm" wrap="wrap">
        <Badge color="green" variant="dot" radius="sm" className="state-badge">
          {chat.data.username ? t('messages.linkedAs', { name: `@${chat.data.username}` }) : t('messages.linked')}
        </Badge>
        <Button size="xs" variant="default" loading={unlink.isPending} onClick={() => unlink.mutate()}>
          {t('messages.unlink')}
        </Button>
      </Group>
    );
  }
  return (
    <Stack gap="xs">
      <Group gap="sm">
        <Badge color="gray" variant="dot" radius="sm" className="state-badge">
          {t('messages.notLinked')}
        </Badge>
        <Button size="xs" variant="default" loading={newCode.isPending} onClick={() => newCode.mutate()}>
          {t(code ? 'messages.newCode' : 'messages.linkTelegram')}
        </Button>
      </Group>
      {code && (
        <Text size="sm">
          {t('messages.sendCode')} <Code data-testid="telegram-code">{code.code}</Code>{' '}
          {code.link && (
            <Anchor href={code.link} target="_blank" rel="noreferrer">
              {t('messages.openBot')}
            </Anchor>
          )}{' '}
          · {t('messages.codeUntil', { time: formatExactTime(code.expiresAt, i18n.language) })}
        </Text>
      )}
    </Stack>
  );
}

/**
 * The code the shop's phone scans, straight from WAHA. It changes every few seconds, so it is asked for
 * again until the session works; then the channel's state is read afresh.
 */
function WhatsAppQr({ storeId, onWorking }: { storeId: string; onWorking: () => void }) {
  const { t } = useTranslation();
  const qr = useQuery({
    queryKey: ['whatsapp-qr', storeId],
    refetchInterval: 3_000,
    queryFn: async () =>
      data(await api.GET('/api/v1/stores/{id}/notifications/whatsapp/qr', { params: { path: { id: storeId } } })),
  });
  const working = qr.data?.status === 'WORKING';
  useEffect(() => {
    if (working) onWorking();
  }, [working, onWorking]);
  if (!qr.data?.qr) return null;
  return (
    <Group align="flex-start" gap="md" wrap="wrap">
      <img
        className="whatsapp-qr"
        src={`data:${qr.data.qr.mimetype};base64,${qr.data.qr.data}`}
        alt={t('messages.qrAlt')}
        width={200}
        height={200}
      />
      <Text size="sm" maw={360}>
        {t('messages.scanQr')}
      </Text>
    </Group>
  );
}

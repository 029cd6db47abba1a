import { Alert, Anchor, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, data } from '../../api/client';
import type { components } from '../../api/schema';
import { describeError, showApiErrors } from '../../lib/forms';
import { useNow } from '../../lib/now';
import type { Store } from '../../lib/stores';

type Login = components['schemas']['KaspiLogin'];

interface Started {
  loginId: string;
  phone: string;
  phoneMasked: string | null;
  expiresAt: string;
}

/** Phone → Kaspi texts a code → the code, with a countdown, the tries left and "send again". */
export function SmsLogin({ onConnected }: { onConnected(stores: Store[]): void }) {
  const { t } = useTranslation();
  const [started, setStarted] = useState<Started | null>(null);
  const [login, setLogin] = useState<Login | null>(null);
  const phoneForm = useForm({ initialValues: { phone: '' } });
  const codeForm = useForm({ initialValues: { code: '' } });

  const start = useMutation({
    mutationFn: async (phone: string) => ({
      phone,
      ...data(await api.POST('/api/v1/stores/connect/sms', { body: { phone } })),
    }),
    onSuccess: (result) => {
      setStarted({
        loginId: result.loginId,
        phone: result.phone,
        phoneMasked: result.phoneMasked,
        expiresAt: result.expiresAt,
      });
      setLogin(null);
      codeForm.reset();
    },
    onError: (error) => showApiErrors(error, phoneForm, t),
  });

  const submit = useMutation({
    mutationFn: async (code: string) =>
      data(
        await api.POST('/api/v1/logins/{loginId}/code', {
          params: { path: { loginId: started!.loginId } },
          body: { code },
        }),
      ),
    onSuccess: (result) => {
      setLogin(result);
      if (result.state === 'connected') return onConnected(result.stores);
      if (result.state === 'waiting_code') {
        codeForm.setFieldError('code', t('sms.wrongCode', { left: result.attemptsLeft }));
      }
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) {
        setLogin((l) => (l ? { ...l, state: (error.extra.state as Login['state']) ?? 'failed' } : l));
        codeForm.setFieldError('code', error.message);
        return;
      }
      showApiErrors(error, codeForm, t);
    },
  });

  if (!started) {
    return (
      <form onSubmit={phoneForm.onSubmit((v) => start.mutate(v.phone))} noValidate>
        <Stack gap="sm">
          <TextInput
            label={t('sms.phone')}
            description={t('sms.phoneHint')}
            placeholder="+7 701 123 45 67"
            type="tel"
            autoComplete="tel"
            inputMode="tel"
            {...phoneForm.getInputProps('phone')}
          />
          <Button type="submit" loading={start.isPending}>
            {t('sms.sendCode')}
          </Button>
        </Stack>
      </form>
    );
  }

  const ended = login?.state === 'failed' || login?.state === 'expired';
  return (
    <Stack gap="sm">
      <Text size="sm">{t('sms.sent', { phone: started.phoneMasked ?? started.phone })}</Text>
      {ended ? (
        <Alert color="red" title={t('sms.endedTitle')}>
          {login?.failureReason ?? t('sms.ended')}
        </Alert>
      ) : (
        <form onSubmit={codeForm.onSubmit((v) => submit.mutate(v.code.trim()))} noValidate>
          <Stack gap="sm">
            <TextInput
              label={t('sms.code')}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              w={200}
              {...codeForm.getInputProps('code')}
            />
            <Countdown expiresAt={started.expiresAt} />
            {login && login.state === 'waiting_code' && (
              <Text size="sm" c="dimmed">
                {t('sms.attemptsLeft', { count: login.attemptsLeft })}
              </Text>
            )}
            <Button type="submit" loading={submit.isPending} disabled={!codeForm.values.code.trim()}>
              {submit.isPending ? t('sms.checking') : t('sms.confirm')}
            </Button>
          </Stack>
        </form>
      )}
      <Group gap="md">
        <Anchor
          component="button"
          type="button"
          size="sm"
          onClick={() => start.mutate(started.phone)}
          disabled={start.isPending}
        >
          {t('sms.resend')}
        </Anchor>
        <Anchor component="button" type="button" size="sm" c="dimmed" onClick={() => setStarted(null)}>
          {t('sms.otherPhone')}
        </Anchor>
      </Group>
      {start.error && (
        <Text size="sm" c="red.9">
          {describeError(start.error, t)}
        </Text>
      )}
    </Stack>
  );
}

function Countdown({ expiresAt }: { expiresAt: string }) {
  const { t } = useTranslation();
  const now = useNow(1_000);
  const left = Math.max(0, Math.round((Date.parse(expiresAt) - now) / 1000));
  const mm = Math.floor(left / 60);
  const ss = String(left % 60).padStart(2, '0');
  return (
    <Text size="sm" c={left < 30 ? 'red.9' : 'dimmed'} aria-live={left < 30 ? 'polite' : 'off'}>
      {left > 0 ? t('sms.expiresIn', { time: `${mm}:${ss}` }) : t('sms.expired')}
    </Text>
  );
}

import { Alert, Stack, Stepper, Tabs, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { IconCookie, IconKey, IconMessage } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { Store } from '../lib/stores';
import { storesKey, useStores } from '../lib/stores';
import { CatalogSync } from './connect/CatalogSync';
import { CookiesLogin } from './connect/CookiesLogin';
import { PasswordLogin } from './connect/PasswordLogin';
import { ShopApiTokens } from './connect/ShopApiTokens';
import { SmsLogin } from './connect/SmsLogin';

type Method = 'password' | 'sms' | 'cookies';

/** Connect (or reconnect) a Kaspi store: sign in to Kaspi, optionally add the Shop API token, import the catalog. */
export default function Connect() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [params] = useSearchParams();
  const stores = useStores();
  const reconnecting = stores.data?.find((s) => s.id === params.get('store'));
  const [step, setStep] = useState(0);
  const [method, setMethod] = useState<Method>('password');
  const [smsHint, setSmsHint] = useState(false);
  const [connected, setConnected] = useState<Store[]>([]);

  const onConnected = (list: Store[]) => {
    setConnected(list);
    void client.invalidateQueries({ queryKey: storesKey });
    setStep(1);
  };

  return (
    <Stack gap="lg" maw={760}>
      <div>
        <Title order={1} size="h2">
          {reconnecting ? t('connect.reconnectTitle', { name: reconnecting.name }) : t('connect.title')}
        </Title>
        <Text c="dimmed" size="sm">
          {t('connect.intro')}
        </Text>
      </div>
      <Stepper active={step} onStepClick={(s) => s < step && setStep(s)} allowNextStepsSelect={false} size="sm">
        <Stepper.Step label={t('connect.step.login')} description={t('connect.step.loginHint')}>
          {smsHint && (
            <Alert color="blue" mb="md">
              {t('connect.needsSms')}
            </Alert>
          )}
          <Tabs value={method} onChange={(v) => setMethod((v as Method) ?? 'password')}>
            <Tabs.List grow>
              <Tabs.Tab value="password" leftSection={<IconKey size={16} aria-hidden />}>
                {t('connect.method.password')}
              </Tabs.Tab>
              <Tabs.Tab value="sms" leftSection={<IconMessage size={16} aria-hidden />}>
                {t('connect.method.sms')}
              </Tabs.Tab>
              <Tabs.Tab value="cookies" leftSection={<IconCookie size={16} aria-hidden />}>
                {t('connect.method.cookies')}
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="password" pt="md">
              <PasswordLogin
                onConnected={onConnected}
                onNeedsSms={() => {
                  setSmsHint(true);
                  setMethod('sms');
                }}
              />
            </Tabs.Panel>
            <Tabs.Panel value="sms" pt="md">
              <SmsLogin onConnected={onConnected} />
            </Tabs.Panel>
            <Tabs.Panel value="cookies" pt="md">
              <CookiesLogin onConnected={onConnected} />
            </Tabs.Panel>
          </Tabs>
        </Stepper.Step>
        <Stepper.Step label={t('connect.step.token')} description={t('connect.step.tokenHint')}>
          <ShopApiTokens stores={connected} onDone={() => setStep(2)} />
        </Stepper.Step>
        <Stepper.Step label={t('connect.step.catalog')} description={t('connect.step.catalogHint')}>
          <CatalogSync stores={connected} />
        </Stepper.Step>
      </Stepper>
    </Stack>
  );
}

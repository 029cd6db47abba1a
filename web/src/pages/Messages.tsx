import { Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ErrorState } from '../components/ErrorState';
import { MessageLog } from '../components/MessageLog';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { Section } from '../components/Section';
import { useStores } from '../lib/stores';
import { Channels } from './messages/Channels';
import { settingsQuery } from './messages/queries';
import { SendRules } from './messages/SendRules';
import { Templates } from './messages/Templates';

/** What customers (WhatsApp) and the merchant (Telegram) are told about orders, when, and what was sent. */
export default function Messages() {
  const { t } = useTranslation();
  const { storeId = '' } = useParams();
  const store = useStores().data?.find((s) => s.id === storeId);
  const settings = useQuery(settingsQuery(storeId));
  if (settings.isPending) return <PageLoader />;
  if (settings.error) return <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />;
  return (
    <Stack gap="lg">
      <PageHeader title={t('messages.title')} subtitle={store?.name} />
      <Section title={t('messages.channelsTitle')}>
        <Channels storeId={storeId} settings={settings.data} />
      </Section>
      <Section title={t('messages.rulesTitle')}>
        <SendRules storeId={storeId} settings={settings.data} />
      </Section>
      <Section title={t('messages.templatesTitle')}>
        <Templates storeId={storeId} storeName={store?.name ?? ''} settings={settings.data} />
      </Section>
      <Section title={t('messages.logTitle')}>
        <MessageLog storeId={storeId} />
      </Section>
    </Stack>
  );
}

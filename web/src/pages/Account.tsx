import { Badge, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Section } from '../components/Section';
import { useMe } from '../lib/session';
import { ApiKeys } from './account/ApiKeys';
import { PasswordForm } from './account/PasswordForm';
import { SignOutEverywhere } from './account/SignOutEverywhere';

/** The merchant's own account: password, API keys for integrations, and the sessions signed in. */
export default function Account() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <Stack gap="lg" maw={880}>
      <div>
        <Title order={1} size="h2">
          {t('accountPage.title')}
        </Title>
        <Group gap="xs" mt={4}>
          <Text c="dimmed" size="sm">
            {me.data?.email}
          </Text>
          {me.data?.role === 'admin' && (
            <Badge variant="light" size="sm">
              {t('accountPage.admin')}
            </Badge>
          )}
        </Group>
      </div>
      <Section title={t('accountPage.passwordTitle')}>
        <PasswordForm />
      </Section>
      <Section title={t('apiKeys.title')}>
        <ApiKeys />
      </Section>
      <Section title={t('accountPage.sessionsTitle')}>
        <SignOutEverywhere />
      </Section>
    </Stack>
  );
}

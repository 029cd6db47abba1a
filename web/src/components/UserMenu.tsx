import { Menu, Text } from '@mantine/core';
import { IconCreditCard, IconLogout, IconServerCog, IconShieldLock, IconUserCircle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/client';
import { queryClient } from '../lib/query';
import { useMe } from '../lib/session';
import { HeaderMenu } from './HeaderMenu';

export function UserMenu() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const signOut = async () => {
    await api.DELETE('/api/v1/auth/session').catch(() => undefined);
    queryClient.clear();
    void navigate('/signin', { replace: true });
  };
  return (
    <HeaderMenu label={t('nav.account')} icon={<IconUserCircle size={22} aria-hidden />}>
      <Menu.Label>
        <Text size="sm" fw={500}>
          {me.data?.email}
        </Text>
        <Text size="xs" c="dimmed">
          {t('account.plan', { plan: me.data?.plan ?? '' })}
        </Text>
      </Menu.Label>
      <Menu.Divider />
      <Menu.Item component={Link} to="/account" leftSection={<IconShieldLock size={16} aria-hidden />}>
        {t('accountPage.title')}
      </Menu.Item>
      <Menu.Item component={Link} to="/billing" leftSection={<IconCreditCard size={16} aria-hidden />}>
        {t('billing.nav')}
      </Menu.Item>
      {me.data?.role === 'admin' && (
        <Menu.Item component={Link} to="/admin/users" leftSection={<IconServerCog size={16} aria-hidden />}>
          {t('admin.nav')}
        </Menu.Item>
      )}
      <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void signOut()}>
        {t('account.signOut')}
      </Menu.Item>
    </HeaderMenu>
  );
}

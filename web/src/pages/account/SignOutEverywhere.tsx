import { Button, Group, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { showApiErrors } from '../../lib/forms';
import { queryClient } from '../../lib/query';

/** Every session of the account ends, this one too; API keys go on working. */
export function SignOutEverywhere() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [asking, { open, close }] = useDisclosure(false);
  const signOut = useMutation({
    mutationFn: async () => {
      await api.POST('/api/v1/auth/logout-all');
      // The session is already revoked: this only clears the cabinet's cookies.
      await api.DELETE('/api/v1/auth/session').catch(() => undefined);
    },
    onSuccess: () => {
      queryClient.clear();
      void navigate('/signin', { replace: true });
    },
    onError: (error) => showApiErrors(error, null, t),
  });
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {t('accountPage.everywhereNote')}
      </Text>
      <Group>
        <Button color="red" variant="outline" onClick={open}>
          {t('accountPage.signOutEverywhere')}
        </Button>
      </Group>
      <Dialog opened={asking} onClose={close} title={t('accountPage.signOutEverywhere')}>
        <Stack>
          <Text size="sm">{t('accountPage.everywhereConfirm')}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button color="red" loading={signOut.isPending} onClick={() => signOut.mutate()}>
              {t('accountPage.signOutEverywhere')}
            </Button>
          </Group>
        </Stack>
      </Dialog>
    </Stack>
  );
}

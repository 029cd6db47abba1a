import { Button, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { PasswordField } from '../../components/PasswordField';
import { showApiErrors } from '../../lib/forms';

interface Values {
  currentPassword: string;
  newPassword: string;
  repeatPassword: string;
}

/**
 * A new password signs every other device out; this session gets a fresh cookie from the answer and
 * stays signed in.
 */
export function PasswordForm() {
  const { t } = useTranslation();
  const form = useForm<Values>({
    initialValues: { currentPassword: '', newPassword: '', repeatPassword: '' },
    validate: {
      repeatPassword: (value, values) => (value === values.newPassword ? null : t('accountPage.passwordsDiffer')),
    },
  });
  const change = useMutation({
    mutationFn: async ({ currentPassword, newPassword }: Values) =>
      data(await api.POST('/api/v1/auth/password', { body: { currentPassword, newPassword } })),
    onSuccess: () => {
      form.reset();
      notifications.show({ color: 'green', message: t('accountPage.passwordChanged') });
    },
    onError: (error) => showApiErrors(error, form, t),
  });
  return (
    <form onSubmit={form.onSubmit((values) => change.mutate(values))} noValidate>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('accountPage.passwordNote')}
        </Text>
        <PasswordField
          label={t('accountPage.currentPassword')}
          autoComplete="current-password"
          required
          maw={420}
          {...form.getInputProps('currentPassword')}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <PasswordField
            label={t('accountPage.newPassword')}
            description={t('auth.passwordRule')}
            autoComplete="new-password"
            required
            {...form.getInputProps('newPassword')}
          />
          <PasswordField
            label={t('accountPage.repeatPassword')}
            description={t('accountPage.repeatNote')}
            autoComplete="new-password"
            required
            {...form.getInputProps('repeatPassword')}
          />
        </SimpleGrid>
        <Group>
          <Button type="submit" loading={change.isPending}>
            {t('accountPage.changePassword')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

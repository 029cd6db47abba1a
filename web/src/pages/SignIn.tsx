import { Anchor, Button, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, data } from '../api/client';
import { PasswordField } from '../components/PasswordField';
import { showApiErrors } from '../lib/forms';
import { queryClient } from '../lib/query';
import { meKey } from '../lib/session';
import { AuthFrame } from './AuthFrame';

/** Only paths of this cabinet: `next` must never send the merchant to another site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignIn() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const form = useForm({ initialValues: { email: '', password: '' } });
  const signIn = useMutation({
    mutationFn: async (values: { email: string; password: string }) =>
      data(await api.POST('/api/v1/auth/session', { body: values })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: meKey });
      void navigate(safeNext(params.get('next')), { replace: true });
    },
    onError: (error) => showApiErrors(error, form, t),
  });
  return (
    <AuthFrame
      title={t('auth.signInTitle')}
      footer={
        <>
          {t('auth.noAccount')}{' '}
          <Anchor
            component={Link}
            to={`/signup${params.get('next') ? `?next=${encodeURIComponent(params.get('next')!)}` : ''}`}
          >
            {t('auth.signUp')}
          </Anchor>
        </>
      }
    >
      <form onSubmit={form.onSubmit((values) => signIn.mutate(values))} noValidate>
        <Stack>
          <TextInput
            label={t('auth.email')}
            type="email"
            autoComplete="email"
            required
            {...form.getInputProps('email')}
          />
          <PasswordField
            label={t('auth.password')}
            autoComplete="current-password"
            required
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={signIn.isPending} fullWidth>
            {t('auth.signIn')}
          </Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}

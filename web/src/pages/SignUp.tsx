import { Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
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
import { safeNext } from './SignIn';

export function SignUp() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const form = useForm({ initialValues: { email: '', password: '' } });
  const signUp = useMutation({
    mutationFn: async (values: { email: string; password: string }) => {
      data(await api.POST('/api/v1/auth/register', { body: values }));
      return data(await api.POST('/api/v1/auth/session', { body: values }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: meKey });
      const next = params.get('next');
      void navigate(next ? safeNext(next) : '/connect', { replace: true });
    },
    onError: (error) => showApiErrors(error, form, t),
  });
  return (
    <AuthFrame
      title={t('auth.signUpTitle')}
      footer={
        <>
          {t('auth.haveAccount')}{' '}
          <Anchor component={Link} to="/signin">
            {t('auth.signIn')}
          </Anchor>
        </>
      }
    >
      <form onSubmit={form.onSubmit((values) => signUp.mutate(values))} noValidate>
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
            description={t('auth.passwordRule')}
            autoComplete="new-password"
            required
            {...form.getInputProps('password')}
          />
          <Text size="xs" c="dimmed">
            {t('auth.signUpNote')}
          </Text>
          <Button type="submit" loading={signUp.isPending} fullWidth>
            {t('auth.signUp')}
          </Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}

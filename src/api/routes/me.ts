import { z } from 'zod';
import { findUser } from '../../accounts/users';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { Timestamp, Uuid } from '../schemas';

const Me = z
  .object({
    id: Uuid,
    email: z.string(),
    role: z.enum(['user', 'admin']),
    plan: z.string().meta({ example: 'free' }),
    demperPaused: z.boolean(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Me' });

export function meRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db'>) {
  api.route(
    {
      method: 'get',
      path: '/me',
      summary: 'The signed-in account',
      tags: ['accounts'],
      access: 'user',
      responses: { 200: { description: 'The account', schema: Me } },
    },
    async (_input, req, res) => {
      const user = await findUser(deps.db, currentUser(req).userId);
      if (!user) throw new HttpError(401, 'The account no longer exists.');
      res.json({
        id: user.id,
        email: user.email,
        role: user.role,
        plan: user.plan,
        demperPaused: user.demperPaused,
        createdAt: user.createdAt.toISOString(),
      });
    },
  );
}

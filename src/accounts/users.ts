import { and, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { users } from '../db/schema';
import { hashPassword, verifyPassword } from './passwords';
import type { Role } from './tokens';

export type User = typeof users.$inferSelect;

export class EmailTakenError extends Error {
  constructor() {
    super('An account with this email already exists.');
  }
}

/** Emails are compared trimmed and lower-cased, so `A@x.kz ` and `a@x.kz` are one account. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const UNIQUE_VIOLATION = '23505';

export async function createUser(db: Db, input: { email: string; password: string; role?: Role }): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  try {
    const [user] = await db
      .insert(users)
      .values({ email: normalizeEmail(input.email), passwordHash, role: input.role ?? 'user' })
      .returning();
    return user!;
  } catch (err) {
    if ((err as { cause?: { code?: string }; code?: string }).cause?.code === UNIQUE_VIOLATION)
      throw new EmailTakenError();
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new EmailTakenError();
    throw err;
  }
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)));
  return user;
}

export async function findUser(db: Db, id: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id));
  return user;
}

export class AdminSetupError extends Error {}

/**
 * Makes sure the configured first admin exists and is an admin. The account is created when absent.
 * An existing account is promoted only when `ADMIN_PASSWORD` is its password: registration is open, so
 * whoever signed up with that email first must not become admin by it. Otherwise it refuses, and the
 * API does not start.
 */
export async function ensureAdmin(db: Db, admin: { email: string; password: string }): Promise<User> {
  const existing = await findUserByEmail(db, admin.email);
  if (existing) {
    if (existing.role === 'admin') return existing;
    if (!(await verifyPassword(existing.passwordHash, admin.password))) {
      throw new AdminSetupError(
        'ADMIN_EMAIL belongs to an existing account whose password is not ADMIN_PASSWORD, so it is not made an ' +
          "administrator: set ADMIN_PASSWORD to that account's password, or choose another ADMIN_EMAIL.",
      );
    }
    const [promoted] = await db
      .update(users)
      .set({ role: 'admin' })
      .where(and(eq(users.id, existing.id), eq(users.passwordHash, existing.passwordHash)))
      .returning();
    // Its password changed between the check and the promotion: check again.
    if (!promoted) return ensureAdmin(db, admin);
    return promoted;
  }
  try {
    return await createUser(db, { ...admin, role: 'admin' });
  } catch (err) {
    // Another API instance (or a sign-up) created it at the same moment.
    if (err instanceof EmailTakenError) return ensureAdmin(db, admin);
    throw err;
  }
}

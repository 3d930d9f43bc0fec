import type { Db } from '@/lib/db';
import { queryOne } from '@/lib/db';

export interface Account {
  id: string;
  plan: string;
}

/** The account of a dashboard user, created on first use (Supabase users arrive without one). */
export async function ensureAccountForUser(db: Db, user: { userId: string; email: string }, plan = 'free'): Promise<Account> {
  const existing = await queryOne<Account>(
    db,
    'select a.id, a.plan from account_members m join accounts a on a.id = m.account_id where m.user_id = $1',
    [user.userId],
  );
  if (existing) return existing;
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [user.userId]);
    const again = await queryOne<Account>(
      tx,
      'select a.id, a.plan from account_members m join accounts a on a.id = m.account_id where m.user_id = $1',
      [user.userId],
    );
    if (again) return again;
    const account = (await queryOne<Account>(tx, 'insert into accounts (name, plan) values ($1, $2) returning id, plan', [user.email, plan]))!;
    await tx.query('insert into account_members (user_id, account_id, email) values ($1, $2, $3)', [user.userId, account.id, user.email]);
    return account;
  });
}

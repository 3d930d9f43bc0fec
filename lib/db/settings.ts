import type { Db } from './types';
import { queryOne } from './types';

export async function getSetting(db: Db, key: string): Promise<string | undefined> {
  const row = await queryOne<{ value: string }>(db, 'select value from app_settings where key = $1', [key]);
  return row?.value;
}

export async function setSetting(db: Db, key: string, value: string): Promise<void> {
  await db.query(
    `insert into app_settings (key, value) values ($1, $2)
     on conflict (key) do update set value = excluded.value, updated_at = now()`,
    [key, value],
  );
}

/** Inserts the value only if the key is absent and returns whichever value is stored (safe across instances). */
export async function getOrInitSetting(db: Db, key: string, init: () => string): Promise<string> {
  await db.query('insert into app_settings (key, value) values ($1, $2) on conflict (key) do nothing', [key, init()]);
  return (await getSetting(db, key))!;
}

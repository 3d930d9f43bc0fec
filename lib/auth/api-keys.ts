import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { queryOne, type Db } from '@/lib/db';
import { ApiError, invalidApiKey } from '@/lib/errors';
import type { Account } from './accounts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_PATTERN = /^mlive_([a-z0-9]{12})_([A-Za-z0-9]{40})$/;

function randomString(alphabet: string, length: number): string {
  // Rejection sampling keeps every character equally likely.
  const out: string[] = [];
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 256 - (256 % alphabet.length) && out.length < length) out.push(alphabet[byte % alphabet.length]!);
    }
  }
  return out.join('');
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  last_four: string;
  masked_key: string;
  scopes: string[];
  is_active: boolean;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  last_four: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

function toView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    last_four: row.last_four,
    masked_key: `${row.prefix}${'•'.repeat(8)}${row.last_four}`,
    scopes: row.scopes,
    is_active: row.revoked_at === null,
    created_at: iso(row.created_at)!,
    last_used_at: iso(row.last_used_at),
    revoked_at: iso(row.revoked_at),
  };
}

const KEY_COLUMNS = 'id, name, prefix, last_four, scopes, created_at, last_used_at, revoked_at';

export async function createApiKey(db: Db, input: { accountId: string; createdBy: string; name: string; scopes?: string[] }) {
  const id = randomString(ALPHABET, 12);
  const secret = randomString(SECRET_ALPHABET, 40);
  const apiKey = `mlive_${id}_${secret}`;
  const row = (await queryOne<ApiKeyRow>(
    db,
    `insert into api_keys (id, account_id, created_by, name, secret_hash, prefix, last_four, scopes)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${KEY_COLUMNS}`,
    [id, input.accountId, input.createdBy, input.name, hashSecret(secret).toString('hex'), `mlive_${id}_`, secret.slice(-4), input.scopes ?? []],
  ))!;
  return { ...toView(row), api_key: apiKey };
}

export async function listApiKeys(db: Db, accountId: string): Promise<ApiKeyView[]> {
  const rows = await db.query<ApiKeyRow>(`select ${KEY_COLUMNS} from api_keys where account_id = $1 order by created_at desc, id`, [accountId]);
  return rows.map(toView);
}

export async function revokeApiKey(db: Db, input: { accountId: string; keyId: string; now: Date }): Promise<ApiKeyView> {
  const row = await queryOne<ApiKeyRow>(
    db,
    `update api_keys set revoked_at = coalesce(revoked_at, $3) where id = $1 and account_id = $2 returning ${KEY_COLUMNS}`,
    [input.keyId, input.accountId, input.now],
  );
  if (!row) throw new ApiError('not_found', 'API key not found');
  return toView(row);
}

export interface ApiKeyCaller {
  keyId: string;
  scopes: string[];
  account: Account;
}

/** Resolves `mlive_<id>_<secret>` to its account; any mismatch is the same 401, compared in constant time. */
export async function authenticateApiKey(db: Db, token: string, now: Date): Promise<ApiKeyCaller> {
  const match = KEY_PATTERN.exec(token);
  if (!match) throw invalidApiKey();
  const [, id, secret] = match as unknown as [string, string, string];
  const row = await queryOne<{ secret_hash: string; scopes: string[]; account_id: string; plan: string; last_used_at: Date | null }>(
    db,
    `select k.secret_hash, k.scopes, k.account_id, a.plan, k.last_used_at
     from api_keys k join accounts a on a.id = k.account_id
     where k.id = $1 and k.revoked_at is null`,
    [id],
  );
  const expected = Buffer.from(row?.secret_hash ?? '0'.repeat(64), 'hex');
  const matches = timingSafeEqual(hashSecret(secret), expected);
  if (!row || !matches) throw invalidApiKey();
  // Recorded at most once a minute per key, so hot keys do not write on every request.
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > 60_000) {
    await db.query('update api_keys set last_used_at = $2 where id = $1', [id, now]);
  }
  return { keyId: id, scopes: row.scopes, account: { id: row.account_id, plan: row.plan } };
}

/** Revokes every active key a dashboard user created (on a password reset); returns how many. */
export async function revokeApiKeysCreatedBy(db: Db, input: { userId: string; now: Date }): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `update api_keys set revoked_at = $2
     where account_id in (select account_id from account_members where user_id = $1) and created_by = $1 and revoked_at is null
     returning id`,
    [input.userId, input.now],
  );
  return rows.length;
}

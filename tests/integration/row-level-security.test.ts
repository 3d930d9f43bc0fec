import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as memory from '@/app/api/v1/memory/route';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { call } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let alice: TestAccount;
let bob: TestAccount;
const subOf = (account: TestAccount) => JSON.parse(Buffer.from(account.accessToken.split('.')[1]!, 'base64url').toString()).sub as string;

beforeAll(async () => {
  app = await startTestApp();
  alice = await createAccount();
  bob = await createAccount();
  await call(memory.POST, 'POST', '/api/v1/memory', { token: alice.apiKey, body: { content: 'Alice account: likes sailing', external_user_id: 'a@example.com' } });
  await call(memory.POST, 'POST', '/api/v1/memory', { token: bob.apiKey, body: { content: 'Bob account: likes chess', external_user_id: 'b@example.com' } });
});
afterAll(() => app.stop());

/** Runs SQL as Supabase's PostgREST would for a signed-in user: role authenticated with the JWT's claims. */
async function asUser<T>(account: TestAccount | null, sql: string, params: (string | null)[] = []): Promise<T[]> {
  return app.services.db.transaction(async (tx) => {
    await tx.query(`set local role ${account ? 'authenticated' : 'anon'}`);
    await tx.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(account ? { sub: subOf(account), role: 'authenticated' } : { role: 'anon' })]);
    return tx.query<T>(sql, params);
  });
}

describe('Row Level Security (Supabase roles and JWT claims)', () => {
  it("a signed-in user reads only their own account's memories, keys and account", async () => {
    const rows = await asUser<{ content: string }>(alice, 'select content from memories');
    expect(rows.map((r) => r.content)).toEqual(['Alice account: likes sailing']);
    expect(await asUser(alice, 'select id from accounts')).toEqual([{ id: await accountIdOf(app.services.db, alice) }]);
    expect((await asUser<{ id: string }>(alice, 'select id from api_keys')).map((k) => k.id)).toEqual([alice.keyId]);
  });

  it('cannot read key hashes, secrets or other users', async () => {
    await expect(asUser(alice, 'select secret_hash from api_keys')).rejects.toThrow(/permission denied/);
    await expect(asUser(alice, 'select * from local_users')).rejects.toThrow(/permission denied/);
    await expect(asUser(alice, 'select * from app_settings')).rejects.toThrow(/permission denied/);
  });

  it("the search functions return nothing from another account, even when asked by id", async () => {
    const [bobs] = await app.services.db.query<{ embedding: string }>("select embedding::text as embedding from memories where content like 'Bob%'");
    const embedding = bobs!.embedding;
    const rows = await asUser(alice, 'select id from match_memories($1::uuid, $2, $3::vector, -1, 10)', [await accountIdOf(app.services.db, bob), 'b@example.com', embedding]);
    expect(rows).toEqual([]);
    const own = await asUser(bob, 'select id from match_memories($1::uuid, $2, $3::vector, -1, 10)', [await accountIdOf(app.services.db, bob), 'b@example.com', embedding]);
    expect(own).toHaveLength(1);
  });

  it("cannot delete another account's memories; can delete its own", async () => {
    const bobsBefore = await app.services.db.query("select id from memories where content like 'Bob%'");
    await asUser(alice, "delete from memories where content like 'Bob%'");
    expect(await app.services.db.query("select id from memories where content like 'Bob%'")).toEqual(bobsBefore);
    await asUser(alice, "delete from memories where content like 'Alice%'");
    expect(await app.services.db.query("select id from memories where content like 'Alice%'")).toEqual([]);
  });

  it('the anonymous role sees nothing', async () => {
    await expect(asUser(null, 'select content from memories')).rejects.toThrow(/permission denied/);
  });
});

import { afterAll, beforeAll } from 'vitest';
import { accountIdOf, createAccount, type TestAccount } from './accounts';
import { startTestApp, type TestApp } from './services';

/** A test file's app and one account in it, ready once the file's beforeAll hooks have run. */
export interface AccountFixture extends TestAccount {
  app: TestApp;
  /** The account's row id (accounts.id). */
  accountId: string;
}

/**
 * Registers the beforeAll/afterAll of a test file that works with one account: fresh services (startTestApp), a
 * signed-up account with an API key, and its id. Call at the top level of the file; read the fields inside tests.
 */
export function withAccount(options: Parameters<typeof startTestApp>[0] = {}): AccountFixture {
  let app: TestApp | undefined;
  let account: TestAccount | undefined;
  let accountId: string | undefined;
  beforeAll(async () => {
    app = await startTestApp(options);
    account = await createAccount();
    accountId = await accountIdOf(app.services.db, account);
  });
  afterAll(() => app?.stop());
  const ready = <T,>(value: T | undefined): T => {
    if (value === undefined) throw new Error('withAccount(): read its fields inside tests or hooks, after beforeAll has run');
    return value;
  };
  return {
    get app() {
      return ready(app);
    },
    get accountId() {
      return ready(accountId);
    },
    get email() {
      return ready(account).email;
    },
    get accessToken() {
      return ready(account).accessToken;
    },
    get refreshToken() {
      return ready(account).refreshToken;
    },
    get apiKey() {
      return ready(account).apiKey;
    },
    get keyId() {
      return ready(account).keyId;
    },
  };
}

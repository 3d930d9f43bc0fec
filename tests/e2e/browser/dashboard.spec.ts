import { expect, test } from '@playwright/test';
import { uniqueEmail } from '@/tests/e2e/helpers';
import { AuthPage, KeysPage, MemoriesPage, PlaygroundPage, snapshot } from '@/tests/e2e/pages/dashboard';

test('a new developer signs up, gets a key, stores memories with it, browses, chats, and revokes it', async ({ page, context, request }, testInfo) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await snapshot(page, testInfo, 'home');

  const email = uniqueEmail('browser');
  await new AuthPage(page).signUp(email, 'correct horse battery');
  await expect(page.getByTestId('signed-in-email')).toHaveText(email);
  await expect(page.getByTestId('plan-name')).toHaveText('Pro');
  await snapshot(page, testInfo, 'overview-empty');

  const keys = new KeysPage(page);
  await keys.open();
  const shown = await keys.create('Production');
  expect(await keys.copy()).toBe(shown);
  await snapshot(page, testInfo, 'keys-created');

  const auth = { Authorization: `Bearer ${shown}` };
  const endUser = 'alice@company.com';
  for (const content of ['Alice is on the Pro plan and works in fintech', 'Alice prefers Python for data work', 'Alice has two cats named Miso and Tofu']) {
    const res = await request.post('/v1/memory/', { headers: auth, data: { content, external_user_id: endUser } });
    expect(res.status()).toBe(201);
  }

  const other = await request.post('/v1/memory/', { headers: auth, data: { content: 'Bob keeps a parrot called Kiwi', external_user_id: 'bob@company.com' } });
  expect(other.status()).toBe(201);

  const memories = new MemoriesPage(page);
  await memories.open();
  // Before choosing anyone: search every end user at once; a hit says whose it is and opens in its end user.
  await memories.searchAll('pets cats parrot');
  await expect(memories.allHits().filter({ hasText: 'parrot called Kiwi' })).toContainText('bob@company.com');
  await expect(memories.allHits().filter({ hasText: 'cats named Miso' })).toContainText(endUser);
  await snapshot(page, testInfo, 'memories-search-all');
  await memories.allHits().filter({ hasText: 'cats named Miso' }).click();
  await expect(page.getByTestId('memory-detail')).toContainText('two cats named Miso and Tofu');
  await expect(memories.items()).toHaveCount(3);
  await memories.chooseEndUser(endUser);
  await expect(memories.items()).toHaveCount(3);
  await expect(memories.items().first()).toHaveText('Alice has two cats named Miso and Tofu');
  await memories.search('pets cats');
  await expect(memories.items().first()).toContainText('cats named Miso');
  await snapshot(page, testInfo, 'memories-search');
  await memories.openMemory('Alice prefers Python');
  await snapshot(page, testInfo, 'memory-detail');
  await memories.deleteOpenMemory();
  const afterDelete = await request.get(`/v1/memory/?external_user_id=${encodeURIComponent(endUser)}`, { headers: auth });
  expect((await afterDelete.json()).memories.map((m: { content: string }) => m.content)).not.toContain('Alice prefers Python for data work');

  const playground = new PlaygroundPage(page);
  await playground.open();
  const reply = await playground.send(endUser, 'What do you know about my cats Miso and Tofu?');
  await expect(reply).toContainText('Here is what I remember');
  await expect(reply.getByTestId('used-memories')).toContainText('two cats named Miso and Tofu');
  await expect(reply.getByTestId('memory-created')).toHaveText('message not stored');
  await snapshot(page, testInfo, 'playground');

  await page.getByTestId('nav-overview').click();
  await expect(page.getByTestId('total-memories')).toHaveText('3');
  await expect(page.getByTestId('requests-chart')).toBeVisible();
  await expect(page.getByTestId('latency')).toContainText('p50');
  await snapshot(page, testInfo, 'overview');

  await page.getByTestId('nav-billing').click();
  await expect(page.getByTestId('billing-current-plan')).toHaveText('Pro');
  await expect(page.getByTestId('billing-disabled')).toBeVisible();
  await snapshot(page, testInfo, 'billing');

  await page.goto('/docs');
  await expect(page.getByTestId('api-reference').getByRole('heading', { name: 'Store a memory for an end user' })).toBeVisible({ timeout: 30_000 });
  await snapshot(page, testInfo, 'docs');

  await page.goto('/dashboard/keys');
  await keys.revokeFirst();
  await snapshot(page, testInfo, 'keys-revoked');
  const revoked = await request.get('/v1/memory/stats', { headers: auth });
  expect(revoked.status()).toBe(401);
});

test('signed-out visitors are sent to sign in, and bad passwords get a clear message', async ({ page }, testInfo) => {
  await page.goto('/dashboard/keys');
  await expect(page).toHaveURL(/\/login$/);
  await new AuthPage(page).signIn('nobody@example.com', 'wrong-password');
  await expect(page.getByTestId('auth-error')).toHaveText('Invalid login credentials');
  await snapshot(page, testInfo, 'login-error');
  await page.getByTestId('forgot-password').click();
  await page.getByTestId('reset-email').fill('nobody@example.com');
  await page.getByTestId('reset-request').click();
  await expect(page.getByTestId('reset-sent')).toBeVisible();
  await snapshot(page, testInfo, 'forgot-password');
});

test('deleting an end user needs the typed id', async ({ page, request }) => {
  const email = uniqueEmail('delete');
  await new AuthPage(page).signUp(email, 'correct horse battery');
  const keys = new KeysPage(page);
  await keys.open();
  const apiKey = await keys.create('Temp');
  await request.post('/v1/memory/', { headers: { Authorization: `Bearer ${apiKey}` }, data: { content: 'Bob builds healthcare apps in Python', external_user_id: 'bob@company.com' } });
  const memories = new MemoriesPage(page);
  await memories.open();
  await memories.chooseEndUser('bob@company.com');
  await expect(page.getByTestId('delete-user')).toBeDisabled();
  await page.getByTestId('delete-user-confirm').fill('bob@company.com');
  await page.getByTestId('delete-user').click();
  await expect(page.getByTestId('memories-notice')).toHaveText('Deleted 1 memories of bob@company.com.');
});

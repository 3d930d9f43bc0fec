import { expect, test, type Page } from '@playwright/test';
import { listGuides } from '@/app/docs/guides';
import { signUpWithKey } from '@/tests/e2e/helpers';

/** Aborts every request that leaves localhost (and records it), and collects console errors and page errors. */
async function offlineWithErrors(page: Page) {
  const external: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    if (hostname === 'localhost' || hostname === '127.0.0.1') return route.continue();
    external.push(route.request().url());
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400 && !new URL(response.url()).pathname.startsWith('/v1/')) errors.push(`${response.status()} ${response.url()}`);
  });
  return { external, errors };
}

test('the API reference renders our operations offline, and try-it sends a real request with the API key', async ({ page, request }, testInfo) => {
  const watched = await offlineWithErrors(page);
  const { apiKey } = await signUpWithKey(request);

  await page.goto('/docs');
  await expect(page.getByTestId('docs-nav').getByRole('link', { name: 'API reference' })).toBeVisible();
  const reference = page.getByTestId('api-reference');
  await expect(reference.getByRole('heading', { name: 'Memory Layer API' })).toBeVisible({ timeout: 30_000 });
  await expect(reference.getByRole('heading', { name: 'Memory', exact: true })).toBeVisible();
  await expect(reference.getByRole('heading', { name: 'Store a memory for an end user' })).toBeVisible();
  for (const tag of ['Conversation memory', 'Chat', 'API Keys']) await expect(reference.getByRole('heading', { name: tag, exact: true })).toBeVisible();
  for (const operation of ['Prompt-ready context block within a token budget', 'Extract and store memories (facts, entities, edges) from a conversation']) {
    await expect(reference.getByText(operation).first()).toBeAttached();
  }
  // Dashboard and internal operations are not part of the public document.
  await expect(reference.getByText('The Playground: chat as one end user')).toHaveCount(0);
  await expect(reference.getByText('/api/dashboard/', { exact: false })).toHaveCount(0);
  await expect(reference.getByText('Stripe events (signature verified)')).toHaveCount(0);
  // The server is this origin.
  await expect(reference.getByText(new URL(page.url()).origin).first()).toBeVisible();
  await testInfo.attach('reference', { body: await page.screenshot(), contentType: 'image/png' });

  // The Bearer key, entered once, goes into every code sample and request.
  await reference.getByRole('textbox', { name: 'Bearer Token' }).first().fill(apiKey);
  const origin = new URL(page.url()).origin;
  const curl = reference.locator('pre, code').filter({ hasText: `curl ${origin}/v1/memory/` }).first();
  await expect(curl).toContainText(`Authorization: Bearer ${apiKey}`);
  await expect(curl).toContainText('--request POST');

  await reference.getByRole('button', { name: 'Test Request (post /v1/memory/)' }).click();
  const sent = page.waitForResponse((response) => new URL(response.url()).pathname === '/v1/memory/' && response.request().method() === 'POST');
  await page.getByRole('button', { name: /Send post request to/ }).first().click();
  const response = await sent;
  expect(response.request().headers().authorization).toBe(`Bearer ${apiKey}`);
  expect(response.status()).toBe(201);
  const stored = (await response.json()) as { memory: { id: string; content: string } };
  // The client shows the answer: the new memory's id appears nowhere else on the page.
  await expect(page.getByText(stored.memory.id).first()).toBeVisible();
  await testInfo.attach('try-it', { body: await page.screenshot(), contentType: 'image/png' });

  // The request reached this account: the memory is there for the same key, with the example's content.
  const listed = await request.get('/v1/memory/?external_user_id=john_doe%40gmail.com', { headers: { Authorization: `Bearer ${apiKey}` } });
  expect((await listed.json()).memories).toEqual([expect.objectContaining({ id: stored.memory.id, content: 'User is building a SaaS dashboard in React' })]);

  expect(watched.external).toEqual([]);
  expect(watched.errors).toEqual([]);
});

test('the guides index lists every guide, and each guide page renders its title', async ({ page }) => {
  const watched = await offlineWithErrors(page);
  const guides = listGuides();
  expect(guides.map((guide) => guide.slug)).toEqual(expect.arrayContaining(['quick-start', 'store-vs-ingest', 'context-with-any-llm', 'errors-and-limits', 'migrating']));

  await page.goto('/docs/guides');
  await expect(page.getByTestId('guides-index').getByTestId('guide-link')).toHaveText(guides.map((guide) => guide.title));
  await expect(page.getByTestId('docs-nav').getByRole('link')).toContainText(['API reference', ...guides.map((guide) => guide.title)]);

  for (const guide of guides) {
    await page.goto(`/docs/guides/${guide.slug}`);
    await expect(page.getByTestId('guide-title')).toHaveText(guide.title);
    await expect(page).toHaveTitle(new RegExp(`^${guide.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await expect(page.getByTestId('guide').locator('p').first()).toBeVisible();
  }

  // Markdown is rendered, not shown: tables and fenced code become HTML.
  await page.goto('/docs/guides/errors-and-limits');
  await expect(page.getByTestId('guide').locator('table').first()).toBeVisible();
  await expect(page.getByTestId('guide-code').first()).toContainText('"detail"');
  await expect(page.getByTestId('guide')).not.toContainText('```');

  // Links between guides work.
  await page.goto('/docs/guides/quick-start');
  await page.getByTestId('guide').getByRole('link', { name: 'migration guide' }).click();
  await expect(page).toHaveURL(/\/docs\/guides\/migrating$/);
  await expect(page.getByTestId('guide-title')).toHaveText(guides.find((guide) => guide.slug === 'migrating')!.title);

  expect((await page.goto('/docs/guides/no-such-guide'))?.status()).toBe(404);
  expect(watched.external).toEqual([]);
  expect(watched.errors.filter((error) => !error.includes('/docs/guides/no-such-guide'))).toEqual([]);
});

import { expect, type Page, type TestInfo } from '@playwright/test';

/** Page objects: the tests speak in user actions; selectors live here. */
export class AuthPage {
  constructor(private readonly page: Page) {}
  async signUp(email: string, password: string) {
    await this.page.goto('/signup');
    await this.page.getByTestId('auth-email').fill(email);
    await this.page.getByTestId('auth-password').fill(password);
    await this.page.getByTestId('auth-submit').click();
    await expect(this.page).toHaveURL(/\/dashboard$/);
  }
  async signIn(email: string, password: string) {
    await this.page.goto('/login');
    await this.page.getByTestId('auth-email').fill(email);
    await this.page.getByTestId('auth-password').fill(password);
    await this.page.getByTestId('auth-submit').click();
  }
}

export class KeysPage {
  constructor(private readonly page: Page) {}
  async open() {
    await this.page.getByTestId('nav-api-keys').click();
    await expect(this.page.getByRole('heading', { name: 'API Keys' })).toBeVisible();
  }
  async create(name: string): Promise<string> {
    await this.page.getByTestId('key-name').fill(name);
    await this.page.getByTestId('create-key').click();
    const value = this.page.getByTestId('new-key-value');
    await expect(value).toHaveText(/^mlive_/);
    return (await value.textContent())!.trim();
  }
  async copy(): Promise<string> {
    await this.page.getByTestId('copy-key').click();
    await expect(this.page.getByTestId('copy-key')).toHaveText('Copied');
    return this.page.evaluate(() => navigator.clipboard.readText());
  }
  async revokeFirst() {
    await this.page.getByTestId('revoke-key').first().click();
    await this.page.getByTestId('confirm-revoke').click();
    await expect(this.page.getByText('Revoked')).toBeVisible();
  }
}

export class MemoriesPage {
  constructor(private readonly page: Page) {}
  async open() {
    await this.page.getByTestId('nav-memories').click();
    await expect(this.page.getByRole('heading', { name: 'Memories' })).toBeVisible();
  }
  async chooseEndUser(id: string) {
    await this.page.getByTestId('end-user-filter').fill(id);
    await this.page.getByTestId('end-user-item').filter({ hasText: id }).click();
  }
  items() {
    return this.page.getByTestId('memory-item');
  }
  async search(query: string) {
    await this.page.getByTestId('memory-search').fill(query);
    await this.page.getByTestId('memory-search-submit').click();
    await expect(this.page.getByTestId('memory-score').first()).toBeVisible();
  }
  /** Search across every end user (shown while no end user is chosen). */
  async searchAll(query: string) {
    await this.page.getByTestId('all-users-search').fill(query);
    await this.page.getByTestId('all-users-search-submit').click();
    await expect(this.page.getByTestId('all-users-results')).toBeVisible();
  }
  allHits() {
    return this.page.getByTestId('all-users-hit');
  }
  async openMemory(text: string) {
    await this.items().filter({ hasText: text }).first().click();
    await expect(this.page.getByTestId('memory-detail')).toContainText(text);
  }
  async deleteOpenMemory() {
    await this.page.getByTestId('delete-memory').click();
    await expect(this.page.getByTestId('memories-notice')).toHaveText('Memory deleted.');
  }
}

export class PlaygroundPage {
  constructor(private readonly page: Page) {}
  async open() {
    await this.page.getByTestId('nav-playground').click();
    await expect(this.page.getByRole('heading', { name: 'Playground' })).toBeVisible();
  }
  async send(endUser: string, message: string) {
    await this.page.getByTestId('playground-user').fill(endUser);
    await this.page.getByTestId('playground-message').fill(message);
    await this.page.getByTestId('playground-send').click();
    await expect(this.page.getByTestId('playground-reply').last()).toBeVisible();
    return this.page.getByTestId('playground-reply').last();
  }
}

/**
 * Full-page screenshots kept with the test's artifacts, once the network is idle. A page that polls while a job runs
 * (the maintenance page asks every 500 ms) may never be idle for 500 ms: pass `{ idle: false }` there, after asserting
 * what the screenshot should show.
 */
export async function snapshot(page: Page, testInfo: TestInfo, name: string, options: { idle?: boolean } = {}) {
  if (options.idle !== false) await page.waitForLoadState('networkidle');
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

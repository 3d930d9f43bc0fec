import { expect, type Download, type Page } from '@playwright/test';

/** Page objects for the dashboard's views of what the API does: scoped keys, explain, context, data, archive, maintenance. */

export class ScopedKeysPage {
  constructor(private readonly page: Page) {}
  async open() {
    await this.page.getByTestId('nav-api-keys').click();
    await expect(this.page.getByRole('heading', { name: 'API Keys' })).toBeVisible();
  }
  /** Creates a key with the scopes given (the others unticked) and an optional agent; returns the full key. */
  async create(name: string, options: { scopes: ('read' | 'write')[]; agent?: string }): Promise<string> {
    await this.page.getByTestId('key-name').fill(name);
    for (const scope of ['read', 'write'] as const) await this.page.getByTestId(`key-scope-${scope}`).setChecked(options.scopes.includes(scope));
    if (options.agent) await this.page.getByTestId('key-agent').fill(options.agent);
    await this.page.getByTestId('create-key').click();
    const value = this.page.getByTestId('new-key-value');
    await expect(value).toHaveText(/^mlive_/);
    return (await value.textContent())!.trim();
  }
  row(name: string) {
    return this.page.locator('tr[data-testid^="key-row-"]').filter({ has: this.page.getByTestId('key-row-name').getByText(name, { exact: true }) });
  }
}

export class PlaygroundLab {
  constructor(private readonly page: Page) {}
  async open(endUser: string) {
    await this.page.getByTestId('nav-playground').click();
    await expect(this.page.getByRole('heading', { name: 'Playground' })).toBeVisible();
    await this.page.getByTestId('playground-user').fill(endUser);
  }
  async explain(query: string) {
    await this.page.getByTestId('playground-tab-search').click();
    await this.page.getByTestId('explain-query').fill(query);
    await this.page.getByTestId('explain-submit').click();
    await expect(this.page.getByTestId('explain-results')).toBeVisible();
    return this.page.getByTestId('explain-result');
  }
  async buildContext(message: string) {
    await this.page.getByTestId('playground-tab-context').click();
    await this.page.getByTestId('context-message').fill(message);
    await this.page.getByTestId('context-submit').click();
    await expect(this.page.getByTestId('context-summary')).toBeVisible();
  }
  /** Moves the slider with the keyboard, as a user would: Home (0), then one step of 10 tokens per arrow press, or End. */
  async setBudget(tokens: number) {
    const slider = this.page.getByTestId('context-budget');
    await slider.focus();
    if (tokens === Number(await slider.getAttribute('max'))) await slider.press('End');
    else {
      await slider.press('Home');
      for (let step = 0; step < tokens / 10; step++) await slider.press('ArrowRight');
    }
    await expect(this.page.getByTestId('context-budget-value')).toHaveText(String(tokens));
    await expect(this.page.getByTestId('context-summary')).toContainText(`of ${tokens} tokens`);
  }
  kept() {
    return this.page.getByTestId('context-kept-item');
  }
  dropped() {
    return this.page.getByTestId('context-dropped-item');
  }
}

export class DataPage {
  constructor(private readonly page: Page) {}
  async open() {
    await this.page.getByTestId('nav-data').click();
    await expect(this.page.getByRole('heading', { name: 'Import & export' })).toBeVisible();
  }
  async export(endUser = ''): Promise<Download> {
    await this.page.getByTestId('export-user').fill(endUser);
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId('export-download').click()]);
    await expect(this.page.getByTestId('export-done')).toBeVisible();
    return download;
  }
  async import(name: string, text: string) {
    await this.page.getByTestId('import-file').setInputFiles({ name, mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
    await this.page.getByTestId('import-upload').click();
  }
  progress() {
    return this.page.getByTestId('import-progress');
  }
}

export class ArchivePage {
  constructor(private readonly page: Page) {}
  async open() {
    await this.page.getByTestId('nav-memories').click();
    await expect(this.page.getByRole('heading', { name: 'Memories' })).toBeVisible();
    await this.page.getByTestId('memories-view-archived').click();
  }
  items() {
    return this.page.getByTestId('archived-item');
  }
  async restore(text: string) {
    await this.items().filter({ hasText: text }).getByTestId('restore-memory').click();
    await expect(this.page.getByTestId('archived-notice')).toContainText(`Restored “${text}”.`);
  }
}

export class MaintenancePage {
  constructor(private readonly page: Page) {}
  async open() {
    await this.page.getByTestId('nav-maintenance').click();
    await expect(this.page.getByRole('heading', { name: 'Maintenance', exact: true })).toBeVisible();
  }
  async start(job: string) {
    await this.page.getByTestId('maintenance-job').selectOption(job);
    await this.page.getByTestId('run-maintenance').click();
  }
  progress() {
    return this.page.getByTestId('maintenance-progress');
  }
}

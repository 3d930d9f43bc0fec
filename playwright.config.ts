import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// A production build on its own port with a fresh database per run.
const PORT = Number(process.env.E2E_PORT ?? 3210);
// localhost, not 127.0.0.1: Next proxies middleware rewrites over HTTP when the host differs from its hostname (vercel/next.js#94745).
const baseURL = `http://localhost:${PORT}`;
const dataDir = process.env.E2E_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-e2e-'));
process.env.E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }], ['json', { outputFile: 'reports/playwright.json' }]],
  timeout: 60_000,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    { name: 'api', testMatch: /api\/.*\.spec\.ts/ },
    { name: 'browser', testMatch: /browser\/.*\.spec\.ts/, use: { viewport: { width: 1280, height: 860 } } },
  ],
  webServer: {
    command: `npx next build && npx next start -p ${PORT} -H localhost`,
    url: `${baseURL}/api/v1/openapi.json`,
    timeout: 300_000,
    reuseExistingServer: false,
    // New accounts start on Pro (120 requests/min) so the API flows and the evaluation are not paced by the Free plan.
    // Every browser and API test signs up from this one address: the per-address sign-up limit is the suite's own.
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: String(PORT), DEFAULT_PLAN: 'pro', SIGNUPS_PER_CLIENT_PER_MINUTE: '1000' },
    stdout: 'pipe',
    stderr: 'pipe',
  },
});

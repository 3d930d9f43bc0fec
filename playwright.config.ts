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
// Email-confirmation sign-up (tests/e2e/auth-confirm.spec.ts): a second `next start` of the same build, mailing through
// SMTP to a local sink (tests/e2e/smtp-sink.ts), with its own database; the main server keeps sign-up without mail.
const CONFIRM_PORT = PORT + 1;
const confirmURL = `http://localhost:${CONFIRM_PORT}`;
const SMTP_SINK_PORT = PORT + 2;
const SMTP_SINK_HTTP_PORT = PORT + 3;
process.env.E2E_MAIL_SINK_URL = `http://127.0.0.1:${SMTP_SINK_HTTP_PORT}`;
const confirmDataDir = process.env.E2E_CONFIRM_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'memory-layer-e2e-confirm-'));
process.env.E2E_CONFIRM_DATA_DIR = confirmDataDir;

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
    { name: 'confirm-email', testMatch: /auth-confirm\.spec\.ts/, use: { baseURL: confirmURL, viewport: { width: 1280, height: 860 } } },
  ],
  webServer: [{
    command: `npx next build && npx next start -p ${PORT} -H localhost`,
    url: `${baseURL}/api/v1/openapi.json`,
    timeout: 300_000,
    reuseExistingServer: false,
    // New accounts start on Pro (120 requests/min) so the API flows and the evaluation are not paced by the Free plan.
    // Every browser and API test signs up from this one address: the per-address sign-up limit is the suite's own.
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: String(PORT), DEFAULT_PLAN: 'pro', SIGNUPS_PER_CLIENT_PER_MINUTE: '1000' },
    stdout: 'pipe',
    stderr: 'pipe',
  }, {
    command: 'npx tsx tests/e2e/smtp-sink.ts',
    url: `${process.env.E2E_MAIL_SINK_URL}/messages`,
    timeout: 30_000,
    reuseExistingServer: false,
    env: { SMTP_SINK_PORT: String(SMTP_SINK_PORT), SMTP_SINK_HTTP_PORT: String(SMTP_SINK_HTTP_PORT) },
  }, {
    // Starts after the first entry is up, so the build is done: this reuses it.
    command: `npx next start -p ${CONFIRM_PORT} -H localhost`,
    url: `${confirmURL}/api/v1/openapi.json`,
    timeout: 120_000,
    reuseExistingServer: false,
    env: {
      DATA_DIR: confirmDataDir,
      LOG_LEVEL: 'warn',
      PORT: String(CONFIRM_PORT),
      APP_URL: confirmURL,
      SMTP_URL: `smtp://127.0.0.1:${SMTP_SINK_PORT}`,
      MAIL_FROM: 'Memory Layer <auth@memory-layer.test>',
      SIGNUPS_PER_CLIENT_PER_MINUTE: '1000',
    },
    stdout: 'pipe',
    stderr: 'pipe',
  }],
});

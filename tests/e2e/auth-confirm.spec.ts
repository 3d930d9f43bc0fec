import { expect, test, type Page } from '@playwright/test';
import { uniqueEmail } from '@/tests/e2e/helpers';
import { AuthPage } from '@/tests/e2e/pages/dashboard';

// Sign-up with email confirmation in the browser, against the second server of playwright.config.ts (SMTP_URL set,
// APP_URL its own origin); its mail lands in tests/e2e/smtp-sink.ts, read here over HTTP.

interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}

const PASSWORD = 'correct horse battery';
const sinkURL = process.env.E2E_MAIL_SINK_URL;

async function mailsTo(email: string): Promise<ReceivedMail[]> {
  const res = await fetch(`${sinkURL}/messages?to=${encodeURIComponent(email)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ReceivedMail[];
}

async function confirmationLink(email: string): Promise<string> {
  await expect.poll(async () => (await mailsTo(email)).length, { message: `a mail to ${email}` }).toBe(1);
  const [mail] = await mailsTo(email);
  expect(mail!.subject).toBe('Confirm your Memory Layer account');
  const link = /(https?:\/\/\S+\/auth\/confirm\?token_hash=[\w-]+&type=signup)/.exec(mail!.text)?.[1];
  expect(link, mail!.text).toBeDefined();
  return link!;
}

async function signUpAwaitingConfirmation(page: Page, email: string) {
  await page.goto('/signup');
  await page.getByTestId('auth-email').fill(email);
  await page.getByTestId('auth-password').fill(PASSWORD);
  await page.getByTestId('auth-submit').click();
  // The server's first sign-up also migrates its fresh database: more than the default 5 s on a loaded machine.
  await expect(page.getByRole('status')).toHaveText('Check your inbox to confirm your email, then sign in.', { timeout: 30_000 });
  await expect(page).toHaveURL(/\/signup$/);
}

test('a sign-up is confirmed from the emailed link, once, and only then signs in', async ({ page, browser, baseURL }) => {
  expect(sinkURL, 'E2E_MAIL_SINK_URL is set by playwright.config.ts').toBeDefined();
  const email = uniqueEmail('confirm');
  await signUpAwaitingConfirmation(page, email);

  // Before the link is used: no account, and the sign-in says why.
  const auth = new AuthPage(page);
  await auth.signIn(email, PASSWORD);
  await expect(page.getByTestId('auth-error')).toHaveText('Email not confirmed');
  await expect(page).toHaveURL(/\/login$/);

  const link = await confirmationLink(email);
  expect(link.startsWith(`${baseURL}/auth/confirm?`)).toBe(true);
  await page.goto(link);
  // Opening the link spends nothing (mail scanners open links): the click does.
  await expect(page.getByTestId('confirm-error')).toHaveCount(0);
  await page.getByTestId('confirm-email').click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('signed-in-email')).toHaveText(email);

  // The spent link, in a browser that is not signed in: a clear error and a way to ask for a new link.
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(link);
  await strangerPage.getByTestId('confirm-email').click();
  await expect(strangerPage.getByTestId('confirm-error')).toHaveText('Email link is invalid or has expired');
  await expect(strangerPage.getByTestId('confirm-resend')).toBeVisible();
  await expect(strangerPage).toHaveURL(/\/auth\/confirm\?/);

  // The confirmed user signs in with the password of the sign-up.
  await new AuthPage(strangerPage).signIn(email, PASSWORD);
  await expect(strangerPage).toHaveURL(/\/dashboard$/);
  await expect(strangerPage.getByTestId('signed-in-email')).toHaveText(email);
  await stranger.close();
});

test('signing up again with a confirmed email mails its owner a notice, not a link, and changes nothing', async ({ page }) => {
  // It may wait out the minute of the first sign-up's mail.
  test.setTimeout(150_000);
  const email = uniqueEmail('confirm-taken');
  await signUpAwaitingConfirmation(page, email);
  await page.goto(await confirmationLink(email));
  await page.getByTestId('confirm-email').click();
  await expect(page).toHaveURL(/\/dashboard$/);

  const other = await page.context().browser()!.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto('/signup');
  await otherPage.getByTestId('auth-email').fill(email);
  await otherPage.getByTestId('auth-password').fill('another password 2');
  await otherPage.getByTestId('auth-submit').click();
  // One mail per email a minute, whatever the email: inside the minute of the first sign-up's mail (the usual case,
  // not a certain one on the real clock), this is refused as it would be for a new email; the refusal says how long.
  const refusal = otherPage.getByTestId('auth-error');
  await expect(otherPage.getByRole('status').or(refusal)).toBeVisible();
  if (await refusal.isVisible()) {
    await expect(refusal).toHaveText(/^For security purposes, you can only request this after \d+ seconds\.$/);
    const seconds = Number(/after (\d+) seconds/.exec((await refusal.textContent()) ?? '')?.[1]);
    await otherPage.waitForTimeout((seconds + 1) * 1000);
    await otherPage.getByTestId('auth-submit').click();
  }
  // The same answer as for a new email: sign-up does not tell who is registered.
  await expect(otherPage.getByRole('status')).toHaveText('Check your inbox to confirm your email, then sign in.');
  await expect.poll(async () => (await mailsTo(email)).map((mail) => mail.subject)).toEqual(['Confirm your Memory Layer account', 'Someone tried to sign up with your email']);
  expect((await mailsTo(email))[1]!.text).not.toContain('/auth/confirm');

  await new AuthPage(otherPage).signIn(email, 'another password 2');
  await expect(otherPage.getByTestId('auth-error')).toHaveText('Invalid login credentials');
  await other.close();
});

// A Playwright test file as a prismwatch check (probes/examples/playwright.yaml). The same file
// runs in CI with `npx playwright test`; prismwatch runs it on a schedule against production.
import { expect, test } from '@playwright/test';

test.describe('storefront', () => {
  test('home page shows the product', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('h1')).toBeVisible();
  });

  test('sign-in form answers', async ({ page }) => {
    await page.goto('/login');
    await test.step('ask for a magic link', async () => {
      await page.fill('input[type=email]', process.env.PROBE_EMAIL ?? 'probe@prismai.example');
      await page.click('text=Continue');
      await expect(page.getByText('Check your inbox')).toBeVisible();
    });
  });
});

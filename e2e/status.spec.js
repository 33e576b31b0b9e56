// The public status page as a customer reads it (four languages, a phone, accessibility basics
// checked with axe-core), and an agent posting and resolving an incident from the console.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;

test('the public page shows the demo incident, in Swedish too, and passes axe', async ({ page }) => {
  await page.goto('/status?lang=en');
  await expect(page.locator('#overall')).toHaveText('Minor Service Outage');
  await expect(page.getByRole('heading', { name: 'Active incidents' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Elevated S3 error rates in Stockholm' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Scheduled maintenance' })).toBeVisible();
  await expect(page.getByRole('img', { name: /Storage \(S3 on Ceph\) — no-osl1: 99\.9\d %/ })).toBeVisible();

  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map(v => `${v.id}: ${v.help}`)).toEqual([]);

  await page.getByRole('link', { name: 'Svenska' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
  await expect(page.locator('#overall')).toHaveText('Mindre driftstörning');
  await expect(page.getByRole('heading', { name: 'Pågående incidenter' })).toBeVisible();

  // Readable on a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/status');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('an agent posts an incident, the public page shows it, and resolving clears it', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill('agent@example.com');
  await page.getByLabel('Password').fill('varde-demo-agent');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Status page' }).click();
  await expect(page.getByRole('heading', { name: 'Status page', exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'New incident' }).click();

  await page.getByLabel('Name').fill('Compute API errors in Oslo');
  await page.getByLabel('Impact').selectOption('major');
  await page.getByLabel('Message').fill('Creating instances fails in no-osl1.');
  await page.getByLabel(/^Compute \(OpenStack\) — no-osl1/).selectOption('major_outage');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByRole('heading', { name: 'Compute API errors in Oslo' })).toBeVisible();
  await expect(page.locator('#event-status')).toHaveText('Investigating');
  await expect(page.locator('#affected-customers')).not.toBeEmpty();

  await page.goto('/status?lang=en');
  await expect(page.locator('#overall')).toHaveText('Major System Outage');
  await expect(page.getByRole('link', { name: 'Compute API errors in Oslo' })).toBeVisible();

  await page.goto('/console/status');
  await page.getByRole('link', { name: 'Compute API errors in Oslo' }).click();
  await page.getByLabel('Status', { exact: true }).selectOption('resolved');
  await page.getByLabel('Message').fill('Instance creation works again.');
  await page.getByRole('button', { name: 'Post update' }).click();
  await expect(page.locator('#event-status')).toHaveText('Resolved');

  await page.goto('/status?lang=en');
  await expect(page.locator('#overall')).toHaveText('Minor Service Outage');
  await expect(page.getByRole('heading', { name: 'Past incidents' })).toBeVisible();
});

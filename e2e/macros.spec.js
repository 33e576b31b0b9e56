// Macros as an agent uses them: the ticket page offers the ones that fit its queue and its
// requestor's language, shows each as it would be written, and applies one in a click.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;

test('apply a macro to a ticket in one click', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill('agent@example.com');
  await page.getByLabel('Password').fill('varde-demo-agent');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel(/^Search/).fill('Application credentials');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('link', { name: 'Application credentials for our CI' }).click();
  await expect(page.locator('#status')).toHaveText('stalled');

  // Erik reads Swedish: the Swedish reply is offered, the English one is not.
  const macros = page.locator('#macros');
  const swedish = macros.locator('details', { hasText: 'Vi undersöker' });
  await expect(swedish.locator('summary')).toBeVisible();
  await expect(macros.getByText('Looking into it')).toHaveCount(0);
  await swedish.locator('summary').click();
  await expect(swedish.locator('pre.macro-text')).toContainText('Hej Erik!');
  await expect(swedish.locator('pre.macro-text')).toContainText('Alva Agent');

  await macros.getByRole('button', { name: 'Apply “Vi undersöker”' }).click();
  await expect(page.locator('#status')).toHaveText('open');
  await expect(page.locator('#owner')).toHaveText('agent@example.com');
  await expect(page.locator('ol.history')).toContainText('Tack för ärende');

  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter(v => ['serious', 'critical'].includes(v.impact))).toEqual([]);
});

test('an administrator writes a macro; mistakes are named beside the field', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill('admin@example.com');
  await page.getByLabel('Password').fill('varde-demo-admin');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Macros', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Macros', level: 1 })).toBeVisible();
  await page.getByLabel('Name').fill('Quota raised');
  await page.getByLabel('Queue').selectOption('Storage');
  await page.getByLabel('Text').fill('Hello {firstname}, the quota is raised.');
  await page.getByLabel('Then set the status').selectOption('resolved');
  await page.getByRole('button', { name: 'Add the macro' }).click();
  await expect(page.locator('#m-body-error')).toContainText('{firstname} is not a placeholder');
  await page.getByLabel('Text').fill('Hello {first_name}, the quota is raised.');
  await page.getByRole('button', { name: 'Add the macro' }).click();
  await expect(page.getByRole('cell', { name: 'Quota raised' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Storage, every language' }).first()).toBeVisible();

  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter(v => ['serious', 'critical'].includes(v.impact))).toEqual([]);
});

// Onboarding as the customer-success lead sees it: sign a contract in the console, watch the
// run carry the customer into the real Keystone (scripts/test.sh gives the demo server one),
// and tick off a checklist item.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;

const ADMIN = { email: 'admin@example.com', password: 'varde-demo-admin' };

async function logIn(page, who) {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: /^(Tickets|Customers)$/ })).toBeVisible();
}

test('sign a contract, watch the run reach Keystone, complete a checklist item', async ({ page }) => {
  test.setTimeout(120_000);
  await logIn(page, ADMIN);
  const name = `Onboarding Test ${Date.now()}`;
  await page.goto('/console/organizations/new');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Country').fill('SE');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await expect(page.locator('#onboarding-h')).toBeVisible();

  await page.getByRole('link', { name: 'Add contact' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Tove Tekniker');
  await page.getByLabel('E-mail address').fill(`tove.${Date.now()}@onboarding.example`);
  await page.getByLabel('Roles').fill('technical');
  await page.getByRole('button', { name: /Add contact|Create|Save/ }).click();

  await page.getByRole('link', { name: 'Add contract' }).click();
  await page.getByLabel('Reference').fill(`OB-${Date.now()}`);
  await page.getByLabel('Product line 1').selectOption('SUPPORT-iaas.base');
  await page.getByLabel('Product line 2').selectOption('STORAGE-S3');
  await page.locator('[name="lines[1].site"]').selectOption('se-sto1');
  await page.getByRole('button', { name: 'Add contract' }).click();

  // Signing started the run.
  const run = page.locator('#runs a').first();
  await expect(run).toContainText('Onboarding');
  await run.click();
  await expect(page.getByRole('heading', { name: new RegExp(`Onboarding of ${name}`) })).toBeVisible();

  // The worker carries it into Keystone: domain, project, user, application credential and
  // S3 keys, each verified against Keystone before it is marked done.
  for (const action of ['keystone_domain', 'keystone_project', 'keystone_users', 'application_credentials', 'ec2_credentials']) {
    await expect(async () => {
      await page.reload();
      await expect(page.locator(`tr[data-action="${action}"]`)).toHaveAttribute('data-state', 'done');
    }).toPass({ timeout: 60_000 });
  }
  await expect(page.locator('#timeline')).toContainText('S3 key pairs verified through /v3/s3tokens');

  // A person ticks off the check-in.
  const checkIn = page.locator('tr[data-action="manual"]').first();
  await expect(checkIn).toHaveAttribute('data-state', 'pending');
  await checkIn.getByRole('button', { name: 'Mark done' }).click();
  await expect(page.locator('tr[data-action="manual"]').first()).toHaveAttribute('data-state', 'done');
  await expect(page.locator('#timeline')).toContainText('admin@example.com');

  // The run page and the board pass axe-core's WCAG 2 A/AA checks.
  let axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map(v => `${v.id}: ${v.help}`)).toEqual([]);

  // The board lists the run while the welcome mail waits for a relay.
  await page.getByRole('link', { name: 'Onboarding', exact: true }).click();
  await expect(page.locator('#board')).toContainText(name);
  axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(axe.violations.map(v => `${v.id}: ${v.help}`)).toEqual([]);
});

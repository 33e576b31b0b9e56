// The customer database as a customer-success lead uses it in a browser.
const { test, expect } = require('@playwright/test');

const ADMIN = { email: 'admin@example.com', password: 'varde-demo-admin' };

async function logIn(page, who) {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  // Staff land on the tickets, customer contacts on their organisation; both reach Customers.
  await expect(page.getByRole('heading', { name: /^(Tickets|Customers)$/ })).toBeVisible();
  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
}

test('create an organisation, sign a premium contract, see premium entitlements', async ({ page }) => {
  await logIn(page, ADMIN);
  const name = `Chalmers University ${Date.now()}`;
  await page.getByRole('link', { name: 'New organisation' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Country').fill('SE');
  await page.getByLabel('Framework agreement').selectOption('sunet');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await expect(page.locator('#tier')).toHaveText('No entitlements');

  await page.getByRole('link', { name: 'Add contract' }).click();
  await page.getByLabel('Reference').fill(`CH-${Date.now()}`);
  await page.getByLabel('Product line 1').selectOption('SUPPORT-premium');
  await page.getByLabel('Product line 2').selectOption('COMPUTE');
  await page.locator('[name="lines[1].site"]').selectOption('se-sto1');
  await page.getByRole('button', { name: 'Add contract' }).click();

  await expect(page.locator('#tier')).toHaveText('Premium support');
  const entitlements = page.locator('#entitlements');
  await expect(entitlements).toContainText('Back-channel chat room');
  await expect(entitlements).toContainText('Technical service manager');
  await expect(entitlements).toContainText('Quarterly operations meetings');
  await expect(entitlements).toContainText('Compute (OpenStack) at Stockholm (SE)');
  // The change is in the organisation's history.
  await expect(page.getByText('contract created')).toBeVisible();
});

test('a form error is shown beside its field', async ({ page }) => {
  await logIn(page, ADMIN);
  await page.goto('/console/organizations/new');
  await page.getByLabel('Name', { exact: true }).fill('No Country Ltd');
  await page.getByLabel('Country').fill('Sweden');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.locator('#country-error')).toContainText('ISO');
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('No Country Ltd');
});

test('search finds an organisation by mail domain, without and with JavaScript', async ({ page }) => {
  await logIn(page, ADMIN);
  await page.getByLabel('Search').fill('uninett.no');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('link', { name: /^Sikt/ })).toBeVisible();
  await expect(page.getByRole('link', { name: /^KTH/ })).toHaveCount(0);
  // htmx refreshes the results as one types.
  await page.getByLabel('Search').fill('kth.se');
  await expect(page.getByRole('link', { name: /^KTH/ })).toBeVisible();
  await expect(page.getByRole('link', { name: /^Sikt/ })).toHaveCount(0);
});

test('a customer contact lands in the portal and sees only its own organisation', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill('ingrid.nilsen@sikt.no');
  await page.getByLabel('Password').fill('varde-demo-customer');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/portal$/);
  await page.goto('/portal/organization');
  await expect(page.getByRole('heading', { name: /^Sikt/ })).toBeVisible();
  await expect(page.getByText('KTH')).toHaveCount(0);
  // The console's organisation pages send a contact back to the portal.
  const response = await page.goto('/console/organizations/1');
  expect(response.url()).toMatch(/\/portal$/);
});

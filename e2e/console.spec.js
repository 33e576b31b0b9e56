// The agent's console as a whole: bulk changes on the list, the offboarding confirmation,
// the ticket list at a laptop's and a phone's width, and axe on every console page.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;

async function logIn(page, email, password) {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

test('tick two tickets and give them an owner at once', async ({ page }) => {
  await logIn(page, 'admin@example.com', 'varde-demo-admin');
  await page.goto('/console/tickets?view=active');
  const rows = page.locator('tbody tr');
  const first = await rows.nth(0).locator('td').nth(1).innerText();
  const second = await rows.nth(1).locator('td').nth(1).innerText();
  await page.getByLabel(`Tick #${first}`, { exact: true }).check();
  await page.getByLabel(`Tick #${second}`, { exact: true }).check();
  await page.getByLabel('Set owner').selectOption({ label: 'Mats Manager <manager@example.com>' });
  await page.getByRole('button', { name: 'Change the ticked tickets' }).click();
  await expect(page.locator('#bulk-notice')).toHaveText('2 of 2 tickets changed.');
  for (const id of [first, second]) {
    await page.goto(`/console/tickets/${id}`);
    await expect(page.locator('#owner')).toHaveText('manager@example.com');
  }
});

test('offboarding asks first and says what will happen when', async ({ page }) => {
  await logIn(page, 'admin@example.com', 'varde-demo-admin');
  await page.goto('/console/organizations');
  await page.getByRole('link', { name: /Region Stockholm/ }).first().click();
  await page.getByRole('link', { name: /Offboard \(SKR-RS-2026\)/ }).click();
  await expect(page.getByRole('heading', { name: /^Offboard .*\?$/ })).toBeVisible();
  await expect(page.getByText('disables the customer\'s Keystone domain, its users and projects')).toBeVisible();
  await expect(page.getByText('Nothing happens today but planning the run')).toBeVisible();
  // Cancel changes nothing.
  await page.getByRole('link', { name: 'Cancel' }).click();
  await expect(page.getByRole('link', { name: /Offboard \(SKR-RS-2026\)/ })).toBeVisible();
});

for (const [width, height] of [[1366, 768], [390, 844]]) {
  test(`the ticket list at ${width} px`, async ({ page }, info) => {
    await page.setViewportSize({ width, height });
    await logIn(page, 'admin@example.com', 'varde-demo-admin');
    await page.goto('/console/tickets?view=active');
    await expect(page.locator('#ticket-count')).toBeVisible();
    // Nothing wider than the window; at a laptop's width the menu is one line.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    if (width >= 1366) {
      const lines = await page.locator('header.top nav').evaluate(n => Math.round(n.getBoundingClientRect().height / parseFloat(getComputedStyle(n).lineHeight)));
      expect(lines).toBeLessThanOrEqual(1);
    }
    await page.screenshot({ path: info.outputPath(`ticket-list-${width}.png`), fullPage: true });
  });
}

test('every console page passes axe', async ({ page }) => {
  await logIn(page, 'admin@example.com', 'varde-demo-admin');
  const pages = ['/console/tickets', '/console/tickets?view=breached', '/console/tickets/1', '/console/tickets/new',
    '/console/organizations', '/console/organizations/1', '/console/organizations/new', '/console/onboarding',
    '/console/status', '/console/status/new?kind=incident', '/console/portfolio', '/console/meetings', '/console/roadmap',
    '/console/sla', '/console/templates', '/console/macros', '/console/transfer', '/console/tokens',
    '/console/subscriptions', '/console/users'];
  const found = [];
  for (const p of pages) {
    const r = await page.goto(p);
    expect(r.status(), p).toBe(200);
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    for (const v of axe.violations.filter(v => ['serious', 'critical'].includes(v.impact))) {
      found.push(`${p}: ${v.id}: ${v.help} (${v.nodes.length})`);
    }
  }
  expect(found).toEqual([]);
});

// The ticket console as a support agent uses it: open a queue, reply, resolve, find it again.
const { test, expect } = require('@playwright/test');

test('reply to a ticket, resolve it, and find it again by search', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill('agent@example.com');
  await page.getByLabel('Password').fill('varde-demo-agent');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Tickets' })).toBeVisible();

  // Open the unowned view and a ticket from a premium customer's colleague queue.
  await page.getByRole('link', { name: 'Unowned' }).click();
  await page.getByRole('link', { name: 'Raise S3 quota for bucket research-archive' }).click();
  await expect(page.locator('#status')).toHaveText('new');
  await expect(page.getByText('Please raise the quota of research-archive')).toBeVisible();

  await page.getByRole('button', { name: 'Take' }).click();
  await expect(page.locator('#owner')).toHaveText('agent@example.com');

  await page.getByLabel('Message').fill('Quota raised to 80 TB; it is in effect now.');
  await page.getByLabel('Then set status').selectOption('resolved');
  await page.getByRole('button', { name: 'Reply to requestors' }).click();
  await expect(page.locator('#status')).toHaveText('resolved');
  await expect(page.getByText('Quota raised to 80 TB; it is in effect now.')).toBeVisible();

  // Resolved tickets leave the active views; a word search finds it again.
  await page.getByRole('link', { name: 'Tickets', exact: true }).click();
  await expect(page.getByRole('link', { name: 'Raise S3 quota for bucket research-archive' })).toHaveCount(0);
  await page.getByLabel(/^Search/).fill('research-archive');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('link', { name: 'Raise S3 quota for bucket research-archive' })).toBeVisible();
  await expect(page.locator('#ticket-count')).toContainText('1 ticket');

  // TicketSQL works in the same box.
  await page.getByLabel(/^Search/).fill("Status = 'resolved' AND Queue = 'Storage'");
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('link', { name: 'Raise S3 quota for bucket research-archive' })).toBeVisible();
});

test('log a phone call on a ticket', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill('manager@example.com');
  await page.getByLabel('Password').fill('varde-demo-manager');
  await page.getByRole('button', { name: 'Log in' }).click();
  // A service manager lands on My customers; the ticket is in the queues.
  await expect(page).toHaveURL(/\/console\/meetings$/);
  await page.getByRole('link', { name: 'Tickets', exact: true }).click();
  await page.getByRole('link', { name: 'Question about prices for GPU instances' }).click();
  await page.getByText('Log a phone call').click();
  await page.getByLabel('Minutes', { exact: true }).fill('7');
  await page.getByLabel('Notes').fill('Explained the GPU flavors; sending the price list.');
  await page.getByRole('button', { name: 'Log call' }).click();
  await expect(page.getByText('Phone call with someone@unknown.example (7 min)')).toBeVisible();
});

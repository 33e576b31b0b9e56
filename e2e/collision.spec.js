// Two agents on one ticket: the one who looks sees that the other is writing a reply; and a
// reply begun and left is still there on coming back.
const { test, expect } = require('@playwright/test');

async function logIn(page, email, password) {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function openTicket(page) {
  await page.getByLabel(/^Search/).fill('metadata service');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('link', { name: 'Instances in se-sto1 cannot reach the metadata service' }).click();
}

test('a collision notice, and a draft kept across leaving the page', async ({ browser }) => {
  const alva = await (await browser.newContext()).newPage();
  const ada = await (await browser.newContext()).newPage();
  await logIn(alva, 'agent@example.com', 'varde-demo-agent');
  await logIn(ada, 'admin@example.com', 'varde-demo-admin');
  await openTicket(alva);
  await openTicket(ada);
  // Ada's page has told that she is there; Alva's next heartbeat (as she types) says so.
  await expect(ada.locator('#presence')).toBeAttached();
  await alva.getByLabel('Message').pressSequentially('Hej Sara, vi tittar på metadata', { delay: 20 });
  await expect(alva.locator('#collision')).toContainText('has it open', { timeout: 10000 });
  // Ada's page hears of Alva's reply on its next heartbeat (every 20 s).
  await expect(ada.locator('#collision')).toContainText('Alva Agent is writing on this ticket now', { timeout: 25000 });

  // Alva leaves the page and comes back: the draft is there, and said to be.
  await alva.getByRole('link', { name: 'Tickets', exact: true }).click();
  await openTicket(alva);
  await expect(alva.getByLabel('Message')).toHaveValue('Hej Sara, vi tittar på metadata');
  await expect(alva.locator('#draft-note')).toBeVisible();
  // Sent, it is gone from the drafts.
  await alva.getByRole('button', { name: 'Comment (internal)' }).click();
  await expect(alva.locator('ol.history')).toContainText('Hej Sara, vi tittar på metadata');
  await alva.reload();
  await expect(alva.getByLabel('Message')).toHaveValue('');
});

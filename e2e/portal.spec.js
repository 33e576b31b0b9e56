// The customer portal as a customer contact uses it, in its own language, with the agent on
// the other side working in the console.
const { test, expect } = require('@playwright/test');
const { logIn, noSeriousViolations } = require('./helpers');

const INGRID = { email: 'ingrid.nilsen@sikt.no', password: 'varde-demo-customer' };
const SARA = { email: 'sara.lindqvist@kth.se', password: 'varde-demo-kth' };
const AGENT = { email: 'agent@example.com', password: 'varde-demo-agent' };



test('a Norwegian contact opens a ticket with a file, the agent answers, the contact replies', async ({ page, browser }) => {
  await logIn(page, INGRID);
  // A contact lands in the portal, in its own language (Norwegian).
  await expect(page).toHaveURL(/\/portal$/);
  await expect(page.getByRole('heading', { name: 'Saker' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'nb');
  await noSeriousViolations(page);
  // Sikt has no object storage in Stockholm: KTH's incident there is not Sikt's.
  await page.getByRole('link', { name: 'Driftsforstyrrelser og vedlikehold' }).click();
  await expect(page.getByText('Ingen driftsforstyrrelser eller vedlikehold har berørt tjenestene deres')).toBeVisible();
  await expect(page.getByText('Elevated S3 error rates')).toHaveCount(0);

  const subject = `Kan ikke nå object storage ${Date.now()}`;
  await page.getByRole('link', { name: 'Ny sak' }).first().click();
  await page.getByLabel('Emne').fill(subject);
  await page.getByLabel('Hva har skjedd').fill('Alle kall mot S3 i no-osl1 gir 503.');
  await page.getByLabel('Legg ved en fil').setInputFiles({
    name: 'feil.txt', mimeType: 'text/plain', buffer: Buffer.from('HTTP/1.1 503 Slow Down\n'),
  });
  await page.getByRole('button', { name: 'Opprett saken' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(subject) })).toBeVisible();
  const url = page.url();
  const id = url.split('/').pop();
  // Status and service level in plain Norwegian words, times in Oslo time with the zone named.
  await expect(page.locator('dl.facts')).toContainText('Ny');
  await expect(page.locator('dl.facts')).toContainText(/Første svar innen \d{4}-\d\d-\d\d \d\d:\d\d CES?T/);
  await expect(page.getByText('Tider i Europe/Oslo')).toBeVisible();
  await expect(page.getByRole('link', { name: 'feil.txt' })).toBeVisible();
  await noSeriousViolations(page);

  // The agent answers in the console.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await logIn(agent, AGENT);
  await agent.goto(`/console/tickets/${id}`);
  await agent.getByLabel('Message').fill('Vi ser på det nå.');
  await agent.getByRole('button', { name: 'Reply to requestors' }).click();
  await agent.getByLabel('Message').fill('Internal: the gateway in no-osl1 is overloaded.');
  await agent.getByRole('button', { name: 'Comment (internal)' }).click();
  // In the console an internal comment is unmistakable.
  await expect(agent.locator('li.internal')).toContainText('Internal comment: never sent to the customer');
  await expect(agent.locator('li.internal')).toContainText('overloaded');
  await agentContext.close();

  // The contact reads the answer (never the internal comment) and replies.
  await page.reload();
  await expect(page.getByText('Vi ser på det nå.')).toBeVisible();
  await expect(page.getByText('overloaded')).toHaveCount(0);
  await page.getByLabel('Melding').fill('Takk, vi venter.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Takk, vi venter.')).toBeVisible();

  // An empty reply is refused in Norwegian.
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('alert')).toHaveText('Skriv en melding eller legg ved en fil.');

  // The contact switches to English; the page follows.
  await page.getByLabel('Språk').selectOption('en');
  await page.getByRole('button', { name: 'Bytt' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { name: 'Reply' })).toBeVisible();
  await page.getByRole('button', { name: 'Close the ticket' }).click();
  await expect(page.locator('dl.facts')).toContainText('Resolved');
  await page.getByRole('button', { name: 'Reopen the ticket' }).click();
  await expect(page.locator('dl.facts')).toContainText('Open');
});

test('a Swedish contact sees only its organisation, in Swedish, and never a console page', async ({ page }) => {
  await logIn(page, SARA);
  await expect(page.getByRole('heading', { name: 'Ärenden' })).toBeVisible();
  const table = page.locator('table.portal-tickets');
  await expect(table).toContainText('Instances in se-sto1 cannot reach the metadata service');
  await expect(table).not.toContainText('Raise S3 quota');
  await expect(table).toContainText(/Inom målet|senast|försenat/);
  const response = await page.goto('/console/tickets');
  expect(response.url()).toMatch(/\/portal$/);
  await page.getByRole('link', { name: 'Vår organisation' }).click();
  await expect(page.getByRole('heading', { name: /^KTH/ })).toBeVisible();
  await expect(page.getByText('Driftmöten varje kvartal')).toBeVisible();
  await expect(page.getByText('Sikt')).toHaveCount(0);
  await noSeriousViolations(page);
  // The incident on KTH's object storage in se-sto1, with the status page's updates in Swedish.
  await page.getByRole('link', { name: 'Störningar och underhåll' }).click();
  await expect(page.getByRole('heading', { name: 'Elevated S3 error rates in Stockholm' })).toBeVisible();
  await expect(page.locator('article.incident').first()).toContainText('Orsak identifierad');
  await noSeriousViolations(page);
  await page.getByRole('link', { name: 'Vår organisation' }).click();
  // The quarterly report opens from the portal.
  const report = await page.request.get(await page.getByRole('link', { name: 'HTML' }).first().getAttribute('href'));
  expect(report.status()).toBe(200);
});

test('a primary contact invites a colleague and makes an API token, on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await logIn(page, INGRID);
  await page.getByRole('link', { name: 'Kolleger' }).click();
  await expect(page.getByRole('heading', { name: 'Kolleger' })).toBeVisible();
  // The demo's pending invitation of Ola.
  await expect(page.locator('#colleagues')).toContainText('Invitert, har ikke valgt passord ennå');
  await page.getByLabel('Navn').fill('Kari Nordmann');
  await page.getByLabel('E-postadresse', { exact: true }).first().fill('kari.nordmann@sikt.no');
  await page.getByLabel('Språk', { exact: true }).last().selectOption('sv');
  await page.getByRole('button', { name: 'Send invitasjonen' }).click();
  await expect(page.getByText('Invitasjonen er på vei.')).toBeVisible();
  await expect(page.locator('#colleagues')).toContainText('kari.nordmann@sikt.no');
  await noSeriousViolations(page);
  const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  expect(scrolls).toBe(false);

  await page.getByRole('link', { name: 'API-nøkler' }).click();
  await page.getByLabel('Navn').fill('overvaking-e2e');
  await page.getByRole('button', { name: 'Opprett nøkkel' }).click();
  const secret = await page.locator('#new-token').textContent();
  expect(secret).toMatch(/^varde_[0-9a-f]{64}$/);
  const me = await page.request.get('/api/v1/tickets', { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  await noSeriousViolations(page);
  await page.getByRole('button', { name: 'Trekk tilbake: overvaking-e2e' }).click();
  await expect(page.locator('#tokens')).toContainText('trukket tilbake');
  const after = await page.request.get('/api/v1/tickets', { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
});

test('the password reset page speaks the browser\'s language and reveals nothing', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.goto('/password/forgot?lang=da');
  await expect(page.getByRole('heading', { name: 'Glemt adgangskoden?' })).toBeVisible();
  await page.getByLabel('E-mailadresse').fill('nobody@nowhere.example');
  await page.getByRole('button', { name: 'Send linket' }).click();
  await expect(page.getByText('Hvis en konto har denne adresse')).toBeVisible();
  await noSeriousViolations(page);
});

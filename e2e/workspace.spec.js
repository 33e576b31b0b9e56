// The service manager's day: their customers, a quarterly meeting prepared, held and recorded,
// an action item that becomes a ticket, and the next quarter's pack that lists it.
const { test, expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;

const MANAGER = { email: 'manager@example.com', password: 'varde-demo-manager' };

async function noSeriousViolations(page) {
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const serious = axe.violations.filter(v => ['serious', 'critical'].includes(v.impact));
  expect(serious.map(v => `${v.id}: ${v.help}`)).toEqual([]);
}

// A day as the date field takes it, in Stockholm (the office's zone).
function stockholmDay(d) {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(d);
}

function quarterOf(day) {
  const [y, m] = day.split('-').map(Number);
  return `${y}Q${Math.floor((m - 1) / 3) + 1}`;
}

function nextQuarterDay() {
  const [y, m] = stockholmDay(new Date()).split('-').map(Number);
  const q = Math.floor((m - 1) / 3) + 1;
  const [ny, nm] = q === 4 ? [y + 1, 1] : [y, q * 3 + 1];
  return `${ny}-${String(nm).padStart(2, '0')}-15`;
}

test('a service manager holds a quarterly meeting and carries an action item to the next', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill(MANAGER.email);
  await page.getByLabel('Password').fill(MANAGER.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  // A service manager's day starts with their customers.
  await expect(page).toHaveURL(/\/console\/meetings$/);
  await expect(page.getByRole('heading', { name: 'My customers' })).toBeVisible();
  const kth = page.locator('#meetings tr', { hasText: 'KTH Royal Institute of Technology' });
  await expect(kth.locator('.badge.health')).toHaveText(/\d+/);
  await noSeriousViolations(page);

  await kth.getByRole('link', { name: 'KTH Royal Institute of Technology' }).click();
  await expect(page.getByRole('heading', { name: /Quarterly meetings/ })).toBeVisible();
  const thisQuarter = page.locator('#plan tr', { hasText: quarterOf(stockholmDay(new Date())) });
  if (await thisQuarter.getByRole('link').count() === 0) {
    // This quarter's meeting, earlier today, so that it can be recorded as held.
    await page.getByLabel('Date').fill(stockholmDay(new Date()));
    await page.getByLabel('Time').fill('00:05');
    await page.getByLabel('Where (room or video link)').fill('Video');
    await expect(page.getByLabel('Attendees')).toHaveValue(/sara.lindqvist@kth.se/);
    await page.getByRole('button', { name: 'Book and send invitations' }).click();
  } else {
    // Run before against this demo: this quarter's meeting is booked already.
    await thisQuarter.getByRole('link').click();
  }
  await expect(page.getByRole('heading', { name: /Quarterly meeting \d{4}Q\d/ })).toBeVisible();
  await expect(page.locator('#invitations')).toContainText('sara.lindqvist@kth.se');
  // The pack: last meeting's open action item, and KTH's wish with its news.
  await expect(page.locator('#actions')).toContainText('Find out when GPU instances can come to Stockholm');
  await expect(page.locator('#asks')).toContainText('GPU flavours for the new AI lab');
  await expect(page.locator('#asks')).toContainText('Under consideration');
  await noSeriousViolations(page);

  // An action item that is a ticket in General.
  const item = `Open a test project for the AI lab ${Date.now()}`;
  await page.getByLabel('What is to be done').fill(item);
  await page.getByLabel('Kind').selectOption('General');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const row = page.locator('#actions tr', { hasText: item });
  await expect(row).toContainText(/ticket #\d+/);
  const ticket = (await row.textContent()).match(/ticket #(\d+)/)[1];

  // Held, with minutes shared.
  await page.getByLabel('Minutes', { exact: true }).fill('Reviewed the quarter; the AI lab starts in January.');
  await page.getByLabel('Share the minutes with the customer').check();
  await page.getByLabel('The meeting was held').check();
  await page.getByRole('button', { name: 'Save the minutes' }).click();
  await expect(page.locator('#meeting-status')).toHaveText('Held');
  await expect(page.locator('#minutes-notes')).toContainText('the AI lab starts in January');

  // The ticket is in the customer's queue.
  await page.goto(`/console/tickets/${ticket}`);
  await expect(page.getByText(item).first()).toBeVisible();

  // Next quarter's meeting: its pack lists the item, still open.
  await page.goto('/console/meetings');
  await page.locator('#meetings tr', { hasText: 'KTH' }).getByRole('link', { name: 'KTH Royal Institute of Technology' }).click();
  const nextQuarter = page.locator('#plan tr', { hasText: quarterOf(nextQuarterDay()) });
  if (await nextQuarter.getByRole('link').count() === 0) {
    await page.getByLabel('Date').fill(nextQuarterDay());
    await page.getByLabel('Time').fill('10:00');
    await page.getByRole('button', { name: 'Book and send invitations' }).click();
  } else {
    await nextQuarter.getByRole('link').click();
  }
  await expect(page.locator('#actions')).toContainText(item);
  // The pack prints on A4.
  const pdf = await page.request.get(page.url() + '?format=pdf');
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
});

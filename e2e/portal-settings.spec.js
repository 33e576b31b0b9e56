// The customer portal's newer pages (status notices, the colleagues' settings and rights, the
// new ticket's service, the organisation's setting-up and contract lines, the report) and the
// public subscribe page, in the contacts' languages: each passes axe-core's WCAG 2 A/AA checks
// with no serious or critical violation, on a desktop (1366 px) and on a phone (390 px) where
// nothing may be wider than the screen. And what a contact does there: a Swedish contact
// subscribes its own address to its services' components and unsubscribes; a Norwegian primary
// contact stops a colleague opening tickets and allows him again.
//
// It runs in file order against the same demo as the other files (scripts/test.sh) and leaves
// what they read as it was: Sikt's and KTH's portal settings (which tickets each contact sees)
// are read, never changed; Ola stays invited and allowed to open tickets. The one contact it
// adds (to Polar Data Institute, the demo's organisation being set up) loses its portal access
// before the test ends.
const { test, expect } = require('@playwright/test');
const { logIn, noSeriousViolations } = require('./helpers');

const INGRID = { email: 'ingrid.nilsen@sikt.no', password: 'varde-demo-customer' };
const SARA = { email: 'sara.lindqvist@kth.se', password: 'varde-demo-kth' };
const ADMIN = { email: 'admin@example.com', password: 'varde-demo-admin' };

// A desktop and a phone.
const WIDTHS = [
  { width: 1366, height: 768 },
  { width: 390, height: 844 },
];



// Nothing wider than the screen: the page never scrolls sideways.
async function noSidewaysScroll(page) {
  const { scrollWidth, innerWidth, wide } = await page.evaluate(() => {
    const innerWidth = window.innerWidth;
    // What sticks out, to say so when it fails.
    const wide = [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
      .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= innerWidth + 1)
      .slice(0, 5)
      .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} (${Math.round(e.getBoundingClientRect().right)} px)`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, wide };
  });
  expect({ scrollWidth: scrollWidth <= innerWidth + 1 ? 'fits' : scrollWidth, wide: scrollWidth <= innerWidth + 1 ? [] : wide })
    .toEqual({ scrollWidth: 'fits', wide: [] });
}

async function checked(page, what) {
  for (const size of WIDTHS) {
    await test.step(`${what} at ${size.width} px`, async () => {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.reload();
      await noSeriousViolations(page);
      await noSidewaysScroll(page);
    });
  }
}

// Each page as each contact reaches it from the portal's navigation, and what shows it is the
// page meant: its words in the contact's language.
const PAGES = [
  {
    who: SARA, lang: 'sv', title: 'Statusaviseringar', link: 'Statusaviseringar', url: /\/portal\/subscriptions$/,
    shows: async page => {
      await expect(page.getByRole('heading', { name: 'Statusaviseringar' })).toBeVisible();
      await expect(page.locator('#as-contact')).toHaveText('Som teknisk kontakt får du veta om störningar och underhåll på er organisations tjänster via e-post, och via sms vid större och kritiska.');
      await expect(page.getByRole('radio', { name: 'Våra tjänsters komponenter' })).toBeChecked();
    },
  },
  {
    who: SARA, lang: 'sv', title: 'Kollegor', link: 'Kollegor', url: /\/portal\/colleagues$/,
    shows: async page => {
      await expect(page.getByRole('heading', { name: 'Ärenden och aviseringar' })).toBeVisible();
      await expect(page.getByRole('radio', { name: 'alla organisationens ärenden' })).toBeChecked();
      await expect(page.getByRole('button', { name: 'Hindra från att öppna ärenden: Johan Berg' })).toBeVisible();
    },
  },
  {
    who: SARA, lang: 'sv', title: 'Nytt ärende', link: 'Nytt ärende', url: /\/portal\/tickets\/new$/,
    shows: async page => {
      await expect(page.getByRole('heading', { name: 'Nytt ärende' })).toBeVisible();
      await expect(page.getByLabel('Vad gäller det?').locator('option')).toContainText(['Säkerhetskopiering, Luleå (SE)', 'Något annat']);
    },
  },
  {
    who: SARA, lang: 'sv', title: 'Vår organisation', link: 'Vår organisation', url: /\/portal\/organization$/,
    shows: async page => {
      await expect(page.getByRole('heading', { name: /^KTH/ })).toBeVisible();
      await expect(page.getByRole('cell', { name: /Objektlagring \(S3\), Stockholm \(SE\)/ })).toBeVisible();
    },
  },
  {
    who: SARA, lang: 'sv', title: 'the quarterly report', link: 'Vår organisation', then: 'HTML', url: /\/portal\/report\?quarter=/,
    shows: async page => {
      await expect(page.getByRole('heading', { level: 1 })).toContainText('KTH');
    },
  },
  {
    who: INGRID, lang: 'nb', title: 'Statusvarsler', link: 'Statusvarsler', url: /\/portal\/subscriptions$/,
    shows: async page => {
      await expect(page.getByRole('heading', { name: 'Statusvarsler' })).toBeVisible();
    },
  },
  {
    who: INGRID, lang: 'nb', title: 'Kolleger', link: 'Kolleger', url: /\/portal\/colleagues$/,
    shows: async page => {
      await expect(page.getByRole('heading', { name: 'Saker og varsler' })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Hindre i å åpne saker: Ola Hansen' })).toBeVisible();
    },
  },
  {
    who: INGRID, lang: 'nb', title: 'Ny sak', link: 'Ny sak', url: /\/portal\/tickets\/new$/,
    shows: async page => {
      await expect(page.getByLabel('Hva gjelder det?').locator('option')).toContainText(['Beregning (OpenStack), Oslo (NO)', 'Noe annet']);
    },
  },
  {
    who: INGRID, lang: 'nb', title: 'Vår organisasjon', link: 'Vår organisasjon', url: /\/portal\/organization$/,
    shows: async page => {
      await expect(page.getByRole('heading', { name: /^Sikt/ })).toBeVisible();
    },
  },
  {
    who: INGRID, lang: 'nb', title: 'the quarterly report', link: 'Vår organisasjon', then: 'HTML', url: /\/portal\/report\?quarter=/,
    shows: async page => {
      await expect(page.getByRole('heading', { level: 1 })).toContainText('Sikt');
    },
  },
];

for (const p of PAGES) {
  test(`${p.who === SARA ? 'KTH\'s Swedish' : 'Sikt\'s Norwegian'} primary contact: ${p.title} passes axe on a desktop and a phone`, async ({ page }) => {
    await logIn(page, p.who);
    await expect(page).toHaveURL(/\/portal$/);
    await page.getByRole('navigation').getByRole('link', { name: p.link, exact: true }).click();
    if (p.then) await page.getByRole('link', { name: p.then }).first().click();
    await expect(page).toHaveURL(p.url);
    await expect(page.locator('html')).toHaveAttribute('lang', p.lang);
    await p.shows(page);
    await checked(page, page.url().replace(/^https?:\/\/[^/]+/, ''));
  });
}

test('an organisation being set up shows its contact how far it has come, and passes axe', async ({ page, browser }) => {
  // Polar Data Institute's onboarding runs (the demo signed its contract three days ago). An
  // administrator gives a new contact of Polar's portal access and an account.
  await logIn(page, ADMIN);
  await page.goto('/console/organizations');
  await page.getByLabel('Search').fill('polardata.example');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'Polar Data Institute' }).first().click();
  const org = page.url().match(/\/console\/organizations\/(\d+)/)[1];
  const email = `e${Date.now() % 100000}@polardata.example`;
  const password = 'e2e-polar-portal-1';
  await page.getByRole('link', { name: 'Add contact' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Eva Eriksen');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Roles').fill('billing');
  await page.getByLabel('May use the customer portal').check();
  await page.getByRole('button', { name: 'Add contact' }).click();
  await expect(page.getByRole('cell', { name: email })).toBeVisible();
  await page.goto('/console/users');
  await page.getByLabel('Name').fill('Eva Eriksen');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Role').selectOption('customer');
  await page.getByLabel('Organisation id').fill(org);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByRole('cell', { name: email })).toBeVisible();

  const eva = await (await browser.newContext()).newPage();
  try {
    await logIn(eva, { email, password });
    await expect(eva).toHaveURL(/\/portal$/);
    await eva.getByRole('link', { name: 'Vår organisasjon' }).click();
    await expect(eva.getByRole('heading', { name: 'Polar Data Institute' })).toBeVisible();
    await expect(eva.getByRole('heading', { name: 'Kom i gang' })).toBeVisible();
    await expect(eva.getByText('Det vi setter opp for dere, og hvor langt det har kommet.')).toBeVisible();
    await expect(eva.locator('#onboarding li').first()).toBeVisible();
    await checked(eva, '/portal/organization with its setting-up');
  } finally {
    await eva.context().close();
    // The contact loses its portal access again.
    await page.goto(`/console/organizations/${org}`);
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: email, exact: true }) });
    await row.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('May use the customer portal').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    // The contacts table: name, e-mail, phone, roles, language, portal, actions.
    await expect(row.getByRole('cell').nth(5)).toHaveText('no');
  }
});

test('the public subscribe page in Swedish passes axe on a desktop and a phone', async ({ page }) => {
  await page.goto('/status/subscribe?lang=sv');
  await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
  await expect(page.getByRole('heading', { name: 'Prenumerera på uppdateringar' })).toBeVisible();
  await expect(page.getByLabel('E-postadress, telefonnummer (+46…) eller webhook-URL (https://…)')).toBeVisible();
  await checked(page, '/status/subscribe?lang=sv');
});

test('a Swedish contact subscribes its own address to its services\' components and unsubscribes', async ({ page }) => {
  await logIn(page, SARA);
  await page.getByRole('link', { name: 'Statusaviseringar' }).click();
  await expect(page.getByRole('heading', { name: 'Statusaviseringar' })).toBeVisible();
  const rows = page.locator('#subscriptions tbody tr');
  const mine = rows.filter({ hasText: SARA.email });
  // What the list said before. On a fresh demo: one row of her address, "Som teknisk kontakt"
  // (the demo's incident on KTH's storage told her, a technical contact, without her subscribing).
  const before = (await mine.allInnerTexts()).map(t => t.replace(/\s+/g, ' ').trim());

  await page.getByLabel('Kanal').selectOption({ label: 'E-post' });
  await page.getByLabel('Adress', { exact: true }).fill(SARA.email);
  await page.getByRole('radio', { name: 'Våra tjänsters komponenter' }).check();
  await page.getByRole('button', { name: 'Prenumerera', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Prenumerationen är registrerad.');
  // Her own address is confirmed at once: one row of it, active, by e-mail, on KTH's components
  // (by name: not every component).
  await expect(mine).toHaveCount(1);
  await expect(mine.locator('td').nth(0)).toHaveText('E-post');
  await expect(mine.locator('td').nth(2)).not.toHaveText('Alla komponenter');
  await expect(mine.locator('td').nth(2)).toContainText('Backup — se-lla1');
  await expect(mine.locator('td').nth(3)).toHaveText('Aktiv');
  await noSeriousViolations(page);

  await page.getByRole('button', { name: `Avsluta: E-post ${SARA.email}` }).click();
  await expect(page.getByRole('status')).toHaveText('Prenumerationen är avslutad.');
  await expect(rows.filter({ hasText: 'Aktiv' }).filter({ hasText: SARA.email })).toHaveCount(0);
  // She is still a technical contact of an organisation that tells them of incidents, and the
  // page still says she is told by e-mail: so her address is told as before, and the list is as
  // it was before she subscribed (the row "Som teknisk kontakt" back, not gone for good).
  await expect(page.locator('#as-contact')).toHaveText('Som teknisk kontakt får du veta om störningar och underhåll på er organisations tjänster via e-post, och via sms vid större och kritiska.');
  expect((await mine.allInnerTexts()).map(t => t.replace(/\s+/g, ' ').trim())).toEqual(before);
});

test('a Norwegian primary contact stops a colleague opening tickets and allows him again', async ({ page }) => {
  await logIn(page, INGRID);
  await page.getByRole('link', { name: 'Kolleger' }).click();
  const ola = page.locator('#colleagues tbody tr').filter({ hasText: 'ola.hansen@sikt.no' });
  const opens = ola.locator('td').nth(3);
  // The organisation's choice of who sees which tickets is read, never changed here.
  await expect(page.getByRole('radio', { name: 'alle organisasjonens saker' })).toBeChecked();
  await expect(opens).toContainText('Ja');

  await page.getByRole('button', { name: 'Hindre i å åpne saker: Ola Hansen' }).click();
  await expect(page.getByRole('status')).toHaveText('Innstillingene er lagret.');
  await expect(opens).toContainText('Nei');
  await expect(page.getByRole('button', { name: 'Hindre i å åpne saker: Ola Hansen' })).toHaveCount(0);
  await noSeriousViolations(page);

  await page.getByRole('button', { name: 'Tillat å åpne saker: Ola Hansen' }).click();
  await expect(page.getByRole('status')).toHaveText('Innstillingene er lagret.');
  await expect(opens).toContainText('Ja');
  await expect(page.getByRole('button', { name: 'Hindre i å åpne saker: Ola Hansen' })).toBeVisible();
  // Ola is as the demo made him, and the organisation's choice is untouched.
  await expect(ola).toContainText('Invitert, har ikke valgt passord ennå');
  await expect(page.getByRole('radio', { name: 'alle organisasjonens saker' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: /^Varsle våre tekniske kontakter/ })).toBeChecked();
});

// What the browser tests share: logging in through the login form, and axe-core's WCAG 2
// A/AA checks with no serious or critical violation (each named with where it is).
const { expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;

async function logIn(page, who) {
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function noSeriousViolations(page) {
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const serious = axe.violations.filter(v => ['serious', 'critical'].includes(v.impact));
  expect(serious.map(v => `${v.id}: ${v.help} [${v.nodes.map(n => n.target.join(' ')).join(', ')}]`)).toEqual([]);
}

module.exports = { logIn, noSeriousViolations };

// common.mjs - what every browser test shares: where the instance is, ok/not ok lines, the database,
// chromium's flags, a new operator signed in with the first password changed, sideways scrolling.
// Env: BASE (the instance's address), PREPAID_VAR (its var/), TOP (the source tree).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const TOP = process.env.TOP || resolve(here, '..', '..');
export const BASE = (process.env.BASE || 'http://127.0.0.1:18080').replace(/\/+$/, '');
export const VAR = process.env.PREPAID_VAR || join(TOP, 'var', 'test');
export const OUT = join(TOP, 'tests', 'out');
mkdirSync(OUT, { recursive: true });

let failures = 0;
export const one = (s) => String(s).replace(/\s+/g, ' ').trim().slice(0, 300);
export function check(what, cond, detail) {
	if (cond)
		console.log(`ok - ${what}`);
	else {
		failures++;
		console.log(`not ok - ${what}${detail !== undefined ? ` (${one(detail)})` : ''}`);
	}
	return cond;
}
export function must(what, cond, detail) {
	if (!check(what, cond, detail))
		throw new Error(`cannot go on after: ${what}`);
}
// the last line and the exit status of a test
export function finish() {
	console.log(`# ${failures ? failures + ' failed' : 'all passed'}`);
	process.exit(failures ? 1 : 0);
}

export const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const launch = () => chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS });

export function sql(q) {
	return execFileSync('mariadb', [`--defaults-file=${join(VAR, 'my.cnf')}`, '-uroot', '-N', '-B', 'prepaid', '-e', q])
		.toString().trim();
}
// a new operator of ROLE (login PREFIX + random): { login, pw } with the first password
export function addOperator(role, prefix) {
	const login = prefix + Math.random().toString(36).slice(2, 8);
	const pw = execFileSync(join(TOP, 'build', 'prepaid-admin'), ['add-operator', login, String(role)],
		{ env: { ...process.env, PREPAID_CONF: join(VAR, 'prepaid.conf') } }).toString().trim();
	return { login, pw };
}
// a new operator of ROLE signed in with the first password changed to NEWPW, in a fresh context
export async function signIn(browser, role, opts, newpw, prefix) {
	const { login, pw } = addOperator(role, prefix);
	const ctx = await browser.newContext({ locale: 'zh-CN', ...opts });
	const page = await ctx.newPage();
	page.setDefaultTimeout(10000);
	const errors = [];
	page.on('pageerror', (e) => errors.push(e.message));
	const submit = () => Promise.all([page.waitForNavigation(), page.locator('form.form button[type=submit]').click()]);
	await page.goto(BASE + '/login');
	await page.fill('#f-login', login);
	await page.fill('#f-password', pw);
	await submit();
	await page.fill('#f-old', pw);
	await page.fill('#f-new', newpw);
	await page.fill('#f-confirm', newpw);
	await submit();
	return { ctx, page, errors, login };
}
// how far the page body scrolls sideways (0: it fits)
export const sideways = (page) =>
	page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

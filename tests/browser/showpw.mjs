// showpw.mjs - the browser test of the 显示密码 box (static/showpw.js) on both sites: hidden without
// JavaScript, shown with it; ticked, the form's password fields show what was typed, unticked they hide it
// again; a form sent with the box ticked sends its fields as passwords and signs in; no script errors.
// Env: BASE, PREPAID_VAR, TOP as console.mjs. Prints "ok - ..." / "not ok - ..."; exits 1 on failure.
import { BASE, one, check, must, finish, launch, addOperator } from './common.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const DESK = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };
const submit = (page) => Promise.all([page.waitForNavigation(), page.locator('form.form button[type=submit]').click()]);
const types = (page, ids) => Promise.all(ids.map((id) => page.locator(id).getAttribute('type')));

// the box on one page: what the fields IDS show as it is ticked and unticked
async function box(page, where, ids) {
	const b = page.locator('#f-showpw');
	check(`${where}: the 显示密码 box is shown next to the password`, await b.isVisible() &&
		(await page.locator('.showpw label').innerText()).includes('显示密码'));
	for (const id of ids)
		await page.fill(id, '电费 secret ⚡ 12345');
	check(`${where}: unticked, the password fields hide what was typed`,
		(await types(page, ids)).every((t) => t === 'password'), await types(page, ids));
	await b.check();
	check(`${where}: ticked, they show it as text, nothing typed lost`,
		(await types(page, ids)).every((t) => t === 'text') &&
		(await Promise.all(ids.map((id) => page.inputValue(id)))).every((v) => v === '电费 secret ⚡ 12345'),
		await types(page, ids));
	await b.uncheck();
	check(`${where}: unticked again, hidden again`, (await types(page, ids)).every((t) => t === 'password'),
		await types(page, ids));
}

let browser;
async function main() {
	browser = await launch();
	const errors = [];

	// a. without JavaScript the box is not there to mislead, and sign-in works
	const nojs = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
	const np = await nojs.newPage();
	await np.goto(BASE + '/m/login');
	check('without JavaScript the student sign-in shows no 显示密码 box', !(await np.locator('#f-showpw').isVisible()) &&
		(await np.locator('#f-password').getAttribute('type')) === 'password');
	await np.goto(BASE + '/login');
	check('without JavaScript the staff sign-in shows no 显示密码 box', !(await np.locator('#f-showpw').isVisible()));
	await nojs.close();

	// b. the staff sign-in and first password change, on a desk
	const { login, pw } = addOperator(3, 'sp');
	const ctx = await browser.newContext(DESK);
	const page = await ctx.newPage();
	page.setDefaultTimeout(10000);
	page.on('pageerror', (e) => errors.push(e.message));
	await page.goto(BASE + '/login');
	await box(page, 'staff sign-in', ['#f-password']);
	await page.fill('#f-login', login);
	await page.fill('#f-password', pw);
	await page.locator('#f-showpw').check();
	await submit(page);
	must('staff: signed in with the box ticked (the field sent as it was typed)',
		new URL(page.url()).pathname === '/password', page.url());
	await box(page, 'staff password change', ['#f-old', '#f-new', '#f-confirm']);
	const NEWPW = '显示 密码 Test ' + Math.random().toString(36).slice(2, 6);
	await page.fill('#f-old', pw);
	await page.fill('#f-new', NEWPW);
	await page.fill('#f-confirm', NEWPW);
	await page.locator('#f-showpw').check();
	await submit(page);
	check('staff: the change sent with the box ticked is taken', new URL(page.url()).pathname === '/', page.url());
	await ctx.close();

	// c. the student sign-in on a phone
	const m = await browser.newContext(PHONE);
	const mp = await m.newPage();
	mp.setDefaultTimeout(10000);
	mp.on('pageerror', (e) => errors.push(e.message));
	await mp.goto(BASE + '/m/login');
	await box(mp, 'student sign-in', ['#f-password']);
	const w = await mp.locator('#f-showpw').evaluate((e) => e.closest('.showpw').getBoundingClientRect().right);
	check('student sign-in: the box fits the phone', w <= 390, w);
	const scripts = await mp.locator('script').evaluateAll((s) => s.map((x) => x.getAttribute('src')));
	check('student sign-in: its one script is /static/showpw.js', scripts.length === 1 && scripts[0] === '/static/showpw.js',
		scripts.join(' '));
	await m.close();
	check('no script errors', errors.length === 0, errors.join(' / '));
}

try {
	await main();
} catch (e) {
	check(one(e && e.message ? e.message : e), false);
} finally {
	if (browser)
		await browser.close().catch(() => {});
}
finish();

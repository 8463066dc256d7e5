// look.mjs - the browser test of the look: the dashboard and the grouped menu at 1280 px and at
// 390 px (the menu collapsed behind its button, no sideways scrolling of the page, wide tables
// scrolling in their own box), the menu without JavaScript, a limited role's groups, print.
// Env: BASE, PREPAID_VAR, TOP as console.mjs. Prints "ok - ..." / "not ok - ..."; exits 1 on failure.
import { join } from 'node:path';
import { BASE, OUT, one, check, must, finish, launch, sql, signIn, sideways } from './common.mjs';
const GROUPS = ['登录管理', '系统设置', '客户管理', '售电管理', '在线支付', '报表中心'];

const groups = (page) => page.locator('details.nav-group > summary').allInnerTexts();
const shot = (page, name) => page.screenshot({ path: join(OUT, `browser-look-${name}.png`), fullPage: true });
// the page's body scrolls sideways by this many pixels

let browser;
async function main() {
	browser = await launch();

	// a. 1280 px: the dashboard and the six groups, a group opened
	const wide = await signIn(browser, 1, { viewport: { width: 1280, height: 900 } }, 'Look2026ok!!', 'lk');
	let page = wide.page;
	must('an administrator lands on the home page', new URL(page.url()).pathname === '/', page.url());
	check('the page is titled 首页', one(await page.locator('main h1').innerText()) === '首页');
	const css = await page.evaluate(() => [...document.styleSheets].map((s) => s.href || ''));
	check('Bootstrap is served from the Debian package path', css.some((h) => h.endsWith('/bootstrap5/css/bootstrap.min.css')) &&
		(await page.evaluate(() => getComputedStyle(document.querySelector('.navbar')).display)) === 'flex', css.join(' '));
	check('the menu shows the six groups in order', (await groups(page)).map(one).join('|') === GROUPS.join('|'),
		(await groups(page)).join('|'));
	check('the menu button is hidden at 1280 px', !(await page.locator('.navbar-toggler').isVisible()));
	check('首页 is marked as the current page',
		(await page.locator('nav.menu a[aria-current="page"]').getAttribute('href')) === '/');
	for (const id of ['d-today-sales', 'd-month-net', 'd-read-cycle', 'd-lost-meters', 'd-alarms-open', 'd-approvals',
		'd-pay-refund', 'd-pay-bad'])
		check(`the dashboard shows #${id}`, await page.locator('#' + id).isVisible());
	await shot(page, '1280-dashboard');
	await page.locator('details.nav-group > summary', { hasText: '系统设置' }).click();
	check('a click opens 系统设置 as a drop-down', await page.locator('nav.menu a[href="/meters"]').isVisible());
	await shot(page, '1280-menu');
	await page.locator('details.nav-group > summary', { hasText: '报表中心' }).click();
	check('opening 报表中心 closes 系统设置', !(await page.locator('nav.menu a[href="/meters"]').isVisible()) &&
		await page.locator('nav.menu a[href="/report/alarms"]').isVisible());
	await page.keyboard.press('Escape');
	check('Escape closes the group', !(await page.locator('nav.menu a[href="/report/alarms"]').isVisible()));
	await page.goto(BASE + '/meters');
	check('on /meters its item is marked and its group highlighted',
		(await page.locator('nav.menu a[aria-current="page"]').getAttribute('href')) === '/meters' &&
		(await page.locator('details.nav-group:has(a.active) > summary').innerText()).trim() === '系统设置');
	await page.emulateMedia({ media: 'print' });
	check('the menu is hidden in print', !(await page.locator('header.top').isVisible()));
	await page.emulateMedia({ media: 'screen' });
	check('no script errors at 1280 px', wide.errors.length === 0, wide.errors.join(' / '));

	// b. 390 px: the menu collapsed behind its button; no sideways scrolling; tables in their own box
	const narrow = await signIn(browser, 1, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, 'Look2026ok!!', 'lk');
	page = narrow.page;
	check('at 390 px the menu button shows', await page.locator('.navbar-toggler').isVisible());
	check('at 390 px the menu is collapsed', !(await page.locator('nav.menu').isVisible()));
	check('at 390 px the dashboard does not scroll sideways', (await sideways(page)) <= 0, await sideways(page));
	await shot(page, '390-dashboard');
	await page.locator('.navbar-toggler').click();
	check('the button opens the menu', await page.locator('nav.menu').isVisible() &&
		(await page.locator('.navbar-toggler').getAttribute('aria-expanded')) === 'true');
	await page.locator('details.nav-group > summary', { hasText: '售电管理' }).click();
	check('a group opens in place', await page.locator('nav.menu a[href="/sell"]').isVisible());
	check('the open menu does not scroll sideways', (await sideways(page)) <= 0, await sideways(page));
	await shot(page, '390-menu');
	await page.goto(BASE + '/meters');
	const box = await page.evaluate(() => {
		const t = document.querySelector('table.list');
		return t ? [t.scrollWidth, t.clientWidth, getComputedStyle(t).overflowX] : null;
	});
	check('at 390 px the meter list scrolls in its own box, not the page',
		box && (await sideways(page)) <= 0 && box[0] > box[1] && box[2] === 'auto', `${box} ${await sideways(page)}`);
	await page.locator('table.list').evaluate((t) => { t.scrollLeft = t.scrollWidth; });
	const last = await page.locator('table.list tbody tr').first().locator('td').last().boundingBox();
	check('scrolled to its end, the list shows its last column on the screen', last && last.x >= 0 &&
		last.x + last.width <= 391, JSON.stringify(last));
	await shot(page, '390-meters');
	check('no script errors at 390 px', narrow.errors.length === 0, narrow.errors.join(' / '));

	// c. without JavaScript: the menu stays reachable at 390 px, groups open
	const nojs = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false,
		storageState: await narrow.ctx.storageState() });
	const np = await nojs.newPage();
	await np.goto(BASE + '/');
	check('without JavaScript the menu is shown and no dead button', await np.locator('nav.menu').isVisible() &&
		!(await np.locator('.navbar-toggler').isVisible()));
	await np.locator('details.nav-group > summary', { hasText: '客户管理' }).click();
	check('without JavaScript a group still opens', await np.locator('nav.menu a[href="/accounts"]').isVisible());
	await np.screenshot({ path: join(OUT, 'browser-look-390-nojs.png'), fullPage: true });

	// d. a limited role (宿管: queries and reports) sees only its groups
	const roleId = sql("SELECT id FROM roles WHERE name = '宿管'");
	const limited = await signIn(browser, roleId, { viewport: { width: 1280, height: 900 } }, 'Look2026ok!!', 'lk');
	page = limited.page;
	const g = (await groups(page)).map(one);
	check('宿管 sees 登录管理, 客户管理 and 报表中心 only', g.join('|') === '登录管理|客户管理|报表中心', g.join('|'));
	check('宿管 has no 售电 nor 仪表设置 in the menu', (await page.locator('nav.menu a[href="/sell"]').count()) === 0 &&
		(await page.locator('nav.menu a[href="/meters"]').count()) === 0);
	check('宿管 sees no money on the dashboard', (await page.locator('#dash-money').count()) === 0);
	check('宿管 has 失联表查询报表 but not 日销售报表', (await page.locator('nav.menu a[href="/report/lost-meters"]').count()) === 1 &&
		(await page.locator('nav.menu a[href^="/report/sales"]').count()) === 0);
	await page.locator('details.nav-group > summary', { hasText: '报表中心' }).click();
	await shot(page, '1280-limited');
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

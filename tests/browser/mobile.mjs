// mobile.mjs - the browser test of the student site (/m/) on a phone, 390x844: staff open an account and
// set its first password, then the sign-in page, a wrong password, the first change, 我的电表 with its
// chart (one bar per day with use), 提醒设置 (alert settings), no sideways scrolling at 390 and 360 px, no
// JavaScript, sign-out.
// Env: BASE, PREPAID_VAR, TOP as console.mjs. Prints "ok - ..." / "not ok - ..."; exits 1 on failure.
import { join } from 'node:path';
import { BASE, OUT, one, check, must, finish, launch, sql, signIn, sideways } from './common.mjs';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const NEW = 'Dian2026ok!!';

const shot = (page, name) => page.screenshot({ path: join(OUT, `browser-mobile-${name}.png`), fullPage: true });
// the page's body scrolls sideways by this many pixels
const submit = (page) => Promise.all([page.waitForNavigation(), page.locator('form.form button[type=submit]').click()]);

// staff: a new administrator opens an account on a free room of 4号楼 and sets its first password
async function setUp(browser) {
	const { ctx, page } = await signIn(browser, 1, { viewport: { width: 1280, height: 900 } }, 'Mobile2026ok', 'mb');
	page.on('dialog', (d) => d.accept());
	const b4 = sql("SELECT id FROM buildings WHERE name = '4号楼'");
	const room = sql('SELECT r.number FROM rooms r JOIN meters m ON m.room_id = r.id' +
		` WHERE r.building_id = ${b4} AND m.profile = 'ddsy1352nk' AND NOT EXISTS` +
		' (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1) ORDER BY r.number DESC LIMIT 1');
	must('a free room in 4号楼', room !== '');
	await page.goto(BASE + '/account/open');
	await page.fill('#f-holder', '学生' + Math.random().toString(36).slice(2, 6));
	await page.fill('#f-holder_no', 'MB' + Math.random().toString(36).slice(2, 8));
	await page.fill('#f-phone', '13900139000');
	await page.selectOption('#f-building_id', b4);
	await page.fill('#f-room', room);
	await submit(page);
	const account = new URL(page.url()).searchParams.get('id');
	must('staff opened the account', /^\d+$/.test(account || ''), page.url());
	await page.goto(`${BASE}/account/student-password?account=${account}`);
	await Promise.all([page.waitForNavigation(), page.locator('button[name=confirm]').click()]);
	const first = (await page.locator('#new-password').innerText()).trim();
	must('staff see the first password once', first.length >= 12, first);
	await ctx.close();
	sql(`UPDATE student_logins SET privacy_agreed_at = UTC_TIMESTAMP() WHERE account_id = ${account}`); // the notice agreed
	const meter = sql(`SELECT meter_id FROM account_meters WHERE account_id = ${account} AND active = 1`);
	return { b4, room, first, account, meter };
}

let browser;
async function main() {
	browser = await launch();
	const s = await setUp(browser);
	// use on 5 of the last 30 days (site days, +08:00); today none yet
	const today = sql("SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'))");
	const days = [1, 2, 3, 9, 25];
	for (const ago of days)
		sql(`REPLACE INTO daily_energy (meter_id, day, first_energy, last_energy) VALUES (${s.meter},` +
			` '${today}' - INTERVAL ${ago} DAY, 1000, ${1000 + 100 * ago})`);

	const ctx = await browser.newContext(PHONE);
	const page = await ctx.newPage();
	page.setDefaultTimeout(10000);
	const errors = [];
	page.on('pageerror', (e) => errors.push(e.message));

	// a. the sign-in page
	await page.goto(BASE + '/m/');
	must('signed out, /m/ shows the sign-in page', new URL(page.url()).pathname === '/m/login', page.url());
	check('the sign-in page is titled 登录', one(await page.locator('main h1').innerText()) === '登录');
	for (const f of ['#f-building', '#f-room', '#f-password'])
		check(`the sign-in field ${f} spans the phone's width`, await page.locator(f).evaluate((e) =>
			e.getBoundingClientRect().width >= 300 && e.getBoundingClientRect().right <= 390));
	check('the sign-in page does not scroll sideways at 390 px', (await sideways(page)) <= 0, await sideways(page));
	await shot(page, 'login');

	// b. a wrong password: the error in the form, above its fields, on the first screen; the room kept
	await page.selectOption('#f-building', s.b4);
	await page.fill('#f-room', s.room);
	await page.fill('#f-password', 'Wrong2026x');
	await submit(page);
	const err = page.locator('form.form .form-err');
	check('a wrong password shows 楼栋、房间号或密码不正确 in the form',
		(await err.count()) === 1 && await err.isVisible() && (await err.innerText()).includes('楼栋、房间号或密码不正确'),
		(await err.count()) ? await err.innerText() : 'no error');
	const eb = await err.boundingBox(), fb = await page.locator('#f-building').boundingBox();
	check('the error sits right above the fields, on the first screen', eb && fb && eb.y + eb.height <= fb.y &&
		fb.y - (eb.y + eb.height) < 80 && eb.y + eb.height < 844 && eb.x >= 0 && eb.x + eb.width <= 390,
		JSON.stringify([eb, fb]));
	check('the room is kept, the password emptied', (await page.inputValue('#f-room')) === s.room &&
		(await page.inputValue('#f-password')) === '');
	check('the error does not make the page scroll sideways', (await sideways(page)) <= 0, await sideways(page));
	await shot(page, 'login-wrong');

	// c. the first sign-in: the new password first; a too short one refused next to its field
	await page.fill('#f-password', s.first);
	await submit(page);
	must('the first sign-in leads to the password change', new URL(page.url()).pathname === '/m/password' &&
		(await page.locator('main p.warn').innerText()).includes('首次登录'), page.url());
	await shot(page, 'first-password');
	await page.goto(BASE + '/m/');
	check('nothing else before the new password', new URL(page.url()).pathname === '/m/password', page.url());
	await page.fill('#f-old', s.first);
	await page.fill('#f-new', 'ab1');
	await page.fill('#f-confirm', 'ab1');
	await submit(page);
	const pe = page.locator('#err-new');
	const peb = await pe.boundingBox(), pnb = await page.locator('#f-new').boundingBox();
	check('a too short password: the error right under its field', peb && pnb &&
		(await pe.innerText()).includes('至少12个字符') && peb.y >= pnb.y + pnb.height - 1 && peb.y - (pnb.y + pnb.height) < 30 &&
		(await page.locator('#f-new').getAttribute('aria-invalid')) === 'true', JSON.stringify([peb, pnb]));
	await page.fill('#f-old', s.first);
	await page.fill('#f-new', NEW);
	await page.fill('#f-confirm', NEW);
	await submit(page);
	must('the new password leads to 我的电表', new URL(page.url()).pathname === '/m/' &&
		one(await page.locator('main h1').innerText()) === '我的电表', page.url());

	// d. 我的电表 and its chart: 30 bars, one drawn per day with use, the tallest the most use
	check('the page says the password was changed', (await page.locator('main p.ok').count()) === 1);
	check('the money is shown', /^¥-?\d+\.\d\d$/.test((await page.locator('#money').innerText()).trim()),
		await page.locator('#money').innerText());
	const chart = page.locator('figure.chart svg');
	check('the chart is on the page and fits the screen', await chart.isVisible() &&
		await chart.evaluate((e) => e.getBoundingClientRect().width > 250 && e.getBoundingClientRect().right <= 390));
	const bars = await page.locator('figure.chart rect.bar').evaluateAll((rs) => rs.map((r) =>
		[Number(r.getAttribute('height')), r.getBoundingClientRect().height, r.querySelector('title').textContent]));
	check('the chart has 30 days', bars.length === 30, bars.length);
	const drawn = bars.map((b, i) => [29 - i, b]).filter(([, b]) => b[0] > 0 && b[1] > 0).map(([ago]) => ago);
	check('one bar drawn per day with use, none on the others', drawn.sort((a, b) => a - b).join(',') === days.join(','),
		drawn.join(','));
	const tall = bars.reduce((m, b, i) => (b[0] > bars[m][0] ? i : m), 0);
	check('the tallest bar is the day of most use, 25 kWh', 29 - tall === 25 && bars[tall][2].includes('25.00'),
		JSON.stringify(bars[tall]));
	check('each bar names its day and its use', bars[29 - 1][2].includes('1.00') && /\d{2}/.test(bars[0][2]),
		JSON.stringify(bars[28]));
	check('no bar sticks out of the chart', await page.locator('figure.chart rect.bar').evaluateAll((rs) => {
		const box = rs[0].ownerSVGElement.getBoundingClientRect();
		return rs.every((r) => { const b = r.getBoundingClientRect(); return b.left >= box.left - 0.5 && b.right <= box.right + 0.5; });
	}));
	check('我的电表 does not scroll sideways at 390 px', (await sideways(page)) <= 0, await sideways(page));
	await shot(page, 'home');
	await page.locator('figure.chart').screenshot({ path: join(OUT, 'browser-mobile-chart.png') });

	// d2. 提醒设置 from 我的电表: the levels and a quiet period across midnight, an error next to its field
	await Promise.all([page.waitForNavigation(), page.locator('#alerts-link').click()]);
	must('我的电表 links to 提醒设置', new URL(page.url()).pathname === '/m/alerts' &&
		one(await page.locator('main h1').innerText()) === '提醒设置', page.url());
	check('every alarm SMS is on by default', await page.locator('#f-alarm1').isChecked() &&
		await page.locator('#f-alarm2').isChecked() && await page.locator('#f-arrears').isChecked());
	check('the page links to the phone number', (await page.locator('a[href="/m/phone"]').count()) === 1);
	await page.fill('#f-quiet_from', '22:30');
	await submit(page);
	const qe = page.locator('#err-quiet_to');
	const qeb = await qe.isVisible() ? await qe.boundingBox() : null, qtb = await page.locator('#f-quiet_to').boundingBox();
	check('a quiet period without its end: the error right under the end', qeb && qtb &&
		(await qe.innerText()).includes('同时填写') && qeb.y >= qtb.y + qtb.height - 1 && qeb.y - (qtb.y + qtb.height) < 30,
		JSON.stringify([qeb, qtb]));
	await page.locator('#f-alarm1').uncheck();
	await page.fill('#f-quiet_from', '22:30');
	await page.fill('#f-quiet_to', '07:00');
	await submit(page);
	check('the settings are saved and shown', (await page.locator('#saved').count()) === 1 &&
		!(await page.locator('#f-alarm1').isChecked()) && await page.locator('#f-alarm2').isChecked() &&
		(await page.locator('#f-quiet_from').inputValue()) === '22:30' &&
		(await page.locator('#f-quiet_to').inputValue()) === '07:00');
	check('提醒设置 does not scroll sideways at 390 px', (await sideways(page)) <= 0, await sideways(page));
	await shot(page, 'alerts');
	await page.setViewportSize({ width: 360, height: 740 });
	check('提醒设置 does not scroll sideways at 360 px', (await sideways(page)) <= 0, await sideways(page));
	await page.setViewportSize({ width: 390, height: 844 });

	// e. 360 px, the narrowest phone the site is made for
	await page.setViewportSize({ width: 360, height: 740 });
	await page.goto(BASE + '/m/');
	check('我的电表 does not scroll sideways at 360 px', (await sideways(page)) <= 0, await sideways(page));
	const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) =>
		e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).map((e) => e.tagName + '.' + e.getAttribute('class')));
	check('nothing reaches past the right edge at 360 px', wide.length === 0, wide.slice(0, 5).join(' '));
	await shot(page, 'home-360');
	await page.goto(BASE + '/m/password');
	check('修改密码 does not scroll sideways at 360 px', (await sideways(page)) <= 0, await sideways(page));
	await page.setViewportSize({ width: 390, height: 844 });

	// f. without JavaScript: sign in and see the same page with its chart
	const nojs = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
	const np = await nojs.newPage();
	np.setDefaultTimeout(10000);
	await np.goto(BASE + '/m/login');
	await np.selectOption('#f-building', s.b4);
	await np.fill('#f-room', s.room);
	await np.fill('#f-password', NEW);
	await submit(np);
	check('without JavaScript the student signs in to 我的电表', new URL(np.url()).pathname === '/m/' &&
		one(await np.locator('main h1').innerText()) === '我的电表', np.url());
	check('without JavaScript the chart shows its bars', (await np.locator('figure.chart rect.bar').count()) === 30 &&
		await np.locator('figure.chart svg').isVisible());
	check('without JavaScript no sideways scrolling', (await sideways(np)) <= 0, await sideways(np));
	await np.screenshot({ path: join(OUT, 'browser-mobile-nojs.png'), fullPage: true });
	await Promise.all([np.waitForNavigation(), np.locator('form[action="/m/logout"] button').click()]);
	check('without JavaScript sign-out works', new URL(np.url()).pathname === '/m/login', np.url());
	await nojs.close();

	// g. sign-out returns to the sign-in page, and the account is closed to this phone
	await page.goto(BASE + '/m/');
	await Promise.all([page.waitForNavigation(), page.locator('form[action="/m/logout"] button').click()]);
	check('sign-out returns to the sign-in page', new URL(page.url()).pathname === '/m/login' &&
		(await page.locator('#f-room').isVisible()), page.url());
	check('the sign-in page says the student signed out', (await page.locator('main p.ok').count()) === 1);
	await page.goto(BASE + '/m/');
	check('after sign-out 我的电表 asks to sign in again', new URL(page.url()).pathname === '/m/login', page.url());
	await page.goBack();
	await page.reload();
	check('the back button shows no account after sign-out', (await page.locator('#money').count()) === 0, page.url());
	await shot(page, 'signed-out');
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

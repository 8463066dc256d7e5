// mobile-code.mjs - the browser test of the student site's sign-in by SMS code and phone change on a phone,
// 390x844: the link from the sign-in page, the phone, the code (read from the outbox the collector sends),
// 我的电表, the phone page masked, a wrong code next to its field, the new phone confirmed; screenshots;
// no sideways scrolling. Env: BASE, PREPAID_VAR, TOP as console.mjs. Prints "ok - ..." / "not ok - ...".
import { join } from 'node:path';
import { BASE, OUT, one, check, must, finish, launch, sql, sideways } from './common.mjs';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' };

const shot = (page, name) => page.screenshot({ path: join(OUT, `browser-mobile-code-${name}.png`), fullPage: true });
const submit = (page) => Promise.all([page.waitForNavigation(), page.locator('form.form button[type=submit]').click()]);
const rnd = () => String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
// the code of the last SMS queued for PHONE (what the collector sends through the modem)
const lastCode = (phone) => (sql(`SELECT body FROM sms_outbox WHERE phone = '${phone}' AND recipient = 'code'` +
	' ORDER BY id DESC LIMIT 1').match(/(?<!\d)\d{6}(?!\d)/) || [''])[0];

let browser;
async function main() {
	const phone = '136' + rnd(), newPhone = '135' + rnd();
	const holder = '短信' + Math.random().toString(36).slice(2, 6);
	const account = sql(`INSERT INTO accounts (holder, phone) VALUES ('${holder}', '${phone}') RETURNING id`);
	must('an account with a phone', /^\d+$/.test(account), account);
	sql(`INSERT INTO student_logins (account_id, pw_hash, must_change, privacy_agreed_at) VALUES (${account}, 'scrypt$unusable', 0, UTC_TIMESTAMP())`);
	browser = await launch();
	const ctx = await browser.newContext(PHONE);
	const page = await ctx.newPage();
	page.setDefaultTimeout(10000);
	const errors = [];
	page.on('pageerror', (e) => errors.push(e.message));

	// a. from the sign-in page to the code sign-in
	await page.goto(BASE + '/m/login');
	await Promise.all([page.waitForNavigation(), page.locator('#by-code').click()]);
	check('the sign-in page links to 短信验证码登录', new URL(page.url()).pathname === '/m/code' &&
		one(await page.locator('main h1').innerText()) === '短信验证码登录', page.url());
	check('the phone field spans the phone\'s width', await page.locator('#f-phone').evaluate((e) =>
		e.getBoundingClientRect().width >= 300 && e.getBoundingClientRect().right <= 390));
	check('no sideways scrolling at 390 px (phone)', (await sideways(page)) <= 0, await sideways(page));
	await shot(page, 'phone');

	// b. a bad phone: the error next to the field
	await page.fill('#f-phone', '1234');
	await submit(page);
	check('a bad phone: 请输入11位手机号码 next to the field',
		(await page.locator('#err-phone').innerText()).includes('请输入11位手机号码'));

	// c. the phone, then the code from the SMS
	await page.fill('#f-phone', phone);
	await submit(page);
	check('the page says the code was sent and asks for it', (await page.locator('#code-note').innerText())
		.includes('验证码已通过短信发出') && await page.locator('#f-code').isVisible());
	check('no sideways scrolling at 390 px (code)', (await sideways(page)) <= 0, await sideways(page));
	const code = lastCode(phone);
	must('the SMS holds a code', /^\d{6}$/.test(code), code);
	await page.fill('#f-code', code);
	await page.locator('input[name=remember]').check();
	await shot(page, 'code');
	await submit(page);
	check('the code signs in: 我的电表 with the holder', new URL(page.url()).pathname === '/m/' &&
		(await page.locator('main').innerText()).includes(holder), page.url());
	const cookies = await ctx.cookies();
	const msid = cookies.find((c) => c.name === 'msid');
	check('remembered: the session cookie lasts 7 days', msid && msid.expires > Date.now() / 1000 + 6.9 * 86400,
		JSON.stringify(msid));
	await shot(page, 'home');

	// d. the phone page: masked, a wrong code, the right one
	await page.goto(BASE + '/m/phone');
	const masked = phone.slice(0, 3) + '****' + phone.slice(-4);
	check('the phone page shows the phone masked', one(await page.locator('#current-phone').innerText()) === masked &&
		!(await page.content()).includes(phone), await page.locator('#current-phone').innerText());
	check('no sideways scrolling at 390 px (phone page)', (await sideways(page)) <= 0, await sideways(page));
	await page.fill('#f-phone', newPhone);
	await submit(page);
	const pcode = lastCode(newPhone);
	must('the new phone got a code', /^\d{6}$/.test(pcode), pcode);
	await page.fill('#f-code', String((Number(pcode) + 1) % 1000000).padStart(6, '0'));
	await submit(page);
	check('a wrong code: the error next to the code field',
		(await page.locator('#err-code').innerText()).includes('验证码不正确或已过期'));
	check('the phone is unchanged', sql(`SELECT phone FROM accounts WHERE id = ${account}`) === phone);
	await shot(page, 'phone-wrong');
	await page.fill('#f-code', pcode);
	await submit(page);
	check('the right code changes the phone', sql(`SELECT phone FROM accounts WHERE id = ${account}`) === newPhone &&
		(await page.locator('#phone-ok').innerText()).includes('手机号码已更换') &&
		one(await page.locator('#current-phone').innerText()) === newPhone.slice(0, 3) + '****' + newPhone.slice(-4));
	await shot(page, 'phone-changed');
	await Promise.all([page.waitForNavigation(), page.locator('main a[href="/m/"]').click()]);
	check('the phone page links back to 我的电表', new URL(page.url()).pathname === '/m/', page.url());
	check('no script errors', errors.length === 0, errors.join(' / '));
	await ctx.close();
	sql(`UPDATE accounts SET status = 'closed' WHERE id = ${account}`);
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

// pay.mjs - M3 in a browser on a phone (390x844): a student tops up 20 yuan through the payment sandbox
// (tests/paysim), once by Alipay and once by WeChat Pay (API v3 H5: the order's h5_url from the signed order
// call): my account, the pay page, the order, the sandbox's pay page, back on the order page at 表上待确认,
// then 已到账 once the meter confirms; a screenshot of each step.
// Env: BASE, PREPAID_VAR, TOP as console.mjs; PAYSIM_PORT (18093). Prints "ok - ..." / "not ok - ...".
import { spawn } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, OUT, TOP, VAR, one, check, must, finish, launch, sql, sideways } from './common.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' };
const PORT = process.env.PAYSIM_PORT || '18093';
const conf = Object.fromEntries(readFileSync(join(VAR, 'prepaid.conf'), 'utf8').split('\n')
	.filter((l) => l.includes('=') && !l.startsWith('#')).map((l) => l.split('=').map((s) => s.trim())));

// an open account on a free room of 2号楼 with its first password already changed
function student(holder, tag) {
	const room = sql("SELECT r.id FROM rooms r JOIN buildings b ON b.id = r.building_id JOIN meters m" +
		" ON m.room_id = r.id AND m.profile = 'ddsy1352nk' WHERE b.name = '2号楼' AND NOT EXISTS" +
		" (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id AND x.active = 1) ORDER BY r.number DESC LIMIT 1");
	must('a free room in 2号楼', room !== '');
	sql(`INSERT INTO accounts (holder, holder_no, room_id) VALUES ('${holder}', '${tag}${Date.now() % 100000}', ${room})`);
	const acc = sql(`SELECT MAX(id) FROM accounts WHERE room_id = ${room}`);
	sql(`INSERT INTO account_meters (account_id, meter_id, active, open_meter_id) SELECT ${acc}, id, 1, id` +
		` FROM meters WHERE room_id = ${room} AND profile = 'ddsy1352nk'`);
	const pw = 'Pay' + randomBytes(4).toString('hex') + 'x1';
	const salt = randomBytes(16);
	const hash = scryptSync(pw, salt, 32, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
	sql(`INSERT INTO student_logins (account_id, pw_hash, must_change, privacy_agreed_at) VALUES (${acc},` +
		` 'scrypt$16384$8$1$${salt.toString('hex')}$${hash.toString('hex')}', 0, UTC_TIMESTAMP())`);
	const [building, number] = sql(`SELECT building_id, number FROM rooms WHERE id = ${room}`).split('\t');
	const meter = sql(`SELECT meter_id FROM account_meters WHERE account_id = ${acc}`);
	// read once, as the collector's first cycle leaves a meter (first-reads.sql)
	sql('INSERT IGNORE INTO meter_state (meter_id, read_at, energy, remaining_fen, purchase_count, status_word,' +
		` relay_closed, reads_ok) VALUES (${meter}, UTC_TIMESTAMP(3) - INTERVAL 1 DAY, 0, 0, 0, 0, 1, 1)`);
	return { acc, building, number, pw, meter };
}

async function up(url) {
	for (let i = 0; i < 100; i++) {
		try {
			await fetch(url);
			return true;
		} catch (e) {
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	return false;
}

// The top-up through CH ('alipay' or 'wechat'), screenshots named browser-SHOTS-STEP.png.
async function topup(ch, shots, holder, tag) {
	const s = student(holder, tag);
	const shot = (page, name) => page.screenshot({ path: join(OUT, `browser-${shots}-${name}.png`), fullPage: true });
	const ctx = await browser.newContext(PHONE);
	const page = await ctx.newPage();
	page.setDefaultTimeout(15000);
	const errors = [];
	page.on('pageerror', (e) => errors.push(e.message));
	const submit = () => Promise.all([page.waitForNavigation(), page.locator('form.form button[type=submit]').click()]);

	await page.goto(BASE + '/m/login');
	await page.selectOption('#f-building', s.building);
	await page.fill('#f-room', s.number);
	await page.fill('#f-password', s.pw);
	await submit();
	must('the student is signed in', new URL(page.url()).pathname === '/m/', page.url());

	// 1. my account: the top-up button
	const btn = page.locator('#topup');
	check('my account has the top-up button 在线充值', (await btn.count()) === 1 && one(await btn.innerText()) === '在线充值');
	await shot(page, '1-home');
	await Promise.all([page.waitForNavigation(), btn.click()]);

	// 2. the pay page: amounts to tap, Alipay chosen and WeChat Pay offered beside it
	check('the pay page is titled 在线充值', one(await page.locator('main h1').innerText()) === '在线充值');
	if (ch === 'alipay')
		check('Alipay is chosen, WeChat Pay offered beside it', await page.locator('input[value=alipay]').isChecked() &&
			!(await page.locator('input[value=wechat]').isDisabled()));
	else {
		check('WeChat Pay is offered, not greyed', !(await page.locator('input[value=wechat]').isDisabled()));
		await page.locator('input[value=wechat]').check();
	}
	check('the pay page does not scroll sideways at 390 px', (await sideways(page)) <= 0, await sideways(page));
	await page.locator('input[name=amount][value="20"]').check();
	await shot(page, '2-amount');
	await submit();

	// 3. the order: the amount once more and the way to the gateway
	check('the order shows ¥20.00', one(await page.locator('#go-amount').innerText()) === '¥20.00');
	if (ch === 'wechat')
		check('the button says 前往微信支付付款', one(await page.locator('#go').innerText()) === '前往微信支付付款',
			await page.locator('#go').innerText());
	const no = one(await page.locator('#go-no').innerText());
	must('the order has its number', /^[0-9a-f]{32}$/.test(no), no);
	await shot(page, '3-order');
	await Promise.all([page.waitForNavigation(), page.locator('#go').click()]);

	// 4. the sandbox's pay page (the order's signature, or the order call's Authorization, checked there)
	check('the sandbox shows the order of ¥20.00', new URL(page.url()).port === PORT &&
		one(await page.locator('#amount').innerText()) === '¥20.00', page.url());
	await shot(page, '4-gateway');
	await Promise.all([page.waitForURL(/\/m\/pay\/order/), page.locator('#pay').click()]);

	// 5. back on the site: paid, credited, waiting for the meter
	const state = page.locator('#order-state');
	check('back from paying, the order page says 表上待确认', one(await state.innerText()) === '表上待确认',
		await state.innerText());
	check('one online entry of 20.00 for the account', sql(`SELECT COUNT(*) FROM ledger WHERE account_id = ${s.acc}` +
		` AND kind = 'online' AND channel = '${ch}' AND amount_fen = 2000`) === '1');
	check('the order page does not scroll sideways at 390 px', (await sideways(page)) <= 0, await sideways(page));
	await shot(page, '5-meter-pending');

	// 6. the meter takes the token (as the collector records it): 已到账, and the money on my account
	sql(`UPDATE commands SET status = 'confirmed', done_at = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE meter_id = ${s.meter}` +
		" AND kind = 'credit' AND status = 'queued'");
	sql(`UPDATE meter_state SET read_at = UTC_TIMESTAMP(3), remaining_fen = remaining_fen + 2000,` +
		` purchase_count = purchase_count + 1 WHERE meter_id = ${s.meter}`);
	await page.reload();
	check('once the meter confirms, the order page says 已到账', one(await state.innerText()) === '已到账',
		await state.innerText());
	await shot(page, '6-done');
	await page.goto(BASE + '/m/');
	check('my account shows the 20.00', (await page.locator('#money').innerText()).includes('20.00'),
		await page.locator('#money').innerText());
	check('no script errors', errors.length === 0, errors.join('; '));
	await ctx.close();
}

let browser, sim;
async function main() {
	sim = spawn('python3', [join(TOP, 'tests', 'paysim', 'paysim.py'), '--port', PORT,
		'--key', join(VAR, 'pay', 'alipay-sandbox.key'), '--app-pub', join(VAR, 'pay', 'app.pub'),
		'--app-id', conf.alipay_app_id, '--seller-id', conf.alipay_seller_id,
		'--wx-key', join(VAR, 'pay', 'wechat-platform.key'), '--wx-merchant-pub', join(VAR, 'pay', 'wechat-merchant.pub'),
		'--wx-apiv3-key', join(VAR, 'pay', 'wechat-apiv3.key'), '--wx-appid', conf.wechat_appid,
		'--wx-mchid', conf.wechat_mchid], { stdio: 'ignore' });
	must('the payment sandbox answers', await up(`http://127.0.0.1:${PORT}/`));
	browser = await launch();
	await topup('alipay', 'pay', '网上充值', 'PB');
	await topup('wechat', 'pay-wechat', '微信充值', 'WB');
}

main().catch((e) => check('the test ran to its end', false, e.stack || e)).finally(async () => {
	if (browser)
		await browser.close();
	if (sim)
		sim.kill();
	finish();
});

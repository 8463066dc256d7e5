// money.mjs - the browser test of the money side: open an account, sell with its confirmation,
// print the three-part receipt, trip a filtered set of meters after a confirmation naming
// how many, and export the live status as .xlsx (read back with openpyxl).
// Env: BASE, PREPAID_VAR, TOP as console.mjs. Prints "ok - ..." / "not ok - ..."; exits 1 on failure.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BASE, OUT, one, check, must, finish, launch, sql, addOperator } from './common.mjs';

let browser, page;
const text = async (sel) => ((await page.locator(sel).count()) ? one(await page.locator(sel).first().innerText()) : null);
const go = (p) => page.goto(BASE + p, { waitUntil: 'load' });
const shot = (name) => page.screenshot({ path: join(OUT, `browser-money-${name}.png`), fullPage: true });
async function submit(sel) {
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(sel).click()]);
}

async function main() {
	const { login, pw } = addOperator(1, 'bm');
	browser = await launch();
	const ctx = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
	page = await ctx.newPage();
	page.setDefaultTimeout(10000);
	const dialogs = [];
	page.on('dialog', (d) => { dialogs.push(d.message()); d.accept(); });

	await go('/login');
	await page.fill('#f-login', login);
	await page.fill('#f-password', pw);
	await submit('form.form button[type=submit]');
	await page.fill('#f-old', pw);
	await page.fill('#f-new', 'Money2026ok!');
	await page.fill('#f-confirm', 'Money2026ok!');
	await submit('form.form button[type=submit]');
	must('a new finance operator signs in', page.url().endsWith('/?ok=password_changed'), page.url());

	// open an account on a room of building 4 whose meter nobody holds yet
	const room = sql("SELECT r.number FROM rooms r JOIN buildings b ON b.id = r.building_id JOIN meters m ON m.room_id = r.id" +
		" WHERE b.name = '4号楼' AND NOT EXISTS (SELECT 1 FROM account_meters x WHERE x.meter_id = m.id" +
		" AND x.active = 1) ORDER BY r.number DESC LIMIT 1");
	await go('/account/open');
	await page.fill('#f-holder', '浏览器户');
	await page.fill('#f-holder_no', '20269999');
	await page.fill('#f-phone', '13912345678');
	await page.selectOption('#f-building_id', { label: '4号楼' });
	await page.fill('#f-room', room);
	await submit('form.form button[type=submit]');
	must('the account is opened after its confirmation', page.url().includes('/account?id=') &&
		dialogs.some((m) => m.includes('开户')), page.url());
	check('the account page says so', (await text('main p.ok')) === '开户成功。', await text('main p.ok'));
	const account = new URL(page.url()).searchParams.get('id');

	// sell 88.80 yuan: the confirmation names the amount in figures and capitals
	await go('/sell?q=' + encodeURIComponent('浏览器户'));
	must('the sell page finds the account by name', (await text('td.holder'))?.includes('浏览器户'), await text('main'));
	await page.fill('#f-amount', '88.8');
	await submit('form.form button[type=submit]');
	check('the confirmation shows 88.80 元 (捌拾捌元捌角整)', (await text('#confirm-amount')) === '88.80 元 (捌拾捌元捌角整)',
		await text('#confirm-amount'));
	await shot('01-confirm');
	await submit('#confirm-sale');
	must('the sale is written and its token queued', page.url().includes('/sale?id=') &&
		(await text('#cmd-status')) === '排队中', `${page.url()} ${await text('#cmd-status')}`);
	const sale = new URL(page.url()).searchParams.get('id');

	// the receipt: three parts, the amount in capitals on each; printed by its button
	await go('/receipt?id=' + sale);
	check('opening the receipt is no print', (await page.locator('strong.copy').count()) === 0);
	await submit('#print');
	const parts = await page.locator('section.part').count();
	const caps = await page.locator('td.cap').allInnerTexts();
	check('the receipt prints three parts', parts === 3, parts);
	check('each part has the amount in capitals', caps.length === 3 && caps.every((c) => c === '捌拾捌元捌角整'), caps);
	check('the parts are stub, customer and finance', (await page.locator('p.partname').allInnerTexts()).join(',') ===
		'存根联,客户联,财务联');
	check('the first print is the original', (await page.locator('strong.copy').count()) === 0);
	await shot('02-receipt');
	await submit('#print');
	check('a reprint is marked as a copy', (await page.locator('strong.copy').count()) === 3);

	// batch: trip floor 6 of building 4 after a confirmation naming 20 meters
	await go('/batch');
	const b4 = await page.locator('select[name=building] option', { hasText: '4号楼' }).getAttribute('value');
	await go(`/batch?building=${b4}&floor=6`);
	check('the status page lists the 20 meters of the floor', (await page.locator('input[name=m]').count()) === 20);
	check('the legend names the states', (await text('p.legend'))?.includes('失联'), await text('p.legend'));
	await page.check('#all-filtered');
	await page.selectOption('#batch-action', 'trip');
	await submit('#batch-go');
	check('the confirmation names 20 meters and 拉闸', (await text('#confirm-count')) === '20' &&
		(await text('#confirm-action')) === '拉闸', await text('#batch-confirm'));
	await shot('03-batch-confirm');
	await submit('#batch-confirm-go');
	must('the batch is queued', page.url().includes('/batch/view?id='), page.url());
	check('the batch view shows 20 trip commands queued', (await text('#n-queued')) === '20', await text('#n-queued'));

	// export the live status and read it back
	await go(`/batch?building=${b4}&floor=6`);
	const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('a.export').click()]);
	const file = join(OUT, 'browser-status.xlsx');
	await dl.saveAs(file);
	const rows = execFileSync('/usr/bin/python3', ['-c',
		'import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1]).active; ' +
		'print(ws.max_row); print(ws.cell(1,1).value); print(sum(1 for r in ws.iter_rows(min_row=2) if r[4].value == "浏览器户"))',
		file]).toString().trim().split('\n');
	check('the status export has a header and the 20 meters', rows[0] === '21' && rows[1] === '表号', rows);
	check('and the new account holder in it', rows[2] === (room.startsWith('6') ? '1' : '0'), rows);
}

try {
	await main();
} catch (e) {
	check(one(e && e.message ? e.message : e), false);
	if (page)
		await page.screenshot({ path: join(OUT, 'browser-money-failure.png'), fullPage: true }).catch(() => {});
} finally {
	if (browser)
		await browser.close();
}
finish();

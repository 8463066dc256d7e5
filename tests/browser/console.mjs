// console.mjs - the browser test of the staff console: a real chromium (Debian's) driven by
// playwright-core through what an operator does on a fresh instance: the first sign-in with
// the forced password change, a building, a room, a CSV import of meters (a bad file, then a
// good one), the language switch, signing out.
// Env: BASE (http://127.0.0.1:18080), PREPAID_VAR (holds initial-admin-password), TOP (project root).
// Prints "ok - ..." / "not ok - ... (detail)" per check; exits 1 on any failure.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const TOP = process.env.TOP || resolve(here, '..', '..');
const BASE = (process.env.BASE || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const VAR = process.env.PREPAID_VAR || join(TOP, 'var', 'test');
const OUT = join(TOP, 'tests', 'out');
const NEWPW = 'Browser2026ok';
const BUILDING = '测试楼';
const STEP_MS = 10000;

mkdirSync(OUT, { recursive: true });

let failures = 0;
function check(what, cond, detail) {
	if (cond) {
		console.log(`ok - ${what}`);
	} else {
		failures++;
		console.log(`not ok - ${what}${detail !== undefined ? ` (${oneLine(detail)})` : ''}`);
	}
	return cond;
}
function oneLine(s) {
	return String(s).replace(/\s+/g, ' ').trim().slice(0, 300);
}
// must: a check the rest of the test cannot go on without.
function must(what, cond, detail) {
	if (!check(what, cond, detail))
		throw new Error(`cannot go on after: ${what}`);
}

const dialogs = [];
let browser;
let page;

async function shot(name) {
	await page.screenshot({ path: join(OUT, `browser-${name}.png`), fullPage: true });
}
async function text(sel) {
	const loc = page.locator(sel);
	if ((await loc.count()) === 0)
		return null;
	return oneLine(await loc.first().innerText());
}
async function title() {
	return (await text('main h1')) ?? '';
}
function path() {
	const u = new URL(page.url());
	return u.pathname + u.search;
}
// submit: click the form's submit button and wait for the page it leads to.
async function submit(form) {
	await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		form.locator('button[type=submit]').click(),
	]);
}
// follow: click a link and wait for the page it leads to.
async function follow(link) {
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
}
async function go(p) {
	return page.goto(BASE + p, { waitUntil: 'load' });
}

async function main() {
	const t0 = Date.now();
	browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
	context.setDefaultTimeout(STEP_MS);
	context.setDefaultNavigationTimeout(STEP_MS);
	page = await context.newPage();
	page.on('dialog', (d) => { dialogs.push(d.message()); d.accept().catch(() => {}); });
	const pageErrors = [];
	page.on('pageerror', (e) => pageErrors.push(e.message));

	// a. the first sign-in, with the forced password change
	const initial = readFileSync(join(VAR, 'initial-admin-password'), 'utf8').trim();
	must('the initial admin password is readable', initial.length > 0, join(VAR, 'initial-admin-password'));
	const r0 = await go('/');
	must('/ answers', r0 && r0.status() < 500, r0 && r0.status());
	check('/ without a session lands on the sign-in page', new URL(page.url()).pathname === '/login', page.url());
	check('the sign-in page is titled 操作员登录', (await title()) === '操作员登录', await title());
	check('the document is in Chinese', (await page.getAttribute('html', 'lang')) === 'zh-CN',
		await page.getAttribute('html', 'lang'));
	await shot('01-login');

	let form = page.locator('form[action="/login"]');
	await form.locator('input[name=login]').fill('admin');
	await form.locator('input[name=password]').fill(initial);
	await submit(form);
	must('the first sign-in goes to the forced password change', path() === '/password?first=1', path());
	check('the page says 首次登录，请设置新密码', (await title()) === '首次登录，请设置新密码', await title());
	check('the header shows the signed-in operator', ((await text('header .who')) ?? '').includes('(admin)'),
		await text('header .who'));

	form = page.locator('form[action="/password?first=1"]');
	await form.locator('input[name=old]').fill(initial);
	await form.locator('input[name=new]').fill('abc');
	await form.locator('input[name=confirm]').fill('abc');
	await submit(form);
	check('a weak new password keeps the page', path() === '/password?first=1'
		&& (await title()) === '首次登录，请设置新密码', `${path()} ${await title()}`);
	const errNew = await text('#err-new');
	check('the new password field shows 密码至少12个字符', errNew.startsWith('密码至少12个字符'), errNew);
	await shot('02-password-weak');

	await go('/meters');
	check('while the change is pending /meters leads back to it', path() === '/password?first=1', path());

	form = page.locator('form[action="/password?first=1"]');
	await form.locator('input[name=old]').fill(initial);
	await form.locator('input[name=new]').fill(NEWPW);
	await form.locator('input[name=confirm]').fill(NEWPW);
	await submit(form);
	must('a good new password lands on the home page', new URL(page.url()).pathname === '/', page.url());
	check('the home page says 密码已修改', ((await text('main p.ok')) ?? '').includes('密码已修改'),
		await text('main p.ok'));
	check('the home page counts 484 meters', (await text('#n-meters')) === '484', await text('#n-meters'));
	check('the home page counts 4 buildings', (await text('#n-buildings')) === '4', await text('#n-buildings'));
	check('the menu offers 仪表设置', (await page.locator('nav.menu a', { hasText: '仪表设置' }).count()) === 1);
	await shot('03-home');

	// b. a building
	await go('/building');
	check('/building is the new building form', (await title()) === '新增楼栋', await title());
	form = page.locator('form[action="/building"]');
	await form.locator('input[name=name]').fill(BUILDING);
	await form.locator('input[name=floors]').fill('3');
	await form.locator('input[name=note]').fill('浏览器测试');
	await submit(form);
	must('saving the building lands on /buildings', new URL(page.url()).pathname === '/buildings', page.url());
	check('/buildings says 已保存', ((await text('main p.ok')) ?? '').includes('已保存'), await text('main p.ok'));
	const brow = page.locator('table.list tbody tr', { has: page.locator('td.name', { hasText: BUILDING }) });
	must(`/buildings lists ${BUILDING}`, (await brow.count()) === 1, await text('table.list tbody'));
	const bcells = await brow.locator('td').allInnerTexts();
	check(`${BUILDING} has 3 floors and no rooms yet`, bcells[1] === '3' && bcells[2] === '0', bcells.join('|'));

	// c. a room on its 3rd floor
	await go('/room');
	check('/room is the new room form', (await title()) === '新增房间', await title());
	form = page.locator('form[action="/room"]');
	await form.locator('select[name=building_id]').selectOption({ label: BUILDING });
	await form.locator('input[name=floor]').fill('3');
	await form.locator('input[name=number]').fill('301');
	await submit(form);
	must('saving the room lands on /rooms', new URL(page.url()).pathname === '/rooms', page.url());
	check('/rooms says 已保存', ((await text('main p.ok')) ?? '').includes('已保存'), await text('main p.ok'));
	const bid = await page.locator('form.filters select[name=building] option', { hasText: BUILDING })
		.getAttribute('value');
	await go(`/rooms?building=${bid}`);
	const rrows = await page.locator('table.list tbody tr').allInnerTexts();
	check(`/rooms lists room 301 on floor 3 of ${BUILDING}`,
		rrows.length === 1 && /测试楼\s+3\s+301/.test(rrows[0]), rrows.join(' / '));
	await shot('04-rooms');

	// d. the CSV import: a bad file first (nothing imported), then a good one
	const header = '表号,型号,通讯管理机,端口,地址,楼栋,房间';
	const bad = join(OUT, 'browser-import-bad.csv');
	writeFileSync(bad, [header,
		'2990001,ddsy1352nk,GW2,2,300,,',
		`2990002,ddsy1352nk,GW2,2,41,${BUILDING},999`, ''].join('\n'));
	const good = join(OUT, 'browser-import.csv');
	writeFileSync(good, [header,
		`2990001,ddsy1352nk,GW2,2,40,${BUILDING},301`,
		'2990002,ddsy1352nk,GW2,2,41,,', ''].join('\n'));

	await go('/meters/import');
	check('/meters/import is titled 批量导入仪表', (await title()) === '批量导入仪表', await title());
	form = page.locator('form[action="/meters/import"]');
	await form.locator('input[type=file][name=file]').setInputFiles(bad);
	dialogs.length = 0;
	await submit(form);
	check('the upload asks 确定导入该文件中的全部仪表？', dialogs.includes('确定导入该文件中的全部仪表？'),
		dialogs.join(' / '));
	check('a bad file stays on /meters/import', new URL(page.url()).pathname === '/meters/import', page.url());
	check('a bad file shows 文件有错误，未导入任何仪表',
		((await text('p.form-err')) ?? '').includes('文件有错误，未导入任何仪表'), await text('p.form-err'));
	const lines = await page.locator('table.errors td.line').allInnerTexts();
	const reasons = await page.locator('table.errors td.reason').allInnerTexts();
	check('the error table lists lines 2 and 3', lines.includes('2') && lines.includes('3'), lines.join(','));
	check('line 2 is the address out of range (通讯地址超出 1-247)',
		reasons[lines.indexOf('2')] === '通讯地址超出 1-247', reasons.join(' / '));
	check('line 3 is the unknown room (找不到该楼栋的房间)',
		reasons[lines.indexOf('3')] === '找不到该楼栋的房间', reasons.join(' / '));
	await shot('05-import-errors');

	await go('/meters?q=29900');
	const none = await page.locator('table.list tbody tr').allInnerTexts();
	check('after the bad file /meters?q=29900 shows 没有记录', none.length === 1 && none[0].trim() === '没有记录',
		none.join(' / '));

	await go('/meters/import');
	form = page.locator('form[action="/meters/import"]');
	await form.locator('input[type=file][name=file]').setInputFiles(good);
	dialogs.length = 0;
	await submit(form);
	check('the good upload asked for confirmation', dialogs.length === 1, dialogs.join(' / '));
	must('the good file lands on /meters', new URL(page.url()).pathname === '/meters', page.url());
	check('/meters says 导入成功', ((await text('main p.ok')) ?? '').includes('导入成功'), await text('main p.ok'));
	check('/meters tells 2 meters were imported', (await text('#n-imported')) === '2' &&
		(await text('main p.imported')).includes('共导入'), await text('main p.imported'));
	await shot('06-imported');

	form = page.locator('form.filters');
	await form.locator('input[name=q]').fill('29900');
	await submit(form);
	check('the filter keeps q=29900', new URL(page.url()).searchParams.get('q') === '29900', page.url());
	const mrows = page.locator('table.list tbody tr');
	const numbers = await mrows.locator('td.number').allInnerTexts();
	check('q=29900 lists both imported meters',
		numbers.length === 2 && numbers.includes('2990001') && numbers.includes('2990002'), numbers.join(','));
	const m1 = oneLine(await mrows.filter({ hasText: '2990001' }).innerText());
	const m2 = oneLine(await mrows.filter({ hasText: '2990002' }).innerText());
	check(`2990001 is on GW2 port 2 address 40 in ${BUILDING} 301`,
		/DDSY1352-NK.*GW2 2 40 测试楼 301/.test(m1), m1);
	check('2990002 is on GW2 port 2 address 41 without a room', /GW2 2 41( 编辑)?$/.test(m2), m2);
	check('the pager counts 2', (await text('p.pager .total')) === '2', await text('p.pager .total'));
	await shot('07-meters');

	// e. the language
	await follow(page.locator('header a', { hasText: 'English' }));
	check('the English link stays on the page it was on', new URL(page.url()).pathname === '/meters', page.url());
	check('the page is English (html lang=en)', (await page.getAttribute('html', 'lang')) === 'en',
		await page.getAttribute('html', 'lang'));
	await go('/');
	// the item sits in the closed 系统设置 group: its text, not what is painted
	check('the menu says Meters', (await page.locator('nav.menu a[href="/meters"]').textContent()).trim() === 'Meters',
		await page.locator('nav.menu a[href="/meters"]').textContent());
	check('the home page counts 486 meters now', (await text('#n-meters')) === '486', await text('#n-meters'));
	await shot('08-english');
	const back = page.locator('header a[href^="/lang"]');
	const backText = oneLine(await back.innerText());
	check('the header offers the way back to Chinese', backText === '中文' || /[\u4e00-\u9fff]/.test(backText), backText);
	await follow(back);
	check('back in Chinese: the menu says 仪表设置',
		(await page.locator('nav.menu a[href="/meters"]').textContent()).trim() === '仪表设置',
		await page.locator('nav.menu a[href="/meters"]').textContent());

	// f. signing out
	form = page.locator('header form[action="/logout"]');
	await submit(form);
	check('signing out lands on the sign-in page', new URL(page.url()).pathname === '/login', page.url());
	check('it says 您已安全退出', ((await text('main p.ok')) ?? '').includes('您已安全退出'), await text('main p.ok'));
	check('no operator is shown in the header', (await page.locator('header .who').count()) === 0);
	await go('/meters');
	check('/meters after signing out lands on the sign-in page',
		new URL(page.url()).pathname === '/login' && (await title()) === '操作员登录', `${page.url()} ${await title()}`);
	check('the meter list is not shown', (await page.locator('td.number').count()) === 0);
	await shot('09-signed-out');

	check('no script errors on the pages', pageErrors.length === 0, pageErrors.join(' / '));
	check('the whole run took under 60 s', Date.now() - t0 < 60000, `${Date.now() - t0} ms`);
}

let code = 0;
try {
	await main();
} catch (e) {
	failures++;
	console.log(`not ok - ${oneLine(e && e.message ? e.message : e)}`);
	if (page) {
		console.log(`# at ${page.url()}`);
		await page.screenshot({ path: join(OUT, 'browser-failure.png'), fullPage: true }).catch(() => {});
	}
} finally {
	if (browser)
		await browser.close().catch(() => {});
}
if (failures)
	code = 1;
console.log(`# ${failures ? failures + ' failed' : 'all passed'}`);
process.exit(code);

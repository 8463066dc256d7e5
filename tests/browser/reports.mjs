// reports.mjs - the browser test of the report centre on hand-made data: the energy report's chart,
// the losses with a day over the threshold, the day sales report's totals row, the live alarms with
// counts per kind and an acknowledgement, the health page; at 1280 px and 390 px, in print, and for
// the 宿管 role. Screenshots go to tests/out/browser-reports-*.png.
// Env: BASE, PREPAID_VAR, TOP as console.mjs. Prints "ok - ..." / "not ok - ..."; exits 1 on failure.
import { join } from 'node:path';
import { BASE, OUT, one, check, must, finish, launch, sql, signIn, sideways } from './common.mjs';
const WIDE = { viewport: { width: 1280, height: 900 } };
const NARROW = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

const shot = (page, name) => page.screenshot({ path: join(OUT, `browser-reports-${name}.png`), fullPage: true });
// every table wider than its box scrolls inside it: [count of wide tables, count of those that cannot scroll]
const tableBoxes = (page) => page.evaluate(() => {
	const wide = [...document.querySelectorAll('main table')].filter((t) => t.scrollWidth > t.clientWidth + 1);
	return [wide.length, wide.filter((t) => getComputedStyle(t).overflowX !== 'auto').length];
});
const cents = (s) => {
	const m = /^(-?)(\d+)\.(\d\d)$/.exec(String(s).trim());
	return m ? (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3])) : NaN;
};

// ---- the hand-made data (the shapes of t9f_energy.py, t99_sales_report.py, t97_alarm_reports.py)
const tag = Math.random().toString(36).slice(2, 8);
const made = { energy: '', ledger: [], alarms: [], pct: null };
const ENERGY_DAYS = "day BETWEEN '2025-01-28' AND '2025-02-03'";

function makeEnergy() {
	const b1 = sql("SELECT id FROM buildings WHERE name = '1号楼'");
	const meter = (room) => sql(`SELECT m.id FROM meters m JOIN rooms r ON r.id = m.room_id WHERE r.building_id = ${b1}` +
		` AND r.number = '${room}' ORDER BY m.id LIMIT 1`);
	const [mA, mB, mC] = ['101', '102', '201'].map(meter);
	const master = sql('SELECT id FROM meters WHERE number = 1010131');
	const days = [
		[mA, '2025-01-30', 1000, 1500], [mA, '2025-01-31', 1500, 2100], [mA, '2025-02-01', 2100, 2100],
		[mA, '2025-02-02', 2150, 3050], [mA, '2025-02-03', 3050, 3999],
		[mB, '2025-01-31', 500, 800], [mB, '2025-02-01', 800, 1000],
		[mC, '2025-02-01', 0, 10000], [mC, '2025-02-02', 9000, 9500],
		[master, '2025-01-30', 9000, 10000], [master, '2025-01-31', 10000, 11000], [master, '2025-02-01', 11000, 21400],
		[master, '2025-02-02', 21400, 22400], [master, '2025-02-03', 22400, 23400]];
	made.energy = [mA, mB, mC, master].join(',');
	sql(`DELETE FROM daily_energy WHERE meter_id IN (${made.energy}) AND ${ENERGY_DAYS}`);
	sql('INSERT INTO daily_energy (meter_id, day, first_energy, last_energy) VALUES ' +
		days.map(([m, d, f, l]) => `(${m}, '${d}', ${f}, ${l})`).join(', '));
	// the threshold of 5 %, as shipped; whatever was set goes back after
	made.pct = sql("SELECT value FROM settings WHERE name = 'loss_alarm_pct'");
	sql("INSERT INTO settings (name, value) VALUES ('loss_alarm_pct', '5') ON DUPLICATE KEY UPDATE value = '5'");
	return b1;
}

function makeLedger() {
	const place = (building) => {
		const [m, room] = sql(`SELECT m.id, r.id FROM meters m JOIN rooms r ON r.id = m.room_id WHERE r.building_id = ${building}` +
			' ORDER BY m.id LIMIT 1').split('\t');
		sql(`INSERT INTO accounts (holder, room_id, status) VALUES ('报表${tag}', ${room}, 'closed')`);
		return [sql(`SELECT MAX(id) FROM accounts WHERE holder = '报表${tag}'`), m];
	};
	const X = place(sql("SELECT id FROM buildings WHERE name = '1号楼'"));
	const Y = place(sql("SELECT id FROM buildings WHERE name = '2号楼'"));
	const op = sql("SELECT id FROM operators WHERE login = 'admin'");
	// local +08:00 times, stored in UTC; the day 2021-05-10 in site time
	const entries = [['2021-05-09 16:10:00', 'sale', 10000, op, X, 'counter'], ['2021-05-10 01:00:00', 'sale', 5050, op, Y, 'counter'],
		['2021-05-10 02:00:00', 'refund', -1234, op, Y, 'counter'], ['2021-05-10 03:00:00', 'adjustment', 333, op, X, 'counter'],
		['2021-05-10 04:00:00', 'online', 2000, null, Y, 'online'], ['2021-05-10 15:59:59', 'token_failed', -300, null, X, 'system']];
	entries.forEach(([utc, kind, fen, who, [acc, m], ch], i) => {
		sql(`INSERT INTO ledger (account_id, meter_id, kind, amount_fen, operator_id, channel, idem_key, created_at)` +
			` VALUES (${acc}, ${m}, '${kind}', ${fen}, ${who || 'NULL'}, '${ch}', 'shots-${tag}-${i}', '${utc}')`);
		made.ledger.push(sql(`SELECT id FROM ledger WHERE idem_key = 'shots-${tag}-${i}'`));
	});
	return entries.reduce((s, e) => s + e[2], 0);
}

function makeAlarms() {
	const [m1, m2] = sql("SELECT m.id FROM meters m JOIN rooms r ON r.id = m.room_id ORDER BY m.id LIMIT 2").split('\n');
	// local day 2026-04-10: from 2026-04-09 16:00 UTC
	const eps = [['alarm1', m1, '2026-04-09 16:00:00'], ['alarm1', m2, '2026-04-10 03:00:00'],
		['overload', m2, '2026-04-10 08:00:00'], ['arrears', m1, '2026-04-10 15:59:59']];
	eps.forEach(([kind, m, at], i) => {
		sql(`INSERT INTO alarms (kind, meter_id, opened_at, remaining_fen, open_key) VALUES` +
			` ('${kind}', ${m}, '${at}', 123, 'shots${tag}${i}')`);
		made.alarms.push(sql(`SELECT id FROM alarms WHERE open_key = 'shots${tag}${i}'`));
	});
}

function cleanUp() {
	const tries = [];
	if (made.energy)
		tries.push(`DELETE FROM daily_energy WHERE meter_id IN (${made.energy}) AND ${ENERGY_DAYS}`);
	if (made.ledger.length)
		tries.push(`DELETE FROM ledger WHERE id IN (${made.ledger.join(',')})`);
	tries.push(`DELETE FROM accounts WHERE holder = '报表${tag}'`);
	if (made.pct === '')
		tries.push("DELETE FROM settings WHERE name = 'loss_alarm_pct'");
	else if (made.pct)
		tries.push(`UPDATE settings SET value = '${made.pct.replace(/'/g, "''")}' WHERE name = 'loss_alarm_pct'`);
	if (made.alarms.length)
		tries.push(`DELETE FROM alarms WHERE id IN (${made.alarms.join(',')})`);
	for (const q of tries) {
		try {
			sql(q);
		} catch (e) {
			check(`clean up: ${q.slice(0, 60)}`, false, e.message);
		}
	}
}

// ---- the pages
const ENERGY = '/report/energy?from=2025-01-31&to=2025-02-02&building=';
const LOSSES = '/report/losses?from=2025-01-31&to=2025-02-03&building=';
const SALES = '/report/sales/day?from=2021-05-10&to=2021-05-10&by=operator';
const ALARMS = '/report/alarms?from=2026-04-10&to=2026-04-10&per=500';

async function energy(page, b1, w) {
	const r = await page.goto(BASE + ENERGY + b1);
	check(`${w}: the energy report answers 200`, r.status() === 200, r.status());
	const bars = await page.locator('svg.chart rect').evaluateAll((rs) => rs.map((e) => {
		const b = e.getBoundingClientRect();
		return { x: Number(e.getAttribute('x')), h: Number(e.getAttribute('height')), px: b.height, title: e.textContent };
	}));
	check(`${w}: the chart has a bar per day (3)`, bars.length === 3, bars.length);
	if (bars.length === 3) {
		check(`${w}: the bars go left to right by day`, bars[0].x < bars[1].x && bars[1].x < bars[2].x, JSON.stringify(bars));
		check(`${w}: bar heights follow 9.00 < 9.50 < 102.00 kWh`, bars[0].h < bars[2].h && bars[2].h < bars[1].h &&
			bars[1].title.includes('102.00'), JSON.stringify(bars));
		check(`${w}: bar heights are in proportion to the kWh (102.00 : 9.50 : 9.00), to a unit`,
			Math.abs(bars[1].h * 900 / 10200 - bars[0].h) <= 1 && Math.abs(bars[1].h * 950 / 10200 - bars[2].h) <= 1,
			JSON.stringify(bars));
		check(`${w}: even the smallest bar is visible on screen`, bars[0].px >= 1, bars[0].px);
	}
	const labels = await page.locator('svg.chart text').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().height));
	check(`${w}: the chart's labels are readable (at least 9 px high)`, labels.length > 0 && Math.min(...labels) >= 9,
		labels.join(','));
	check(`${w}: the total of 1号楼 rooms is 120.50 kWh`, one(await page.locator('#sum-total').innerText()) === '120.50',
		await page.locator('#sum-total').innerText());
}

async function losses(page, b1, w) {
	const r = await page.goto(BASE + LOSSES + b1);
	check(`${w}: the losses report answers 200`, r.status() === 200, r.status());
	const rows = await page.locator('table.losses tbody tr').evaluateAll((trs) => trs.map((tr) => ({
		day: tr.querySelector('.day')?.textContent, over: tr.classList.contains('over'),
		flag: tr.querySelector('.flag')?.textContent.trim(), pct: tr.querySelector('.pct')?.textContent,
		bg: getComputedStyle(tr.querySelector('td')).backgroundColor })));
	const flagged = rows.filter((x) => x.over).map((x) => x.day);
	check(`${w}: 2025-01-31 (10.00%) and 2025-02-03 (5.10%) are marked over, 2025-02-02 (exactly 5.00%) not`,
		flagged.join(',') === '2025-01-31,2025-02-03', JSON.stringify(rows));
	const f = rows.find((x) => x.day === '2025-01-31');
	const n = rows.find((x) => x.day === '2025-02-02');
	check(`${w}: the flagged day says 超标 and stands out in colour`, f && f.flag === '超标' && n && n.flag === '' &&
		f.bg !== n.bg, JSON.stringify([f, n]));
	check(`${w}: the count of days over the threshold is 2`, one(await page.locator('#over-days').innerText()) === '2');
	const red = await page.locator('svg.chart rect.master').evaluateAll((rs) => rs.map((e) => e.getAttribute('fill') === '#c0392b'));
	check(`${w}: the chart marks the first and last day in red`, red.join(',') === 'true,false,false,true', red.join(','));
	// the master's red bar hides behind the rooms' bar when the loss is small: an outline marks the day
	const marks = await page.locator('svg.chart rect.over-mark').evaluateAll((rs) => rs.map((e) => [e.getAttribute('x'),
		e.getBoundingClientRect().width, e.getBoundingClientRect().height]));
	const xs = await page.locator('svg.chart rect.master').evaluateAll((rs) => rs.map((e) => e.getAttribute('x')));
	check(`${w}: the chart outlines the two days over the threshold, visibly`, marks.length === 2 && marks[0][0] === xs[0] &&
		marks[1][0] === xs[3] && marks.every((m) => m[1] >= 10 && m[2] >= 4), JSON.stringify([marks, xs]));
}

async function sales(page, w) {
	const r = await page.goto(BASE + SALES);
	check(`${w}: the day sales report answers 200`, r.status() === 200, r.status());
	const rows = await page.locator('#report tbody tr.row').evaluateAll((trs) => trs.map((tr) =>
		[...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
	const tot = await page.locator('#report tr.totals > *').allInnerTexts();
	check(`${w}: the day shows three rows (admin, 在线支付, 系统（自动）)`, rows.length === 3, JSON.stringify(rows));
	let ok = tot.length === 9 && rows.length > 0;
	for (let c = 2; ok && c < 8; c++)
		ok = rows.reduce((s, x) => s + cents(x[c]), 0) === cents(tot[c]);
	check(`${w}: each money figure of the totals row is the sum of the rows shown`, ok, JSON.stringify([rows, tot]));
	check(`${w}: the count of entries is the sum of the rows`, rows.reduce((s, x) => s + Number(x[8]), 0) === Number(tot[8]),
		tot.join('|'));
	// each row's cells side by side on one line, each under its column's heading
	const layout = await page.locator('#report').evaluate((t) => {
		const heads = [...t.querySelectorAll('thead th')].map((h) => Math.round(h.getBoundingClientRect().left));
		return [...t.querySelectorAll('tbody tr.row')].map((tr) => [...tr.querySelectorAll('td')].map((td) => {
			const b = td.getBoundingClientRect();
			return [Math.round(b.top - tr.getBoundingClientRect().top), Math.round(b.left) - heads[td.cellIndex]];
		})).flat().filter(([dy, dx]) => Math.abs(dy) > 1 || Math.abs(dx) > 1);
	});
	check(`${w}: each row of the report is one line, its cells under their headings`, layout.length === 0, JSON.stringify(layout));
	check(`${w}: the totals row shows 合计 and the net 158.49`, one(tot[0]) === '合计' && tot[7] === '158.49', tot.join('|'));
	return tot;
}

async function alarms(page, w) {
	const r = await page.goto(BASE + ALARMS);
	check(`${w}: the live alarms answer 200`, r.status() === 200, r.status());
	const counts = {};
	for (const row of sql("SELECT kind, COUNT(*) FROM alarms WHERE closed_at IS NULL AND opened_at >= '2026-04-09 16:00:00'" +
		" AND opened_at < '2026-04-10 16:00:00' GROUP BY kind").split('\n').filter(Boolean)) {
		const [k, c] = row.split('\t');
		counts[k] = c;
	}
	const shown = {};
	for (const s of await page.locator('p.totals span.count').evaluateAll((ss) => ss.map((e) => [e.id, e.innerText])))
		shown[s[0].replace('count-', '')] = s[1].trim();
	check(`${w}: counts per kind: 2 报警1, 1 过载, 1 欠费`, counts.alarm1 === '2' && counts.overload === '1' &&
		/ 2$/.test(shown.alarm1 || '') && / 1$/.test(shown.overload || '') && / 1$/.test(shown.arrears || '') &&
		Object.keys(shown).length === Object.keys(counts).length, JSON.stringify([shown, counts]));
	const ids = await page.locator('main table.list tbody tr[id^="alarm-"]').evaluateAll((trs) => trs.map((t) => t.id.slice(6)));
	check(`${w}: the list holds the four episodes of the day`, made.alarms.every((id) => ids.includes(id)) && ids.length === 4,
		ids.join(','));
}

async function acknowledge(s) {
	const page = s.page;
	const id = made.alarms[2];
	const note = "<b>检修</b> & '门' \"x\"";
	await page.goto(BASE + ALARMS);
	await Promise.all([page.waitForNavigation(), page.locator(`tr#alarm-${id} a[href^="/report/alarm/ack"]`).click()]);
	check('the acknowledgement form shows the episode', (await page.locator('#ack-kind').innerText()).trim() === '过载');
	await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').first().click()]);
	check('an empty note is refused next to the field', one(await page.locator('#err-note').innerText().catch(() => '')) !== '' &&
		(await page.locator('#f-note').getAttribute('aria-invalid')) === 'true', page.url());
	await page.fill('#f-note', note);
	await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').first().click()]);
	check('the note is shown back to confirm, as typed', (await page.locator('#note-shown').innerText()) === note &&
		(await page.locator('#note-shown b').count()) === 0, await page.locator('#note-shown').innerHTML());
	check('nothing is stored before the confirmation', sql(`SELECT acked_at IS NULL FROM alarms WHERE id = ${id}`) === '1');
	await shot(page, '1280-alarm-confirm');
	// what the confirm button sends, to send it once more after
	const sent = Object.fromEntries(await page.locator('form:has(input[name=confirm]) input').evaluateAll((is) =>
		is.map((i) => [i.name, i.value])));
	await Promise.all([page.waitForNavigation(), page.locator('form:has(input[name=confirm]) button[type=submit]').click()]);
	check('after confirming, the live alarms say 报警已确认', await page.locator('#done').isVisible() &&
		new URL(page.url()).pathname === '/report/alarms', page.url());
	const stored = sql(`SELECT acked_by, ack_note, acked_at FROM alarms WHERE id = ${id}`);
	// the confirmation sent again (back to it, confirm once more): refused, nothing changes
	const again = await page.request.post(BASE + '/report/alarm/ack', { form: sent, maxRedirects: 0,
		headers: { Origin: BASE, Referer: BASE + '/report/alarm/ack' } });
	const said = await again.text();
	check('the same confirmation sent again is refused in words and changes nothing', again.status() === 409 &&
		said.includes('id="refused"') && sql(`SELECT acked_by, ack_note, acked_at FROM alarms WHERE id = ${id}`) === stored &&
		sql(`SELECT COUNT(*) FROM oplog WHERE action = 'alarm.ack' AND object = 'alarm:${id}'`) === '1', again.status());
	await page.goto(BASE + ALARMS);
	const row = page.locator(`tr#alarm-${id}`);
	const by = one(await row.locator('td.acked').innerText());
	check('the list shows who acknowledged it', by.startsWith(s.login + ' ') || by.includes(`${s.login}`), by);
	check('the list shows the note as typed, escaped', (await row.locator('td.note').innerText()) === note &&
		(await row.locator('td.note b').count()) === 0, await row.locator('td.note').innerHTML());
	const bg = await row.evaluate((tr) => [...tr.querySelectorAll('td')].map((td) => getComputedStyle(td).backgroundColor));
	check('the note is a plain cell like the others in its row', bg.every((c) => c === bg[0]), bg.join(' / '));
	check('an acknowledged episode has no 确认 link', (await row.locator('a[href^="/report/alarm/ack"]').count()) === 0);
	check('the database has the operator and the note', sql(`SELECT o.login, a.ack_note FROM alarms a JOIN operators o` +
		` ON o.id = a.acked_by WHERE a.id = ${id}`) === `${s.login}\t${note}`);
	await shot(page, '1280-alarms-acked');
}

// at each width: the five pages, no sideways scrolling, screenshots
async function width(s, b1, w) {
	const page = s.page;
	const pages = [['energy', () => energy(page, b1, w)], ['losses', () => losses(page, b1, w)],
		['sales', () => sales(page, w)], ['alarms', () => alarms(page, w)],
		['health', async () => {
			const r = await page.goto(BASE + '/health');
			check(`${w}: the health page answers 200`, r.status() === 200, r.status());
			// no collector runs in the test: said across the whole table, not in a narrow cell
			const spans = await page.locator('#collectors').evaluate((t) => [t.querySelector('#no-collector')?.getBoundingClientRect().width,
				t.querySelector('thead tr').getBoundingClientRect().width]);
			check(`${w}: 没有采集服务在运行 spans the collectors table`, spans[0] !== undefined && spans[0] >= spans[1] - 2,
				spans.join(' of '));
			check(`${w}: the health page shows its sections`, (await page.locator('main h2').count()) >= 6 &&
				await page.locator('#buses').isVisible());
		}]];
	for (const [name, run] of pages) {
		await run();
		const sw = await sideways(page);
		check(`${w}: ${name}: the page body does not scroll sideways`, sw <= 0, sw);
		const [wide, stuck] = await tableBoxes(page);
		check(`${w}: ${name}: wide tables (${wide}) scroll in their own box`, stuck === 0, `${stuck} of ${wide}`);
		await shot(page, `${w}-${name}`);
	}
}

// the other report pages: they answer, and at 390 px their body does not scroll sideways either
async function others(page, w) {
	for (const p of ['/', '/report/instruments', '/report/alarm-history?from=2026-04-10&to=2026-04-10',
		'/report/lost-meters', '/report/lost-gateways']) {
		const r = await page.goto(BASE + p);
		const name = p === '/' ? 'dashboard' : p.split('?')[0].split('/').pop();
		check(`${w}: ${name} answers 200`, r.status() === 200, r.status());
		const sw = await sideways(page);
		check(`${w}: ${name}: the page body does not scroll sideways`, sw <= 0, sw);
		const [wide, stuck] = await tableBoxes(page);
		check(`${w}: ${name}: wide tables (${wide}) scroll in their own box`, stuck === 0, `${stuck} of ${wide}`);
		await shot(page, `${w}-${name}`);
	}
}

async function print(page, b1) {
	for (const p of [ENERGY + b1, SALES, ALARMS]) {
		await page.goto(BASE + p);
		await page.emulateMedia({ media: 'print' });
		const hidden = await page.evaluate(() => [...document.querySelectorAll('header.top, nav.menu, .filters')]
			.filter((e) => e.offsetParent !== null || getComputedStyle(e).display !== 'none').length);
		check(`print of ${p.split('?')[0]}: the menu and filters are hidden, the report shows`, hidden === 0 &&
			await page.locator('main table').first().isVisible(), hidden);
		if (p.startsWith(ENERGY))
			check('print of the energy report keeps its chart', await page.locator('svg.chart').isVisible());
		if (p === SALES)
			await page.pdf({ path: join(OUT, 'browser-reports-print-sales.pdf') }).catch(() => {});
		await page.emulateMedia({ media: 'screen' });
	}
}

async function limited(browser) {
	const s = await signIn(browser, 3, WIDE, 'Report2026ok', 'rp');
	const page = s.page;
	const hrefs = await page.locator('details#g-reports a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
	const want = ['/report/alarms', '/report/lost-meters', '/report/lost-gateways', '/report/energy', '/report/alarm-history',
		'/report/losses'];
	check('宿管 sees only its reports in 报表中心: alarms, lost meters and gateways, energy, history, losses',
		hrefs.join('|') === want.join('|'), hrefs.join('|'));
	const groups = (await page.locator('details.nav-group > summary').allInnerTexts()).map(one);
	check('宿管 sees the groups 登录管理, 客户管理, 报表中心', groups.join('|') === '登录管理|客户管理|报表中心', groups.join('|'));
	for (const p of ['/report/instruments', '/report/sales/day', '/health']) {
		const r = await page.goto(BASE + p);
		const msg = one(await page.locator('p.error-page').innerText().catch(() => ''));
		check(`宿管 gets the 403 page on ${p}`, r.status() === 403 && msg.includes('您没有执行此功能的权限'), `${r.status()} ${msg}`);
	}
	await page.goto(BASE + '/report/instruments');
	await shot(page, '1280-limited-403');
	const r = await page.goto(BASE + '/report/losses');
	check('宿管 opens the losses report', r.status() === 200, r.status());
	check('no script errors for 宿管', s.errors.length === 0, s.errors.join(' / '));
	await s.ctx.close();
}

let browser;
async function main() {
	const b1 = makeEnergy();
	const net = makeLedger();
	must('the hand-made ledger nets 158.49 on the day', net === 15849, net);
	makeAlarms();
	browser = await launch();
	const wide = await signIn(browser, 1, WIDE, 'Report2026ok', 'rp');
	must('an administrator signs in', new URL(wide.page.url()).pathname === '/', wide.page.url());
	await width(wide, b1, '1280');
	await print(wide.page, b1);
	const narrow = await signIn(browser, 1, NARROW, 'Report2026ok', 'rp');
	await width(narrow, b1, '390');
	await others(narrow.page, '390');
	check('no script errors at 390 px', narrow.errors.length === 0, narrow.errors.join(' / '));
	await acknowledge(wide);
	check('no script errors at 1280 px', wide.errors.length === 0, wide.errors.join(' / '));
	await limited(browser);
}

try {
	await main();
} catch (e) {
	check(one(e && e.message ? e.message : e), false);
} finally {
	if (browser)
		await browser.close().catch(() => {});
	cleanUp();
}
finish();

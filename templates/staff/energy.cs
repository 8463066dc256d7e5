<?cs # energy.cs - F28 energy analysis: use of a place per day or month, an inline SVG chart, the period before and the top rooms. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.energy.title) ?>
<form method="get" action="/report/energy" class="filters">
<label><?cs var:Lang.page.from ?> <input name="from" type="date" value="<?cs var:Filter.from ?>"></label><?cs call:err("from") ?>
<label><?cs var:Lang.page.to ?> <input name="to" type="date" value="<?cs var:Filter.to ?>"></label><?cs call:err("to") ?>
<select name="building"><option value=""><?cs var:Lang.col.building ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Filter.building == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select><?cs call:err("building") ?>
<input name="floor" type="number" min="1" value="<?cs var:Filter.floor ?>" placeholder="<?cs var:Lang.col.floor ?>"><?cs call:err("floor") ?>
<input name="room" value="<?cs var:Filter.room ?>" placeholder="<?cs var:Lang.col.room ?>"><?cs call:err("room") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<?cs if:!Form.nerrors ?>
<p class="summary"><?cs var:Lang.energy.total ?> <span id="sum-total"><?cs var:Sum.total ?></span> kWh;
<?cs var:Lang.energy.prev ?> (<?cs var:Sum.prev_from ?> ~ <?cs var:Sum.prev_to ?>) <span id="sum-prev"><?cs var:Sum.prev ?></span> kWh;
<?cs var:Lang.energy.change ?> <span id="sum-diff"><?cs var:Sum.diff ?></span> kWh
(<span id="sum-pct"><?cs if:Sum.pct ?><?cs var:Sum.pct ?>%<?cs else ?><?cs var:Lang.energy.no_pct ?><?cs /if ?></span>)
<a class="export" href="/report/energy?from=<?cs var:url_escape(Filter.from) ?>&amp;to=<?cs var:url_escape(Filter.to) ?>&amp;building=<?cs var:url_escape(Filter.building) ?>&amp;floor=<?cs var:url_escape(Filter.floor) ?>&amp;room=<?cs var:url_escape(Filter.room) ?>&amp;export=xlsx"><?cs var:Lang.btn.export ?></a></p>
<?cs if:Chart.n > 0 ?>
<svg class="chart" viewBox="0 0 660 220" role="img" aria-label="<?cs var:Lang.energy.used_kwh ?>">
<line x1="40" y1="190" x2="650" y2="190" stroke="#555"/>
<text x="0" y="14" font-size="11"><?cs var:Chart.max ?></text><text x="0" y="190" font-size="11">0</text>
<?cs each:b = Chart.bars ?><rect x="<?cs var:b.x ?>" y="<?cs var:b.y ?>" width="<?cs var:b.w ?>" height="<?cs var:b.h ?>" fill="#1f4e79"><title><?cs var:b.title ?></title></rect><?cs /each ?>
<text x="40" y="210" font-size="11"><?cs var:Periods.0.period ?></text>
<text x="650" y="210" font-size="11" text-anchor="end"><?cs var:Filter.to ?></text>
</svg>
<table class="list periods"><thead><tr><th><?cs if:Filter.monthly ?><?cs var:Lang.energy.month ?><?cs else ?><?cs var:Lang.col.day ?><?cs /if ?></th><th><?cs var:Lang.energy.used_kwh ?></th></tr></thead>
<tbody><?cs each:d = Periods ?><tr><td class="period"><?cs var:d.period ?></td><td class="used"><?cs var:d.used ?></td></tr><?cs /each ?></tbody>
<tfoot><tr><th><?cs var:Lang.page.sum ?></th><td id="used-total"><?cs var:Sum.total ?></td></tr></tfoot></table>
<?cs else ?><p class="note"><?cs var:Lang.energy.no_data ?></p><?cs /if ?>
<h2><?cs var:Lang.energy.top ?></h2>
<table class="list top"><thead><tr><th><?cs var:Lang.col.building ?></th><th><?cs var:Lang.col.floor ?></th><th><?cs var:Lang.col.room ?></th><th><?cs var:Lang.energy.used_kwh ?></th></tr></thead>
<tbody><?cs each:o = Top ?><tr><td><?cs var:o.building ?></td><td><?cs var:o.floor ?></td><td class="room"><?cs var:o.room ?></td><td class="top-used"><?cs var:o.used_kwh ?></td></tr><?cs /each ?>
<?cs if:!Top.0.id ?><tr><td colspan="4"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<?cs /if ?>
<?cs call:foot() ?>

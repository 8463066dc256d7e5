<?cs # history.cs - F16 reading history: daily use of one meter as an inline SVG chart and tables. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.history) ?>
<form method="get" action="/meter/history" class="filters">
<input name="meter" value="<?cs var:Filter.meter ?>" placeholder="<?cs var:Lang.col.meter_number ?>"><?cs call:err("meter") ?>
<label><?cs var:Lang.page.from ?> <input name="from" type="date" value="<?cs var:Filter.from ?>"></label><?cs call:err("from") ?>
<label><?cs var:Lang.page.to ?> <input name="to" type="date" value="<?cs var:Filter.to ?>"></label><?cs call:err("to") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<?cs if:Meter.id ?>
<p class="meter"><?cs var:Meter.number ?> <?cs var:Lang.profile[Meter.profile] ?> <?cs var:Meter.building ?> <?cs var:Meter.room ?>
<a class="export" href="/meter/history?meter=<?cs var:url_escape(Meter.number) ?>&amp;from=<?cs var:url_escape(Filter.from) ?>&amp;to=<?cs var:url_escape(Filter.to) ?>&amp;export=xlsx"><?cs var:Lang.btn.export ?></a></p>
<?cs if:Chart.n > 0 ?>
<svg class="chart" viewBox="0 0 660 220" role="img" aria-label="<?cs var:Lang.page.used_kwh ?>">
<line x1="40" y1="190" x2="650" y2="190" stroke="#555"/>
<text x="0" y="14" font-size="11"><?cs var:Chart.max ?></text><text x="0" y="190" font-size="11">0</text>
<?cs each:b = Chart.bars ?><rect x="<?cs var:b.x ?>" y="<?cs var:b.y ?>" width="<?cs var:b.w ?>" height="<?cs var:b.h ?>" fill="#1f4e79"><title><?cs var:b.title ?></title></rect><?cs /each ?>
<text x="40" y="210" font-size="11"><?cs var:Days.0.day ?></text>
<text x="650" y="210" font-size="11" text-anchor="end"><?cs var:Filter.to ?></text>
</svg>
<table class="list days"><thead><tr><th><?cs var:Lang.col.day ?></th><th><?cs var:Lang.page.used_kwh ?></th><th><?cs var:Lang.page.energy_kwh ?></th></tr></thead>
<tbody><?cs each:d = Days ?><tr><td><?cs var:d.day ?></td><td class="used"><?cs var:d.used ?></td><td><?cs var:d.energy ?></td></tr><?cs /each ?></tbody>
<tfoot><tr><th><?cs var:Lang.page.sum ?></th><td id="used-total"><?cs var:Used.total ?></td><td></td></tr></tfoot></table>
<?cs else ?><p class="note"><?cs var:Lang.page.no_days ?></p><?cs /if ?>
<h2><?cs var:Lang.page.reads ?></h2>
<table class="list reads"><thead><tr><th><?cs var:Lang.col.time ?></th><th><?cs var:Lang.page.energy_kwh ?></th><th><?cs var:Lang.page.remaining ?></th><th><?cs var:Lang.page.purchase_count ?></th><th><?cs var:Lang.page.power ?></th></tr></thead>
<tbody><?cs each:d = Reads ?><tr><td><?cs var:d.at ?></td><td><?cs var:d.energy_kwh ?></td><td class="money"><?cs var:d.remaining ?></td><td><?cs var:d.purchase_count ?></td><td><?cs var:d.power_w ?></td></tr><?cs /each ?>
<?cs if:!Reads.0.at ?><tr><td colspan="5"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<p class="pager" id="reads-pager"><?cs var:Lang.page.total ?> <span id="reads-total"><?cs var:ReadPages.total ?></span> <?cs var:Lang.page.rows ?>, <?cs var:Lang.page.page ?> <?cs var:ReadPages.page ?><?cs var:Lang.page.of ?><?cs var:ReadPages.pages ?>
<?cs if:ReadPages.prev ?><a href="/meter/history?meter=<?cs var:url_escape(Meter.number) ?>&amp;from=<?cs var:url_escape(Filter.from) ?>&amp;to=<?cs var:url_escape(Filter.to) ?>&amp;rpage=<?cs var:ReadPages.prev ?>"><?cs var:Lang.btn.prev ?></a><?cs /if ?>
<?cs if:ReadPages.next ?><a href="/meter/history?meter=<?cs var:url_escape(Meter.number) ?>&amp;from=<?cs var:url_escape(Filter.from) ?>&amp;to=<?cs var:url_escape(Filter.to) ?>&amp;rpage=<?cs var:ReadPages.next ?>"><?cs var:Lang.btn.next ?></a><?cs /if ?></p>
<?cs /if ?>
<?cs call:foot() ?>

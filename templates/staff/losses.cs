<?cs # losses.cs - B7 master meter against its rooms' meters per building and day: loss in kWh and %, a chart, days over the threshold marked. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.energy.losses) ?>
<form method="get" action="/report/losses" class="filters">
<label><?cs var:Lang.page.from ?> <input name="from" type="date" value="<?cs var:Filter.from ?>"></label><?cs call:err("from") ?>
<label><?cs var:Lang.page.to ?> <input name="to" type="date" value="<?cs var:Filter.to ?>"></label><?cs call:err("to") ?>
<select name="building"><option value=""><?cs var:Lang.col.building ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Filter.building == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select><?cs call:err("building") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<?cs if:!Form.nerrors ?>
<p class="summary"><?cs var:Lang.energy.threshold ?> <span id="pct"><?cs var:Filter.pct ?></span>%; <?cs var:Lang.energy.over_days ?> <span id="over-days"><?cs var:Chart.over ?></span>
<a class="export" href="/report/losses?from=<?cs var:url_escape(Filter.from) ?>&amp;to=<?cs var:url_escape(Filter.to) ?>&amp;building=<?cs var:url_escape(Filter.building) ?>&amp;export=xlsx"><?cs var:Lang.btn.export ?></a></p>
<?cs if:Chart.n > 0 ?>
<svg class="chart" viewBox="0 0 660 220" role="img" aria-label="<?cs var:Lang.energy.losses ?>">
<line x1="40" y1="190" x2="650" y2="190" stroke="#555"/>
<text x="0" y="14" font-size="11"><?cs var:Chart.max ?></text><text x="0" y="190" font-size="11">0</text>
<?cs each:b = Chart.master ?><rect class="master" x="<?cs var:b.x ?>" y="<?cs var:b.y ?>" width="<?cs var:b.w ?>" height="<?cs var:b.h ?>" fill="<?cs if:b.over == 1 ?>#c0392b<?cs else ?>#9db7d5<?cs /if ?>"><title><?cs var:b.title ?></title></rect><?cs /each ?>
<?cs each:b = Chart.rooms ?><rect class="rooms" x="<?cs var:b.x ?>" y="<?cs var:b.y ?>" width="<?cs var:b.w ?>" height="<?cs var:b.h ?>" fill="#1f4e79" fill-opacity="0.8"><title><?cs var:b.title ?></title></rect><?cs /each ?>
<?cs each:b = Chart.master ?><?cs if:b.over == 1 ?><rect class="over-mark" x="<?cs var:b.x ?>" y="<?cs var:b.y ?>" width="<?cs var:b.w ?>" height="<?cs var:b.h ?>" fill="none" stroke="#b00020" stroke-width="4"><title><?cs var:b.title ?></title></rect><?cs /if ?><?cs /each ?>
<text x="40" y="210" font-size="11"><?cs var:Filter.from ?></text>
<text x="650" y="210" font-size="11" text-anchor="end"><?cs var:Filter.to ?></text>
</svg>
<p class="note"><?cs var:Lang.energy.legend ?></p>
<?cs /if ?>
<table class="list losses"><thead><tr><th><?cs var:Lang.col.building ?></th><th><?cs var:Lang.col.day ?></th><th><?cs var:Lang.energy.master_kwh ?></th><th><?cs var:Lang.energy.rooms_kwh ?></th><th><?cs var:Lang.energy.loss_kwh ?></th><th><?cs var:Lang.energy.loss_pct ?></th><th><?cs var:Lang.energy.flag ?></th></tr></thead>
<tbody><?cs each:o = Rows ?><tr<?cs if:o.over_pct == 1 ?> class="over"<?cs /if ?>><td><?cs var:o.building ?></td><td class="day"><?cs var:o.day ?></td><td class="master"><?cs var:o.master_kwh ?></td><td class="rooms"><?cs var:o.rooms_kwh ?></td><td class="loss"><?cs var:o.loss_kwh ?></td><td class="pct"><?cs if:o.loss_pct ?><?cs var:o.loss_pct ?>%<?cs else ?><?cs var:Lang.energy.no_pct ?><?cs /if ?></td><td class="flag"><?cs if:o.over_pct == 1 ?><?cs var:Lang.energy.over.1 ?><?cs /if ?></td></tr><?cs /each ?>
<?cs if:!Rows.0.day ?><tr><td colspan="7"><?cs var:Lang.energy.no_master ?></td></tr><?cs /if ?></tbody></table>
<?cs /if ?>
<?cs call:foot() ?>

<?cs # report-sales.cs - F23/F24/F25 daily, monthly and yearly sales reports: filters, a row per period and group, totals, print and export. ?>
<?cs include:"layout.cs" ?>
<?cs set:Report.path = "/report/sales/" + Report.period ?>
<?cs call:head(Lang.salesrep["title_" + Report.period]) ?>
<p class="print-head" id="print-head"><strong><?cs var:Site.receipt_header ?></strong><br>
<?cs var:Lang.salesrep["title_" + Report.period] ?>
<?cs if:Filter.from ?><?cs var:Filter.from ?><?cs else ?><?cs var:Lang.salesrep.since_start ?><?cs /if ?> <?cs var:Lang.salesrep.range_to ?> <?cs var:Filter.to ?>
(<?cs var:Lang.salesrep.tz ?> UTC<?cs var:Report.tz ?>)</p>
<p class="filters" id="periods">
<?cs if:Op.right.F23 ?><a href="/report/sales/day"<?cs if:Report.period == "day" ?> class="current"<?cs /if ?>><?cs var:Lang.salesrep.title_day ?></a><?cs /if ?>
<?cs if:Op.right.F24 ?><a href="/report/sales/month"<?cs if:Report.period == "month" ?> class="current"<?cs /if ?>><?cs var:Lang.salesrep.title_month ?></a><?cs /if ?>
<?cs if:Op.right.F25 ?><a href="/report/sales/year"<?cs if:Report.period == "year" ?> class="current"<?cs /if ?>><?cs var:Lang.salesrep.title_year ?></a><?cs /if ?>
</p>
<form method="get" action="<?cs var:Report.path ?>" class="filters">
<label><?cs var:Lang.page.from ?> <input id="f-from" name="from" type="date" value="<?cs var:Filter.from ?>"<?cs if:Form.err.from ?> class="bad" aria-invalid="true"<?cs /if ?>></label><?cs call:err("from") ?>
<label><?cs var:Lang.page.to ?> <input id="f-to" name="to" type="date" value="<?cs var:Filter.to ?>"<?cs if:Form.err.to ?> class="bad" aria-invalid="true"<?cs /if ?>></label><?cs call:err("to") ?>
<label><?cs var:Lang.salesrep.building ?> <select id="f-building" name="building"><option value=""><?cs var:Lang.page.all ?></option>
<?cs each:b = Buildings ?><option value="<?cs var:b.id ?>"<?cs if:Filter.building == b.id ?> selected<?cs /if ?>><?cs var:b.name ?></option><?cs /each ?></select></label><?cs call:err("building") ?>
<label><?cs var:Lang.salesrep.operator ?> <select id="f-op" name="op"><option value=""><?cs var:Lang.page.all ?></option>
<?cs each:o = Ops ?><option value="<?cs var:o.id ?>"<?cs if:Filter.op == o.id ?> selected<?cs /if ?>><?cs var:o.login ?> <?cs var:o.name ?></option><?cs /each ?></select></label><?cs call:err("op") ?>
<label><?cs var:Lang.salesrep.by ?> <select id="f-by" name="by">
<?cs each:g = Lang.salesrep.group ?><option value="<?cs name:g ?>"<?cs if:Filter.by == name(g) ?> selected<?cs /if ?>><?cs var:g ?></option><?cs /each ?></select></label><?cs call:err("by") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
<?cs if:Report.ok ?><?cs set:q = "from=" + url_escape(Filter.from) + "&to=" + url_escape(Filter.to) + "&building=" + url_escape(Filter.building) + "&op=" + url_escape(Filter.op) + "&by=" + url_escape(Filter.by) ?>
<a id="print" href="<?cs var:Report.path ?>?<?cs var:q ?>&amp;print=1"><?cs var:Lang.salesrep.print ?></a>
<a id="export" class="export" href="<?cs var:Report.path ?>?<?cs var:q ?>&amp;export=xlsx"><?cs var:Lang.btn.export ?></a><?cs /if ?>
</form>
<?cs if:Report.ok ?>
<table class="list" id="report">
<thead><tr><th><?cs var:Lang.salesrep["col_" + Report.period] ?></th><?cs if:Filter.by != "none" ?><th><?cs var:Lang.salesrep.head[Filter.by] ?></th><?cs /if ?><th><?cs var:Lang.salesrep.col_sales ?></th><th><?cs var:Lang.salesrep.col_refunds ?></th><th><?cs var:Lang.salesrep.col_reversals ?></th><th><?cs var:Lang.salesrep.col_adjust ?></th><th><?cs var:Lang.salesrep.col_other ?></th><th><?cs var:Lang.salesrep.col_net ?></th><th><?cs var:Lang.salesrep.col_n ?></th></tr></thead>
<tbody><?cs each:o = Rows ?><tr class="row"><td><?cs var:o.period ?></td><?cs if:Filter.by != "none" ?><td><?cs var:o.grp ?></td><?cs /if ?><td class="money"><?cs var:o.sales ?></td><td class="money"><?cs var:o.refunds ?></td><td class="money"><?cs var:o.reversals ?></td><td class="money"><?cs var:o.adjust ?></td><td class="money"><?cs var:o.other ?></td><td class="money"><?cs var:o.net ?></td><td><?cs var:o.n ?></td></tr>
<?cs /each ?><?cs if:!Rows.0.period ?><tr><td colspan="9"><?cs var:Lang.salesrep.none ?></td></tr><?cs /if ?></tbody>
<tfoot><tr class="totals"><th><?cs var:Lang.page.sum ?></th><?cs if:Filter.by != "none" ?><th></th><?cs /if ?><th class="money"><?cs var:Sum.sales ?></th><th class="money"><?cs var:Sum.refunds ?></th><th class="money"><?cs var:Sum.reversals ?></th><th class="money"><?cs var:Sum.adjust ?></th><th class="money"><?cs var:Sum.other ?></th><th class="money"><?cs var:Sum.net ?></th><th><?cs var:Sum.n ?></th></tr></tfoot>
</table>
<p class="note"><?cs var:Lang.salesrep.note ?></p>
<?cs if:Report.print ?><script src="/static/receipt.js" defer></script><?cs /if ?>
<?cs /if ?>
<?cs call:foot() ?>

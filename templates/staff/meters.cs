<?cs # meters.cs - F8 the list of meters with its filters. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.meters) ?>
<?cs if:Page.imported ?><p class="ok imported"><?cs var:Lang.page.imported_pre ?><span id="n-imported"><?cs var:Page.imported ?></span><?cs var:Lang.page.imported_post ?></p><?cs /if ?>
<form method="get" action="/meters" class="filters">
<select name="building"><option value=""><?cs var:Lang.col.building ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Filter.building == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<select name="gateway"><option value=""><?cs var:Lang.col.gateway ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Gateways ?><option value="<?cs var:o.id ?>"<?cs if:Filter.gateway == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<select name="profile"><option value=""><?cs var:Lang.col.profile ?>: <?cs var:Lang.page.all ?></option>
<option value="ddsy1352nk"<?cs if:Filter.profile == "ddsy1352nk" ?> selected<?cs /if ?>><?cs var:Lang.profile.ddsy1352nk ?></option>
<option value="energy"<?cs if:Filter.profile == "energy" ?> selected<?cs /if ?>><?cs var:Lang.profile.energy ?></option></select>
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.col.meter_number ?> / <?cs var:Lang.col.room ?>">
<button type="submit"><?cs var:Lang.btn.search ?></button>
<a class="button" href="/meter"><?cs var:Lang.btn.new ?></a>
<a class="button" href="/meters/import"><?cs var:Lang.nav.import ?></a>
</form>
<table class="list">
<thead><tr><?cs call:th("number", Lang.col.meter_number) ?><th><?cs var:Lang.col.profile ?></th><?cs call:th("bus", Lang.col.gateway) ?><th><?cs var:Lang.col.port ?></th><th><?cs var:Lang.col.address ?></th><?cs call:th("room", Lang.col.building) ?><th><?cs var:Lang.col.room ?></th><th></th></tr></thead>
<tbody>
<?cs # the words of a row looked up once, not through the Lang link every row ?>
<?cs with:pf = Lang.profile ?><?cs with:edit = Lang.btn.edit ?><?cs each:o = Rows ?><tr><td class="number"><?cs var:o.number ?></td><td><?cs var:pf[o.profile] ?></td><td><?cs var:o.gateway ?></td><td><?cs var:o.port ?></td><td><?cs var:o.address ?></td><td><?cs var:o.building ?></td><td class="room"><?cs var:o.room ?></td><td><a href="/meter?id=<?cs var:o.id ?>"><?cs var:edit ?></a></td></tr><?cs /each ?><?cs /with ?><?cs /with ?>
<?cs if:!Rows.0.id ?><tr><td colspan="8"><?cs var:Lang.page.none ?></td></tr><?cs /if ?>
</tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>

<?cs # gateways.cs - F7 the list of communication gateways. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.gateways) ?>
<form method="get" action="/gateways" class="filters">
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.keyword ?>">
<button type="submit"><?cs var:Lang.btn.search ?></button>
<a class="button" href="/gateway"><?cs var:Lang.btn.new ?></a>
</form>
<table class="list">
<thead><tr><?cs call:th("name", Lang.col.name) ?><?cs call:th("host", Lang.col.host) ?><th><?cs var:Lang.col.ports ?></th><th><?cs var:Lang.col.building ?></th><th><?cs var:Lang.col.meters ?></th><th><?cs var:Lang.col.buses ?></th><th><?cs var:Lang.col.note ?></th><th></th></tr></thead>
<tbody>
<?cs each:o = Rows ?><tr><td class="name"><?cs var:o.name ?></td><td><?cs var:o.host ?></td><td><?cs var:o.ports ?></td><td><?cs var:o.building ?></td><td><?cs var:o.meters ?></td><td class="buses"><?cs var:o.buses ?></td><td><?cs var:o.note ?></td><td><a href="/gateway?id=<?cs var:o.id ?>"><?cs var:Lang.btn.edit ?></a></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="8"><?cs var:Lang.page.none ?></td></tr><?cs /if ?>
</tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>

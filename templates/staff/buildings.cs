<?cs # buildings.cs - F6 the list of buildings. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.buildings) ?>
<form method="get" action="/buildings" class="filters">
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.keyword ?>">
<button type="submit"><?cs var:Lang.btn.search ?></button>
<a class="button" href="/building"><?cs var:Lang.btn.new ?></a>
</form>
<table class="list">
<thead><tr><?cs call:th("name", Lang.col.name) ?><?cs call:th("floors", Lang.col.floors) ?><th><?cs var:Lang.col.rooms ?></th><th><?cs var:Lang.col.meters ?></th><th><?cs var:Lang.col.note ?></th><th></th></tr></thead>
<tbody>
<?cs each:o = Rows ?><tr><td class="name"><?cs var:o.name ?></td><td><?cs var:o.floors ?></td><td><a href="/rooms?building=<?cs var:o.id ?>"><?cs var:o.rooms ?></a></td><td><?cs var:o.meters ?></td><td><?cs var:o.note ?></td><td><a href="/building?id=<?cs var:o.id ?>"><?cs var:Lang.btn.edit ?></a> <a href="/room?building=<?cs var:o.id ?>"><?cs var:Lang.page.room_new ?></a></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="6"><?cs var:Lang.page.none ?></td></tr><?cs /if ?>
</tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>

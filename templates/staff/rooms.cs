<?cs # rooms.cs - F9 the rooms of the site. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.rooms) ?>
<form method="get" action="/rooms" class="filters">
<select name="building"><option value=""><?cs var:Lang.col.building ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Filter.building == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<input name="floor" type="number" min="1" value="<?cs if:Filter.floor != 0 ?><?cs var:Filter.floor ?><?cs /if ?>" placeholder="<?cs var:Lang.col.floor ?>">
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.keyword ?>">
<button type="submit"><?cs var:Lang.btn.search ?></button>
<a class="button" href="/room"><?cs var:Lang.btn.new ?></a>
</form>
<table class="list">
<thead><tr><?cs call:th("building", Lang.col.building) ?><?cs call:th("floor", Lang.col.floor) ?><?cs call:th("number", Lang.col.room) ?><th><?cs var:Lang.col.meters ?></th><th><?cs var:Lang.col.note ?></th><th></th></tr></thead>
<tbody>
<?cs each:o = Rows ?><tr><td><?cs var:o.building ?></td><td><?cs var:o.floor ?></td><td class="room"><?cs var:o.number ?></td><td><?cs var:o.meters ?></td><td><?cs var:o.note ?></td><td><a href="/room?id=<?cs var:o.id ?>"><?cs var:Lang.btn.edit ?></a></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="6"><?cs var:Lang.page.none ?></td></tr><?cs /if ?>
</tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>

<?cs # roles.cs - F3 roles and their rights. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.roles) ?>
<p><a class="button" href="/role"><?cs var:Lang.btn.new ?></a> <a class="export" href="/roles?export=xlsx"><?cs var:Lang.btn.export ?></a></p>
<table class="list">
<thead><tr><th><?cs var:Lang.col.name ?></th><th><?cs var:Lang.col.note ?></th><th><?cs var:Lang.col.operators ?></th><th><?cs var:Lang.col.rights ?></th><th></th></tr></thead>
<tbody>
<?cs each:o = Rows ?><tr><td><?cs var:o.name ?></td><td><?cs var:o.note ?></td><td><?cs var:o.operators ?></td><td class="rights"><?cs var:o.rights ?></td><td><a href="/role?id=<?cs var:o.id ?>"><?cs var:Lang.btn.edit ?></a></td></tr><?cs /each ?>
</tbody></table>
<?cs call:foot() ?>

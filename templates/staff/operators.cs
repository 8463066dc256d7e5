<?cs # operators.cs - F2 the list of operators. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.operators) ?>
<form method="get" action="/operators" class="filters">
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.keyword ?>">
<select name="role"><option value=""><?cs var:Lang.col.role ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Roles ?><option value="<?cs var:o.id ?>"<?cs if:Filter.role == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<select name="status"><option value=""><?cs var:Lang.col.status ?>: <?cs var:Lang.page.all ?></option>
<option value="active"<?cs if:Filter.status == "active" ?> selected<?cs /if ?>><?cs var:Lang.status.active ?></option>
<option value="disabled"<?cs if:Filter.status == "disabled" ?> selected<?cs /if ?>><?cs var:Lang.status.disabled ?></option></select>
<button type="submit"><?cs var:Lang.btn.search ?></button>
<a class="button" href="/operator"><?cs var:Lang.btn.new ?></a>
</form>
<table class="list">
<thead><tr><?cs call:th("login", Lang.col.login) ?><?cs call:th("name", Lang.col.name) ?><th><?cs var:Lang.col.phone ?></th><?cs call:th("role", Lang.col.role) ?><th><?cs var:Lang.col.status ?></th><?cs call:th("last_login", Lang.col.last_login) ?><th><?cs var:Lang.col.actions ?></th></tr></thead>
<tbody>
<?cs each:o = Rows ?><tr>
<td class="login"><?cs var:o.login ?></td><td><?cs var:o.name ?></td><td><?cs var:o.phone ?></td><td><?cs var:o.role ?></td>
<td><?cs if:o.disabled == 1 ?><?cs var:Lang.status.disabled ?><?cs elif:o.locked == 1 ?><?cs var:Lang.status.locked ?><?cs elif:o.must_change == 1 ?><?cs var:Lang.status.must_change ?><?cs else ?><?cs var:Lang.status.active ?><?cs /if ?><?cs if:o.totp == 1 ?> <span class="totp-on">· <?cs var:Lang.Totp.col ?><?cs var:Lang.Totp.on ?></span><?cs /if ?></td>
<td><?cs var:o.last_login ?></td>
<td class="actions"><a href="/operator?id=<?cs var:o.id ?>"><?cs var:Lang.btn.edit ?></a>
<form method="post" action="/operator/disable" class="inline" data-confirm="<?cs if:o.disabled == 1 ?><?cs var:Lang.confirm.enable ?><?cs else ?><?cs var:Lang.confirm.disable ?><?cs /if ?>"><?cs call:csrf() ?><input type="hidden" name="id" value="<?cs var:o.id ?>"><input type="hidden" name="disabled" value="<?cs if:o.disabled == 1 ?>0<?cs else ?>1<?cs /if ?>"><button type="submit" class="link"><?cs if:o.disabled == 1 ?><?cs var:Lang.btn.enable ?><?cs else ?><?cs var:Lang.btn.disable ?><?cs /if ?></button></form>
<form method="post" action="/operator/reset" class="inline" data-confirm="<?cs var:Lang.confirm.reset ?>"><?cs call:csrf() ?><input type="hidden" name="id" value="<?cs var:o.id ?>"><button type="submit" class="link"><?cs var:Lang.btn.reset ?></button></form>
<?cs if:o.totp == 1 ?><form method="post" action="/operator/totp-reset" class="inline totp-reset" data-confirm="<?cs var:Lang.Totp.confirm_reset ?>"><?cs call:csrf() ?><input type="hidden" name="id" value="<?cs var:o.id ?>"><button type="submit" class="link"><?cs var:Lang.Totp.reset ?></button></form><?cs /if ?>
</td></tr>
<?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="7"><?cs var:Lang.page.none ?></td></tr><?cs /if ?>
</tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>

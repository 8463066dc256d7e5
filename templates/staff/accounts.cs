<?cs # accounts.cs - F12 opening records: accounts with filters and export. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.accounts) ?>
<form method="get" action="/accounts" class="filters">
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.account_search ?>">
<select name="building"><option value=""><?cs var:Lang.col.building ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Filter.building == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<select name="status"><option value=""><?cs var:Lang.col.status ?>: <?cs var:Lang.page.all ?></option>
<option value="open"<?cs if:Filter.status == "open" ?> selected<?cs /if ?>><?cs var:Lang.account.open ?></option>
<option value="closed"<?cs if:Filter.status == "closed" ?> selected<?cs /if ?>><?cs var:Lang.account.closed ?></option></select>
<label><?cs var:Lang.page.from ?> <input name="from" type="date" value="<?cs var:Filter.from ?>"></label><?cs call:err("from") ?>
<label><?cs var:Lang.page.to ?> <input name="to" type="date" value="<?cs var:Filter.to ?>"></label><?cs call:err("to") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
<?cs if:Op.right.F11 ?><a class="button" href="/account/open"><?cs var:Lang.nav.open ?></a><?cs /if ?>
</form>
<table class="list">
<thead><tr><?cs call:th("holder", Lang.col.holder) ?><th><?cs var:Lang.col.holder_no ?></th><th><?cs var:Lang.col.phone ?></th><th><?cs var:Lang.col.building ?></th><?cs call:th("room", Lang.col.room) ?><th><?cs var:Lang.col.meters ?></th><th><?cs var:Lang.col.status ?></th><?cs call:th("opened", Lang.col.opened) ?><th></th></tr></thead>
<tbody>
<?cs each:o = Rows ?><tr><td class="holder"><?cs var:o.holder ?></td><td><?cs var:o.holder_no ?></td><td><?cs var:o.phone ?></td><td><?cs var:o.building ?></td><td><?cs var:o.room ?></td><td><?cs var:o.meters ?></td><td><?cs var:Lang.account[o.status] ?></td><td><?cs var:o.opened ?></td>
<td><a href="/account?id=<?cs var:o.id ?>"><?cs var:Lang.btn.view ?></a><?cs if:o.status == "open" && Op.right.F17 ?> <a href="/sell?account=<?cs var:o.id ?>"><?cs var:Lang.nav.sell ?></a><?cs /if ?></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="9"><?cs var:Lang.page.none ?></td></tr><?cs /if ?>
</tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>

<?cs # import.cs - F8 batch import of meters from a CSV file, with every bad row listed. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.import) ?>
<p class="note"><?cs var:Lang.page.import_help ?></p>
<form method="post" action="/meters/import" enctype="multipart/form-data" class="form" data-confirm="<?cs var:Lang.confirm.import ?>">
<?cs call:csrf() ?>
<input type="file" name="file" accept=".csv,text/csv"><?cs call:err("file") ?>
<button type="submit"><?cs var:Lang.btn.upload ?></button> <a href="/meters"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs if:Import.nerr ?>
<p class="err form-err" role="alert"><?cs var:Lang.page.import_errors ?> (<span class="nerr"><?cs var:Import.nerr ?></span>)</p>
<table class="list errors">
<thead><tr><th><?cs var:Lang.page.line ?></th><th><?cs var:Lang.col.name ?></th><th><?cs var:Lang.page.reason ?></th><th><?cs var:Lang.page.value ?></th></tr></thead>
<tbody>
<?cs each:e = Errors ?><tr><td class="line"><?cs var:e.line ?></td><td><?cs var:e.column ?></td><td class="reason"><?cs var:e.reason ?></td><td><?cs var:e.value ?></td></tr><?cs /each ?>
</tbody></table>
<?cs /if ?>
<?cs call:foot() ?>

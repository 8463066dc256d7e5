<?cs # receipt.cs - the three-part receipt (三联单); a site may change this layout. ?>
<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title><?cs var:Lang.receipt_title[Entry.kind] ?> <?cs var:Entry.receipt_no ?></title>
<link rel="stylesheet" href="/static/receipt.css">
<?cs if:Receipt.printing ?><script src="/static/receipt.js" defer></script><?cs /if ?></head>
<body class="receipt">
<div class="noprint">
<form method="post" action="/receipt?id=<?cs var:Entry.id ?>"><input type="hidden" name="csrf" value="<?cs var:Op.csrf ?>">
<button type="submit" id="print"><?cs if:Receipt.copy ?><?cs var:Lang.btn.reprint ?><?cs else ?><?cs var:Lang.btn.print ?><?cs /if ?></button>
<a href="/sale?id=<?cs var:Entry.id ?>"><?cs var:Lang.btn.cancel ?></a></form>
<?cs if:!Receipt.printing ?><p class="note"><?cs var:Lang.page.receipt_preview ?></p><?cs /if ?>
</div>
<?cs def:part(name) ?>
<section class="part">
<h1><?cs var:Site.receipt_header ?></h1>
<h2 class="title"><?cs var:Lang.receipt_title[Entry.kind] ?></h2>
<p class="partname"><?cs var:name ?><?cs if:Receipt.copy ?> <strong class="copy"><?cs var:Lang.page.receipt_copy ?></strong><?cs /if ?></p>
<table>
<tr><th><?cs var:Lang.col.receipt_no ?></th><td class="no"><?cs var:Entry.receipt_no ?></td><th><?cs var:Lang.col.time ?></th><td><?cs var:Entry.at ?></td></tr>
<tr><th><?cs var:Lang.col.holder ?></th><td><?cs var:Entry.holder ?> <?cs var:Entry.holder_no ?></td><th><?cs var:Lang.col.room ?></th><td><?cs var:Entry.building ?> <?cs var:Entry.room ?></td></tr>
<tr><th><?cs var:Lang.col.meter_number ?></th><td><?cs var:Entry.meter ?></td><th><?cs var:Lang.col.kind ?></th><td><?cs var:Lang.kind[Entry.kind] ?></td></tr>
<tr><th><?cs var:Lang.col.amount ?></th><td class="fig">¥<?cs var:Entry.amount ?></td><th><?cs var:Lang.page.capital ?></th><td class="cap"><?cs var:Entry.capital ?></td></tr>
<tr><th><?cs var:Lang.col.op_name ?></th><td><?cs if:Entry.operator ?><?cs var:Entry.operator ?><?cs else ?><?cs var:Lang.channel[Entry.channel] ?><?cs /if ?></td><th><?cs var:Lang.page.signature ?></th><td></td></tr>
</table>
<p class="foot"><?cs var:Site.receipt_footer ?></p>
</section>
<?cs /def ?>
<?cs call:part(Lang.page.receipt_stub) ?>
<?cs call:part(Lang.page.receipt_customer) ?>
<?cs call:part(Lang.page.receipt_finance) ?>
</body></html>

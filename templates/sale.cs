<?cs # sale.cs - a ledger entry and the progress of its token until the meter confirms. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.sale) ?>
<?cs if:Entry.status == "queued" || Entry.status == "sent" || Entry.status == "waiting" ?><meta http-equiv="refresh" content="2"><?cs /if ?>
<table class="counts">
<tr><th><?cs var:Lang.col.receipt_no ?></th><td><?cs var:Entry.receipt_no ?></td></tr>
<tr><th><?cs var:Lang.col.kind ?></th><td><?cs var:Lang.kind[Entry.kind] ?></td></tr>
<tr><th><?cs var:Lang.col.holder ?></th><td><a href="/account?id=<?cs var:Entry.account_id ?>"><?cs var:Entry.holder ?></a> <?cs var:Entry.holder_no ?></td></tr>
<tr><th><?cs var:Lang.col.room ?></th><td><?cs var:Entry.building ?> <?cs var:Entry.room ?></td></tr>
<tr><th><?cs var:Lang.col.meter_number ?></th><td><?cs var:Entry.meter ?></td></tr>
<tr><th><?cs var:Lang.col.amount ?></th><td class="amount"><?cs var:Entry.amount ?> 元 (<?cs var:Entry.capital ?>)</td></tr>
<tr><th><?cs var:Lang.col.op_name ?></th><td><?cs var:Entry.operator ?></td></tr>
<tr><th><?cs var:Lang.col.time ?></th><td><?cs var:Entry.at ?></td></tr>
<tr><th><?cs var:Lang.page.token ?></th><td class="cmd st-<?cs var:Entry.status ?>" id="cmd-status"><?cs var:Lang.cmd[Entry.status] ?><?cs if:Entry.error ?> - <?cs var:Entry.error ?><?cs /if ?></td></tr>
</table>
<p class="note"><?cs var:Lang.cmdhelp[Entry.status] ?></p>
<p><a class="button" href="/receipt?id=<?cs var:Entry.id ?>" target="_blank"><?cs var:Lang.btn.print ?></a> <a href="/sell"><?cs var:Lang.btn.next_sale ?></a></p>
<?cs call:foot() ?>

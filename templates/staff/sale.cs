<?cs # sale.cs - a ledger entry and the progress of its token until the meter confirms. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.kind[Entry.kind]) ?>
<?cs if:Entry.status == "queued" || Entry.status == "sent" || Entry.status == "waiting" ?><meta http-equiv="refresh" content="2"><?cs /if ?>
<table class="counts">
<tr><th><?cs var:Lang.col.receipt_no ?></th><td><?cs var:Entry.receipt_no ?></td></tr>
<tr><th><?cs var:Lang.col.kind ?></th><td><?cs var:Lang.kind[Entry.kind] ?></td></tr>
<tr><th><?cs var:Lang.col.holder ?></th><td><a href="/account?id=<?cs var:Entry.account_id ?>"><?cs var:Entry.holder ?></a> <?cs var:Entry.holder_no ?></td></tr>
<tr><th><?cs var:Lang.col.room ?></th><td><?cs var:Entry.building ?> <?cs var:Entry.room ?></td></tr>
<tr><th><?cs var:Lang.col.meter_number ?></th><td><?cs var:Entry.meter ?></td></tr>
<tr><th><?cs var:Lang.col.amount ?></th><td class="amount"><?cs var:Entry.amount ?> 元 (<?cs var:Entry.capital ?>)</td></tr>
<tr><th><?cs var:Lang.col.op_name ?></th><td><?cs if:Entry.operator ?><?cs var:Entry.operator ?><?cs else ?><?cs var:Lang.channel[Entry.channel] ?><?cs /if ?></td></tr>
<tr><th><?cs var:Lang.col.time ?></th><td><?cs var:Entry.at ?></td></tr>
<tr><th><?cs if:Entry.amount_fen < 0 ?><?cs var:Lang.page.debit_token ?><?cs else ?><?cs var:Lang.page.token ?><?cs /if ?></th><td class="cmd st-<?cs var:Entry.status ?>" id="cmd-status"><?cs var:Lang.cmd[Entry.status] ?><?cs if:Entry.error ?> - <span class="cmd-error" title="<?cs var:Entry.error ?>"><?cs var:Entry.error_text ?></span><?cs /if ?></td></tr>
</table>
<?cs if:Entry.note ?><p><?cs var:Lang.page.reason ?>: <span class="note-text"><?cs var:Entry.note ?></span></p><?cs /if ?>
<?cs if:Entry.reverses ?><p><a href="/sale?id=<?cs var:Entry.reverses ?>"><?cs var:Lang.page.reverses ?></a></p><?cs /if ?>
<p class="note"><?cs var:Lang.cmdhelp[Entry.status] ?></p>
<p class="actions"><a class="button" id="print-receipt" href="/receipt?id=<?cs var:Entry.id ?>" target="_blank"><?cs var:Lang.btn.print ?></a>
<?cs if:Entry.kind == "refund" ?><a href="/refund"><?cs var:Lang.btn.next_refund ?></a><?cs elif:Entry.kind == "sale" ?><a href="/sell"><?cs var:Lang.btn.next_sale ?></a><?cs /if ?></p>
<?cs if:Form.err.reason && (Entry.reversed_by || (Entry.kind != "sale" && Entry.kind != "refund")) ?><p class="err form-err" role="alert"><span class="err" id="err-reason"><?cs var:Form.err.reason ?></span></p><?cs /if ?>
<?cs if:Entry.reversed_by ?><p class="warn reversed"><?cs var:Lang.page.reversed ?> <a href="/sale?id=<?cs var:Entry.reversed_by ?>"><?cs var:Lang.btn.view ?></a></p>
<?cs elif:Op.right.F21 && (Entry.kind == "sale" || Entry.kind == "refund") ?>
<section class="reversal-part"><h2><?cs var:Lang.page.reversal_section ?></h2>
<form method="post" action="/reversal" class="form reversal" data-confirm="<?cs var:Lang.confirm.reversal ?>">
<?cs call:csrf() ?>
<input type="hidden" name="id" value="<?cs var:Entry.id ?>">
<input type="hidden" name="idem" value="<?cs var:Form.idem ?>">
<?cs call:text("reason", Lang.page.reversal_reason, "text") ?>
<button type="submit"><?cs var:Lang.btn.reverse ?></button>
</form></section>
<?cs /if ?>
<?cs call:foot() ?>

<?cs # account.cs - one account: holder, meters with their last reads, money and ledger entries. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.account) ?>
<?cs if:Page.money && Lang.err[Page.money] ?><p class="err form-err" id="money-refused"><?cs var:Lang.page.open_money_refused ?><?cs var:Lang.err[Page.money] ?></p><?cs /if ?>
<?cs if:Page.first && Lang.err[Page.first] ?><p class="err form-err" id="first-refused"><?cs var:Lang.page.first_refused ?><?cs var:Lang.err[Page.first] ?></p><?cs /if ?>
<table class="counts">
<tr><th><?cs var:Lang.col.holder ?></th><td class="holder"><?cs var:Account.holder ?></td></tr>
<tr><th><?cs var:Lang.col.holder_no ?></th><td><?cs var:Account.holder_no ?></td></tr>
<tr><th><?cs var:Lang.col.phone ?></th><td><?cs var:Account.phone ?></td></tr>
<tr><th><?cs var:Lang.col.room ?></th><td><?cs var:Account.building ?> <?cs var:Account.room ?></td></tr>
<tr><th><?cs var:Lang.col.status ?></th><td><?cs var:Lang.account[Account.status] ?></td></tr>
<tr><th><?cs var:Lang.col.opened ?></th><td><?cs var:Account.opened ?></td></tr>
<tr><th><?cs var:Lang.page.money ?></th><td class="money" id="account-money"><?cs var:Account.money ?></td></tr>
<?cs if:Tier.tier ?><tr><th><?cs var:Lang.page.tier_month ?></th><td id="account-tier"><?cs var:Tier.month ?>: <?cs var:Tier.kwh ?> kWh, <?cs var:Lang.page.tier_no ?> <?cs var:Tier.tier ?> (<?cs var:Tier.tiers ?>)</td></tr><?cs /if ?>
</table>
<?cs if:Account.pending > 0 ?><p class="warn"><?cs var:Lang.page.pending_note ?> (<?cs var:Account.pending ?>)</p><?cs /if ?>
<?cs if:Account.status == "open" ?><p><?cs if:Op.right.F17 ?><a class="button" href="/sell?account=<?cs var:Account.id ?>"><?cs var:Lang.nav.sell ?></a><?cs /if ?>
<?cs if:Op.right.F19 ?><a class="button" href="/refund?account=<?cs var:Account.id ?>"><?cs var:Lang.nav.refund ?></a><?cs /if ?>
<?cs if:Op.right.F11 ?><a class="button" href="/account/meter?id=<?cs var:Account.id ?>&amp;mode=add"><?cs var:Lang.btn.add_meter ?></a>
<a class="button" href="/account/meter?id=<?cs var:Account.id ?>&amp;mode=replace"><?cs var:Lang.btn.replace_meter ?></a>
<a class="button" href="/account/student-password?account=<?cs var:Account.id ?>"><?cs var:Lang.student.title ?></a><?cs /if ?>
<?cs if:Op.right.F13 ?><a class="button" href="/close?id=<?cs var:Account.id ?>"><?cs var:Lang.btn.close ?></a><?cs /if ?>
<?cs if:Op.right.ADJ ?><a class="button" href="/adjust?account=<?cs var:Account.id ?>"><?cs var:Lang.btn.adjust ?></a><?cs /if ?></p><?cs /if ?>
<h2><?cs var:Lang.col.meters ?></h2>
<table class="list">
<thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.page.remaining ?></th><th><?cs var:Lang.page.purchase_count ?></th><th><?cs var:Lang.page.relay ?></th><th><?cs var:Lang.page.read_at ?></th></tr></thead>
<tbody><?cs each:m = Meters ?><tr><td><?cs var:m.number ?></td><td class="money"><?cs var:m.remaining ?></td><td><?cs var:m.purchase_count ?></td><td><?cs if:m.lost == 1 ?><?cs var:Lang.page.lost ?><?cs elif:m.relay_closed == 1 ?><?cs var:Lang.page.relay_on ?><?cs elif:m.relay_closed == "0" ?><?cs var:Lang.page.relay_off ?><?cs /if ?></td><td><?cs var:m.read_at ?></td></tr><?cs /each ?></tbody></table>
<h2><?cs var:Lang.page.entries ?></h2>
<table class="list">
<thead><tr><th><?cs var:Lang.col.time ?></th><th><?cs var:Lang.col.kind ?></th><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.col.amount ?></th><th><?cs var:Lang.col.op_name ?></th><th><?cs var:Lang.col.status ?></th><th></th></tr></thead>
<tbody><?cs each:e = Entries ?><tr><td><?cs var:e.at ?></td><td><?cs var:Lang.kind[e.kind] ?></td><td><?cs var:e.meter ?></td><td class="money"><?cs var:e.amount ?></td><td><?cs if:e.who ?><?cs var:e.who ?><?cs else ?><?cs var:Lang.channel[e.channel] ?><?cs /if ?></td><td><?cs var:Lang.cmd[e.status] ?></td><td><a href="/sale?id=<?cs var:e.id ?>"><?cs var:Lang.btn.view ?></a></td></tr><?cs /each ?>
<?cs if:!Entries.0.id ?><tr><td colspan="7"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<?cs call:foot() ?>

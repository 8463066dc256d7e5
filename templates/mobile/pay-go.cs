<?cs # pay-go.cs - M3 the order is made: the amount once more and the way to the gateway. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.pay.go_title) ?>
<section class="card">
<p class="label"><?cs var:Lang.pay.amount ?></p>
<p class="big" id="go-amount">¥<?cs var:Go.amount ?></p>
<p class="note"><?cs var:Lang.pay.order_no ?> <span id="go-no"><?cs var:Go.no ?></span></p>
</section>
<p><a class="btn primary" id="go" href="<?cs var:Go.url ?>" rel="noreferrer"><?cs if:Go.channel == "wechat" ?><?cs var:Lang.pay.go_wechat ?><?cs else ?><?cs var:Lang.pay.go ?><?cs /if ?></a></p>
<p class="note"><?cs var:Lang.pay.go_note ?></p>
<p><a href="/m/pay/order?no=<?cs var:url_escape(Go.no) ?>"><?cs var:Lang.pay.follow ?></a></p>
<?cs call:foot() ?>

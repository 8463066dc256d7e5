<?cs # gateway.cs - F7 a gateway and the bus of each of its ports. ?>
<?cs include:"layout.cs" ?>
<?cs if:Form.id ?><?cs call:head(Lang.page.gateway_edit) ?><?cs else ?><?cs call:head(Lang.page.gateway_new) ?><?cs /if ?>
<form method="post" action="/gateway<?cs if:Form.id ?>?id=<?cs var:Form.id ?><?cs /if ?>" class="form">
<?cs call:csrf() ?>
<?cs call:text("name", Lang.col.name, "text") ?>
<?cs call:text("host", Lang.col.host, "text") ?>
<?cs call:text("ports", Lang.col.ports, "number") ?>
<label for="f-building_id"><?cs var:Lang.col.building ?></label>
<select id="f-building_id" name="building_id"><option value=""></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Form.building_id == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<?cs call:err("building_id") ?>
<?cs call:text("note", Lang.col.note, "text") ?>
<h2><?cs var:Lang.page.port_settings ?></h2>
<table class="ports">
<thead><tr><th><?cs var:Lang.col.port ?></th><th><?cs var:Lang.col.bus ?></th><th><?cs var:Lang.page.baud ?></th><th><?cs var:Lang.page.parity ?></th><th><?cs var:Lang.page.stop ?></th></tr></thead>
<tbody>
<?cs each:p = Ports ?>
<?cs set:a = "addr" + p ?><?cs set:b = "baud" + p ?><?cs set:y = "parity" + p ?><?cs set:s = "stop" + p ?>
<tr class="port" data-port="<?cs var:p ?>"><td><?cs var:p ?></td>
<td><input name="addr<?cs var:p ?>" value="<?cs var:Form[a] ?>" size="40" placeholder="tcp://192.168.1.10:502"><?cs call:err(a) ?></td>
<td><select name="baud<?cs var:p ?>"><?cs each:v = Bauds ?><?cs if:v ?><option<?cs if:Form[b] == v || (!Form[b] && v == "9600") ?> selected<?cs /if ?>><?cs var:v ?></option><?cs /if ?><?cs /each ?></select><?cs call:err(b) ?></td>
<td><select name="parity<?cs var:p ?>"><option<?cs if:Form[y] == "E" || !Form[y] ?> selected<?cs /if ?>>E</option><option<?cs if:Form[y] == "N" ?> selected<?cs /if ?>>N</option><option<?cs if:Form[y] == "O" ?> selected<?cs /if ?>>O</option></select><?cs call:err(y) ?></td>
<td><select name="stop<?cs var:p ?>"><option<?cs if:Form[s] == "1" || !Form[s] ?> selected<?cs /if ?>>1</option><option<?cs if:Form[s] == "2" ?> selected<?cs /if ?>>2</option></select><?cs call:err(s) ?></td></tr>
<?cs /each ?>
</tbody></table>
<button type="submit"><?cs var:Lang.btn.save ?></button> <a href="/gateways"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>

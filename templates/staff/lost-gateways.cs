<?cs # lost-gateways.cs - F27 lost gateways: since when, their meters, the last good read and their buses' health (columns in lost-meters.cs). ?>
<?cs set:Mode.gateways = 1 ?>
<?cs include:"lost-meters.cs" ?>

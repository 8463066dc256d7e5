/* showpw.js - the "显示密码" box of the password forms (both sites): shows what was typed in the form's password fields; without this script the box stays hidden and the form works the same. */
(function () {
	function show(form, on) {
		var f = form.querySelectorAll(on ? 'input[type=password]' : 'input[data-shown]');

		for (var i = 0; i < f.length; i++) {
			f[i].type = on ? 'text' : 'password';
			if (on)
				f[i].setAttribute('data-shown', '1');
			else
				f[i].removeAttribute('data-shown');
		}
	}
	var boxes = document.querySelectorAll('.showpw input[type=checkbox]');

	for (var i = 0; i < boxes.length; i++) {
		var box = boxes[i];

		if (!box.form)
			continue;
		box.checked = false;
		box.closest('.showpw').hidden = false;
		box.addEventListener('change', function (e) {
			show(e.target.form, e.target.checked);
		});
		/* sent, and kept by a password manager, as a password field */
		box.form.addEventListener('submit', function (e) {
			var b = e.target.querySelector('.showpw input[type=checkbox]');

			if (b)
				b.checked = false;
			show(e.target, false);
		});
	}
})();

/* xlsx.c - libxlsxwriter cannot write to memory: write a temp file, hand back its fd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "xlsx.h"

struct xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold;
	lxw_format *fmt[XF_N];		/* by enum xlsx_fmt */
	lxw_format *boldfmt[XF_N];	/* the same in bold: totals */
	char path[512];
	char tmpdir[400];
};

struct xlsx *
xlsx_new(const char *tmpdir, const char *sheet)
{
	struct xlsx *x;
	lxw_workbook_options opt = { 0 };
	int fd;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	snprintf(x->tmpdir, sizeof(x->tmpdir), "%s", tmpdir);
	snprintf(x->path, sizeof(x->path), "%s/export-XXXXXX", tmpdir);
	if ((fd = mkstemp(x->path)) == -1) {
		free(x);
		return NULL;
	}
	close(fd);
	opt.constant_memory = LXW_TRUE;
	opt.tmpdir = x->tmpdir;
	if ((x->wb = workbook_new_opt(x->path, &opt)) == NULL ||
	    (x->ws = workbook_add_worksheet(x->wb, sheet)) == NULL) {
		if (x->wb)
			workbook_close(x->wb);
		unlink(x->path);
		free(x);
		errno = EIO;
		return NULL;
	}
	x->bold = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	for (int i = 0; i < XF_N; i++) {
		static const char *const nf[XF_N] = {
			[XF_TEXT] = NULL, [XF_INT] = "0", [XF_YUAN] = "0.00",
			[XF_KWH] = "0.00", [XF_DATE] = "yyyy-mm-dd",
			[XF_DATETIME] = "yyyy-mm-dd hh:mm:ss",
		};

		x->fmt[i] = workbook_add_format(x->wb);
		x->boldfmt[i] = workbook_add_format(x->wb);
		format_set_bold(x->boldfmt[i]);
		if (nf[i]) {
			format_set_num_format(x->fmt[i], nf[i]);
			format_set_num_format(x->boldfmt[i], nf[i]);
		}
	}
	return x;
}

int
xlsx_header(struct xlsx *x, const char *const *heads, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (worksheet_write_string(x->ws, 0, (lxw_col_t)i, heads[i],
		    x->bold) != LXW_NO_ERROR)
			return -1;
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, 16,
		    NULL);
	}
	return xlsx_freeze(x, 1, 0);
}

int
xlsx_freeze(struct xlsx *x, uint32_t rows, uint16_t cols)
{
	/* kept in the sheet's view settings, written when it is closed, so
	 * it works in constant memory mode too */
	worksheet_freeze_panes(x->ws, rows, cols);
	return 0;
}

int
xlsx_cell(struct xlsx *x, uint32_t row, uint16_t col, const char *text)
{
	if (*text == '\0')
		return 0;
	return worksheet_write_string(x->ws, row, col, text, NULL) ==
	    LXW_NO_ERROR ? 0 : -1;
}

int
xlsx_number(struct xlsx *x, uint32_t row, uint16_t col, double v,
    enum xlsx_fmt fmt, int bold)
{
	if (fmt < 0 || fmt >= XF_N)
		fmt = XF_TEXT;
	return worksheet_write_number(x->ws, row, col, v, bold ?
	    x->boldfmt[fmt] : x->fmt[fmt]) == LXW_NO_ERROR ? 0 : -1;
}

int
xlsx_bold(struct xlsx *x, uint32_t row, uint16_t col, const char *text)
{
	return worksheet_write_string(x->ws, row, col, text, x->bold) ==
	    LXW_NO_ERROR ? 0 : -1;
}

int
xlsx_parse_date(const char *t, int *y, int *mo, int *d, int *h, int *mi,
    int *s)
{
	int n = 0;

	*h = *mi = *s = 0;
	if (sscanf(t, "%4d-%2d-%2d%n", y, mo, d, &n) != 3 || n != 10)
		return -1;
	t += n;
	if (*t == ' ' || *t == 'T') {
		if (sscanf(t + 1, "%2d:%2d%n", h, mi, &n) != 2 || n != 5)
			return -1;
		t += 1 + n;
		if (*t == ':') {
			if (sscanf(t + 1, "%2d%n", s, &n) != 1 || n != 2)
				return -1;
			t += 1 + n;
		}
	}
	if (*t != '\0' || *y < 1900 || *mo < 1 || *mo > 12 || *d < 1 ||
	    *d > 31 || *h > 23 || *mi > 59 || *s > 59 || *h < 0 || *mi < 0 ||
	    *s < 0)
		return -1;
	return 0;
}

int
xlsx_date(struct xlsx *x, uint32_t row, uint16_t col, const char *text,
    enum xlsx_fmt fmt)
{
	lxw_datetime dt;
	int y, mo, d, h, mi, s;

	if (*text == '\0')
		return 0;
	if (xlsx_parse_date(text, &y, &mo, &d, &h, &mi, &s) == -1)
		return xlsx_cell(x, row, col, text);
	dt.year = y;
	dt.month = mo;
	dt.day = d;
	dt.hour = h;
	dt.min = mi;
	dt.sec = s;
	return worksheet_write_datetime(x->ws, row, col, &dt,
	    x->fmt[fmt == XF_DATE ? XF_DATE : XF_DATETIME]) == LXW_NO_ERROR ?
	    0 : -1;
}

int
xlsx_close_fd(struct xlsx *x)
{
	int fd = -1;

	if (workbook_close(x->wb) == LXW_NO_ERROR)
		fd = open(x->path, O_RDONLY);
	unlink(x->path);
	free(x);
	if (fd == -1)
		errno = EIO;
	return fd;
}

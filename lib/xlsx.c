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

/* xlsx.h - spreadsheets through libxlsxwriter, in constant memory, for streaming. */
#ifndef XLSX_H
#define XLSX_H

#include <stddef.h>
#include <stdint.h>

struct xlsx;

/* The number formats a cell can have. */
enum xlsx_fmt {
	XF_TEXT,	/* a string */
	XF_INT,		/* a whole number, "0" */
	XF_YUAN,	/* money in yuan, "0.00" */
	XF_KWH,		/* energy in kWh, "0.00" */
	XF_DATE,	/* a date, "yyyy-mm-dd" */
	XF_DATETIME,	/* a date and time, "yyyy-mm-dd hh:mm:ss" */
	XF_N
};

/* A new workbook with one sheet, written in TMPDIR; NULL with errno. */
struct xlsx *xlsx_new(const char *tmpdir, const char *sheet);
/* Row 0: the column headings, bold, and frozen (they stay in view when the
 * sheet scrolls). */
int xlsx_header(struct xlsx *, const char *const *heads, size_t n);
/* Keeps the first ROWS rows and COLS columns in view (frozen panes). */
int xlsx_freeze(struct xlsx *, uint32_t rows, uint16_t cols);
/* Rows must be written in order (constant memory mode). */
int xlsx_cell(struct xlsx *, uint32_t row, uint16_t col, const char *text);
/* A number with the format FMT (XF_INT, XF_YUAN or XF_KWH); BOLD for a
 * totals row. */
int xlsx_number(struct xlsx *, uint32_t row, uint16_t col, double v,
    enum xlsx_fmt fmt, int bold);
/* TEXT "YYYY-MM-DD" or "YYYY-MM-DD HH:MM[:SS]" as a date cell; text that
 * is no date goes in as a string. */
int xlsx_date(struct xlsx *, uint32_t row, uint16_t col, const char *text,
    enum xlsx_fmt fmt);
/* A bold string (a totals row's label). */
int xlsx_bold(struct xlsx *, uint32_t row, uint16_t col, const char *text);
/* Parses "YYYY-MM-DD[ HH:MM[:SS]]" into its parts; 0, or -1 if it is not
 * one. A pure function for the tests. */
int xlsx_parse_date(const char *text, int *y, int *mo, int *d, int *h,
    int *mi, int *s);
/* Closes the workbook and returns a read-only descriptor of the file, which
 * is already unlinked (the caller closes it), or -1. Frees X either way. */
int xlsx_close_fd(struct xlsx *);

#endif

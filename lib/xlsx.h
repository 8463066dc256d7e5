/* xlsx.h - spreadsheets through libxlsxwriter, in constant memory, for streaming. */
#ifndef XLSX_H
#define XLSX_H

#include <stddef.h>
#include <stdint.h>

struct xlsx;

/* A new workbook with one sheet, written in TMPDIR; NULL with errno. */
struct xlsx *xlsx_new(const char *tmpdir, const char *sheet);
/* Row 0: the column headings, bold. */
int xlsx_header(struct xlsx *, const char *const *heads, size_t n);
/* Rows must be written in order (constant memory mode). */
int xlsx_cell(struct xlsx *, uint32_t row, uint16_t col, const char *text);
/* Closes the workbook and returns a read-only descriptor of the file, which
 * is already unlinked (the caller closes it), or -1. Frees X either way. */
int xlsx_close_fd(struct xlsx *);

#endif

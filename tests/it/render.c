/* render.c - renders one template of templates/ the way staff.fcgi does (HTML escaping on, the cgi string functions), from an HDF file, for template tests. */
#include <stdio.h>

#include <ClearSilver.h>

static NEOERR *
out(void *ctx, char *s)
{
	fputs(s, stdout);
	return STATUS_OK;
}

int
main(int argc, char **argv)
{
	HDF *hdf = NULL;
	CSPARSE *cs = NULL;
	NEOERR *err;

	if (argc != 4) {
		fprintf(stderr, "usage: render TEMPLATE_DIR DATA.hdf TEMPLATE\n");
		return 2;
	}
	if ((err = hdf_init(&hdf)) == STATUS_OK &&
	    (err = hdf_set_value(hdf, "hdf.loadpaths.0", argv[1])) == STATUS_OK &&
	    (err = hdf_set_value(hdf, "Config.VarEscapeMode", "html")) == STATUS_OK &&
	    (err = hdf_read_file(hdf, argv[2])) == STATUS_OK &&
	    (err = cs_init(&cs, hdf)) == STATUS_OK &&
	    (err = cgi_register_strfuncs(cs)) == STATUS_OK &&
	    (err = cs_parse_file(cs, argv[3])) == STATUS_OK)
		err = cs_render(cs, NULL, out);
	if (err != STATUS_OK) {
		nerr_log_error(err);
		return 1;
	}
	cs_destroy(&cs);
	hdf_destroy(&hdf);
	return 0;
}

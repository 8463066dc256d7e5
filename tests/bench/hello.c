/* hello.c - the smallest FastCGI program: the limit the staff console is measured against. */
#include <fcgiapp.h>

int
main(void)
{
	FCGX_Request r;

	FCGX_Init();
	FCGX_InitRequest(&r, 0, 0);
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_FPrintF(r.out, "Status: 200\r\nContent-Type: text/plain\r\n"
		    "Content-Length: 12\r\n\r\nhello world\n");
		FCGX_Finish_r(&r);
	}
	return 0;
}

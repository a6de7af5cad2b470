/*
 * ioport/clock on the desktop builds (lin, mac): CLOCK_MONOTONIC in
 * microseconds. Only there so the firmware compiles for the Moddable
 * desktop target.
 */
#include "xsmc.h"
#include <time.h>

void xs_ioport_microseconds(xsMachine *the)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	xsmcSetNumber(xsResult, (xsNumberValue)ts.tv_sec * 1e6 + (xsNumberValue)(ts.tv_nsec / 1000));
}

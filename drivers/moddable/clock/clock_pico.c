/*
 * ioport/clock on the RP2040: the 64-bit microsecond TIMER (time_us_64).
 * A Number holds it exactly for 285 years.
 */
#include "xsmc.h"
#include "pico/time.h"

void xs_ioport_microseconds(xsMachine *the)
{
	xsmcSetNumber(xsResult, (xsNumberValue)time_us_64());
}

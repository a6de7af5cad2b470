/*
 * ioport/clock on ESP32: esp_timer_get_time(), microseconds since boot
 * (64-bit, monotonic).
 */
#include "xsmc.h"
#include "esp_timer.h"

void xs_ioport_microseconds(xsMachine *the)
{
	xsmcSetNumber(xsResult, (xsNumberValue)esp_timer_get_time());
}

/*
 * ioport/irqcapture on the desktop builds (lin, mac): there are no GPIO
 * interrupts, so every pin is refused. It exists so that the firmware builds
 * there as a compile check (boards/sim-devkit.json).
 */
#include "xsmc.h"

void xs_irqcapture_destructor(void *data)
{
}

void xs_irqcapture(xsMachine *the)
{
	xsUnknownError("no native interrupt capture on this platform");
}

void xs_irqcapture_close(xsMachine *the)
{
}

void xs_irqcapture_grant(xsMachine *the)
{
	xsUnknownError("no native interrupt capture on this platform");
}

void xs_irqcapture_revoke(xsMachine *the)
{
}

void xs_irqalarm_destructor(void *data)
{
}

void xs_irqalarm(xsMachine *the)
{
	xsUnknownError("no hardware alarms on this platform");
}

void xs_irqalarm_close(xsMachine *the)
{
}

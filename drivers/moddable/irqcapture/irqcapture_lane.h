/*
 * The native fast lane (docs/chip.md, "The native fast lane"): the part of
 * ioport/irqcapture that delivers a batch of edges straight into a task's
 * io_watch waiter, as the kernel's direct delivery (core/objects/direct.ts)
 * would, while the kernel grants it (core/objects/lane.ts). Shared by every
 * platform's capture (irqcapture_pico.c, irqcapture_esp32.c, and the host
 * build the tests link into xsnap).
 *
 * What runs where: everything here runs on the XS machine's thread (the
 * main loop's message delivery, or a JS call to grant/revoke); the ISR never
 * touches a lane. So a lane needs no lock: grant, revoke and deliver are
 * never concurrent.
 */
#ifndef IOPORT_IRQCAPTURE_LANE_H
#define IOPORT_IRQCAPTURE_LANE_H

#include "xsmc.h"
#include <stdint.h>

typedef struct {
	xsSlot memory;		/* the task's ArrayBuffer (its data may move: looked up per batch) */
	xsSlot cb;			/* the waiter: io_watch / io_wait_cb callback, or io_wait's resolve */
	xsSlot exit;		/* Kernel.laneExit */
	xsSlot state;		/* Kernel.laneState's ArrayBuffer: [0] callbacks running, [1] exit needed */
	uint32_t out, ev, udLo, udHi, opcode, flags, kind;
	uint8_t open;		/* between captureLaneOpen and captureLaneClose */
	uint8_t granted;
	uint8_t inCallback;
	uint8_t revokedInCallback;	/* revoked while its callback ran */
	uint8_t level;		/* after the last delivered edge */
	double edges;		/* delivered since the grant */
	double batches;		/* callbacks made since the grant */
} CaptureLane;

/* At capture creation / close: the lane's slots are remembered for the record's life. */
void captureLaneOpen(xsMachine *the, CaptureLane *lane);
void captureLaneClose(xsMachine *the, CaptureLane *lane);

/*
 * Inside xsBeginHost: if the lane is granted, stores the completion and the
 * IrqEvent of `count` edges (the first at `firstNs` on the kernel's clock,
 * `level` after the last), calls the callback and returns 1; else returns 0
 * and the caller hands the batch to JS (onEdges).
 */
int captureLaneDeliver(xsMachine *the, CaptureLane *lane, uint32_t count, double firstNs, uint8_t level);

/*
 * The lane's host functions, one pair for both classes of irqcapture.js
 * (IrqCapture and IrqAlarm name the same two): grant(memory, out, ev, udLo,
 * udHi, opcode, flags, kind, cb, exit, state) and revoke(into). Every
 * platform's records start with their CaptureLane, and their host data
 * points to the record (or is NULL once closed).
 */
void xs_irqcapture_grant(xsMachine *the);
void xs_irqcapture_revoke(xsMachine *the);

/* A batch's first edge time on the kernel's clock (ns): the 32-bit µs stamp placed by its distance back from now (µs, 64-bit), as drivers/moddable/capture.ts does. */
static inline double captureFirstNs(uint64_t nowUs, uint32_t firstUs)
{
	uint32_t back = (uint32_t)nowUs - firstUs;
	return (double)(nowUs - back) * 1000.0;
}

/*
 * An alarm's due times passed by `nowUs`: counts them and moves *dueUs to
 * the first one still ahead (a one-shot alarm: one at most). Due times are
 * absolute (first + k·period), so a late ISR counts what it missed and the
 * next due time does not drift. The alarm ISRs' count (irqcapture_pico.c,
 * irqcapture_esp32.c, the host build).
 */
static inline uint32_t captureDuePassed(uint64_t *dueUs, uint32_t periodUs, uint8_t oneshot, uint64_t nowUs)
{
	if (*dueUs > nowUs) return 0;
	if (oneshot) {
		*dueUs += periodUs;
		return 1;
	}
	uint64_t n = (nowUs - *dueUs) / periodUs + 1;
	*dueUs += n * periodUs;
	return (n > 0xffffffffu) ? 0xffffffffu : (uint32_t)n;
}

#endif

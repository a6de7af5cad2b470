/*
 * The native fast lane: see irqcapture_lane.h for what runs where, and
 * core/devices.ts (IrqLane) for the contract with the kernel. The stores
 * follow core/abi.ts through irqcapture_abi.h (generated from it): the
 * completion first, then the IrqEvent, the order direct delivery uses for
 * a multishot arm.
 */
#include "irqcapture_lane.h"
#include "irqcapture_abi.h"
#include <string.h>

void captureLaneOpen(xsMachine *the, CaptureLane *lane)
{
	lane->open = 1;
	lane->granted = 0;
	lane->inCallback = 0;
	lane->revokedInCallback = 0;
	lane->memory = xsUndefined;
	lane->cb = xsUndefined;
	lane->exit = xsUndefined;
	lane->state = xsUndefined;
	lane->edges = 0;
	lane->batches = 0;
	xsRemember(lane->memory);
	xsRemember(lane->cb);
	xsRemember(lane->exit);
	xsRemember(lane->state);
}

void captureLaneClose(xsMachine *the, CaptureLane *lane)
{
	lane->open = 0;
	lane->granted = 0;
	xsForget(lane->memory);
	xsForget(lane->cb);
	xsForget(lane->exit);
	xsForget(lane->state);
}

static void store32(uint8_t *p, uint32_t v)
{
	/* byte stores: `out` may be misaligned, and the Cortex-M0+ faults on a misaligned word */
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void storeCompletion(uint8_t *cqe, CaptureLane *lane, uint32_t r)
{
	store32(cqe + 4 * IOPORT_CQE_W_USER_DATA, lane->udLo);
	store32(cqe + 4 * IOPORT_CQE_W_USER_DATA + 4, lane->udHi);
	store32(cqe + 4 * IOPORT_CQE_W_RESULT, r);
	store32(cqe + 4 * IOPORT_CQE_W_RESULT + 4, 0);	/* r >= 0: the i64's high word */
	store32(cqe + 4 * IOPORT_CQE_W_FLAGS, lane->flags);
	store32(cqe + 4 * IOPORT_CQE_W_OPCODE, lane->opcode);
}

static void storeIrqEvent(uint8_t *ev, double firstNs, uint32_t r, uint8_t level)
{
	uint64_t ns = (uint64_t)firstNs;
	store32(ev + 4 * IOPORT_IRQ_EV_W_TIMESTAMP, (uint32_t)ns);
	store32(ev + 4 * IOPORT_IRQ_EV_W_TIMESTAMP + 4, (uint32_t)(ns >> 32));
	store32(ev + 4 * IOPORT_IRQ_EV_W_COUNT, r);
	store32(ev + 4 * IOPORT_IRQ_EV_W_LEVEL, level);
}

int captureLaneDeliver(xsMachine *the, CaptureLane *lane, uint32_t count, double firstNs, uint8_t level)
{
	if (!lane->granted) return 0;
	uint8_t *mem = xsmcToArrayBuffer(lane->memory);
	if (lane->kind & IOPORT_LANE_ONESHOT) {
		/* a one-shot arm's IrqEvent first (its copy-out runs before reap writes the completion) */
		if (lane->ev) storeIrqEvent(mem + lane->ev, firstNs, count, level);
		storeCompletion(mem + lane->out, lane, count);
	}
	else {
		uint32_t r = (count > 0x7fffffff) ? 0x7fffffff : count;
		storeCompletion(mem + lane->out, lane, r);
		if (lane->ev) storeIrqEvent(mem + lane->ev, firstNs, r, level);
	}
	lane->edges += count;
	lane->batches += 1;
	lane->level = level;
	if (lane->kind & IOPORT_LANE_ONCE) lane->granted = 0;	/* the kernel accounts for it at revoke */
	lane->inCallback = 1;
	lane->revokedInCallback = 0;
	((int32_t *)xsmcToArrayBuffer(lane->state))[0] += 1;	/* the kernel sees syscalls made now as the callback's */
	volatile uint8_t threw = 0;
	/* the kernel finishes what direct delivery does after a callback: a
	   thrown error reported inside the flush, or the wakes the callback's
	   syscalls queued (Kernel.laneExit) */
	xsTry {
		xsCallFunction1(lane->cb, xsUndefined, xsInteger(1));
	}
	xsCatch {
		threw = 1;
		((int32_t *)xsmcToArrayBuffer(lane->state))[0] -= 1;
		xsCallFunction2(lane->exit, xsUndefined, xsTrue, xsException);
	}
	if (!threw) {
		int32_t *state = xsmcToArrayBuffer(lane->state);	/* (looked up again: a collection may have moved it) */
		state[0] -= 1;
		if (state[1])
			xsCallFunction2(lane->exit, xsUndefined, xsFalse, xsUndefined);
	}
	lane->inCallback = 0;
	return 1;
}

static uint32_t toU32(xsMachine *the, xsSlot *slot)
{
	double d = xsmcToNumber(*slot);
	return (uint32_t)(int64_t)d;
}

static void laneGrant(xsMachine *the, CaptureLane *lane)
{
	uint32_t size = xsmcGetArrayBufferLength(xsArg(0));
	uint32_t out = toU32(the, &xsArg(1));
	uint32_t ev = toU32(the, &xsArg(2));
	/* the kernel checked both at submit and at the wait; a lane must never store outside the task */
	if ((out > size) || (size - out < IOPORT_COMPLETION_SIZE)) xsRangeError("lane: completion outside the task's memory");
	if (ev && ((ev > size) || (size - ev < IOPORT_IRQ_EVENT_SIZE))) xsRangeError("lane: IrqEvent outside the task's memory");
	/* a remembered slot is linked through its own fields: forget it before a new value, remember it again after */
	xsForget(lane->memory);
	lane->memory = xsArg(0);
	xsRemember(lane->memory);
	lane->out = out;
	lane->ev = ev;
	lane->udLo = toU32(the, &xsArg(3));
	lane->udHi = toU32(the, &xsArg(4));
	lane->opcode = toU32(the, &xsArg(5));
	lane->flags = toU32(the, &xsArg(6));
	lane->kind = toU32(the, &xsArg(7));
	xsForget(lane->cb);
	lane->cb = xsArg(8);
	xsRemember(lane->cb);
	xsForget(lane->exit);
	lane->exit = xsArg(9);
	xsRemember(lane->exit);
	if (xsmcGetArrayBufferLength(xsArg(10)) < 8) xsRangeError("lane: state needs 8 bytes");
	xsForget(lane->state);
	lane->state = xsArg(10);
	xsRemember(lane->state);
	lane->edges = 0;
	lane->batches = 0;
	lane->granted = 1;
}

static void laneRevoke(xsMachine *the, CaptureLane *lane)
{
	double v[4];
	v[0] = lane->edges;
	v[1] = lane->batches;
	v[2] = lane->inCallback;
	v[3] = lane->level;
	if (xsmcGetArrayBufferLength(xsArg(0)) < (int)sizeof(v)) xsRangeError("lane: revoke needs 32 bytes");
	memcpy(xsmcToArrayBuffer(xsArg(0)), v, sizeof(v));
	lane->edges = 0;
	lane->batches = 0;
	lane->granted = 0;
	if (lane->inCallback) lane->revokedInCallback = 1;
}

void xs_irqcapture_grant(xsMachine *the)
{
	CaptureLane *lane = xsmcGetHostData(xsThis);
	if (!lane || !lane->open) xsUnknownError("capture closed");
	laneGrant(the, lane);
}

void xs_irqcapture_revoke(xsMachine *the)
{
	CaptureLane *lane = xsmcGetHostData(xsThis);
	if (lane) laneRevoke(the, lane);
}

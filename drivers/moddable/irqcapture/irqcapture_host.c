/*
 * ioport/irqcapture's host build, for the tests only: the native fast lane
 * (irqcapture_lane.c, the very file the boards build) linked into xsnap
 * (tools/xs/lane-worker.mjs), with a simulated interrupt side in place of
 * the Pico's or ESP32's.
 *
 * It installs two globals:
 * - IrqCapture: the class irqcapture.js declares (constructor, close,
 *   grant, revoke), the same host functions' bodies as the boards';
 * - IrqCaptureSim: isr(pin, level, us) is one edge seen by the ISR at `us`
 *   (counted, first/last time, level, one message posted per batch, as
 *   captureISR does); pump() delivers the posted messages in order, as
 *   Moddable's main loop does (deliver: the lane if granted, else onEdges),
 *   and returns how many; setNow(us) sets the clock deliver reads;
 *   laneBatches() counts the batches the lane delivered; alarmNext() is
 *   the earliest due time of the open alarms (-1: none), and
 *   alarmFire(us) runs the alarm ISR for every alarm due by `us`.
 * - IrqAlarm: the class of the same name (a timer line's hardware alarm),
 *   counting its due times with captureDuePassed as the boards' ISRs do.
 * Single-threaded: the "ISR" runs between JS calls, never inside one.
 */
#include "xsmc.h"
#include "irqcapture_lane.h"
#include <stdint.h>

#define kPins 32
#define kRise 1
#define kFall 2

typedef struct {
	CaptureLane lane;	/* first (the lane's host functions find it there) */
	xsMachine *the;
	xsSlot callback;
	uint32_t edges;
	uint32_t count;
	uint32_t firstUs;
	uint32_t lastUs;
	uint8_t level;
	uint8_t posted;
	uint8_t open;
} CaptureRecord;

static CaptureRecord gCapture[kPins];
static uint8_t gQueue[256];		/* posted messages in order: a pin, or kPins + an alarm */
static uint32_t gHead, gCount;
static uint64_t gNowUs;
static double gLaneBatches;
static xsSlot gPrototype;	/* IrqCapture.prototype: instances are made from it as host objects */

static void deliver(CaptureRecord *c)
{
	uint32_t count = c->count, firstUs = c->firstUs, lastUs = c->lastUs, level = c->level;
	c->count = 0;
	c->posted = 0;
	if (!c->open || !count) return;
	xsBeginHost(c->the);
		if (captureLaneDeliver(the, &c->lane, count, captureFirstNs(gNowUs, firstUs), level))
			gLaneBatches += 1;
		else
			xsCallFunction4(c->callback, xsUndefined, xsInteger(count), xsNumber(firstUs), xsNumber(lastUs), xsInteger(level));
	xsEndHost(c->the);
}

static void xs_irqcapture_destructor(void *data)
{
	CaptureRecord *c = data;
	if (c) c->open = 0;
}

static void xs_irqcapture(xsMachine *the)
{
	int pin = xsmcToInteger(xsArg(0));
	int edges = xsmcToInteger(xsArg(1));
	int pull = xsmcToInteger(xsArg(2));
	if ((pin < 0) || (pin >= kPins)) xsRangeError("invalid pin");
	if ((edges < 1) || (edges > 3)) xsRangeError("invalid edges");
	if ((pull < 0) || (pull > 2)) xsRangeError("invalid pull");
	if (!xsmcIsInstanceOf(xsArg(3), xsFunctionPrototype)) xsTypeError("onEdges must be a function");
	CaptureRecord *c = &gCapture[pin];
	if (c->open) xsUnknownError("pin already captured");
	c->the = the;
	c->callback = xsArg(3);
	xsRemember(c->callback);
	captureLaneOpen(the, &c->lane);
	c->edges = edges;
	c->count = 0;
	c->posted = 0;
	c->open = 1;
	/* a host constructor's `this` is an ordinary object here: return a host instance instead */
	xsResult = xsNewHostInstance(gPrototype);
	xsmcSetHostData(xsResult, c);
}

static void xs_irqcapture_close(xsMachine *the)
{
	CaptureRecord *c = xsmcGetHostData(xsThis);
	if (!c || !c->open) return;
	c->open = 0;
	captureLaneClose(the, &c->lane);
	xsForget(c->callback);
	xsmcSetHostData(xsThis, NULL);
}

/* IrqAlarm: the alarm's record; its ISR is alarmFire below */
typedef struct {
	CaptureRecord c;
	uint64_t dueUs;
	uint32_t periodUs;
	uint8_t oneshot;
	uint8_t done;		/* a one-shot alarm that fired */
} AlarmRecord;

#define kAlarms 4
static AlarmRecord gAlarm[kAlarms];
static xsSlot gAlarmPrototype;

static void xs_irqalarm_destructor(void *data)
{
	AlarmRecord *a = data;
	if (a) a->c.open = 0;
}

static void xs_irqalarm(xsMachine *the)
{
	double firstDueUs = xsmcToNumber(xsArg(0));
	double periodUs = xsmcToNumber(xsArg(1));
	int oneshot = xsmcToInteger(xsArg(2));
	if (!(firstDueUs >= 0) || !(periodUs >= 1) || (periodUs > 4294967295.0)) xsRangeError("invalid due time or period");
	if (!xsmcIsInstanceOf(xsArg(3), xsFunctionPrototype)) xsTypeError("onFire must be a function");
	AlarmRecord *a = NULL;
	for (int i = 0; i < kAlarms; i++) if (!gAlarm[i].c.open) { a = &gAlarm[i]; break; }
	if (!a) xsUnknownError("no free hardware alarm");
	CaptureRecord *c = &a->c;
	c->the = the;
	c->callback = xsArg(3);
	xsRemember(c->callback);
	captureLaneOpen(the, &c->lane);
	c->count = 0;
	c->posted = 0;
	a->dueUs = (uint64_t)firstDueUs;
	a->periodUs = (uint32_t)periodUs;
	a->oneshot = oneshot ? 1 : 0;
	a->done = 0;
	c->open = 1;
	xsResult = xsNewHostInstance(gAlarmPrototype);
	xsmcSetHostData(xsResult, a);
}

static void xs_irqalarm_close(xsMachine *the)
{
	AlarmRecord *a = xsmcGetHostData(xsThis);
	if (!a || !a->c.open) return;
	a->c.open = 0;
	captureLaneClose(the, &a->c.lane);
	xsForget(a->c.callback);
	xsmcSetHostData(xsThis, NULL);
}

static void xs_sim_alarmNext(xsMachine *the)
{
	double next = -1;
	for (int i = 0; i < kAlarms; i++) {
		AlarmRecord *a = &gAlarm[i];
		if (!a->c.open || a->done) continue;
		if ((next < 0) || ((double)a->dueUs < next)) next = (double)a->dueUs;
	}
	xsmcSetNumber(xsResult, next);
}

/* The ISR of every alarm due by `us` (as irqcapture_pico.c's alarmISR: the clock read first, due times counted, one message per batch). */
static void xs_sim_alarmFire(xsMachine *the)
{
	uint64_t now = (uint64_t)xsmcToNumber(xsArg(0));
	for (int i = 0; i < kAlarms; i++) {
		AlarmRecord *a = &gAlarm[i];
		CaptureRecord *c = &a->c;
		if (!c->open || a->done) continue;
		uint32_t n = captureDuePassed(&a->dueUs, a->periodUs, a->oneshot, now);
		if (!n) continue;
		if (a->oneshot) a->done = 1;
		if (0 == c->count) c->firstUs = (uint32_t)now;
		c->count += n;
		c->lastUs = (uint32_t)now;
		c->level = 0;
		if (!c->posted) {
			if (gCount == sizeof(gQueue)) xsUnknownError("message queue full");
			c->posted = 1;
			gQueue[(gHead + gCount++) % sizeof(gQueue)] = (uint8_t)(kPins + i);
		}
	}
}

static void xs_sim_isr(xsMachine *the)
{
	int pin = xsmcToInteger(xsArg(0));
	int level = xsmcToInteger(xsArg(1)) ? 1 : 0;
	uint32_t us = (uint32_t)(uint64_t)xsmcToNumber(xsArg(2));
	if ((pin < 0) || (pin >= kPins)) xsRangeError("invalid pin");
	CaptureRecord *c = &gCapture[pin];
	if (!c->open || !(c->edges & (level ? kRise : kFall))) return;
	if (0 == c->count) c->firstUs = us;
	c->count += 1;
	c->lastUs = us;
	c->level = level;
	if (!c->posted) {
		if (gCount == sizeof(gQueue)) xsUnknownError("message queue full");
		c->posted = 1;
		gQueue[(gHead + gCount++) % sizeof(gQueue)] = pin;
	}
}

static void xs_sim_pump(xsMachine *the)
{
	int n = 0;
	while (gCount) {
		uint8_t q = gQueue[gHead];
		CaptureRecord *c = (q < kPins) ? &gCapture[q] : &gAlarm[q - kPins].c;
		gHead = (gHead + 1) % sizeof(gQueue);
		gCount--;
		deliver(c);
		n++;
	}
	xsmcSetInteger(xsResult, n);
}

static void xs_sim_setNow(xsMachine *the)
{
	gNowUs = (uint64_t)xsmcToNumber(xsArg(0));
}

static void xs_sim_laneBatches(xsMachine *the)
{
	xsmcSetNumber(xsResult, gLaneBatches);
}

/* Called by the relinked xsnap-worker.c's xsBuildAgent (tools/xs/lane-worker.mjs). */
void ioportInstallIrqCapture(xsMachine *machine)
{
	xsBeginHost(machine);
	xsmcVars(3);
	xsVar(0) = xsNewHostObject(xs_irqcapture_destructor);
	xsVar(1) = xsNewHostFunction(xs_irqcapture_close, 0);
	xsmcDefine(xsVar(0), xsID("close"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_irqcapture_grant, 11);
	xsmcDefine(xsVar(0), xsID("grant"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_irqcapture_revoke, 1);
	xsmcDefine(xsVar(0), xsID("revoke"), xsVar(1), xsDontEnum);
	gPrototype = xsVar(0);
	xsRemember(gPrototype);
	xsVar(1) = xsNewHostConstructor(xs_irqcapture, 4, xsVar(0));
	xsmcDefine(xsGlobal, xsID("IrqCapture"), xsVar(1), xsDontEnum);
	xsVar(2) = xsNewObject();
	xsVar(1) = xsNewHostFunction(xs_sim_isr, 3);
	xsmcDefine(xsVar(2), xsID("isr"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sim_pump, 0);
	xsmcDefine(xsVar(2), xsID("pump"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sim_setNow, 1);
	xsmcDefine(xsVar(2), xsID("setNow"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sim_laneBatches, 0);
	xsmcDefine(xsVar(2), xsID("laneBatches"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sim_alarmNext, 0);
	xsmcDefine(xsVar(2), xsID("alarmNext"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sim_alarmFire, 1);
	xsmcDefine(xsVar(2), xsID("alarmFire"), xsVar(1), xsDontEnum);
	xsmcDefine(xsGlobal, xsID("IrqCaptureSim"), xsVar(2), xsDontEnum);
	xsVar(0) = xsNewHostObject(xs_irqalarm_destructor);
	xsVar(1) = xsNewHostFunction(xs_irqalarm_close, 0);
	xsmcDefine(xsVar(0), xsID("close"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_irqcapture_grant, 11);
	xsmcDefine(xsVar(0), xsID("grant"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_irqcapture_revoke, 1);
	xsmcDefine(xsVar(0), xsID("revoke"), xsVar(1), xsDontEnum);
	gAlarmPrototype = xsVar(0);
	xsRemember(gAlarmPrototype);
	xsVar(1) = xsNewHostConstructor(xs_irqalarm, 4, xsVar(0));
	xsmcDefine(xsGlobal, xsID("IrqAlarm"), xsVar(1), xsDontEnum);
	xsEndHost(machine);
}

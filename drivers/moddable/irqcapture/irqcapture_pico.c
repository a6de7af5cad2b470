/*
 * ioport/irqcapture on the RP2040 (pico-sdk 2.x): GPIO edges counted and
 * timestamped in the interrupt handler.
 *
 * What runs where:
 * - ISR (IO_IRQ_BANK0, a raw handler for the captured pins only, so the
 *   SDK's shared GPIO callback that Moddable's Digital uses keeps every
 *   other pin): reads the 1 µs TIMER first, then for each captured pin with
 *   an event acknowledges it, adds the number of edge bits to `count` (a
 *   rising and a falling edge latched together are two), keeps the first
 *   and the last time and the level now, and posts one message per batch
 *   (`posted`). No allocation, no XS.
 * - Main loop (deliver, a Moddable message): takes the batch with
 *   interrupts off (count, times, level; count = 0, posted = 0), interrupts
 *   on again, then hands it to the native fast lane if the kernel granted
 *   it (irqcapture_lane.c: completion and IrqEvent stored, the io_watch
 *   callback called), else calls onEdges(count, firstUs, lastUs, level).
 * Memory ordering: Moddable and this ISR run on core 0; the fields the ISR
 *   writes are volatile and the main loop reads and clears them in one
 *   critical section (cpsid/cpsie), so a batch is never torn and no edge is
 *   lost between the read and the clear.
 * Limits: the RP2040 latches one bit per edge direction, so edges closer
 *   together than the handler's entry (about 1 µs at 125 MHz) merge in the
 *   hardware; the count then falls short, and `level` still tells the truth.
 * Records are static, one per pin, never freed: a message still queued
 *   when a capture closes finds `callback` cleared and does nothing.
 */
#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"
#include "irqcapture_lane.h"
#include "hardware/gpio.h"
#include "hardware/structs/timer.h"
#include "hardware/timer.h"

#define kPins 30
#define kEdgeBits (GPIO_IRQ_EDGE_RISE | GPIO_IRQ_EDGE_FALL)

typedef struct {
	CaptureLane lane;	/* first (the lane's host functions find it there); main loop only (irqcapture_lane.h) */
	xsMachine *the;
	xsSlot callback;
	uint32_t events;		// GPIO_IRQ_EDGE_* to capture
	volatile uint32_t count;
	volatile uint32_t firstUs;
	volatile uint32_t lastUs;
	volatile uint8_t level;
	volatile uint8_t posted;
	uint8_t open;
} CaptureRecord;

static CaptureRecord gCapture[kPins];
static uint32_t gMask;		// pins the raw handler owns

static void deliver(void *the, void *refcon, uint8_t *message, uint16_t messageLength);

static void __not_in_flash_func(captureISR)(void)
{
	uint32_t now = timer_hw->timerawl;
	uint32_t mask = gMask;
	for (int pin = 0; mask; pin++, mask >>= 1) {
		if (!(mask & 1)) continue;
		uint32_t events = gpio_get_irq_event_mask(pin) & kEdgeBits;
		if (!events) continue;
		gpio_acknowledge_irq(pin, events);
		CaptureRecord *c = &gCapture[pin];
		uint32_t n = ((events & GPIO_IRQ_EDGE_RISE) ? 1 : 0) + ((events & GPIO_IRQ_EDGE_FALL) ? 1 : 0);
		if (0 == c->count) c->firstUs = now;
		c->count += n;
		c->lastUs = now;
		c->level = gpio_get(pin);
		if (!c->posted) {
			c->posted = 1;
			if (modMessagePostToMachineFromISR(c->the, deliver, c))
				c->posted = 0;	// Moddable's ISR message pool was full: the next edge posts again
		}
	}
}

static void deliver(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	CaptureRecord *c = refcon;
	modCriticalSectionBegin();
	uint32_t count = c->count, firstUs = c->firstUs, lastUs = c->lastUs, level = c->level;
	c->count = 0;
	c->posted = 0;
	modCriticalSectionEnd();
	if (!c->open || !count) return;
	xsBeginHost(c->the);
		if (!captureLaneDeliver(the, &c->lane, count, captureFirstNs(time_us_64(), firstUs), level))
			xsCallFunction4(c->callback, xsUndefined, xsInteger(count), xsNumber(firstUs), xsNumber(lastUs), xsInteger(level));
	xsEndHost(c->the);
}

/* The raw handler's mask changes with every open and close: remove it, then add it for the new set. */
static void setMask(uint32_t mask)
{
	if (gMask) gpio_remove_raw_irq_handler_masked(gMask, captureISR);
	gMask = mask;
	if (gMask) gpio_add_raw_irq_handler_masked(gMask, captureISR);
	irq_set_enabled(IO_IRQ_BANK0, true);
}

void xs_irqcapture_destructor(void *data)
{
	if (!data) return;
	CaptureRecord *c = data;
	int pin = c - gCapture;
	if (!c->open) return;
	gpio_set_irq_enabled(pin, kEdgeBits, false);
	setMask(gMask & ~(1u << pin));
	c->open = 0;
}

void xs_irqcapture(xsMachine *the)
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
	c->events = ((edges & 1) ? GPIO_IRQ_EDGE_RISE : 0) | ((edges & 2) ? GPIO_IRQ_EDGE_FALL : 0);
	c->count = 0;
	c->posted = 0;
	c->open = 1;
	gpio_init(pin);
	gpio_set_dir(pin, GPIO_IN);
	gpio_set_pulls(pin, 1 == pull, 2 == pull);
	gpio_acknowledge_irq(pin, kEdgeBits);
	setMask(gMask | (1u << pin));
	gpio_set_irq_enabled(pin, c->events, true);
	xsmcSetHostData(xsThis, c);
}

void xs_irqcapture_close(xsMachine *the)
{
	CaptureRecord *c = xsmcGetHostData(xsThis);
	if (!c || !c->open) return;
	xs_irqcapture_destructor(c);
	captureLaneClose(the, &c->lane);
	xsForget(c->callback);
	xsmcSetHostData(xsThis, NULL);
}

/*
 * IrqAlarm: a timer line on a hardware alarm (drivers/moddable/alarms.ts).
 * What runs where:
 * - ISR (the SDK's hardware alarm IRQ, the callback below): reads the
 *   1 µs TIMER first, counts every due time passed (due = first + k·period,
 *   absolute, so no drift), sets the alarm for the next one (counting those
 *   it misses while doing so), keeps the first reading of the batch, and
 *   posts one message per batch, as captureISR does.
 * - Main loop: the same deliver() as the pins (lane or onFire).
 * Memory ordering: as the pins' (core 0, volatile fields, taken in one
 *   critical section).
 */
typedef struct {
	CaptureRecord c;		/* first: deliver, the lane and the host data see a CaptureRecord */
	uint64_t dueUs;		/* the next due time */
	uint32_t periodUs;
	uint8_t oneshot;
	uint8_t claimed;
} AlarmRecord;

#define kAlarms 4
static AlarmRecord gAlarm[kAlarms];

static void __not_in_flash_func(alarmISR)(uint alarm)
{
	uint32_t now = timer_hw->timerawl;
	AlarmRecord *a = &gAlarm[alarm];
	CaptureRecord *c = &a->c;
	if (!c->open) return;
	uint32_t n = captureDuePassed(&a->dueUs, a->periodUs, a->oneshot, time_us_64());
	if (!a->oneshot) {
		/* the SDK says whether the next due time passed while we got here: count it and go on */
		while (hardware_alarm_set_target(alarm, from_us_since_boot(a->dueUs))) {
			n++;
			a->dueUs += a->periodUs;
		}
	}
	if (!n) return;
	if (0 == c->count) c->firstUs = now;
	c->count += n;
	c->lastUs = now;
	c->level = 0;
	if (!c->posted) {
		c->posted = 1;
		if (modMessagePostToMachineFromISR(c->the, deliver, c))
			c->posted = 0;
	}
}

static void alarmStop(AlarmRecord *a)
{
	int alarm = a - gAlarm;
	if (!a->c.open) return;
	a->c.open = 0;
	hardware_alarm_cancel(alarm);
	hardware_alarm_set_callback(alarm, NULL);
	hardware_alarm_unclaim(alarm);
}

void xs_irqalarm_destructor(void *data)
{
	if (data) alarmStop(data);
}

void xs_irqalarm(xsMachine *the)
{
	double firstDueUs = xsmcToNumber(xsArg(0));
	double periodUs = xsmcToNumber(xsArg(1));
	int oneshot = xsmcToInteger(xsArg(2));
	if (!(firstDueUs >= 0) || !(periodUs >= 1) || (periodUs > 4294967295.0)) xsRangeError("invalid due time or period");
	if (!xsmcIsInstanceOf(xsArg(3), xsFunctionPrototype)) xsTypeError("onFire must be a function");
	int alarm = hardware_alarm_claim_unused(false);
	if ((alarm < 0) || (alarm >= kAlarms)) xsUnknownError("no free hardware alarm");
	AlarmRecord *a = &gAlarm[alarm];
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
	c->open = 1;
	hardware_alarm_set_callback(alarm, alarmISR);
	if (hardware_alarm_set_target(alarm, from_us_since_boot(a->dueUs)))
		hardware_alarm_force_irq(alarm);	/* already due: the ISR counts it now */
	xsmcSetHostData(xsThis, a);
}

void xs_irqalarm_close(xsMachine *the)
{
	AlarmRecord *a = xsmcGetHostData(xsThis);
	if (!a || !a->c.open) return;
	alarmStop(a);
	captureLaneClose(the, &a->c.lane);
	xsForget(a->c.callback);
	xsmcSetHostData(xsThis, NULL);
}

/*
 * ioport/irqcapture on ESP32 (ESP-IDF v6.0, which Moddable SDK 8.2.3
 * expects; also v5.5): GPIO edges counted and timestamped in the interrupt
 * handler. Written against ESP-IDF's documented GPIO and esp_timer APIs.
 * No ESP-IDF toolchain was at hand: it was compiled with -fsyntax-only
 * against the real ESP-IDF and Moddable headers, never built or run
 * (docs/chip.md).
 *
 * What runs where:
 * - ISR (gpio_isr_handler_add, IRAM): reads esp_timer_get_time() first, then
 *   under the record's spinlock adds one edge, keeps the first and the last
 *   time and the level now, and posts one Moddable message per batch.
 * - Main loop (deliver): takes the batch under the same spinlock (count,
 *   times, level; count = 0, posted = 0), then hands it to the native fast
 *   lane if the kernel granted it (irqcapture_lane.c), else calls
 *   onEdges(count, firstUs, lastUs, level).
 * Memory ordering: the ISR may run on the other core than the XS machine,
 *   so both sides use portENTER_CRITICAL(_ISR) on one portMUX per record
 *   (a spinlock with the barriers it implies), not just volatile fields.
 * Limits: the GPIO peripheral latches one pending interrupt per pin, so
 *   edges closer together than the ISR's entry merge; `level` stays true.
 */
#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"
#include "irqcapture_lane.h"
#include "driver/gpio.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"

#define kPins GPIO_NUM_MAX

typedef struct {
	CaptureLane lane;	/* first (the lane's host functions find it there); main loop only (irqcapture_lane.h) */
	xsMachine *the;
	xsSlot callback;
	portMUX_TYPE lock;
	uint32_t count;
	uint32_t firstUs;
	uint32_t lastUs;
	uint8_t level;
	uint8_t posted;
	uint8_t open;
	uint8_t pin;
} CaptureRecord;

static CaptureRecord gCapture[kPins];

static void deliver(void *the, void *refcon, uint8_t *message, uint16_t messageLength);

static void IRAM_ATTR captureISR(void *arg)
{
	uint32_t now = (uint32_t)esp_timer_get_time();
	CaptureRecord *c = arg;
	portENTER_CRITICAL_ISR(&c->lock);
	if (0 == c->count) c->firstUs = now;
	c->count += 1;
	c->lastUs = now;
	c->level = gpio_get_level(c->pin);
	uint8_t post = !c->posted;
	c->posted = 1;
	portEXIT_CRITICAL_ISR(&c->lock);
	if (post && modMessagePostToMachineFromISR(c->the, deliver, c)) {
		portENTER_CRITICAL_ISR(&c->lock);
		c->posted = 0;	// the message pool was full: the next edge posts again
		portEXIT_CRITICAL_ISR(&c->lock);
	}
}

static void deliver(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	CaptureRecord *c = refcon;
	portENTER_CRITICAL(&c->lock);
	uint32_t count = c->count, firstUs = c->firstUs, lastUs = c->lastUs, level = c->level;
	c->count = 0;
	c->posted = 0;
	portEXIT_CRITICAL(&c->lock);
	if (!c->open || !count) return;
	xsBeginHost(c->the);
		if (!captureLaneDeliver(the, &c->lane, count, captureFirstNs((uint64_t)esp_timer_get_time(), firstUs), level))
			xsCallFunction4(c->callback, xsUndefined, xsInteger(count), xsNumber(firstUs), xsNumber(lastUs), xsInteger(level));
	xsEndHost(c->the);
}

void xs_irqcapture_destructor(void *data)
{
	CaptureRecord *c = data;
	if (!c || !c->open) return;
	gpio_isr_handler_remove(c->pin);
	gpio_set_intr_type(c->pin, GPIO_INTR_DISABLE);
	c->open = 0;
}

void xs_irqcapture(xsMachine *the)
{
	int pin = xsmcToInteger(xsArg(0));
	int edges = xsmcToInteger(xsArg(1));
	int pull = xsmcToInteger(xsArg(2));
	if ((pin < 0) || (pin >= kPins) || !GPIO_IS_VALID_GPIO(pin)) xsRangeError("invalid pin");
	if ((edges < 1) || (edges > 3)) xsRangeError("invalid edges");
	if ((pull < 0) || (pull > 2)) xsRangeError("invalid pull");
	if (!xsmcIsInstanceOf(xsArg(3), xsFunctionPrototype)) xsTypeError("onEdges must be a function");
	CaptureRecord *c = &gCapture[pin];
	if (c->open) xsUnknownError("pin already captured");
	c->the = the;
	c->callback = xsArg(3);
	xsRemember(c->callback);
	captureLaneOpen(the, &c->lane);
	portMUX_INITIALIZE(&c->lock);
	c->pin = pin;
	c->count = 0;
	c->posted = 0;
	gpio_config_t conf = {
		.pin_bit_mask = 1ULL << pin,
		.mode = GPIO_MODE_INPUT,
		.pull_up_en = (1 == pull) ? GPIO_PULLUP_ENABLE : GPIO_PULLUP_DISABLE,
		.pull_down_en = (2 == pull) ? GPIO_PULLDOWN_ENABLE : GPIO_PULLDOWN_DISABLE,
		.intr_type = (3 == edges) ? GPIO_INTR_ANYEDGE : (1 == edges) ? GPIO_INTR_POSEDGE : GPIO_INTR_NEGEDGE,
	};
	if (ESP_OK != gpio_config(&conf)) xsUnknownError("gpio_config failed");
	esp_err_t err = gpio_install_isr_service(0);
	if ((ESP_OK != err) && (ESP_ERR_INVALID_STATE != err)) xsUnknownError("gpio_install_isr_service failed");	// INVALID_STATE: already installed (Moddable's Digital)
	if (ESP_OK != gpio_isr_handler_add(pin, captureISR, c)) xsUnknownError("gpio_isr_handler_add failed");
	c->open = 1;
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
 * IrqAlarm on ESP32: a timer line on esp_timer with ISR dispatch
 * (CONFIG_ESP_TIMER_SUPPORTS_ISR_DISPATCH_METHOD; without it the
 * constructor throws and the kernel runs the line on its own timers).
 * What runs where:
 * - ISR (esp_timer's, ESP_TIMER_ISR): reads esp_timer_get_time() first,
 *   counts every due time passed (due = first + k·period, absolute, so no
 *   drift), starts the timer once more for the next due time, and under the
 *   record's spinlock keeps the batch and posts one message per batch.
 * - Main loop: the same deliver() as the pins (lane or onFire).
 */
typedef struct {
	CaptureRecord c;		/* first: deliver, the lane and the host data see a CaptureRecord */
	esp_timer_handle_t timer;
	uint64_t dueUs;
	uint32_t periodUs;
	uint8_t oneshot;
} AlarmRecord;

#if CONFIG_ESP_TIMER_SUPPORTS_ISR_DISPATCH_METHOD
static void IRAM_ATTR alarmISR(void *arg)
{
	int64_t now = esp_timer_get_time();
	AlarmRecord *a = arg;
	CaptureRecord *c = &a->c;
	uint32_t n = captureDuePassed(&a->dueUs, a->periodUs, a->oneshot, (uint64_t)now);
	if (!a->oneshot) {
		int64_t wait = (int64_t)a->dueUs - esp_timer_get_time();
		esp_timer_start_once(a->timer, (wait > 0) ? (uint64_t)wait : 0);
	}
	if (!n) return;
	portENTER_CRITICAL_ISR(&c->lock);
	if (0 == c->count) c->firstUs = (uint32_t)now;
	c->count += n;
	c->lastUs = (uint32_t)now;
	c->level = 0;
	uint8_t post = !c->posted;
	c->posted = 1;
	portEXIT_CRITICAL_ISR(&c->lock);
	if (post && modMessagePostToMachineFromISR(c->the, deliver, c)) {
		portENTER_CRITICAL_ISR(&c->lock);
		c->posted = 0;
		portEXIT_CRITICAL_ISR(&c->lock);
	}
}
#endif

static void alarmStop(AlarmRecord *a)
{
	if (!a->c.open) return;
	a->c.open = 0;
	esp_timer_stop(a->timer);
	esp_timer_delete(a->timer);
}

void xs_irqalarm_destructor(void *data)
{
	if (data) {
		alarmStop(data);
		c_free(data);
	}
}

void xs_irqalarm(xsMachine *the)
{
#if CONFIG_ESP_TIMER_SUPPORTS_ISR_DISPATCH_METHOD
	double firstDueUs = xsmcToNumber(xsArg(0));
	double periodUs = xsmcToNumber(xsArg(1));
	int oneshot = xsmcToInteger(xsArg(2));
	if (!(firstDueUs >= 0) || !(periodUs >= 1) || (periodUs > 4294967295.0)) xsRangeError("invalid due time or period");
	if (!xsmcIsInstanceOf(xsArg(3), xsFunctionPrototype)) xsTypeError("onFire must be a function");
	AlarmRecord *a = c_calloc(1, sizeof(AlarmRecord));
	if (!a) xsUnknownError("no memory");
	const esp_timer_create_args_t args = {
		.callback = alarmISR,
		.arg = a,
		.dispatch_method = ESP_TIMER_ISR,
		.name = "ioport-line",
		.skip_unhandled_events = false,
	};
	if (ESP_OK != esp_timer_create(&args, &a->timer)) {
		c_free(a);
		xsUnknownError("esp_timer_create failed");
	}
	CaptureRecord *c = &a->c;
	c->the = the;
	c->callback = xsArg(3);
	xsRemember(c->callback);
	captureLaneOpen(the, &c->lane);
	portMUX_INITIALIZE(&c->lock);
	a->dueUs = (uint64_t)firstDueUs;
	a->periodUs = (uint32_t)periodUs;
	a->oneshot = oneshot ? 1 : 0;
	c->open = 1;
	int64_t wait = (int64_t)a->dueUs - esp_timer_get_time();
	esp_timer_start_once(a->timer, (wait > 0) ? (uint64_t)wait : 0);
	xsmcSetHostData(xsThis, a);
#else
	xsUnknownError("esp_timer has no ISR dispatch in this build (CONFIG_ESP_TIMER_SUPPORTS_ISR_DISPATCH_METHOD)");
#endif
}

void xs_irqalarm_close(xsMachine *the)
{
	AlarmRecord *a = xsmcGetHostData(xsThis);
	if (!a || !a->c.open) return;
	alarmStop(a);
	captureLaneClose(the, &a->c.lane);
	xsForget(a->c.callback);
}

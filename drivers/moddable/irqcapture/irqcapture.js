/*
 * ioport/irqcapture: GPIO edges counted and timestamped in the interrupt
 * handler (irqcapture_pico.c, irqcapture_esp32.c; README in docs/chip.md).
 *
 * new IrqCapture(pin, edges, pull, onEdges) starts capturing `edges`
 * (1 rising, 2 falling, 3 both) of `pin`, an input with `pull` (0 none,
 * 1 up, 2 down); the ISR counts every edge and keeps the
 * first and last edge's microsecond time and the level after the last, and
 * posts at most one message per batch. The main loop then calls
 * onEdges(count, firstUs, lastUs, level) once per batch: the times are the
 * low 32 bits of the microsecond timer (time_us_32 on the Pico,
 * esp_timer_get_time on ESP32). close() stops it; a batch not yet delivered
 * is dropped.
 *
 * grant(memory, out, ev, udLo, udHi, opcode, flags, kind, cb, exit, state) and
 * revoke(into) are the native fast lane (irqcapture_lane.h; the kernel's
 * side is core/objects/lane.ts, the contract IrqLane in core/devices.ts):
 * while granted, a batch is stored into `memory` as a completion at `out`
 * and an IrqEvent at `ev` (in the order `kind` says: LANE_ONESHOT and
 * LANE_ONCE of core/abi.ts), and cb(1) is called instead of onEdges.
 * revoke writes [edges, callbacks, in callback (0/1), level] as four
 * doubles into the ArrayBuffer `into`.
 */
export class IrqCapture @ "xs_irqcapture_destructor" {
	constructor(pin, edges, pull, onEdges) @ "xs_irqcapture";
	close() @ "xs_irqcapture_close";
	grant(memory, out, ev, udLo, udHi, opcode, flags, kind, cb, exit, state) @ "xs_irqcapture_grant";
	revoke(into) @ "xs_irqcapture_revoke";
}

/*
 * new IrqAlarm(firstDueUs, periodUs, oneshot, onFire): a timer line on a
 * hardware alarm, due at firstDueUs + k·periodUs (µs since boot; once if
 * oneshot). Its ISR counts the due times passed and reads the µs timer;
 * the main loop calls onFire(count, firstUs, lastUs, 0) once per batch, or
 * delivers through the lane. Throws when no alarm is free.
 */
export class IrqAlarm @ "xs_irqalarm_destructor" {
	constructor(firstDueUs, periodUs, oneshot, onFire) @ "xs_irqalarm";
	close() @ "xs_irqalarm_close";
	grant(memory, out, ev, udLo, udHi, opcode, flags, kind, cb, exit, state) @ "xs_irqcapture_grant";
	revoke(into) @ "xs_irqcapture_revoke";
}

export default IrqCapture;

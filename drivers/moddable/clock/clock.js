/*
 * ioport/clock: a microsecond clock for the ioport Platform on Moddable.
 * A host function (XS `@` syntax) implemented in C per platform, selected by
 * manifest.json: time_us_64() on the Pico, esp_timer_get_time() on ESP32,
 * clock_gettime(CLOCK_MONOTONIC) on the desktop builds. We ship our own
 * because Moddable SDK 8.2.3's modules/base/microseconds does not compile
 * for -p pico. Monotonic, microseconds since boot, as a Number.
 */
export function microseconds() @ "xs_ioport_microseconds";

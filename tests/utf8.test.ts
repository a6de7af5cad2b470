// The simulator's own UTF-8 codec (XS has no TextEncoder) agrees with the WHATWG one.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8, utf8Decode } from "../host-sim/devices/utf8.js";

describe("utf8", () => {
  it("encodes every string like TextEncoder", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => {
      expect(utf8(s)).toEqual(new TextEncoder().encode(s));
    }));
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => {
      expect(utf8(s)).toEqual(new TextEncoder().encode(s));
    }));
  });
  it("decodes any bytes like TextDecoder", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      expect(utf8Decode(b)).toBe(new TextDecoder().decode(b));
    }));
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => {
      expect(utf8Decode(utf8(s))).toBe(new TextDecoder().decode(utf8(s)));
    }));
  });
});

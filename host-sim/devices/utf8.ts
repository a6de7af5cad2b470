/**
 * UTF-8 for stimulus strings and transcripts. Written out rather than taken
 * from TextEncoder/TextDecoder, which the XS engine used in CI lacks: the
 * simulator runs in XS too. Lone surrogates encode as U+FFFD; invalid input
 * bytes decode as U+FFFD, like the WHATWG decoder.
 */
export function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

export function utf8Decode(b: Uint8Array): string {
  // The WHATWG decoder's algorithm: a maximal invalid subpart becomes one U+FFFD.
  let s = "";
  let cp = 0;
  let need = 0;
  let seen = 0;
  let lo = 0x80;
  let hi = 0xbf;
  for (let i = 0; i < b.length; ) {
    const x = b[i] as number;
    if (need === 0) {
      i++;
      if (x < 0x80) s += String.fromCharCode(x);
      else if (x >= 0xc2 && x <= 0xdf) {
        need = 1;
        cp = x & 0x1f;
      } else if (x >= 0xe0 && x <= 0xef) {
        if (x === 0xe0) lo = 0xa0;
        if (x === 0xed) hi = 0x9f;
        need = 2;
        cp = x & 0xf;
      } else if (x >= 0xf0 && x <= 0xf4) {
        if (x === 0xf0) lo = 0x90;
        if (x === 0xf4) hi = 0x8f;
        need = 3;
        cp = x & 0x7;
      } else s += "\ufffd";
      continue;
    }
    if (x < lo || x > hi) {
      // reprocess this byte as the start of something new
      cp = need = seen = 0;
      lo = 0x80;
      hi = 0xbf;
      s += "\ufffd";
      continue;
    }
    lo = 0x80;
    hi = 0xbf;
    cp = (cp << 6) | (x & 0x3f);
    i++;
    if (++seen === need) {
      s += String.fromCodePoint(cp);
      cp = need = seen = 0;
    }
  }
  if (need !== 0) s += "\ufffd";
  return s;
}

/** UTF-8 encoding for stimulus strings (host side: TextEncoder is fine here). */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

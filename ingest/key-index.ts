/**
 * "Have I seen this key, and on which line?" for duplicate rows in files of millions of rows.
 *
 * A Map of strings costs about 100 bytes per key: 1 GB for a 10-million-row extract. This table keeps a 64-bit
 * hash of each key and its line in typed arrays, 12 bytes a slot at most half full, so about 24 bytes per key.
 * Two different keys with the same 64-bit hash would make the second look like a duplicate of the first: for
 * 10 million keys the chance that this happens at all in a file is about 3 in a million, and the reject names the
 * line it was compared with, so a person can see it.
 */
export class KeyIndex {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** Line of the key in each slot; 0 marks an empty slot (lines start at 1). */
  private lines: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialSlots = 1 << 12) {
    let slots = 16;
    while (slots < initialSlots) slots *= 2;
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.lines = new Uint32Array(slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The line `key` was recorded at, if it was. */
  get(key: string): number | undefined {
    const h1 = hashA(key);
    const h2 = hashB(key);
    for (let i = h1 & this.mask; ; i = (i + 1) & this.mask) {
      const at = this.lines[i]!;
      if (at === 0) return undefined;
      if (this.hi[i] === h1 && this.lo[i] === h2) return at;
    }
  }

  /** Records `key` at `line` and returns undefined, or returns the line it was first recorded at. */
  addOrGet(key: string, line: number): number | undefined {
    if (line < 1 || line > 0xffffffff || !Number.isInteger(line)) throw new RangeError(`line must be 1..2^32-1, got ${line}`);
    const h1 = hashA(key);
    const h2 = hashB(key);
    for (let i = h1 & this.mask; ; i = (i + 1) & this.mask) {
      const at = this.lines[i]!;
      if (at === 0) {
        this.hi[i] = h1;
        this.lo[i] = h2;
        this.lines[i] = line;
        if (++this.count * 2 > this.mask + 1) this.grow();
        return undefined;
      }
      if (this.hi[i] === h1 && this.lo[i] === h2) return at;
    }
  }

  private grow(): void {
    const { hi, lo, lines } = this;
    const slots = (this.mask + 1) * 2;
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.lines = new Uint32Array(slots);
    this.mask = slots - 1;
    for (let j = 0; j < lines.length; j++) {
      if (lines[j] === 0) continue;
      let i = hi[j]! & this.mask;
      while (this.lines[i] !== 0) i = (i + 1) & this.mask;
      this.hi[i] = hi[j]!;
      this.lo[i] = lo[j]!;
      this.lines[i] = lines[j]!;
    }
  }
}

/** FNV-1a over UTF-16 code units, with a murmur3 finalizer so the low bits (the slot) are well mixed. */
function hashA(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}

/** An independent second hash (different seed and multiplier), so a slot compares 64 bits. */
function hashB(s: string): number {
  let h = 0x9e3779b9 ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995) ^ (h >>> 15);
  return fmix(h);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

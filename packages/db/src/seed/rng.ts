// Deterministic randomness for the seed: a small fast PRNG (sfc32) plus stateless hashing, so any
// row can be regenerated from its coordinates (business, index) without keeping the data set around.

/** 32-bit integer mix (murmur3 finalizer). */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a string to a 32-bit seed (FNV-1a then mixed). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix(h);
}

/** Hashes a few integers to a 32-bit value. */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) h = step(h, v);
  return h;
}

const step = (h: number, v: number) => fmix(Math.imul(h ^ (v >>> 0), 0x27d4eb2f) + 0x165667b1);
/** hashInts(k, seed, kind, a, b) without the rest-array (the hot path of uuidFrom). */
const hash5 = (k: number, seed: number, kind: number, a: number, b: number) =>
  step(step(step(step(step(0x9e3779b9, k), seed), kind), a), b);

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

const hex8 = (x: number) => HEX[x >>> 24]! + HEX[(x >>> 16) & 0xff]! + HEX[(x >>> 8) & 0xff]! + HEX[x & 0xff]!;

/**
 * A v4-shaped uuid that is a pure function of its coordinates: the same seed gives the same ids.
 * Each 32-bit word is its own hash chain (word index first), so ids collide only if all four do.
 */
export function uuidFrom(seed: number, kind: number, a: number, b = 0): string {
  const w0 = hash5(0, seed, kind, a, b);
  const w1 = (hash5(1, seed, kind, a, b) & 0xffff0fff) | 0x4000; // version 4
  const w2 = ((hash5(2, seed, kind, a, b) & 0x3fffffff) | 0x80000000) >>> 0; // RFC 4122 variant
  const w3 = hash5(3, seed, kind, a, b);
  const h1 = hex8(w1);
  const h2 = hex8(w2);
  return `${hex8(w0)}-${h1.slice(0, 4)}-${h1.slice(4)}-${h2.slice(0, 4)}-${h2.slice(4)}${hex8(w3)}`;
}

/** sfc32: a seeded PRNG with helpers for the distributions the seed needs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seed: number[]) {
    // Word index first: four independent hash chains, not one 32-bit state spread four ways.
    this.a = hashInts(1, ...seed);
    this.b = hashInts(2, ...seed);
    this.c = hashInts(3, ...seed);
    this.d = hashInts(4, ...seed);
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks a key of a weight table. */
  weighted<K extends string>(table: readonly (readonly [K, number])[]): K {
    let total = 0;
    for (const [, w] of table) total += w;
    let x = this.next() * total;
    for (const [key, w] of table) {
      x -= w;
      if (x < 0) return key;
    }
    return table[table.length - 1]![0];
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Poisson-distributed count (normal approximation for large means). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Exponentially distributed with the given mean. */
  exp(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }
}

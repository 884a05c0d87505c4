import { OriginError } from './errors.ts';

/** One ISO-BMFF box located inside a buffer; offsets are absolute positions in that buffer. */
export interface Box {
  /** Four-character code, e.g. `moof`. */
  readonly type: string;
  /** Offset of the box's first header byte. */
  readonly start: number;
  /** Header length: 8, 16 with a 64-bit size, plus 16 for a `uuid` box's extended type. */
  readonly headerSize: number;
  /** Offset just past the box's last byte. */
  readonly end: number;
}

/** The version and flags of a FullBox, and where its fields start. */
export interface FullBoxHeader {
  readonly version: number;
  readonly flags: number;
  /** Offset of the first field after version and flags. */
  readonly fieldsStart: number;
}

/** A big-endian view over exactly the bytes of `data`, wherever they sit in its ArrayBuffer. */
export function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

function fourcc(data: Uint8Array, at: number): string {
  return String.fromCharCode(data[at] ?? 0, data[at + 1] ?? 0, data[at + 2] ?? 0, data[at + 3] ?? 0);
}

/**
 * Lists the boxes laid end to end in `data[start, end)`, without descending into them. A box whose
 * declared size is 0 extends to `end` (ISO/IEC 14496-12 §4.2). Throws `malformed-box` when a header
 * or a declared size does not fit.
 */
export function readBoxes(data: Uint8Array, start = 0, end = data.length): Box[] {
  const view = viewOf(data);
  const boxes: Box[] = [];
  let at = start;
  while (at < end) {
    if (end - at < 8) throw new OriginError('malformed-box', `truncated box header at byte ${at}`);
    const size32 = view.getUint32(at);
    const type = fourcc(data, at + 4);
    let headerSize = 8;
    let size: number;
    if (size32 === 1) {
      if (end - at < 16) throw new OriginError('malformed-box', `truncated large size of ${type} at ${at}`);
      const size64 = view.getBigUint64(at + 8);
      if (size64 > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new OriginError('malformed-box', `${type} at ${at} claims ${size64} bytes`);
      }
      size = Number(size64);
      headerSize = 16;
    } else if (size32 === 0) {
      size = end - at;
    } else {
      size = size32;
    }
    if (type === 'uuid') headerSize += 16;
    if (size < headerSize || at + size > end) {
      throw new OriginError('malformed-box', `${type} at ${at} has size ${size}, ${end - at} bytes left`);
    }
    boxes.push({ type, start: at, headerSize, end: at + size });
    at += size;
  }
  return boxes;
}

/** The boxes directly inside container `box`. */
export function childrenOf(data: Uint8Array, box: Box): Box[] {
  return readBoxes(data, box.start + box.headerSize, box.end);
}

/**
 * Every box reached by following `path` from the top level of `data` (or from inside `within`),
 * in file order: `findBoxes(seg, ['moof', 'traf', 'tfdt'])` yields each track fragment's `tfdt`.
 */
export function findBoxes(data: Uint8Array, path: readonly string[], within?: Box): Box[] {
  let level: Box[] = within ? childrenOf(data, within) : readBoxes(data);
  path.forEach((type, depth) => {
    const matches = level.filter((box) => box.type === type);
    level = depth === path.length - 1 ? matches : matches.flatMap((box) => childrenOf(data, box));
  });
  return level;
}

/** Like {@link findBoxes} but exactly one box must match; throws `malformed-box` otherwise. */
export function findOneBox(data: Uint8Array, path: readonly string[], within?: Box): Box {
  const found = findBoxes(data, path, within);
  const [box] = found;
  if (box === undefined || found.length > 1) {
    throw new OriginError('malformed-box', `expected one ${path.join('/')}, found ${found.length}`);
  }
  return box;
}

/** Reads a FullBox's version and flags; throws `malformed-box` if `box` is too small for them. */
export function fullBoxHeader(data: Uint8Array, box: Box): FullBoxHeader {
  const at = box.start + box.headerSize;
  if (box.end - at < 4) throw new OriginError('malformed-box', `${box.type} at ${box.start} lacks version`);
  const word = viewOf(data).getUint32(at);
  return { version: word >>> 24, flags: word & 0xffffff, fieldsStart: at + 4 };
}

/** Throws `malformed-box` unless `length` bytes from `at` lie inside `box`. */
export function requireInside(box: Box, at: number, length: number): void {
  if (at < box.start || at + length > box.end) {
    throw new OriginError('malformed-box', `${box.type} at ${box.start} is too short for its fields`);
  }
}

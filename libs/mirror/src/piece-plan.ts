/** One mebibyte; piece sizes are whole multiples of it. */
export const MiB = 1 << 20;

/** One contiguous piece of a blob: the inclusive byte range [start, end]. */
export interface Piece {
  index: number;
  start: number;
  end: number;
}

/** How pieces are cut: never smaller than `minBytes`, never more than about `maxPieces` of them. */
export interface PiecePlanOptions {
  /** Floor of the piece size (default 4 MiB, as Dragonfly and Kraken start). */
  minBytes?: number;
  /** Pieces grow with the blob so that there are at most this many (default 500). */
  maxPieces?: number;
}

/**
 * The piece size for a blob: max(4 MiB, ceil(size / 500) rounded up to a whole MiB). Small pieces
 * give parallelism and early re-sharing; growing them keeps the per-piece overhead (one request,
 * one hash, one bookkeeping entry) bounded for multi-GB layers.
 */
export function pieceSizeFor(size: number, opts: PiecePlanOptions = {}): number {
  const minBytes = opts.minBytes ?? 4 * MiB;
  const maxPieces = opts.maxPieces ?? 500;
  const even = Math.ceil(size / maxPieces);
  // Whole MiB (or whole floors, for floors below 1 MiB) keep piece boundaries round.
  const unit = Math.min(MiB, minBytes);
  return Math.max(minBytes, Math.ceil(even / unit) * unit);
}

/** Cuts a blob of `size` bytes (> 0) into consecutive pieces; the last one may be shorter. */
export function planPieces(size: number, opts: PiecePlanOptions = {}): Piece[] {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`cannot plan pieces for size ${size}`);
  const step = pieceSizeFor(size, opts);
  const pieces: Piece[] = [];
  for (let start = 0, index = 0; start < size; start += step, index++) {
    pieces.push({ index, start, end: Math.min(size, start + step) - 1 });
  }
  return pieces;
}

/** Length in bytes of a piece. */
export function pieceLength(piece: Piece): number {
  return piece.end - piece.start + 1;
}

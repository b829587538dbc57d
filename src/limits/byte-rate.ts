/**
 * Inbound bytes/s per connection as a token bucket (one second of burst). When a chunk
 * overdraws it, the caller pauses the socket for the returned delay instead of buffering:
 * TCP flow control then slows the sender down (backpressure), and memory stays flat.
 */
export class ByteRate {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly bytesPerSecond: number) {
    this.tokens = bytesPerSecond;
  }

  /** Takes `bytes`; returns how many ms to stop reading (0: keep going). */
  take(bytes: number): number {
    const now = performance.now();
    this.tokens = Math.min(this.bytesPerSecond, this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond);
    this.last = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.bytesPerSecond) * 1000);
  }
}

package io.sidetrack.edge.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Finds where an HTTP/1.1 message body ends while its bytes pass through unchanged: a length, the
 * chunked coding (sizes, extensions, trailers), or the end of the connection. One instance per
 * connection and direction is reused for each message.
 *
 * <p>Lines of the chunked framing end in CRLF or a bare LF; a bare CR in them (a chunk extension, a
 * trailer) makes the body malformed, as RFC 9112 section 2.2 allows: since the bytes go on
 * unchanged, a next hop that ended a line there would find the body's end elsewhere.
 */
final class BodyScanner {
  static final int NONE = 0;
  static final int LENGTH = 1;
  static final int CHUNKED = 2;
  static final int UNTIL_CLOSE = 3;

  /** The longest chunk-size line, and the most trailer bytes, accepted. */
  static final int MAX_LINE = 8 * 1024;

  private static final int SIZE = 0;
  private static final int EXTENSION = 1;
  private static final int SIZE_LF = 2;
  private static final int DATA = 3;
  private static final int DATA_CR = 4;
  private static final int DATA_LF = 5;
  private static final int TRAILER_START = 6;
  private static final int TRAILER_LINE = 7;
  private static final int TRAILER_END_LF = 8;
  private static final int DONE = 9;
  private static final int TRAILER_LF = 10;

  private int mode;
  private long remaining;
  private int state;
  private boolean digits;
  private int lineBytes;

  /** Starts a body of {@code mode}; {@code length} counts for {@link #LENGTH} only. */
  void reset(int mode, long length) {
    this.mode = mode == LENGTH && length <= 0 ? NONE : mode;
    this.remaining = mode == LENGTH ? length : 0;
    this.state = this.mode == NONE ? DONE : SIZE;
    this.digits = false;
    this.lineBytes = 0;
  }

  int mode() {
    return mode;
  }

  boolean done() {
    return state == DONE;
  }

  /** Bytes of a length-delimited body still to come. */
  long remaining() {
    return remaining;
  }

  /**
   * How many of {@code buf}'s readable bytes, from its reader index, belong to this body (the
   * reader index does not move); -1 when the chunked framing is malformed.
   */
  int scan(ByteBuf buf) {
    int available = buf.readableBytes();
    switch (mode) {
      case NONE:
        return 0;
      case UNTIL_CLOSE:
        return available;
      case LENGTH:
        {
          int n = (int) Math.min(remaining, available);
          remaining -= n;
          if (remaining == 0) {
            state = DONE;
          }
          return n;
        }
      default:
        return chunked(buf, buf.readerIndex(), available);
    }
  }

  private int chunked(ByteBuf buf, int from, int available) {
    int i = 0;
    while (i < available && state != DONE) {
      if (state == DATA) {
        int n = (int) Math.min(remaining, available - i);
        remaining -= n;
        i += n;
        if (remaining == 0) {
          state = DATA_CR;
        }
        continue;
      }
      byte b = buf.getByte(from + i++);
      switch (state) {
        case SIZE -> {
          int d = hex(b);
          if (d >= 0) {
            if (remaining > (Long.MAX_VALUE >> 5)) {
              return -1;
            }
            remaining = remaining * 16 + d;
            digits = true;
          } else if (!digits) {
            return -1;
          } else if (b == ';' || b == ' ' || b == '\t') {
            state = EXTENSION;
          } else if (b == '\r') {
            state = SIZE_LF;
          } else if (b == '\n') {
            sizeLineDone();
          } else {
            return -1;
          }
        }
        case EXTENSION -> {
          if (++lineBytes > MAX_LINE) {
            return -1;
          }
          if (b == '\r') {
            state = SIZE_LF; // a bare CR is invalid (RFC 9112 section 2.2)
          } else if (b == '\n') {
            sizeLineDone();
          }
        }
        case SIZE_LF -> {
          if (b != '\n') {
            return -1;
          }
          sizeLineDone();
        }
        case DATA_CR -> {
          if (b == '\r') {
            state = DATA_LF;
          } else if (b == '\n') {
            nextChunk();
          } else {
            return -1;
          }
        }
        case DATA_LF -> {
          if (b != '\n') {
            return -1;
          }
          nextChunk();
        }
        case TRAILER_START -> {
          if (b == '\r') {
            state = TRAILER_END_LF;
          } else if (b == '\n') {
            state = DONE;
          } else {
            state = TRAILER_LINE;
            if (++lineBytes > MAX_LINE) {
              return -1;
            }
          }
        }
        case TRAILER_LINE -> {
          if (++lineBytes > MAX_LINE) {
            return -1;
          }
          if (b == '\r') {
            state = TRAILER_LF;
          } else if (b == '\n') {
            state = TRAILER_START;
          }
        }
        case TRAILER_LF -> {
          if (b != '\n') {
            return -1;
          }
          state = TRAILER_START;
        }
        case TRAILER_END_LF -> {
          if (b != '\n') {
            return -1;
          }
          state = DONE;
        }
        default -> {
          return -1;
        }
      }
    }
    return i;
  }

  private void sizeLineDone() {
    lineBytes = 0;
    digits = false;
    state = remaining == 0 ? TRAILER_START : DATA;
  }

  private void nextChunk() {
    state = SIZE;
    remaining = 0;
    digits = false;
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }
}

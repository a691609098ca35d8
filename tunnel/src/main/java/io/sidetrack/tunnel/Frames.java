package io.sidetrack.tunnel;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The binary frames of a tunnel, one per WebSocket message: a type byte, a stream id (int) and a
 * payload. Strings are an int length and UTF-8 bytes; headers are a count and name/value pairs.
 *
 * <pre>
 * OPEN   router → CLI   a request: flags, method, uri, headers
 * HEAD   CLI → router   its response: status, reason phrase, headers
 * DATA   both ways      body bytes (at most {@link #MAX_CHUNK})
 * END    both ways      end of a body: trailers
 * WINDOW both ways      the receiver wrote this many more bytes out: the sender may send them
 * RESET  both ways      the stream is abandoned: a reason
 * </pre>
 */
public final class Frames {
  private Frames() {}

  public static final byte OPEN = 1;
  public static final byte HEAD = 2;
  public static final byte DATA = 3;
  public static final byte END = 4;
  public static final byte WINDOW = 5;
  public static final byte RESET = 6;

  /** OPEN flag: the request has a body. */
  public static final int FLAG_BODY = 1;

  /** OPEN flag: the request asks for a protocol upgrade (WebSocket); bytes flow raw after 101. */
  public static final int FLAG_UPGRADE = 2;

  /**
   * OPEN flag: not a request but a records stream (router → CLI): its DATA is Kafka records of the
   * intercept's topics ({@link RecordCodec}), and the CLI answers no head. The router opens one
   * only for a CLI that asked for topics.
   */
  public static final int FLAG_RECORDS = 4;

  /** Largest DATA payload. */
  public static final int MAX_CHUNK = 64 * 1024;

  /** Largest WebSocket frame either end accepts. */
  public static final int MAX_FRAME = 128 * 1024;

  /** Largest WebSocket message either end accepts (a head with large headers). */
  public static final int MAX_MESSAGE = 1024 * 1024;

  /** A frame as read. */
  public record Frame(byte type, int stream, Buffer payload) {}

  /** A malformed frame. */
  public static final class BadFrame extends RuntimeException {
    BadFrame(String message) {
      super(message);
    }
  }

  public static Frame decode(Buffer message) {
    if (message.length() < 5) {
      throw new BadFrame("frame of " + message.length() + " bytes is too short");
    }
    byte type = message.getByte(0);
    if (type < OPEN || type > RESET) {
      throw new BadFrame("unknown frame type " + type);
    }
    return new Frame(type, message.getInt(1), message.slice(5, message.length()));
  }

  static Buffer frame(byte type, int stream, int sizeHint) {
    return Buffer.buffer(5 + sizeHint).appendByte(type).appendInt(stream);
  }

  public static Buffer data(int stream, Buffer bytes) {
    return frame(DATA, stream, bytes.length()).appendBuffer(bytes);
  }

  /** A WINDOW frame: {@code bytes} (at least 1) more may be sent on {@code stream}. */
  public static Buffer window(int stream, int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("a WINDOW increment must be at least 1, got " + bytes);
    }
    return frame(WINDOW, stream, 4).appendInt(bytes);
  }

  public static Buffer reset(int stream, String reason) {
    Buffer b = frame(RESET, stream, 64);
    putString(b, reason);
    return b;
  }

  public static Buffer end(int stream, MultiMap trailers) {
    Buffer b = frame(END, stream, 16);
    putHeaders(b, trailers);
    return b;
  }

  public static Buffer open(int stream, RequestHead head) {
    Buffer b = frame(OPEN, stream, 256);
    b.appendByte((byte) head.flags());
    putString(b, head.method());
    putString(b, head.uri());
    putHeaders(b, head.headers());
    return b;
  }

  public static Buffer head(int stream, ResponseHead head) {
    Buffer b = frame(HEAD, stream, 256);
    b.appendInt(head.status());
    putString(b, head.reason());
    putHeaders(b, head.headers());
    return b;
  }

  /** The head of a request going to the developer's app. */
  public record RequestHead(int flags, String method, String uri, MultiMap headers) {
    public boolean hasBody() {
      return (flags & FLAG_BODY) != 0;
    }

    public boolean upgrade() {
      return (flags & FLAG_UPGRADE) != 0;
    }

    public boolean records() {
      return (flags & FLAG_RECORDS) != 0;
    }
  }

  /** The head of the developer's app's response. */
  public record ResponseHead(int status, String reason, MultiMap headers) {}

  public static RequestHead readOpen(Buffer payload) {
    Reader r = new Reader(payload);
    int flags = r.readByte();
    return new RequestHead(flags, r.readString(), r.readString(), r.readHeaders());
  }

  public static ResponseHead readHead(Buffer payload) {
    Reader r = new Reader(payload);
    return new ResponseHead(r.readInt(), r.readString(), r.readHeaders());
  }

  public static MultiMap readEnd(Buffer payload) {
    return new Reader(payload).readHeaders();
  }

  /**
   * The increment of a WINDOW frame.
   *
   * @throws BadFrame when it is not positive (as HTTP/2's WINDOW_UPDATE: a peer that sends one is
   *     broken, and a negative one would stall the stream)
   */
  public static int readWindow(Buffer payload) {
    int n = new Reader(payload).readInt();
    if (n < 1) {
      throw new BadFrame("WINDOW increment must be at least 1, got " + n);
    }
    return n;
  }

  public static String readReset(Buffer payload) {
    return new Reader(payload).readString();
  }

  private static void putString(Buffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.appendInt(bytes.length).appendBytes(bytes);
  }

  private static void putHeaders(Buffer b, MultiMap headers) {
    int countAt = b.length();
    b.appendInt(0);
    int count = 0; // MultiMap.size() counts names, not entries
    if (headers != null) {
      for (Map.Entry<String, String> e : headers) {
        putString(b, e.getKey());
        putString(b, e.getValue());
        count++;
      }
    }
    b.setInt(countAt, count);
  }

  private static final class Reader {
    private final Buffer b;
    private int pos;

    Reader(Buffer b) {
      this.b = b;
    }

    /** Subtracts rather than adds: {@code pos + n} overflows for a length near 2^31. */
    private void need(int n) {
      if (n < 0 || n > b.length() - pos) {
        throw new BadFrame("frame payload is truncated");
      }
    }

    int readByte() {
      need(1);
      return b.getByte(pos++) & 0xff;
    }

    int readInt() {
      need(4);
      int v = b.getInt(pos);
      pos += 4;
      return v;
    }

    String readString() {
      int n = readInt();
      need(n);
      String s = b.getString(pos, pos + n, "UTF-8");
      pos += n;
      return s;
    }

    MultiMap readHeaders() {
      int count = readInt();
      if (count < 0 || count > 10_000) {
        throw new BadFrame("frame claims " + count + " headers");
      }
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      for (int i = 0; i < count; i++) {
        headers.add(readString(), readString());
      }
      return headers;
    }
  }
}

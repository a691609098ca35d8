package io.sidetrack.tunnel;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a records stream: each {@link TunnelRecord} as an int length and then its fields, so
 * the stream's DATA frames may cut records anywhere (a record larger than a frame spans several)
 * and the receiver puts them together again with a {@link Reader}.
 *
 * <pre>
 * length int | topic string | partitions int | partition int | offset long | timestamp long
 *            | key bytes | value bytes | header count int | (name string, value bytes)*
 * string: int length + UTF-8; bytes: int length (-1 for null) + bytes
 * </pre>
 */
public final class RecordCodec {
  private RecordCodec() {}

  /**
   * Header of a records stream's OPEN, one per topic: {@code NAME:PARTITIONS} (a topic name has no
   * colon), so the CLI creates the local topics before the first record.
   */
  public static final String TOPIC_HEADER = "topic";

  /** The OPEN head's value naming {@code topic} and its partition count. */
  public static String topicHeader(String topic, int partitions) {
    return topic + ":" + partitions;
  }

  /**
   * The topics a records stream's OPEN names, with their partition counts (0 for a topic the
   * cluster does not have yet); malformed values are left out.
   */
  public static java.util.Map<String, Integer> topicsOf(io.vertx.core.MultiMap head) {
    java.util.Map<String, Integer> topics = new java.util.LinkedHashMap<>();
    for (String v : head.getAll(TOPIC_HEADER)) {
      int colon = v.lastIndexOf(':');
      try {
        topics.put(v.substring(0, colon), Integer.parseInt(v.substring(colon + 1)));
      } catch (RuntimeException e) {
        // not NAME:COUNT: a router of another version; the first record creates the topic
      }
    }
    return topics;
  }

  /** The largest record a stream carries (Kafka's own default limit is 1 MiB). */
  public static final int MAX_RECORD = 16 * 1024 * 1024;

  /** A records stream whose bytes are not records. */
  public static final class BadRecord extends RuntimeException {
    BadRecord(String message) {
      super(message);
    }
  }

  /** The bytes of {@code r}, its length first. */
  public static Buffer encode(TunnelRecord r) {
    Buffer b = Buffer.buffer(64 + length(r.key()) + length(r.value()));
    b.appendInt(0);
    putString(b, r.topic());
    b.appendInt(r.partitions()).appendInt(r.partition());
    b.appendLong(r.offset()).appendLong(r.timestamp());
    putBytes(b, r.key());
    putBytes(b, r.value());
    b.appendInt(r.headers().size());
    for (TunnelRecord.Header h : r.headers()) {
      putString(b, h.name());
      putBytes(b, h.value());
    }
    b.setInt(0, b.length() - 4);
    return b;
  }

  private static int length(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  private static void putString(Buffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.appendInt(bytes.length).appendBytes(bytes);
  }

  private static void putBytes(Buffer b, byte[] bytes) {
    if (bytes == null) {
      b.appendInt(-1);
    } else {
      b.appendInt(bytes.length).appendBytes(bytes);
    }
  }

  /**
   * Puts the records of a stream together from its pieces, in order. Not thread-safe: one per
   * stream, fed on one thread.
   */
  public static final class Reader {
    private Buffer pending = Buffer.buffer();

    /**
     * The records that {@code piece} completes, in order; what is left of an unfinished record is
     * kept for the next piece.
     *
     * @throws BadRecord when the bytes are not records
     */
    public List<TunnelRecord> add(Buffer piece) {
      pending = pending.length() == 0 ? piece.copy() : pending.appendBuffer(piece);
      List<TunnelRecord> out = new ArrayList<>();
      int pos = 0;
      while (pending.length() - pos >= 4) {
        int len = pending.getInt(pos);
        if (len < 0 || len > MAX_RECORD) {
          throw new BadRecord("record of " + len + " bytes (at most " + MAX_RECORD + ")");
        }
        if (pending.length() - pos - 4 < len) {
          break;
        }
        out.add(decode(pending.slice(pos + 4, pos + 4 + len)));
        pos += 4 + len;
      }
      if (pos > 0) {
        pending = pending.getBuffer(pos, pending.length());
      }
      return out;
    }

    /** Bytes of a record begun and not finished. */
    public int buffered() {
      return pending.length();
    }
  }

  private static TunnelRecord decode(Buffer b) {
    Cursor c = new Cursor(b);
    String topic = c.string();
    int partitions = c.integer();
    int partition = c.integer();
    long offset = c.longValue();
    long timestamp = c.longValue();
    byte[] key = c.bytes();
    byte[] value = c.bytes();
    int count = c.integer();
    if (count < 0 || count > 10_000) {
      throw new BadRecord("record claims " + count + " headers");
    }
    List<TunnelRecord.Header> headers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      headers.add(new TunnelRecord.Header(c.string(), c.bytes()));
    }
    if (c.pos != b.length()) {
      throw new BadRecord("record has " + (b.length() - c.pos) + " bytes too many");
    }
    return new TunnelRecord(topic, partitions, partition, offset, timestamp, key, value, headers);
  }

  private static final class Cursor {
    private final Buffer b;
    private int pos;

    Cursor(Buffer b) {
      this.b = b;
    }

    private void need(int n) {
      if (n < 0 || n > b.length() - pos) {
        throw new BadRecord("record is truncated");
      }
    }

    int integer() {
      need(4);
      int v = b.getInt(pos);
      pos += 4;
      return v;
    }

    long longValue() {
      need(8);
      long v = b.getLong(pos);
      pos += 8;
      return v;
    }

    String string() {
      int n = integer();
      need(n);
      String s = b.getString(pos, pos + n, "UTF-8");
      pos += n;
      return s;
    }

    byte[] bytes() {
      int n = integer();
      if (n == -1) {
        return null;
      }
      need(n);
      byte[] v = b.getBytes(pos, pos + n);
      pos += n;
      return v;
    }
  }
}

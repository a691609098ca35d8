package io.sidetrack.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.sidetrack.testkit.Bounded;
import io.sidetrack.testkit.NettyLeaks;
import io.sidetrack.tunnel.Frames.Frame;
import io.sidetrack.tunnel.Frames.RequestHead;
import io.sidetrack.tunnel.Frames.ResponseHead;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of the tunnel's frame codec ({@link Frames}) and of the {@link Mux} reading them:
 * every frame kind round trips for any fields; arbitrary, mutated, truncated and concatenated bytes
 * are either read or refused with {@link Frames.BadFrame}, the one error {@link Mux#receive}
 * documents; no try hangs ({@link Bounded}) and no buffer leaks ({@link NettyLeaks}).
 *
 * <p>The tries per property come from the subclass: {@link FramesFuzzTest} in every build, {@link
 * FramesFuzzSlowTest} with many more in the slow profile. Seeds are fixed, so a run is repeatable.
 */
abstract class FramesProperties {
  /**
   * One per subclass run: both subclasses run in one JVM in the slow profile, so the one that ends
   * first must not close the other's.
   */
  private static Vertx vertx;

  static {
    NettyLeaks.watch();
  }

  @BeforeContainer
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterContainer
  static void closeVertx() {
    vertx.close();
  }

  @AfterProperty
  void noBufferLeaked() {
    assertThat(NettyLeaks.collect()).as("buffers never released").isEmpty();
  }

  // ---- what is sent ---------------------------------------------------------------------------

  /** One frame as its sender meant it. */
  record Sent(byte type, int stream, Object value) {
    Buffer encode() {
      return switch (type) {
        case Frames.OPEN -> Frames.open(stream, (RequestHead) value);
        case Frames.HEAD -> Frames.head(stream, (ResponseHead) value);
        case Frames.DATA -> Frames.data(stream, Buffer.buffer((byte[]) value));
        case Frames.END -> Frames.end(stream, value == null ? null : headers(fields(value)));
        case Frames.WINDOW -> Frames.window(stream, (Integer) value);
        case Frames.RESET -> Frames.reset(stream, (String) value);
        default -> throw new IllegalStateException("type " + type);
      };
    }
  }

  /** Header fields in order, as name/value pairs. */
  record Field(String name, String value) {}

  @SuppressWarnings("unchecked")
  static List<Field> fields(Object value) {
    return (List<Field>) value;
  }

  static MultiMap headers(List<Field> fields) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    fields.forEach(f -> m.add(f.name(), f.value()));
    return m;
  }

  static List<Field> fieldsOf(MultiMap headers) {
    List<Field> out = new ArrayList<>();
    headers.forEach(e -> out.add(new Field(e.getKey(), e.getValue())));
    return out;
  }

  /** Any text UTF-8 carries: no lone surrogates, which no encoder writes. */
  static Arbitrary<String> text(int maxLength) {
    return Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(maxLength),
        Arbitraries.strings()
            .withCharRange('\u0000', '\uD7FF')
            .withCharRange('\uE000', '\uFFFF')
            .ofMaxLength(maxLength));
  }

  /** Header names and values as a peer might send them: tokens, but also anything at all. */
  static Arbitrary<List<Field>> fieldLists() {
    Arbitrary<String> names =
        Arbitraries.oneOf(
            Arbitraries.strings().withChars("abcxyz-_ABC0123").ofMinLength(1).ofMaxLength(12),
            text(12));
    return Combinators.combine(names, text(40)).as(Field::new).list().ofMaxSize(8);
  }

  static Arbitrary<Integer> streams() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(1, 4), Arbitraries.integers(), Arbitraries.of(0, -1));
  }

  @Provide
  Arbitrary<Sent> frames() {
    Arbitrary<Integer> stream = streams();
    Arbitrary<Sent> open =
        Combinators.combine(
                stream,
                Arbitraries.integers().between(0, 255),
                Arbitraries.oneOf(
                    Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "CONNECT"), text(10)),
                text(60),
                fieldLists())
            .as(
                (s, flags, method, uri, fields) ->
                    new Sent(Frames.OPEN, s, new RequestHead(flags, method, uri, headers(fields))));
    Arbitrary<Sent> head =
        Combinators.combine(stream, Arbitraries.integers(), text(30), fieldLists())
            .as(
                (s, status, reason, fields) ->
                    new Sent(Frames.HEAD, s, new ResponseHead(status, reason, headers(fields))));
    Arbitrary<Sent> data =
        Combinators.combine(stream, Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
            .as((s, bytes) -> new Sent(Frames.DATA, s, bytes));
    Arbitrary<Sent> end =
        Combinators.combine(stream, fieldLists().injectNull(0.2))
            .as((s, fields) -> new Sent(Frames.END, s, fields));
    Arbitrary<Sent> window =
        Combinators.combine(stream, Arbitraries.integers().greaterOrEqual(1))
            .as((s, n) -> new Sent(Frames.WINDOW, s, n));
    Arbitrary<Sent> reset =
        Combinators.combine(stream, text(80)).as((s, why) -> new Sent(Frames.RESET, s, why));
    return Arbitraries.oneOf(open, head, data, end, window, reset);
  }

  /** Bytes shaped like frames more often than not: a known type byte, then anything. */
  @Provide
  Arbitrary<byte[]> messages() {
    Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    Arbitrary<byte[]> typed =
        Combinators.combine(
                Arbitraries.bytes().between((byte) 0, (byte) 7),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
            .as(
                (type, rest) -> {
                  byte[] b = new byte[rest.length + 1];
                  b[0] = type;
                  System.arraycopy(rest, 0, b, 1, rest.length);
                  return b;
                });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, any), net.jqwik.api.Tuple.of(3, typed));
  }

  // ---- reading ----------------------------------------------------------------------------------

  /**
   * A message in a pooled direct buffer, as a connection's bytes arrive; released by the caller.
   */
  static ByteBuf pooled(Buffer message) {
    byte[] bytes = message.getBytes();
    return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
  }

  /** Decodes {@code message} and reads its payload as its type says. */
  static Object read(Buffer message) {
    Frame f = Frames.decode(message);
    return switch (f.type()) {
      case Frames.OPEN -> Frames.readOpen(f.payload());
      case Frames.HEAD -> Frames.readHead(f.payload());
      case Frames.DATA -> f.payload().getBytes();
      case Frames.END -> Frames.readEnd(f.payload());
      case Frames.WINDOW -> Frames.readWindow(f.payload());
      case Frames.RESET -> Frames.readReset(f.payload());
      default -> fail("decode let type " + f.type() + " through");
    };
  }

  /** Reads {@code bytes} from a pooled buffer: the value, or the {@link Frames.BadFrame}. */
  static Object readOrRefuse(byte[] bytes) throws Exception {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    try {
      return Bounded.call(
          () -> {
            try {
              return read(BufferInternal.buffer(buf));
            } catch (Frames.BadFrame e) {
              assertThat(e.getMessage()).isNotBlank();
              return e;
            }
          });
    } finally {
      buf.release();
    }
  }

  // ---- properties -------------------------------------------------------------------------------

  @Property(seed = "1401")
  void everyFrameKindRoundTrips(@ForAll("frames") Sent sent) throws Exception {
    ByteBuf buf = pooled(sent.encode());
    try {
      Frame f = Bounded.call(() -> Frames.decode(BufferInternal.buffer(buf)));
      assertThat(f.type()).isEqualTo(sent.type());
      assertThat(f.stream()).isEqualTo(sent.stream());
      Object read = read(BufferInternal.buffer(buf));
      switch (sent.type()) {
        case Frames.OPEN -> {
          RequestHead want = (RequestHead) sent.value();
          RequestHead got = (RequestHead) read;
          assertThat(got.flags()).isEqualTo(want.flags());
          assertThat(got.method()).isEqualTo(want.method());
          assertThat(got.uri()).isEqualTo(want.uri());
          assertThat(fieldsOf(got.headers())).isEqualTo(fieldsOf(want.headers()));
        }
        case Frames.HEAD -> {
          ResponseHead want = (ResponseHead) sent.value();
          ResponseHead got = (ResponseHead) read;
          assertThat(got.status()).isEqualTo(want.status());
          assertThat(got.reason()).isEqualTo(want.reason());
          assertThat(fieldsOf(got.headers())).isEqualTo(fieldsOf(want.headers()));
        }
        case Frames.DATA -> assertThat((byte[]) read).isEqualTo((byte[]) sent.value());
        case Frames.END ->
            assertThat(fieldsOf((MultiMap) read))
                .isEqualTo(sent.value() == null ? List.of() : fields(sent.value()));
        default -> assertThat(read).isEqualTo(sent.value());
      }
    } finally {
      buf.release();
    }
  }

  @Property(seed = "1402")
  void arbitraryBytesAreReadOrRefusedAsBadFrames(@ForAll("messages") byte[] bytes)
      throws Exception {
    Object result = readOrRefuse(bytes);
    if (bytes.length < 5 || bytes[0] < Frames.OPEN || bytes[0] > Frames.RESET) {
      assertThat(result).isInstanceOf(Frames.BadFrame.class);
    }
  }

  @Property(seed = "1403")
  void mutatedFramesAreReadOrRefusedAsBadFrames(
      @ForAll("frames") Sent sent,
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 100_000) Integer> at,
      @ForAll @Size(min = 4, max = 4) List<Byte> with)
      throws Exception {
    byte[] bytes = sent.encode().getBytes();
    for (int i = 0; i < at.size(); i++) {
      // overwrite a byte, most often one of a length or count field near the start
      int pos = at.get(i) % bytes.length;
      bytes[pos] = with.get(i);
    }
    readOrRefuse(bytes);
  }

  @Property(seed = "1404")
  void everyShorterPrefixOfAStructuredFrameIsRefused(
      @ForAll("frames") Sent sent, @ForAll @IntRange(min = 0, max = 100_000) int cut)
      throws Exception {
    byte[] whole = sent.encode().getBytes();
    byte[] prefix = java.util.Arrays.copyOf(whole, cut % whole.length);
    Object result = readOrRefuse(prefix);
    if (sent.type() != Frames.DATA || prefix.length < 5) {
      // a strict prefix is never misread as a shorter frame of the same kind
      assertThat(result).isInstanceOf(Frames.BadFrame.class);
    } else {
      assertThat((byte[]) result).isEqualTo(java.util.Arrays.copyOfRange(whole, 5, prefix.length));
    }
  }

  @Property(seed = "1405")
  void twoFramesInOneMessageReadAsTheFirstOrAreRefused(
      @ForAll("frames") Sent first, @ForAll("frames") Sent second) throws Exception {
    byte[] a = first.encode().getBytes();
    byte[] b = second.encode().getBytes();
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    Object result = readOrRefuse(both);
    // the readers stop where the first frame ends: what follows is ignored, never read into it
    // (DATA takes the whole message as its bytes: a message is one frame by definition)
    if (first.type() == Frames.DATA) {
      assertThat((byte[]) result).isEqualTo(java.util.Arrays.copyOfRange(both, 5, both.length));
    } else if (!(result instanceof Frames.BadFrame)) {
      assertThat(normalized(result)).isEqualTo(normalized(readOrRefuse(a)));
    }
  }

  /** A read value in a form {@code equals} compares. */
  private static Object normalized(Object read) {
    if (read instanceof RequestHead h) {
      return List.of(h.flags(), h.method(), h.uri(), fieldsOf(h.headers()));
    }
    if (read instanceof ResponseHead h) {
      return List.of(h.status(), h.reason(), fieldsOf(h.headers()));
    }
    if (read instanceof MultiMap m) {
      return fieldsOf(m);
    }
    return read;
  }

  /**
   * A mux takes any sequence of messages: each is read or refused with {@link Frames.BadFrame}
   * (after which its tunnel closes), and the body a stream's sink gets is exactly the DATA of that
   * stream between its OPEN and its END or RESET.
   */
  @Property(seed = "1406")
  void aMuxTakesAnySequenceOfMessages(@ForAll("muxSequences") List<byte[]> messages)
      throws Exception {
    Context context = vertx.getOrCreateContext();
    List<Buffer> sent = new ArrayList<>();
    Map<Integer, ByteArrayBody> sinks = new HashMap<>();
    Map<Integer, ByteArrayBody> expected = new HashMap<>();
    CompletableFuture<String> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          try {
            Mux mux =
                new Mux(
                    sent::add,
                    context,
                    ch -> {
                      ByteArrayBody body = new ByteArrayBody();
                      sinks.put(ch.id(), body);
                      ch.sinkTo(body, t -> body.ended = true);
                    });
            Map<Integer, ByteArrayBody> open = new HashMap<>();
            for (byte[] m : messages) {
              Frame f;
              try {
                f = Frames.decode(Buffer.buffer(m));
              } catch (Frames.BadFrame e) {
                f = null;
              }
              try {
                mux.receive(Buffer.buffer(m));
              } catch (Frames.BadFrame e) {
                mux.closeAll("bad frame: " + e.getMessage());
                break;
              }
              if (f == null) {
                continue;
              }
              switch (f.type()) {
                case Frames.OPEN -> {
                  ByteArrayBody want = new ByteArrayBody();
                  expected.put(f.stream(), want);
                  open.put(f.stream(), want);
                }
                case Frames.DATA -> {
                  ByteArrayBody want = open.get(f.stream());
                  if (want != null && !want.ended) {
                    want.write(f.payload());
                  }
                }
                case Frames.END -> {
                  if (open.containsKey(f.stream())) {
                    open.get(f.stream()).ended = true;
                  }
                }
                case Frames.RESET -> open.remove(f.stream());
                default -> {}
              }
            }
            done.complete("read");
          } catch (Throwable e) {
            done.completeExceptionally(e);
          }
        });
    done.get(Bounded.LIMIT.toSeconds(), TimeUnit.SECONDS);
    // let the writes' completions run on the context before comparing
    CompletableFuture<Void> settled = new CompletableFuture<>();
    context.runOnContext(v -> settled.complete(null));
    settled.get(Bounded.LIMIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(sinks.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (id, want) ->
            assertThat(sinks.get(id).bytes.getBytes())
                .as("body of stream %d", id)
                .isEqualTo(want.bytes.getBytes()));
  }

  @Provide
  Arbitrary<List<byte[]>> muxSequences() {
    return muxMessages().list().ofMaxSize(30);
  }

  Arbitrary<byte[]> muxMessages() {
    Arbitrary<byte[]> valid =
        frames().filter(s -> s.stream() >= 1 && s.stream() <= 4).map(s -> s.encode().getBytes());
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, valid), net.jqwik.api.Tuple.of(1, messages()));
  }

  /** A sink keeping what it is written. */
  static final class ByteArrayBody implements WriteStream<Buffer> {
    final Buffer bytes = Buffer.buffer();
    boolean ended;

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      bytes.appendBuffer(data);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      ended = true;
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}

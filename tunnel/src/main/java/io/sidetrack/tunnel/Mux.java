package io.sidetrack.tunnel;

import io.sidetrack.tunnel.Frames.Frame;
import io.sidetrack.tunnel.Frames.RequestHead;
import io.sidetrack.tunnel.Frames.ResponseHead;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Many concurrent HTTP exchanges over one WebSocket, each a {@link Channel} with its own flow
 * control: a sender may have at most {@link #WINDOW} bytes of a body that the receiver has not yet
 * written out, so a slow reader on either end holds back only its own stream, and each stream costs
 * at most one window of memory.
 *
 * <p>A mux and its channels belong to the WebSocket's context: call them only there. The streams a
 * channel pumps from or into may live on other contexts; the channel hops between them.
 */
public final class Mux {
  /** Bytes a sender may have in flight per stream and direction. */
  public static final int WINDOW = 512 * 1024;

  /**
   * Bytes of a stream received and not yet returned as window beyond which the peer is taken to
   * ignore flow control, and the stream is reset: a sender overshoots {@link #WINDOW} by what its
   * source read before its pause took effect, so the bound is generous; without it a peer could
   * make this end buffer without limit.
   */
  public static final int RECEIVE_LIMIT = 4 * WINDOW;

  private final Handler<Buffer> out;
  private final Context context;
  private final Handler<Channel> accept;
  private final Map<Integer, Channel> channels = new HashMap<>();
  private int nextId = 1;
  private boolean closed;

  /**
   * @param accept takes the channels the peer opens ({@code null} where the peer opens none)
   */
  public Mux(WebSocketBase ws, Context context, Handler<Channel> accept) {
    this(ws::write, context, accept);
  }

  /**
   * @param out sends one frame to the peer (a binary WebSocket message); called on {@code context}
   * @param accept takes the channels the peer opens ({@code null} where the peer opens none)
   */
  public Mux(Handler<Buffer> out, Context context, Handler<Channel> accept) {
    this.out = out;
    this.context = context;
    this.accept = accept;
  }

  public Context context() {
    return context;
  }

  /**
   * Handles one binary message from the peer.
   *
   * @throws Frames.BadFrame when it is not a frame; the caller closes the tunnel
   */
  public void receive(Buffer message) {
    Frame f = Frames.decode(message);
    if (f.type() == Frames.OPEN) {
      if (accept == null || channels.containsKey(f.stream())) {
        throw new Frames.BadFrame("unexpected OPEN of stream " + f.stream());
      }
      Channel ch = new Channel(f.stream(), Frames.readOpen(f.payload()));
      channels.put(ch.id, ch);
      accept.handle(ch);
      return;
    }
    Channel ch = channels.get(f.stream());
    if (ch == null) {
      return; // a late frame of a stream that is already over
    }
    switch (f.type()) {
      case Frames.HEAD -> ch.onHead(Frames.readHead(f.payload()));
      case Frames.DATA -> ch.onData(f.payload());
      case Frames.END -> ch.onEnd(Frames.readEnd(f.payload()));
      case Frames.WINDOW -> ch.onWindow(Frames.readWindow(f.payload()));
      case Frames.RESET -> ch.onReset(Frames.readReset(f.payload()));
      default -> throw new Frames.BadFrame("unexpected frame type " + f.type());
    }
  }

  /** Opens a stream carrying {@code head} to the peer. */
  public Channel open(RequestHead head) {
    Channel ch = new Channel(nextId, head);
    nextId += 1;
    channels.put(ch.id, ch);
    if (closed) {
      context.runOnContext(v -> ch.onReset("tunnel closed"));
    } else {
      out.handle(Frames.open(ch.id, head));
    }
    return ch;
  }

  /** The tunnel is gone: every open stream is reset locally. */
  public void closeAll(String reason) {
    closed = true;
    List<Channel> open = new ArrayList<>(channels.values());
    channels.clear();
    for (Channel ch : open) {
      ch.onReset(reason);
    }
  }

  private void send(Buffer frame) {
    if (!closed) {
      out.handle(frame);
    }
  }

  /** One request and its response. */
  public final class Channel {
    private final int id;
    private final RequestHead request;

    // what this end sends
    private int credit = WINDOW;
    private Runnable pauseSource;
    private Runnable resumeSource;
    private boolean sourcePaused;
    private boolean sentEnd;

    // what this end receives
    private WriteStream<Buffer> sink;
    private Context sinkContext;
    private Handler<MultiMap> endHandler;
    private final ArrayDeque<Buffer> early = new ArrayDeque<>();
    private MultiMap endTrailers;
    private boolean gotEnd;
    private int written;

    /** Bytes received and not yet returned to the peer as window. */
    private long unreturned;

    /** Bytes written out before window goes back to the peer (see {@link #windowEvery}). */
    private int windowEvery = WINDOW / 4;

    private Handler<ResponseHead> headHandler;
    private Handler<String> resetHandler;
    private Handler<Integer> windowHandler;
    private boolean done;

    private Channel(int id, RequestHead request) {
      this.id = id;
      this.request = request;
    }

    public int id() {
      return id;
    }

    /** The request this stream carries. */
    public RequestHead request() {
      return request;
    }

    public boolean isDone() {
      return done;
    }

    /** Called with the response head (the router's end). */
    public Channel headHandler(Handler<ResponseHead> handler) {
      this.headHandler = handler;
      return this;
    }

    /** Called when the peer abandons the stream or the tunnel goes. */
    public Channel resetHandler(Handler<String> handler) {
      this.resetHandler = handler;
      return this;
    }

    /**
     * Called with each window the peer returns, after it is added to this end's credit: a sender
     * that is not a {@link ReadStream} sends more once {@link #writable()}, and the returned bytes
     * tell it how much of what it sent the peer has written out.
     */
    public Channel windowHandler(Handler<Integer> handler) {
      this.windowHandler = handler;
      return this;
    }

    /** Whether the peer's window has room: what this end sends now is not over its credit. */
    public boolean writable() {
      return credit > 0;
    }

    /**
     * Returns window to the peer once {@code bytes} more are written out (default a quarter of the
     * window): 1 acknowledges every write, for a peer that counts on knowing what was written.
     */
    public Channel windowEvery(int bytes) {
      if (bytes < 1 || bytes > WINDOW) {
        throw new IllegalArgumentException("windowEvery must be 1.." + WINDOW + ", got " + bytes);
      }
      this.windowEvery = bytes;
      return this;
    }

    /** Sends the response head (the CLI's end). */
    public void sendHead(ResponseHead head) {
      if (!done) {
        send(Frames.head(id, head));
      }
    }

    /** Sends body bytes, in chunks the peer accepts; pauses the source once the window is used. */
    public void sendData(Buffer bytes) {
      if (done || sentEnd) {
        return;
      }
      int len = bytes.length();
      for (int from = 0; from < len; from += Frames.MAX_CHUNK) {
        int to = Math.min(len, from + Frames.MAX_CHUNK);
        send(Frames.data(id, from == 0 && to == len ? bytes : bytes.slice(from, to)));
      }
      credit -= len;
      if (credit <= 0 && !sourcePaused && pauseSource != null) {
        sourcePaused = true;
        pauseSource.run();
      }
    }

    /** Ends the body this end sends. */
    public void sendEnd(MultiMap trailers) {
      if (done || sentEnd) {
        return;
      }
      sentEnd = true;
      send(Frames.end(id, trailers));
      finishIfOver();
    }

    /** Abandons the stream, telling the peer. */
    public void reset(String reason) {
      if (done) {
        return;
      }
      send(Frames.reset(id, reason));
      finish();
    }

    /**
     * Sends everything {@code source} reads, then END with {@code trailers}; {@code source} must be
     * paused and lives on {@code sourceContext}.
     */
    public void pump(
        ReadStream<Buffer> source,
        Context sourceContext,
        Supplier<MultiMap> trailers,
        Runnable onEnd) {
      pauseSource = () -> sourceContext.runOnContext(v -> source.pause());
      resumeSource = () -> sourceContext.runOnContext(v -> source.resume());
      sourceContext.runOnContext(
          v -> {
            source.handler(buf -> context.runOnContext(x -> sendData(buf)));
            source.exceptionHandler(
                e -> context.runOnContext(x -> reset("sender failed: " + e.getMessage())));
            source.endHandler(
                x -> {
                  MultiMap t = trailers == null ? null : trailers.get();
                  context.runOnContext(
                      y -> {
                        sendEnd(t);
                        if (onEnd != null) {
                          onEnd.run();
                        }
                      });
                });
            source.resume();
          });
    }

    /**
     * Writes the body the peer sends into {@code target}, a stream of this mux's own context,
     * returning window as each write completes; {@code onEnd} gets the trailers once it has all
     * been handed to {@code target}.
     */
    public void sinkTo(WriteStream<Buffer> target, Handler<MultiMap> onEnd) {
      sinkTo(target, context, onEnd);
    }

    /**
     * Writes the body the peer sends into {@code target}, which lives on {@code targetContext} (an
     * HTTP response of the agent's connection, say): every write and {@code onEnd} run there, since
     * a Vert.x stream may only be touched on its own context.
     */
    public void sinkTo(WriteStream<Buffer> target, Context targetContext, Handler<MultiMap> onEnd) {
      this.sink = target;
      this.sinkContext = targetContext;
      this.endHandler = onEnd;
      while (!early.isEmpty()) {
        write(early.poll());
      }
      if (gotEnd) {
        deliverEnd();
      }
    }

    private void onSinkContext(Runnable action) {
      if (sinkContext == context) {
        action.run();
      } else {
        sinkContext.runOnContext(v -> action.run());
      }
    }

    private void write(Buffer b) {
      int n = b.length();
      WriteStream<Buffer> target = sink;
      onSinkContext(() -> target.write(b).onComplete(ar -> context.runOnContext(v -> written(n))));
    }

    private void written(int n) {
      if (done) {
        return;
      }
      written += n;
      if (written >= windowEvery) {
        send(Frames.window(id, written));
        unreturned -= written;
        written = 0;
      }
    }

    void onHead(ResponseHead head) {
      if (headHandler != null) {
        headHandler.handle(head);
      }
    }

    void onData(Buffer b) {
      if (gotEnd || done) {
        return;
      }
      unreturned += b.length();
      if (unreturned > RECEIVE_LIMIT) {
        String reason =
            "flow control: the peer sent "
                + unreturned
                + " bytes of stream "
                + id
                + " not returned as window (at most "
                + RECEIVE_LIMIT
                + ")";
        send(Frames.reset(id, reason));
        onReset(reason);
        return;
      }
      if (sink == null) {
        early.add(b);
      } else {
        write(b);
      }
    }

    void onEnd(MultiMap trailers) {
      gotEnd = true;
      endTrailers = trailers;
      if (sink != null) {
        deliverEnd();
      }
    }

    private void deliverEnd() {
      Handler<MultiMap> h = endHandler;
      endHandler = null;
      if (h != null) {
        MultiMap trailers = endTrailers;
        onSinkContext(() -> h.handle(trailers));
      }
      finishIfOver();
    }

    void onWindow(int n) {
      // saturating: a peer granting more than 2^31-1 in all must not turn the credit negative
      credit = (int) Math.min(Integer.MAX_VALUE, (long) credit + n);
      if (sourcePaused && credit > 0) {
        sourcePaused = false;
        resumeSource.run();
      }
      if (windowHandler != null) {
        windowHandler.handle(n);
      }
    }

    void onReset(String reason) {
      if (done) {
        return;
      }
      finish();
      if (resetHandler != null) {
        resetHandler.handle(reason);
      }
    }

    private void finishIfOver() {
      if (sentEnd && gotEnd && sink != null) {
        finish();
      }
    }

    private void finish() {
      done = true;
      early.clear();
      channels.remove(id);
    }
  }
}

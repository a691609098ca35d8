package io.sidetrack.chaos.harness;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay the test controls, on a loopback port of its own: it forwards each accepted
 * connection to the next of its targets in turn (round robin: the front of the three agents), and
 * can drop the network without closing anything ({@link #blackhole()}): every byte either way is
 * discarded and no FIN or RST reaches either end, as when a cable is pulled or a laptop's Wi-Fi
 * goes, so each side finds out only by its own timeouts. {@link #heal()} closes the connections
 * that crossed the cut (their streams lost bytes) and forwards new ones again.
 */
public final class TcpRelay implements AutoCloseable {
  private final Vertx vertx;
  private final List<SocketAddress> targets;
  private final NetClient client;
  private final NetServer server;
  private final AtomicInteger next = new AtomicInteger();
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong connections = new AtomicLong();
  private volatile boolean blackholed;

  private TcpRelay(Vertx vertx, List<SocketAddress> targets) {
    this.vertx = vertx;
    this.targets = List.copyOf(targets);
    this.client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    this.server = vertx.createNetServer().connectHandler(this::accept);
  }

  /** A relay on {@code port} (0: any free port) to {@code targets}, in turn. */
  public static TcpRelay start(Vertx vertx, int port, List<SocketAddress> targets) {
    requireNonNull(targets, "targets");
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets");
    }
    TcpRelay relay = new TcpRelay(vertx, targets);
    await(relay.server.listen(port, "127.0.0.1"));
    return relay;
  }

  public static TcpRelay start(Vertx vertx, int port, SocketAddress target) {
    return start(vertx, port, List.of(target));
  }

  public int port() {
    return server.actualPort();
  }

  public String address() {
    return "127.0.0.1:" + port();
  }

  /** Connections accepted so far. */
  public long connections() {
    return connections.get();
  }

  /** Drops every byte both ways from now on, closing nothing (a network partition). */
  public void blackhole() {
    blackholed = true;
  }

  /** Ends the partition: connections that crossed it are closed, new ones are forwarded. */
  public void heal() {
    for (NetSocket socket : open) {
      socket.close();
    }
    blackholed = false;
  }

  public boolean blackholed() {
    return blackholed;
  }

  private void accept(NetSocket inbound) {
    connections.incrementAndGet();
    open.add(inbound);
    inbound.closeHandler(v -> open.remove(inbound));
    if (blackholed) {
      inbound.handler(b -> {});
      return;
    }
    inbound.pause();
    SocketAddress target = targets.get(Math.floorMod(next.getAndIncrement(), targets.size()));
    client
        .connect(target)
        .onFailure(e -> inbound.close())
        .onSuccess(
            outbound -> {
              open.add(outbound);
              outbound.closeHandler(
                  v -> {
                    open.remove(outbound);
                    inbound.close();
                  });
              inbound.closeHandler(
                  v -> {
                    open.remove(inbound);
                    outbound.close();
                  });
              pipe(inbound, outbound);
              pipe(outbound, inbound);
              inbound.resume();
            });
  }

  private void pipe(NetSocket from, NetSocket to) {
    from.handler(
        buffer -> {
          if (blackholed) {
            return; // lost on the wire
          }
          to.write(buffer);
          if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
          }
        });
  }

  @Override
  public void close() {
    for (NetSocket socket : open) {
      socket.close();
    }
    await(server.close());
    await(client.close());
  }

  static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}

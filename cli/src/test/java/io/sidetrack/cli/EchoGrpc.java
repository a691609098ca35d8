package io.sidetrack.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A tiny gRPC service without protoc: hand-written method descriptors whose messages are UTF-8
 * strings. Every answer starts with the name of the server that gave it, so a test sees which one
 * answered. {@code Hang} never answers: the test drives it into a deadline or a cancellation and
 * reads, from {@link #started} and {@link #cancelled}, what the server saw.
 */
final class EchoGrpc {
  static final String SERVICE = "sidetrack.test.Echo";

  /** UTF-8 strings on the wire: no protobuf needed. */
  static final MethodDescriptor.Marshaller<String> UTF8 =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  /** "x" answers "server:x". */
  static final MethodDescriptor<String, String> UNARY = method("Unary", MethodType.UNARY);

  /** "n" answers n messages "server:0" … "server:n-1". */
  static final MethodDescriptor<String, String> COUNT =
      method("Count", MethodType.SERVER_STREAMING);

  /** Each message "x" is answered with "server:x"; the call ends when the client's side ends. */
  static final MethodDescriptor<String, String> ECHO = method("Echo", MethodType.BIDI_STREAMING);

  /** Fails with NOT_FOUND and a description naming the server: a trailers-only answer. */
  static final MethodDescriptor<String, String> FAIL = method("Fail", MethodType.UNARY);

  /** Never answers; the server notes the call's start and its cancellation. */
  static final MethodDescriptor<String, String> HANG = method("Hang", MethodType.UNARY);

  private static MethodDescriptor<String, String> method(String name, MethodType type) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(UTF8)
        .setResponseMarshaller(UTF8)
        .build();
  }

  private EchoGrpc() {}

  /** A running grpc-java server (Netty, h2c) with the service, answering as {@code name}. */
  static final class EchoServer implements AutoCloseable {
    final String name;
    final BlockingQueue<String> started = new LinkedBlockingQueue<>();
    final BlockingQueue<String> cancelled = new LinkedBlockingQueue<>();
    private final Server server;

    EchoServer(String name) throws IOException {
      this.name = name;
      this.server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(definition())
              .build()
              .start();
    }

    int port() {
      return server.getPort();
    }

    private ServerServiceDefinition definition() {
      return ServerServiceDefinition.builder(SERVICE)
          .addMethod(
              UNARY,
              ServerCalls.asyncUnaryCall(
                  (request, out) -> {
                    out.onNext(name + ":" + request);
                    out.onCompleted();
                  }))
          .addMethod(
              COUNT,
              ServerCalls.asyncServerStreamingCall(
                  (request, out) -> {
                    int n = Integer.parseInt(request);
                    for (int i = 0; i < n; i++) {
                      out.onNext(name + ":" + i);
                    }
                    out.onCompleted();
                  }))
          .addMethod(
              ECHO,
              ServerCalls.asyncBidiStreamingCall(
                  out ->
                      new StreamObserver<String>() {
                        @Override
                        public void onNext(String message) {
                          out.onNext(name + ":" + message);
                        }

                        @Override
                        public void onError(Throwable t) {}

                        @Override
                        public void onCompleted() {
                          out.onCompleted();
                        }
                      }))
          .addMethod(
              FAIL,
              ServerCalls.asyncUnaryCall(
                  (request, out) ->
                      out.onError(
                          Status.NOT_FOUND
                              .withDescription(name + " has no " + request)
                              .asRuntimeException())))
          .addMethod(
              HANG,
              ServerCalls.asyncUnaryCall(
                  (request, out) -> {
                    ((ServerCallStreamObserver<String>) out)
                        .setOnCancelHandler(() -> cancelled.add(request));
                    started.add(request);
                  }))
          .build();
    }

    @Override
    public void close() {
      server.shutdownNow();
    }
  }
}

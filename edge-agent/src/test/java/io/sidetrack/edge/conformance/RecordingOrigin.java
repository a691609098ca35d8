package io.sidetrack.edge.conformance;

import io.sidetrack.edge.conformance.RawHttp.Field;
import io.sidetrack.edge.conformance.RawHttp.Head;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The origin behind both proxies: a plain ServerSocket on port 0 that records every request it gets
 * (start line, fields in order, body decoded from its framing) and answers each with a small fixed
 * response, keeping the connection unless the request asks to close it.
 */
final class RecordingOrigin implements AutoCloseable {
  /** One request as the origin got it. */
  record Recorded(
      String method,
      String target,
      String version,
      List<Field> fields,
      byte[] body,
      List<Field> trailers) {}

  private static final byte[] ANSWER =
      RawHttp.bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  private static final byte[] HEAD_ANSWER =
      RawHttp.bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
  private static final byte[] CONTINUE = RawHttp.bytes("HTTP/1.1 100 Continue\r\n\r\n");

  private final ServerSocket server;
  private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  RecordingOrigin() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::accept, "recording-origin");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** How many connections to the origin are open now. */
  int openConnections() {
    return open.size();
  }

  /** What was recorded since the last call, and forgets it. */
  List<Recorded> take() {
    List<Recorded> out = new ArrayList<>(recorded);
    recorded.removeAll(out);
    return out;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setSoTimeout(10_000);
        open.add(s);
        Thread t = new Thread(() -> serve(s), "recording-origin-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      Head head;
      while ((head = RawHttp.readHead(in)) != null) {
        String[] line = head.startLine().split(" ", 3);
        String method = line[0];
        boolean expectsContinue =
            head.values("expect").stream().anyMatch(v -> v.equalsIgnoreCase("100-continue"));
        byte[] body = new byte[0];
        List<Field> trailers = List.of();
        if (head.chunked()) {
          if (expectsContinue) {
            out.write(CONTINUE);
            out.flush();
          }
          RawHttp.Chunked c = RawHttp.readChunked(in);
          body = c.body();
          trailers = c.trailers();
        } else if (head.contentLength() > 0) {
          if (expectsContinue) {
            out.write(CONTINUE);
            out.flush();
          }
          body = RawHttp.readFixed(in, head.contentLength());
        }
        recorded.add(
            new Recorded(
                method,
                line.length > 1 ? line[1] : "",
                line.length > 2 ? line[2] : "",
                head.fields(),
                body,
                trailers));
        out.write(method.equals("HEAD") ? HEAD_ANSWER : ANSWER);
        out.flush();
        boolean close =
            head.values("connection").stream().anyMatch(v -> v.toLowerCase().contains("close"))
                || line.length > 2
                    && line[2].equals("HTTP/1.0")
                    && head.values("connection").stream()
                        .noneMatch(v -> v.toLowerCase().contains("keep-alive"));
        if (close) {
          return;
        }
      }
    } catch (SocketException e) {
      // the proxy closed its link
    } catch (IOException | RuntimeException e) {
      // a request the origin cannot read: it is not recorded, and the link closes
    } finally {
      open.remove(s);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }
}

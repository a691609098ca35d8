package io.sidetrack.edge.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A raw HTTP/1.1 server on loopback for the proxy tests: it answers every request with {@code
 * <name> saw:} and the request head exactly as its bytes came, so a test sees what the agent sent
 * on. A body is read past after the answer: a length, or chunks (an HTTP/2 request the full proxy
 * relays over HTTP/1.1 comes chunked, often with none); a head that asks for {@code 100-continue}
 * gets its final answer at once, and its body never comes.
 */
final class HeadEcho implements AutoCloseable {
  private final ServerSocket server;
  private final String name;

  HeadEcho(String name) throws IOException {
    this.name = name;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "head-echo-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket c = server.accept();
        Thread t = new Thread(() -> serve(c));
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket c) {
    try (c) {
      OutputStream out = c.getOutputStream();
      for (String head = readHead(c.getInputStream());
          head != null;
          head = readHead(c.getInputStream())) {
        String body = name + " saw:\r\n" + head;
        byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
        skipBody(c.getInputStream(), head.toLowerCase(Locale.ROOT));
      }
    } catch (IOException e) {
      // the agent closed the connection
    }
  }

  private static void skipBody(InputStream in, String head) throws IOException {
    if (head.contains("\r\nexpect:")) {
      return;
    }
    Matcher length = CONTENT_LENGTH.matcher(head);
    if (length.find()) {
      in.readNBytes(Integer.parseInt(length.group(1)));
    } else if (head.contains("\r\ntransfer-encoding: chunked")) {
      for (String size = line(in); size != null; size = line(in)) {
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          for (String trailer = line(in);
              trailer != null && !trailer.isEmpty();
              trailer = line(in)) {
            // read past
          }
          return;
        }
        in.readNBytes(n);
        line(in); // the CRLF after the chunk
      }
    }
  }

  private static final Pattern CONTENT_LENGTH = Pattern.compile("\r\ncontent-length: *(\\d+)");

  /** One line without its CRLF, or null at the end of the stream. */
  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int x = in.read(); x >= 0; x = in.read()) {
      if (x == '\n') {
        return b.toString().strip();
      }
      b.append((char) x);
    }
    return null;
  }

  /** One message head, up to and with its blank line, or null at the end of the stream. */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    for (int x = in.read(); x >= 0; x = in.read()) {
      b.write(x);
      state = (x == '\n') ? state + 1 : (x == '\r' ? state : 0);
      if (state == 2) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

package io.sidetrack.loadtest.tunnel;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 keep-alive client on one socket, so that latency measurements carry as little
 * client overhead as possible. It reads responses with a Content-Length only.
 */
final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
  }

  /** Sends a GET and reads the whole response; returns the status. */
  int get(String path, String extraHeader) throws IOException {
    String req =
        "GET "
            + path
            + " HTTP/1.1\r\nHost: bench\r\n"
            + (extraHeader == null ? "" : extraHeader + "\r\n")
            + "\r\n";
    out.write(req.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String status = line();
    long length = -1;
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon > 0 && h.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        length = Long.parseLong(h.substring(colon + 1).trim());
      }
    }
    if (length < 0) {
      throw new IOException("response without Content-Length: " + status);
    }
    for (long left = length; left > 0; ) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new IOException("connection closed");
        }
        skipped = 1;
      }
      left -= skipped;
    }
    return Integer.parseInt(status.split(" ")[1]);
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

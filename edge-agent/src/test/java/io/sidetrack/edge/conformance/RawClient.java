package io.sidetrack.edge.conformance;

import io.sidetrack.edge.conformance.RawHttp.Head;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/** Sends a corpus entry's bytes on one raw connection and reads the answers that come back. */
final class RawClient {
  /**
   * How long a proxy may stay silent before the answers are taken as complete: long enough for a
   * loaded two-core machine, and paid only by the few entries a proxy leaves unanswered.
   */
  static final int QUIET_MS = 5000;

  /** The statuses of the final answers, in order, and how the exchange ended. */
  record Answers(List<Integer> statuses, String end) {
    boolean anyError() {
      return statuses.stream().anyMatch(s -> s >= 400);
    }

    @Override
    public String toString() {
      return statuses + (end.isEmpty() ? "" : " " + end);
    }
  }

  private RawClient() {}

  /**
   * Writes {@code requests} back to back and reads up to one final answer per request; {@code
   * heads} tells which requests are HEAD (their answers have no body).
   */
  static Answers exchange(int port, List<byte[]> requests, List<Boolean> heads) throws IOException {
    List<Integer> statuses = new ArrayList<>();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(QUIET_MS);
      s.setTcpNoDelay(true);
      for (byte[] r : requests) {
        s.getOutputStream().write(r);
      }
      s.getOutputStream().flush();
      InputStream in = new BufferedInputStream(s.getInputStream());
      try {
        while (statuses.size() < requests.size()) {
          Head head = RawHttp.readHead(in);
          if (head == null) {
            return new Answers(statuses, "closed");
          }
          String[] line = head.startLine().split(" ", 3);
          int status = Integer.parseInt(line[1]);
          if (status >= 100 && status < 200) {
            continue; // interim
          }
          statuses.add(status);
          boolean head0 = statuses.size() <= heads.size() && heads.get(statuses.size() - 1);
          if (!head0 && status != 204 && status != 304) {
            if (head.chunked()) {
              RawHttp.readChunked(in);
            } else if (head.contentLength() >= 0) {
              RawHttp.readFixed(in, head.contentLength());
            } else {
              in.readAllBytes();
              return new Answers(statuses, "closed");
            }
          }
          if (head.values("connection").stream().anyMatch(v -> v.equalsIgnoreCase("close"))) {
            return new Answers(statuses, "closed");
          }
        }
        return new Answers(statuses, "");
      } catch (SocketTimeoutException e) {
        return new Answers(statuses, "timeout");
      } catch (IOException | RuntimeException e) {
        return new Answers(statuses, "broken: " + e.getMessage());
      }
    }
  }
}

package io.sidetrack.edge.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.sidetrack.core.RelayHeaders;
import io.sidetrack.core.baggage.BaggageBridge;
import io.sidetrack.edge.dispatch.FallbackReason;

/**
 * The front's head rewriting, bytes in and bytes out: a parsed request head becomes the next hop's
 * head, and a parsed answer head the client's. Which fields are hop-by-hop is {@link Http1Head}'s
 * classification (after {@link io.sidetrack.core.http.HopByHop}); this decides only what the front
 * adds. {@code Transfer-Encoding} passes on both ways, though hop-by-hop: the front relays a body
 * in the framing it came in, so the next hop gets the coding it is sent (RFC 9112 section 6.1).
 * Baggage bridging's member ({@link BaggageBridge.Merge}) goes at the end of the {@code baggage}
 * field it names, or in a {@code baggage} field of its own.
 */
final class HeadRewriter {
  private static final byte[] INTERCEPT_FIELD = field(RelayHeaders.INTERCEPT);
  private static final byte[] WORKLOAD_FIELD = field(RelayHeaders.WORKLOAD);
  private static final byte[] FALLBACK_FIELD = field(RelayHeaders.FALLBACK);
  private static final byte[] X_FORWARDED_FOR = field("x-forwarded-for");
  private static final byte[] X_FORWARDED_HOST = field("x-forwarded-host");
  private static final byte[] X_FORWARDED_PROTO_HTTP =
      Http1Head.ascii("x-forwarded-proto: http\r\n");
  private static final byte[] FORWARDED = field("forwarded");
  private static final byte[] CONNECTION_CLOSE = Http1Head.ascii("connection: close\r\n");
  private static final byte[] LIST_SEPARATOR = Http1Head.ascii(", ");
  private static final byte[] BAGGAGE_FIELD = field("baggage");

  private HeadRewriter() {}

  private static byte[] field(String name) {
    return Http1Head.ascii(name + ": ");
  }

  /**
   * Writes request {@code h} for the next hop: the request line and fields as they came, minus
   * hop-by-hop and relay fields, plus {@code X-Forwarded-For/Host/Proto} and {@code Forwarded} for
   * {@code client} (after the client's own when it is trusted, in their place when it is not), and,
   * when it goes to a router ({@code interceptId} not null), the intercept id and {@code workload};
   * with {@code bridge} (null: none), the bridged baggage member, in the {@code bridge.field()}-th
   * {@code baggage} field it sends on or in one of its own.
   */
  static void nextHopRequest(
      ByteBuf out,
      Http1Head h,
      ClientForwarding client,
      String interceptId,
      byte[] workload,
      BaggageBridge.Merge bridge) {
    if (bridge != null && !bridge.added()) {
      bridge = null;
    }
    h.writeStartLine(out, false);
    int host = -1;
    int baggage = 0;
    boolean hasForwardedHost = false;
    boolean hasForwardedProto = false;
    for (int i = 0; i < h.count; i++) {
      switch (h.kinds[i]) {
        case Http1Head.OTHER,
            Http1Head.TRANSFER_ENCODING,
            Http1Head.NO_TUNNEL,
            Http1Head.SIDETRACK_ID ->
            h.writeField(out, i);
        case Http1Head.BAGGAGE -> {
          if (bridge != null && bridge.field() == baggage) {
            h.writeField(out, i, bridge.text());
          } else {
            h.writeField(out, i);
          }
          baggage++;
        }
        case Http1Head.CONTENT_LENGTH -> {
          if (!h.chunked) {
            h.writeField(out, i);
          }
        }
        case Http1Head.HOST -> {
          host = host < 0 ? i : host;
          h.writeField(out, i);
        }
        case Http1Head.X_FORWARDED_HOST -> {
          if (client.trusted()) {
            hasForwardedHost = true;
            h.writeField(out, i);
          }
        }
        case Http1Head.X_FORWARDED_PROTO -> {
          if (client.trusted()) {
            hasForwardedProto = true;
            h.writeField(out, i);
          }
        }
        default -> {} // hop-by-hop, relay fields, and the forwarding ones written below
      }
    }
    if (bridge != null && bridge.field() < 0) {
      out.writeBytes(BAGGAGE_FIELD);
      ByteBufUtil.writeAscii(out, bridge.text());
      out.writeShort(Http1Head.CRLF);
    }
    out.writeBytes(X_FORWARDED_FOR);
    if (client.trusted()) {
      appendPrior(out, h, Http1Head.X_FORWARDED_FOR);
    }
    out.writeBytes(client.address()).writeShort(Http1Head.CRLF);
    if (host >= 0 && !hasForwardedHost) {
      out.writeBytes(X_FORWARDED_HOST);
      h.writeValue(out, host);
      out.writeShort(Http1Head.CRLF);
    }
    if (!hasForwardedProto) {
      out.writeBytes(X_FORWARDED_PROTO_HTTP);
    }
    out.writeBytes(FORWARDED);
    if (client.trusted()) {
      appendPrior(out, h, Http1Head.FORWARDED);
    }
    out.writeBytes(client.forwardedElement(h, host)).writeShort(Http1Head.CRLF);
    if (interceptId != null) {
      out.writeBytes(INTERCEPT_FIELD);
      ByteBufUtil.writeAscii(out, interceptId);
      out.writeShort(Http1Head.CRLF);
      out.writeBytes(WORKLOAD_FIELD).writeBytes(workload).writeShort(Http1Head.CRLF);
    }
    out.writeShort(Http1Head.CRLF);
  }

  /** The values of the fields of {@code kind}, each followed by ", ". */
  private static void appendPrior(ByteBuf out, Http1Head h, byte kind) {
    for (int i = 0; i < h.count; i++) {
      if (h.kinds[i] == kind) {
        h.writeValue(out, i);
        out.writeBytes(LIST_SEPARATOR);
      }
    }
  }

  /**
   * Writes answer {@code h} for the client: the status line and fields minus hop-by-hop ones, plus
   * {@code sidetrack-fallback} when the request fell back, and {@code connection: close} when the
   * client's connection ends after it.
   */
  static void clientAnswer(ByteBuf out, Http1Head h, FallbackReason fallback, boolean close) {
    h.writeStartLine(out, true);
    for (int i = 0; i < h.count; i++) {
      switch (h.kinds[i]) {
        case Http1Head.CONNECTION,
            Http1Head.HOP,
            Http1Head.UPGRADE,
            Http1Head.NAMED_BY_CONNECTION -> {}
        case Http1Head.CONTENT_LENGTH -> {
          if (!h.chunked) {
            h.writeField(out, i);
          }
        }
        default -> h.writeField(out, i);
      }
    }
    if (fallback != null) {
      out.writeBytes(FALLBACK_FIELD).writeBytes(fallback.ascii()).writeShort(Http1Head.CRLF);
    }
    if (close) {
      out.writeBytes(CONNECTION_CLOSE);
    }
    out.writeShort(Http1Head.CRLF);
  }
}

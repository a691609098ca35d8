package io.sidetrack.edge.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.sidetrack.core.RelayHeaders;
import io.sidetrack.edge.dispatch.Dispatch;
import io.sidetrack.edge.dispatch.FallbackReason;
import java.nio.charset.StandardCharsets;

/**
 * The answers the front gives itself, as bytes: a request it cannot read (400, 408, 431), an
 * upstream that failed it (502), a fail-closed intercept whose tunnel is gone (503). Plain text
 * bodies, so a person with curl sees why.
 */
final class LocalReplies {
  private LocalReplies() {}

  /** The reason phrase the front uses for {@code status}. */
  static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 408 -> "Request Timeout";
      case 431 -> "Request Header Fields Too Large";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      default -> throw new IllegalArgumentException("no local reply with status " + status);
    };
  }

  /**
   * A whole answer: status line, {@code text} as its body, {@code sidetrack-fallback} if {@code
   * fallback} is given, {@code Retry-After} if {@code retry}, and {@code connection: close} unless
   * {@code keepAlive}.
   */
  static ByteBuf reply(
      ByteBufAllocator alloc,
      int status,
      String text,
      FallbackReason fallback,
      boolean retry,
      boolean keepAlive) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder head =
        new StringBuilder(160)
            .append("HTTP/1.1 ")
            .append(status)
            .append(' ')
            .append(reason(status))
            .append("\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ")
            .append(body.length)
            .append("\r\n");
    if (fallback != null) {
      head.append(RelayHeaders.FALLBACK).append(": ").append(fallback.label()).append("\r\n");
    }
    if (retry) {
      head.append("retry-after: ").append(Dispatch.RETRY_AFTER_SECONDS).append("\r\n");
    }
    if (!keepAlive) {
      head.append("connection: close\r\n");
    }
    head.append("\r\n");
    ByteBuf out = alloc.directBuffer(head.length() + body.length);
    ByteBufUtil.writeAscii(out, head);
    out.writeBytes(body);
    return out;
  }
}

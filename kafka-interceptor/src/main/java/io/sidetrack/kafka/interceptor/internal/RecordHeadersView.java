package io.sidetrack.kafka.interceptor.internal;

import io.sidetrack.core.routing.RequestView;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A record's headers as routing reads a request's: names compared ignoring case (HTTP's rule, so
 * {@code X-Sidetrack-Id} counts), values decoded as UTF-8; a record has no path or method. One
 * instance is reused for the records of a poll, on the consumer's thread.
 */
public final class RecordHeadersView implements RequestView {
  private Headers headers;

  /** Looks at {@code recordHeaders} from now on. */
  public RecordHeadersView of(Headers recordHeaders) {
    this.headers = recordHeaders;
    return this;
  }

  @Override
  public List<String> headerValues(String lowerCaseName) {
    String first = null;
    List<String> more = null;
    for (Header h : headers) {
      // the name first, compared without decoding the key where it can (see FetchedHeaders): the
      // values of other headers are not copied out of the fetched bytes
      if (!FetchedHeaders.is(h, lowerCaseName)) {
        continue;
      }
      String value = FetchedHeaders.valueAsString(h);
      if (value == null) {
        continue;
      }
      if (first == null) {
        first = value;
      } else {
        if (more == null) {
          more = new ArrayList<>(4);
          more.add(first);
        }
        more.add(value);
      }
    }
    if (more != null) {
      return more;
    }
    return first == null ? List.of() : List.of(first);
  }

  @Override
  public String path() {
    return "";
  }

  @Override
  public String method() {
    return "";
  }
}

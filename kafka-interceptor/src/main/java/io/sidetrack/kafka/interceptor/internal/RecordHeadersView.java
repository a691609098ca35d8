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
    // read as fetched, without copying other headers out or making an iterator: FetchedHeaders
    List<Header> list = FetchedHeaders.asList(headers);
    Values values = new Values();
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        values.addIfNamed(list.get(i), lowerCaseName);
      }
    } else {
      for (Header h : headers) {
        values.addIfNamed(h, lowerCaseName);
      }
    }
    return values.list();
  }

  /** The values of the headers of one name, in order. */
  private static final class Values {
    private String first;
    private List<String> more;

    void addIfNamed(Header h, String lowerCaseName) {
      if (!FetchedHeaders.is(h, lowerCaseName)) {
        return;
      }
      String value = FetchedHeaders.valueAsString(h);
      if (value == null) {
        return;
      }
      if (first == null) {
        first = value;
        return;
      }
      if (more == null) {
        more = new ArrayList<>(4);
        more.add(first);
      }
      more.add(value);
    }

    List<String> list() {
      if (more != null) {
        return more;
      }
      return first == null ? List.of() : List.of(first);
    }
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

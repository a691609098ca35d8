package io.sidetrack.core;

import static java.util.Objects.requireNonNull;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Checks a registration on its own, before it is compared with the others of its workload. */
public final class InterceptValidator {
  private static final java.util.regex.Pattern ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final java.util.regex.Pattern WORKLOAD =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** RFC 9110 section 5.6.2 token. */
  private static final java.util.regex.Pattern TOKEN =
      java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** Visible ASCII and spaces or tabs inside: what a header field value may hold. */
  private static final java.util.regex.Pattern FIELD_VALUE =
      java.util.regex.Pattern.compile("[\\x21-\\x7E]([\\x20-\\x7E\\t]*[\\x21-\\x7E])?");

  private static final int MAX_NAME_LENGTH = 256;

  /** Kafka's legal topic name characters ({@code org.apache.kafka.common.internals.Topic}). */
  private static final java.util.regex.Pattern TOPIC =
      java.util.regex.Pattern.compile("[a-zA-Z0-9._-]+");

  /** Kafka's longest topic name. */
  public static final int MAX_TOPIC_LENGTH = 249;

  /** Most topics one intercept may take. */
  public static final int MAX_TOPICS = 32;

  private final Limits limits;

  public InterceptValidator(Limits limits) {
    this.limits = requireNonNull(limits, "limits");
  }

  /** Whether {@code workload} is a valid workload name (an RFC 1123 label). */
  public static boolean isValidWorkload(String workload) {
    return workload != null && WORKLOAD.matcher(workload).matches();
  }

  /** Whether {@code name} is a valid HTTP header name (an RFC 9110 token). */
  public static boolean isValidHeaderName(String name) {
    return name != null && name.length() <= MAX_NAME_LENGTH && TOKEN.matcher(name).matches();
  }

  /**
   * Why {@code topic} is not a legal Kafka topic name (Kafka's own rules: 1-249 of {@code
   * a-zA-Z0-9._-}, not {@code .} or {@code ..}), or null when it is.
   */
  public static String topicNameProblem(String topic) {
    if (topic == null || topic.isEmpty()) {
      return "invalid topic name '': a topic name cannot be empty";
    }
    if (topic.equals(".") || topic.equals("..")) {
      return "invalid topic name '" + topic + "': Kafka does not allow '.' or '..'";
    }
    if (topic.length() > MAX_TOPIC_LENGTH) {
      return "invalid topic name '"
          + abbreviate(topic)
          + "': "
          + topic.length()
          + " characters, Kafka's limit is "
          + MAX_TOPIC_LENGTH;
    }
    if (!TOPIC.matcher(topic).matches()) {
      return "invalid topic name '"
          + abbreviate(topic)
          + "': Kafka allows only ASCII letters, digits, '.', '_' and '-'";
    }
    return null;
  }

  /**
   * The first problem with {@code intercept} as decided at {@code now}, as a reason a developer can
   * act on, or empty when there is none.
   */
  public Optional<String> problem(Intercept intercept, Instant now) {
    return Optional.ofNullable(firstProblem(intercept, now));
  }

  private String firstProblem(Intercept i, Instant now) {
    if (!ID.matcher(i.id()).matches()) {
      return "invalid intercept id '"
          + abbreviate(i.id())
          + "': use 1-128 letters, digits, '.', '_' or '-'";
    }
    if (!isValidWorkload(i.workload())) {
      return "invalid workload name '"
          + abbreviate(i.workload())
          + "': use 1-63 lower-case letters, digits or '-', starting and ending alphanumeric";
    }
    if (i.owner().isBlank() || i.owner().length() > MAX_NAME_LENGTH) {
      return "invalid owner: must be 1-" + MAX_NAME_LENGTH + " characters";
    }
    if (i.target().isBlank() || i.target().length() > MAX_NAME_LENGTH) {
      return "invalid target: must be 1-" + MAX_NAME_LENGTH + " characters";
    }
    String ruleProblem = matchProblem(i.match());
    if (ruleProblem != null) {
      return ruleProblem;
    }
    String topicsProblem = topicsProblem(i);
    if (topicsProblem != null) {
      return topicsProblem;
    }
    if (i.expiresAt().isBefore(i.createdAt())) {
      return "invalid lease: expiresAt " + i.expiresAt() + " is before createdAt " + i.createdAt();
    }
    if (!i.expiresAt().isAfter(now)) {
      return "lease already expired at " + i.expiresAt();
    }
    Duration ttl = Duration.between(now, i.expiresAt());
    if (ttl.compareTo(limits.maxTtl()) > 0) {
      return "lease too long: expires in "
          + ttl.toSeconds()
          + "s, the limit is "
          + limits.maxTtl().toSeconds()
          + "s";
    }
    return null;
  }

  private String matchProblem(MatchRules m) {
    if (m.global() && (!m.headers().isEmpty() || !m.baggage().isEmpty() || !m.anyOf().isEmpty())) {
      return "a global intercept takes every request no personal intercept took: it cannot have"
          + " header, baggage or any-of rules";
    }
    if (!m.global() && m.conditionCount() == 0 && m.anyOf().isEmpty()) {
      return "no match rules: give a header, baggage, any-of, path or method rule, or make the"
          + " intercept global";
    }
    if (m.conditionCount() > limits.maxConditions()) {
      return "too many match rules: "
          + m.conditionCount()
          + (m.anyOf().isEmpty() ? "" : " (each any-of alternative counts)")
          + ", the limit is "
          + limits.maxConditions();
    }
    for (HeaderMatch h : m.headers()) {
      String problem = headerProblem(h);
      if (problem != null) {
        return problem;
      }
    }
    for (BaggageMatch b : m.baggage()) {
      String problem = baggageProblem(b);
      if (problem != null) {
        return problem;
      }
    }
    for (AnyOf group : m.anyOf()) {
      if (group.size() == 0) {
        return "empty any-of group: give it at least one header or baggage alternative";
      }
      for (HeaderMatch h : group.headers()) {
        String problem = headerProblem(h);
        if (problem != null) {
          return problem;
        }
      }
      for (BaggageMatch b : group.baggage()) {
        String problem = baggageProblem(b);
        if (problem != null) {
          return problem;
        }
      }
    }
    if (m.pathPrefix() != null) {
      if (!m.pathPrefix().startsWith("/")) {
        return "invalid path prefix '" + abbreviate(m.pathPrefix()) + "': must start with '/'";
      }
      String lengthProblem = lengthProblem("path prefix", m.pathPrefix());
      if (lengthProblem != null) {
        return lengthProblem;
      }
      if (!FIELD_VALUE.matcher(m.pathPrefix()).matches() || m.pathPrefix().contains(" ")) {
        return "invalid path prefix '" + abbreviate(m.pathPrefix()) + "': no spaces or controls";
      }
    }
    if (m.method() != null && !TOKEN.matcher(m.method()).matches()) {
      return "invalid method '" + abbreviate(m.method()) + "': must be an RFC 9110 token";
    }
    return null;
  }

  /** Records are taken by their headers only: no path, method or global rule applies to them. */
  private static String topicsProblem(Intercept i) {
    if (i.topics().isEmpty()) {
      return null;
    }
    if (i.topics().size() > MAX_TOPICS) {
      return "too many topics: " + i.topics().size() + ", the limit is " + MAX_TOPICS;
    }
    for (String topic : i.topics()) {
      String problem = topicNameProblem(topic);
      if (problem != null) {
        return problem;
      }
    }
    MatchRules m = i.match();
    if (m.global()) {
      return "a global intercept cannot take topics: records are taken by their header or baggage"
          + " only";
    }
    if (m.pathPrefix() != null || m.method() != null) {
      return "an intercept with topics cannot have a path or method rule: records have neither;"
          + " use header, baggage or any-of rules";
    }
    return null;
  }

  private String headerProblem(HeaderMatch h) {
    if (!isValidHeaderName(h.name())) {
      return "invalid header name '" + abbreviate(h.name()) + "': must be an RFC 9110 token";
    }
    String lengthProblem = lengthProblem("value of header " + h.name(), h.value());
    if (lengthProblem != null) {
      return lengthProblem;
    }
    if (h.kind() == HeaderMatch.Kind.EXACT && !FIELD_VALUE.matcher(h.value()).matches()) {
      return "invalid value for header "
          + h.name()
          + ": use visible ASCII, no leading or trailing space";
    }
    if (h.kind() == HeaderMatch.Kind.REGEX) {
      try {
        Pattern.compile(h.value());
      } catch (PatternSyntaxException e) {
        return "invalid regex for header " + h.name() + ": " + e.getMessage();
      }
    }
    return null;
  }

  private String baggageProblem(BaggageMatch b) {
    if (!TOKEN.matcher(b.key()).matches() || b.key().length() > MAX_NAME_LENGTH) {
      return "invalid baggage key '" + abbreviate(b.key()) + "': must be an RFC 9110 token";
    }
    return lengthProblem("value of baggage " + b.key(), b.value());
  }

  private String lengthProblem(String what, String value) {
    if (value.isEmpty()) {
      return what + " is empty";
    }
    if (value.length() > limits.maxValueLength()) {
      return what
          + " too long: "
          + value.length()
          + " characters, the limit is "
          + limits.maxValueLength();
    }
    return null;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}

package io.sidetrack.cli.options;

import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --topic-prefix}, shared by every command that names Sidetrack's topics. */
public final class TopicOptions {
  @EnvVar
  @Option(
      names = "--topic-prefix",
      description =
          "Put in front of every topic name (default none; client commands: the one in"
              + " context.json).")
  String topicPrefix;

  /** The prefix given by flag or variable, empty when neither is. */
  public Optional<String> given() {
    return Optional.ofNullable(topicPrefix);
  }

  /** The prefix, {@code ""} when none is given. */
  public String prefix() {
    return topicPrefix == null ? "" : topicPrefix;
  }
}

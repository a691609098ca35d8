package io.sidetrack.stream;

/**
 * Thrown when a setting has a value registry-stream cannot use. The message names the setting (flag
 * and environment variable) and the value it got; the caller should print it and exit.
 */
public class ConfigException extends RuntimeException {
  public ConfigException(String setting, Object value, String expected) {
    super("invalid " + setting + ": '" + value + "' (" + expected + ")");
  }
}

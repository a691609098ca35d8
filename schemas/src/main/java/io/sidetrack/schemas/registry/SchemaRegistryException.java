package io.sidetrack.schemas.registry;

/**
 * Thrown when the schema registry cannot be reached or refuses a request (for example a schema that
 * breaks the subject's compatibility). The message names the registry, the request and its answer;
 * the caller should report it and retry later or fix the schema.
 */
public class SchemaRegistryException extends RuntimeException {
  private final int status;

  public SchemaRegistryException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public SchemaRegistryException(String message, int status) {
    this(message, status, null);
  }

  /** HTTP status the registry answered, or 0 when it was not reached. */
  public int status() {
    return status;
  }
}

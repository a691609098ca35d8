package io.sidetrack.injector;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What {@link Injector#inject} made of one object. */
public sealed interface Injection {
  /**
   * The agent was added.
   *
   * @param object the patched object (the input is not changed)
   * @param patch the RFC 6902 JSON Patch that turns the input into {@code object}
   * @param summary one line saying what was done with the ports
   */
  record Injected(ObjectNode object, ArrayNode patch, String summary) implements Injection {
    public Injected {
      requireNonNull(object, "object");
      requireNonNull(patch, "patch");
      requireNonNull(summary, "summary");
    }
  }

  /**
   * Nothing to do, as asked: the object is not opted in, already has the agent, or is not a kind
   * that runs pods. Not worth a warning.
   */
  record Skipped(String reason) implements Injection {
    public Skipped {
      requireNonNull(reason, "reason");
    }
  }

  /**
   * The object asked for the agent but cannot have it as it is: it stays untouched, and {@code
   * reason} says why and what to change. A webhook warns with it; the CLI prints it as an error.
   */
  record Refused(String reason) implements Injection {
    public Refused {
      requireNonNull(reason, "reason");
    }
  }
}

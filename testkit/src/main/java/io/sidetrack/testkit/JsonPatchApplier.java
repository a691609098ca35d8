package io.sidetrack.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A small RFC 6902 applier (add, replace, remove), as kube-apiserver applies a webhook's patch:
 * strict, an operation on a missing parent fails.
 */
public final class JsonPatchApplier {
  private JsonPatchApplier() {}

  /** {@code document} with {@code patch} applied; {@code document} is not changed. */
  public static JsonNode apply(JsonNode document, JsonNode patch) {
    JsonNode doc = document.deepCopy();
    for (JsonNode op : patch) {
      String path = op.path("path").asText();
      String[] tokens = path.substring(1).split("/", -1);
      JsonNode parent = doc;
      for (int i = 0; i < tokens.length - 1; i++) {
        String t = unescape(tokens[i]);
        parent = parent.isArray() ? parent.get(Integer.parseInt(t)) : parent.get(t);
        if (parent == null) {
          throw new IllegalArgumentException("no parent for " + path);
        }
      }
      String last = unescape(tokens[tokens.length - 1]);
      String kind = op.path("op").asText();
      JsonNode value = op.get("value");
      if (parent instanceof ObjectNode o) {
        if (!kind.equals("add") && !o.has(last)) {
          throw new IllegalArgumentException(kind + " of missing " + path);
        }
        if (kind.equals("remove")) {
          o.remove(last);
        } else {
          o.set(last, value.deepCopy());
        }
      } else if (parent instanceof ArrayNode a) {
        if (last.equals("-") && kind.equals("add")) {
          a.add(value.deepCopy());
        } else {
          int i = Integer.parseInt(last);
          switch (kind) {
            case "add" -> a.insert(i, value.deepCopy());
            case "replace" -> a.set(i, value.deepCopy());
            case "remove" -> a.remove(i);
            default -> throw new IllegalArgumentException("unsupported op " + kind);
          }
        }
      } else {
        throw new IllegalArgumentException("no container at " + path);
      }
    }
    return doc;
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }
}

package io.sidetrack.injector.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The RFC 6902 JSON Patch between two JSON documents: objects compared key by key, arrays element
 * by element with added elements appended ({@code /-}), anything else replaced. Made for the
 * injector's changes (fields changed in place, elements appended); an array that shrinks is
 * replaced whole, which is still a correct patch.
 */
public final class JsonPatches {
  private JsonPatches() {}

  /** The operations that turn {@code from} into {@code to}, in order. */
  public static ArrayNode diff(JsonNode from, JsonNode to) {
    ArrayNode ops = JsonNodeFactory.instance.arrayNode();
    diff("", from, to, ops);
    return ops;
  }

  /** {@code name} as one reference token of a JSON Pointer (RFC 6901: {@code ~0}, {@code ~1}). */
  public static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  private static void diff(String path, JsonNode a, JsonNode b, ArrayNode ops) {
    if (a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      for (Iterator<String> names = a.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!b.has(name)) {
          ops.add(op("remove", path + "/" + escape(name), null));
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> fields = b.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        String child = path + "/" + escape(field.getKey());
        JsonNode old = a.get(field.getKey());
        if (old == null) {
          ops.add(op("add", child, field.getValue()));
        } else {
          diff(child, old, field.getValue(), ops);
        }
      }
      return;
    }
    if (a.isArray() && b.isArray() && b.size() >= a.size()) {
      for (int i = 0; i < a.size(); i++) {
        diff(path + "/" + i, a.get(i), b.get(i), ops);
      }
      for (int i = a.size(); i < b.size(); i++) {
        ops.add(op("add", path + "/-", b.get(i)));
      }
      return;
    }
    ops.add(op("replace", path, b));
  }

  private static ObjectNode op(String op, String path, JsonNode value) {
    ObjectNode o = JsonNodeFactory.instance.objectNode().put("op", op).put("path", path);
    if (value != null) {
      o.set("value", value.deepCopy());
    }
    return o;
  }
}

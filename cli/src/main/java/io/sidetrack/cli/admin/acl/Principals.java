package io.sidetrack.cli.admin.acl;

import static java.util.Objects.requireNonNull;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The Kafka principal of each {@link Component}: {@code User:<default user>} unless overridden (a
 * cluster that authenticates with mTLS names its principals {@code User:CN=...}).
 */
public record Principals(Map<Component, String> byComponent) {
  public Principals {
    requireNonNull(byComponent, "byComponent");
    EnumMap<Component, String> all = new EnumMap<>(Component.class);
    for (Component c : Component.values()) {
      all.put(c, byComponent.getOrDefault(c, "User:" + c.defaultUser()));
    }
    all.values().forEach(Principals::check);
    byComponent = Map.copyOf(all);
  }

  /** Every component under its default principal. */
  public static Principals defaults() {
    return new Principals(Map.of());
  }

  /**
   * The defaults with {@code COMPONENT=TYPE:NAME} overrides, e.g. {@code router=User:CN=router}.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static Principals parse(List<String> overrides) {
    requireNonNull(overrides, "overrides");
    Map<Component, String> map = new EnumMap<>(Component.class);
    for (String entry : overrides) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "invalid --principal '" + entry + "' (COMPONENT=User:NAME)");
      }
      map.put(Component.of(entry.substring(0, eq).trim()), entry.substring(eq + 1).trim());
    }
    return new Principals(map);
  }

  /** The principal of {@code component}. */
  public String of(Component component) {
    return byComponent.get(requireNonNull(component, "component"));
  }

  /** The user name of {@code component}'s principal (the part after {@code User:}). */
  public String userOf(Component component) {
    String p = of(component);
    return p.substring(p.indexOf(':') + 1);
  }

  private static void check(String principal) {
    int colon = principal.indexOf(':');
    if (colon <= 0 || colon == principal.length() - 1) {
      throw new IllegalArgumentException(
          "invalid principal '" + principal + "' (TYPE:NAME, e.g. User:sidetrack-router)");
    }
  }
}

package io.sidetrack.cli.admin.acl;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.kafka.common.acl.AclBinding;

/**
 * The ACLs one component needs, each allowing its principal one operation on one resource.
 *
 * @param component the component
 * @param principal its principal
 * @param bindings its ACLs
 */
public record ComponentAcls(Component component, String principal, List<AclBinding> bindings) {
  public ComponentAcls {
    requireNonNull(component, "component");
    requireNonNull(principal, "principal");
    bindings = List.copyOf(requireNonNull(bindings, "bindings"));
  }
}

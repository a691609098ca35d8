package io.sidetrack.cli.admin.acl;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/** Adds the ACLs of a plan that a cluster lacks, and leaves the ones it has (and any others). */
public final class AclApplier {
  private final Admin admin;

  /** Applies through {@code admin}, whose principal may describe and create ACLs. */
  public AclApplier(Admin admin) {
    this.admin = requireNonNull(admin, "admin");
  }

  /**
   * The bindings of {@code wanted} the cluster does not have yet, created unless {@code dryRun}.
   *
   * @return the missing bindings, in {@code wanted}'s order
   */
  public List<AclBinding> apply(Collection<AclBinding> wanted, boolean dryRun)
      throws InterruptedException, ExecutionException, TimeoutException {
    requireNonNull(wanted, "wanted");
    Set<AclBinding> existing =
        new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS));
    List<AclBinding> missing = new ArrayList<>();
    for (AclBinding b : wanted) {
      if (!existing.contains(b) && !missing.contains(b)) {
        missing.add(b);
      }
    }
    if (!dryRun && !missing.isEmpty()) {
      admin.createAcls(missing).all().get(30, TimeUnit.SECONDS);
    }
    return missing;
  }
}

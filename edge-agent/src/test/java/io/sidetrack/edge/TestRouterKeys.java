package io.sidetrack.edge;

import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.core.trust.TrustedKeys;
import java.security.KeyPair;
import java.util.List;

/** One real router key pair shared by the edge agent's tests: what signs and what is trusted. */
public final class TestRouterKeys {
  public static final KeyPair PAIR = Keys.generate();
  public static final RouteSigner SIGNER = new RouteSigner(PAIR);
  public static final TrustedKeys TRUSTED = TrustedKeys.of(List.of(PAIR.getPublic()));

  private TestRouterKeys() {}
}

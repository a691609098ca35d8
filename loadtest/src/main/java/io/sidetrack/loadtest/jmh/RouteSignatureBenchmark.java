package io.sidetrack.loadtest.jmh;

import io.sidetrack.core.FailureMode;
import io.sidetrack.core.MatchRules;
import io.sidetrack.core.routing.Route;
import io.sidetrack.core.trust.Keys;
import io.sidetrack.core.trust.RouteSigner;
import io.sidetrack.core.trust.RouteStatement;
import io.sidetrack.core.trust.TrustedKeys;
import io.sidetrack.core.trust.Verification;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What checking one route entry's signature costs an agent (it checks every entry it reads): the
 * agent's {@link TrustedKeys#verify(Route)} beside the JDK's own Ed25519 verification of the same
 * statement and signature, its anchor.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouteSignatureBenchmark {
  Route route;
  TrustedKeys trusted;
  KeyPair pair;
  byte[] statement;
  byte[] signature;

  @Setup
  public void setUp() throws Exception {
    pair = KeyPairGenerator.getInstance(Keys.ALGORITHM).generateKeyPair();
    RouteSigner signer = new RouteSigner(pair);
    Instant t0 = Instant.parse("2026-12-02T00:00:00Z");
    Route unsigned =
        new Route(
            "alice-orders-1a2b3c",
            "orders",
            "alice",
            MatchRules.header("x-sidetrack-id", "alice"),
            "10.0.0.7:8071",
            t0,
            FailureMode.FAIL_OPEN);
    statement = RouteStatement.of(unsigned).bytes();
    var signed = signer.sign(RouteStatement.of(unsigned));
    route =
        new Route(
            unsigned.interceptId(),
            unsigned.workload(),
            unsigned.owner(),
            unsigned.match(),
            unsigned.target(),
            unsigned.createdAt(),
            unsigned.failureMode(),
            signed);
    signature = signed.bytes();
    trusted = TrustedKeys.of(List.of(pair.getPublic()));
    if (!trusted.verify(route).isTrusted() || !jdkVerify()) {
      throw new IllegalStateException("the benchmark's signature does not verify");
    }
  }

  @Benchmark
  public Verification agentVerify() {
    return trusted.verify(route);
  }

  @Benchmark
  public boolean jdkVerify() throws Exception {
    Signature s = Signature.getInstance(Keys.ALGORITHM);
    s.initVerify(pair.getPublic());
    s.update(statement);
    return s.verify(signature);
  }
}

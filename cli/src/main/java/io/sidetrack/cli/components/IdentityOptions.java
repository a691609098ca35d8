package io.sidetrack.cli.components;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.router.RouterConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** How the router knows developers beyond its tokens file: the file's reload, and OIDC (JWTs). */
public final class IdentityOptions {
  @EnvVar
  @Option(
      names = "--tokens-reload",
      defaultValue = "2s",
      description =
          "How often the tokens file is looked at for a change; a changed file that does not parse"
              + " is logged and the tokens before it stay (0: read once; default"
              + " ${DEFAULT-VALUE}).")
  Duration tokensReload;

  @EnvVar
  @Option(
      names = "--oidc-issuer",
      description =
          "Accept JWT bearer tokens of this OpenID Connect issuer: its 'iss', where discovery"
              + " (/.well-known/openid-configuration) finds the keys (default none: the tokens"
              + " file only).")
  URI oidcIssuer;

  @EnvVar
  @Option(
      names = "--oidc-jwks-url",
      description =
          "The issuer's JWKS, when discovery should not be used (default from discovery).")
  URI oidcJwksUrl;

  @EnvVar
  @Option(
      names = "--oidc-audience",
      description = "What a JWT's 'aud' must contain (required with --oidc-issuer).")
  String oidcAudience;

  @EnvVar
  @Option(
      names = "--oidc-identity-claim",
      defaultValue = RouterConfig.Identity.DEFAULT_IDENTITY_CLAIM,
      description =
          "The claim that names the developer, the owner of their intercepts; no other claim"
              + " stands in for it (default ${DEFAULT-VALUE}).")
  String identityClaim;

  @EnvVar
  @Option(
      names = "--oidc-workloads-claim",
      defaultValue = RouterConfig.Identity.DEFAULT_WORKLOADS_CLAIM,
      description =
          "The claim that lists the workloads the developer may intercept: an array, or a string"
              + " of names ('*': all) (default ${DEFAULT-VALUE}).")
  String workloadsClaim;

  @EnvVar
  @Option(
      names = "--oidc-groups-claim",
      defaultValue = RouterConfig.Identity.DEFAULT_GROUPS_CLAIM,
      description =
          "The claim that lists the developer's groups, for --oidc-group-workloads (default"
              + " ${DEFAULT-VALUE}).")
  String groupsClaim;

  @EnvVar
  @Option(
      names = "--oidc-group-workloads",
      paramLabel = "FILE",
      description =
          "A file of 'GROUP WORKLOAD[,WORKLOAD...]' lines: a member of GROUP may intercept those"
              + " workloads too ('#' starts a comment; default none).")
  Path groupWorkloads;

  @EnvVar
  @Option(
      names = "--oidc-clock-skew",
      defaultValue = "60s",
      description =
          "How far a JWT's exp and nbf may be off the router's clock (at most 5m; default"
              + " ${DEFAULT-VALUE}).")
  Duration clockSkew;

  /** The settings, the group mapping read. */
  public RouterConfig.Identity toConfig() throws IOException {
    Map<String, Set<String>> groups = Map.of();
    if (groupWorkloads != null) {
      if (!Files.isReadable(groupWorkloads)) {
        throw new IllegalArgumentException(
            "--oidc-group-workloads (SIDETRACK_OIDC_GROUP_WORKLOADS): "
                + groupWorkloads
                + " does not exist or is unreadable");
      }
      groups =
          RouterConfig.Identity.groupWorkloads(
              groupWorkloads.toString(),
              Files.readAllLines(groupWorkloads, StandardCharsets.UTF_8));
    }
    return new RouterConfig.Identity(
        tokensReload,
        oidcIssuer,
        oidcJwksUrl,
        oidcAudience == null || oidcAudience.isBlank() ? null : oidcAudience,
        identityClaim,
        workloadsClaim,
        groupsClaim,
        groups,
        clockSkew);
  }
}

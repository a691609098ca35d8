package io.sidetrack.cli.login;

import io.sidetrack.cli.context.ContextFile;
import io.sidetrack.cli.options.EnvVar;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sidetrack login}: get a token for the router and keep it for the other commands. */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Log in to the router's OpenID Connect issuer with the device authorization grant: open the"
          + " URL it prints, enter the code, and the token (with its refresh token) is kept in"
          + " $SIDETRACK_HOME/login.json (mode 0600). 'intercept', 'list', 'leave' and 'agents'"
          + " use it when no --token is given, and refresh it when it has expired.",
      "Or keep a token you already have: --token, or --token-stdin to read it from standard"
          + " input (a tokens-file token or a JWT)."
    })
public final class LoginCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  static final class Pasted {
    @Option(
        names = "--token",
        description = "Keep this token (no variable: it would stay in the environment).")
    String token;

    @Option(names = "--token-stdin", description = "Read the token from standard input.")
    boolean stdin;
  }

  @ArgGroup(exclusive = true)
  Pasted pasted;

  @EnvVar
  @Option(
      names = "--oidc-issuer",
      description = "The issuer to log in at (the router's --oidc-issuer).")
  URI issuer;

  @EnvVar
  @Option(
      names = "--oidc-client-id",
      description = "The public client the issuer knows the CLI by (e.g. sidetrack-cli).")
  String clientId;

  @EnvVar
  @Option(
      names = "--oidc-scope",
      defaultValue = "openid offline_access",
      description =
          "Scopes to ask for (default ${DEFAULT-VALUE}: offline_access for a refresh token).")
  String scope;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Login login;
    if (pasted != null) {
      String token =
          pasted.stdin
              ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                  .readLine()
              : pasted.token;
      if (token == null || token.isBlank() || token.trim().contains(" ")) {
        throw new IllegalArgumentException(
            "no token: --token-stdin reads one token on the first line of standard input");
      }
      login = Login.pasted(token.trim());
    } else {
      if (issuer == null || clientId == null || clientId.isBlank()) {
        throw new IllegalArgumentException(
            "sidetrack login needs --oidc-issuer and --oidc-client-id (SIDETRACK_OIDC_ISSUER,"
                + " SIDETRACK_OIDC_CLIENT_ID), or a token: --token or --token-stdin");
      }
      OidcClient client = new OidcClient();
      OidcClient.Endpoints endpoints = client.discover(issuer);
      login = deviceLogin(client, endpoints, out);
    }
    LoginFile.write(ContextFile.home(), login);
    out.printf("Logged in; the token is kept in %s.%n", LoginFile.path(ContextFile.home()));
    out.flush();
    return 0;
  }

  Login deviceLogin(OidcClient client, OidcClient.Endpoints endpoints, PrintWriter out)
      throws Exception {
    OidcClient.DeviceCode code = client.startDevice(endpoints, clientId, scope);
    out.printf("Open %s and enter the code %s%n", code.verificationUri(), code.userCode());
    if (code.verificationUriComplete() != null) {
      out.printf("(or open %s)%n", code.verificationUriComplete());
    }
    out.println("Waiting for the login to be approved...");
    out.flush();
    return client.awaitDevice(endpoints, clientId, code);
  }
}

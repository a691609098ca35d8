package io.sidetrack.cli.keys;

import io.sidetrack.cli.options.EnvVar;
import io.sidetrack.core.trust.TrustedKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sidetrack keys}: router signing keys. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Router signing keys: agents route only to what a router they trust signed.",
    subcommands = {KeysCommand.Generate.class})
public final class KeysCommand {

  /** {@code sidetrack keys generate --out DIR}. */
  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Write a new Ed25519 router signing key pair into --out: "
            + KeyFiles.PRIVATE
            + " (PKCS#8, mode 0600) for every router (--signing-key), and "
            + KeyFiles.PUBLIC
            + " for registry-stream and every edge agent (--trusted-router-keys).",
        "Keep the private key with the routers only: whoever holds it can point agents anywhere."
            + " To rotate, give agents and registry-stream the old and the new public key, move"
            + " the routers to the new private key, then drop the old public key."
      })
  public static final class Generate implements Callable<Integer> {
    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "Directory to write the two files into (created if missing).")
    Path out;

    @EnvVar
    @Option(
        names = "--if-missing",
        defaultValue = "false",
        description =
            "Keep the pair already in --out and exit 0 (a job run at every start of a stack);"
                + " without it an existing key is an error.")
    boolean ifMissing;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter w = spec.commandLine().getOut();
      if (ifMissing && KeyFiles.exists(out)) {
        w.println("Keeping the key pair in " + out);
        w.flush();
        return 0;
      }
      KeyPair pair = KeyFiles.generate(out);
      w.println("Private key (routers, --signing-key): " + out.resolve(KeyFiles.PRIVATE));
      w.println(
          "Public key (registry-stream and edge agents, --trusted-router-keys): "
              + out.resolve(KeyFiles.PUBLIC));
      w.println("Key id: " + TrustedKeys.keyIdOf(pair.getPublic()));
      w.flush();
      return 0;
    }
  }
}

package io.sidetrack.cli.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.sidetrack.cli.Sidetrack;
import io.sidetrack.injector.Injection;
import io.sidetrack.injector.Injector;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sidetrack inject}: adds the edge agent to the workloads of a manifest, offline. */
@Command(
    name = InjectCommand.NAME,
    mixinStandardHelpOptions = true,
    description = {
      "Add the edge agent (container sidetrack-agent) to the Deployments, StatefulSets,"
          + " ReplicaSets and Pods of a manifest whose pod carries the annotation"
          + " sidetrack.io/inject: \"true\", and write the manifest to standard output; other"
          + " documents are written unchanged (comments are not kept).",
      "Like the webhook ('sidetrack injector'): the agent takes the app's port (sidetrack.io/port,"
          + " default the first container's first port) so Services need no change; see"
          + " docs/deploy/inject.md. Running it twice changes nothing.",
      "Exit code 1 when an opted-in object cannot be injected (one line each on standard error;"
          + " it is written unchanged), 2 on bad flags or input.",
      "Every flag has an environment variable; flags win."
    })
public final class InjectCommand implements Callable<Integer> {
  public static final String NAME = "inject";

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE",
      description = "Multi-document YAML (or JSON) to inject; '-' reads standard input.")
  String file;

  @Option(
      names = "--all",
      description =
          "Inject every workload without a sidetrack.io/inject annotation too (one annotated with"
              + " another value than \"true\" still is not).")
  boolean all;

  @Mixin AgentOptions agent;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Injector injector = new Injector(agent.toSettings(spec.commandLine()));
    PrintWriter err = spec.commandLine().getErr();
    List<JsonNode> documents;
    try {
      documents = read();
    } catch (NoSuchFileException e) {
      err.println("sidetrack: error: no such file: " + file);
      return Sidetrack.EXIT_USAGE;
    } catch (IOException e) {
      err.println("sidetrack: error: " + source() + " is not YAML or JSON: " + firstLine(e));
      return Sidetrack.EXIT_USAGE;
    }
    boolean refused = false;
    YAMLMapper yaml = yamlMapper();
    StringBuilder out = new StringBuilder();
    for (JsonNode document : documents) {
      refused |= !injectInto(document, injector, err);
      out.append(yaml.writeValueAsString(document));
    }
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.print(out);
    stdout.flush();
    err.flush();
    return refused ? Sidetrack.EXIT_FAILURE : 0;
  }

  /**
   * Injects {@code document} (each item of a List) in place.
   *
   * @return false when an opted-in object was refused
   */
  private boolean injectInto(JsonNode document, Injector injector, PrintWriter err) {
    if (document instanceof ObjectNode o
        && "List".equals(o.path("kind").asText())
        && o.get("items") instanceof ArrayNode items) {
      boolean ok = true;
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        Injection injection = injector.inject(item, all);
        if (injection instanceof Injection.Injected injected) {
          items.set(i, injected.object());
        }
        ok &= report(item, injection, err);
      }
      return ok;
    }
    Injection injection = injector.inject(document, all);
    if (injection instanceof Injection.Injected injected && document instanceof ObjectNode o) {
      o.removeAll();
      o.setAll(injected.object());
    }
    return report(document, injection, err);
  }

  private boolean report(JsonNode object, Injection injection, PrintWriter err) {
    String what = object.path("kind").asText("?") + "/" + name(object);
    if (injection instanceof Injection.Refused refused) {
      err.println("sidetrack: " + what + " not injected: " + refused.reason());
      return false;
    }
    if (injection instanceof Injection.Injected injected) {
      err.println("sidetrack: " + what + " injected: " + injected.summary());
    }
    return true;
  }

  private static String name(JsonNode object) {
    String name = object.path("metadata").path("name").asText("");
    return name.isEmpty() ? object.path("metadata").path("generateName").asText("?") : name;
  }

  private List<JsonNode> read() throws IOException {
    byte[] bytes;
    if (file.equals("-")) {
      InputStream in = System.in;
      bytes = in.readAllBytes();
    } else {
      bytes = Files.readAllBytes(Path.of(file));
    }
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        yamlMapper()
            .readerFor(JsonNode.class)
            .readValues(new String(bytes, StandardCharsets.UTF_8))) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          documents.add(doc);
        }
      }
    }
    return documents;
  }

  private String source() {
    return file.equals("-") ? "standard input" : file;
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static YAMLMapper yamlMapper() {
    return new YAMLMapper(
        YAMLFactory.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());
  }
}
